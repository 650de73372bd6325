"""Accounts, office settings, and the hash-chained audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Written by hand against ``db/models.py``; the drift test keeps them equal.
A database from 0001 gets no users: the program asks for the first
administrator at the next start.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("username"),
        _text("display_name"),
        _text("roles"),
        _text("password_hash"),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=True),
        _text("closed_reason"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "office_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idle_lock_minutes", sa.Integer(), nullable=False),
        _text("backup_dir"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_office_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_settings")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=19), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _text("username"),
        _text("user_name"),
        sa.Column("action", sa.String(length=20), nullable=False),
        _text("record_type"),
        sa.Column("record_id", sa.Integer(), nullable=True),
        _text("summary"),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_username"), "audit_log", ["username"])
    op.create_index(op.f("ix_audit_log_record_type"), "audit_log", ["record_type"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )


def downgrade() -> None:
    for table in ("audit_head", "audit_log", "office_settings", "users"):
        op.drop_table(table)
