"""Public notices (公示公告): notices, their issued PDFs, board photos, feedback, numbers, settings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Written by hand against ``db/models.py``; the drift test keeps them equal.
Only new tables: a database from 0002 has no notices, and its settings row
appears with the first save of the notice settings (until then the
defaults apply).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_ENUM = sa.String(length=20)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=False)


def _long_text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False)


def _enum(name: str) -> sa.Column[str]:
    return sa.Column(name, _ENUM, nullable=False)


def _date(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Date(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        _enum("category"),
        _enum("kind"),
        _text("title"),
        _long_text("body"),
        _long_text("attachments"),
        _date("period_start"),
        _date("period_end"),
        _enum("period_unit"),
        _text("period_rule"),
        _long_text("objection"),
        sa.Column("show_phones", sa.Boolean(), nullable=False),
        _text("issuer"),
        _date("issue_date"),
        _enum("seal"),
        sa.Column("letterhead", sa.Boolean(), nullable=False),
        _enum("paper"),
        _text("source"),
        _enum("status"),
        _text("number"),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        _text("issued_by"),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        _date("posted_on"),
        _date("taken_down_on"),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        _text("cancelled_reason"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _version(),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["notices.id"], name=op.f("fk_notices_supersedes_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"], ["notices.id"], name=op.f("fk_notices_superseded_by_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("category", "year", "seq", name=op.f("uq_notices_category")),
    )
    op.create_index(op.f("ix_notices_category"), "notices", ["category"])
    op.create_index(op.f("ix_notices_status"), "notices", ["status"])
    op.create_index(op.f("ix_notices_year"), "notices", ["year"])
    op.create_index(op.f("ix_notices_created_at"), "notices", ["created_at"])

    op.create_table(
        "notice_pdfs",
        sa.Column("notice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], name=op.f("fk_notice_pdfs_notice_id_notices")),
        sa.PrimaryKeyConstraint("notice_id", name=op.f("pk_notice_pdfs")),
    )

    op.create_table(
        "notice_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        _text("filename"),
        _date("taken_on"),
        _text("note"),
        _text("added_by"),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _version(),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_photos_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_photos")),
    )
    op.create_index(op.f("ix_notice_photos_notice_id"), "notice_photos", ["notice_id"])

    op.create_table(
        "notice_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        _enum("kind"),
        _text("from_whom"),
        _long_text("content"),
        _long_text("answer"),
        _date("answered_on"),
        _text("answered_by"),
        _version(),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_feedback_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_feedback")),
    )
    op.create_index(op.f("ix_notice_feedback_notice_id"), "notice_feedback", ["notice_id"])

    op.create_table(
        "notice_counters",
        _enum("category"),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("category", "year", name=op.f("pk_notice_counters")),
    )

    op.create_table(
        "notice_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _long_text("number_formats"),
        _long_text("period_rules"),
        _long_text("cadences"),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        _long_text("holidays"),
        _long_text("extra_workdays"),
        _long_text("objection"),
        _long_text("fonts"),
        _version(),
        sa.CheckConstraint("id = 1", name=op.f("ck_notice_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_settings")),
    )


def downgrade() -> None:
    for table in (
        "notice_settings",
        "notice_counters",
        "notice_feedback",
        "notice_photos",
        "notice_pdfs",
        "notices",
    ):
        op.drop_table(table)
