"""The collective's books (集体财务): books, accounts, items, opening balances, vouchers and their lines,
month totals, scanned attachments, bank statement lines.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-20

Written by hand against ``db/models.py``; the drift test keeps them equal.
Only new tables: a database from 0004 has no books yet (the first one is
opened by an administrator). Money is integer 分. A voucher line carries
copies of its voucher's book, date, type, number and status so that a book
of account (明细账, 日记账) reads one index in order; the month totals are
derived data kept as vouchers are posted, so a trial balance reads a few
rows per account and month instead of every line.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_ENUM = sa.String(length=20)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=False)


def _long_text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False)


def _enum(name: str) -> sa.Column[str]:
    return sa.Column(name, _ENUM, nullable=False)


def _int(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _date(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Date(), nullable=False)


def _cents(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "ledger_book",
        _id(),
        _text("name"),
        _text("code"),
        _int("start_year"),
        _int("start_month"),
        _long_text("voucher_types"),
        _int("closed_year", nullable=True),
        _int("closed_month", nullable=True),
        _long_text("grants"),
        _text("cashier_name"),
        _cents("income_target"),
        _int("lines_per_form"),
        _text("closed_reason"),
        _version(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_book")),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_book_code")),
    )

    op.create_table(
        "ledger_account",
        _id(),
        _int("book_id"),
        _text("code"),
        _text("name"),
        _enum("account_class"),
        _enum("side"),
        _enum("aux"),
        _text("disabled_reason"),
        _version(),
        _fk("ledger_account", "book_id", "ledger_book"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_account")),
        sa.UniqueConstraint("book_id", "code", name=op.f("uq_ledger_account_book_id")),
    )

    op.create_table(
        "ledger_aux_item",
        _id(),
        _int("book_id"),
        _enum("kind"),
        _text("code"),
        _text("name"),
        _int("household_id", nullable=True),
        _text("note"),
        _text("disabled_reason"),
        _version(),
        _fk("ledger_aux_item", "book_id", "ledger_book"),
        _fk("ledger_aux_item", "household_id", "households"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_aux_item")),
    )
    op.create_index("ix_ledger_aux_item_book_kind", "ledger_aux_item", ["book_id", "kind", "code"])

    op.create_table(
        "ledger_opening",
        _id(),
        _int("book_id"),
        _int("account_id"),
        _int("aux_id", nullable=True),
        _cents("amount"),
        _fk("ledger_opening", "book_id", "ledger_book"),
        _fk("ledger_opening", "account_id", "ledger_account"),
        _fk("ledger_opening", "aux_id", "ledger_aux_item"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_opening")),
    )
    op.create_index(op.f("ix_ledger_opening_book_id"), "ledger_opening", ["book_id"])
    op.create_index(op.f("ix_ledger_opening_account_id"), "ledger_opening", ["account_id"])

    op.create_table(
        "ledger_voucher",
        _id(),
        _int("book_id"),
        _text("type_code"),
        _int("year"),
        _int("month"),
        _int("number", nullable=True),
        _date("date"),
        _int("attachments"),
        _enum("status"),
        _text("summary"),
        _cents("amount"),
        _text("prepared_by"),
        _int("prepared_by_id", nullable=True),
        _text("reviewed_by"),
        _int("reviewed_by_id", nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        _text("posted_by"),
        sa.Column("posted_at", sa.DateTime(), nullable=True),
        _text("void_reason"),
        _enum("correction"),
        _int("corrects_id", nullable=True),
        _enum("origin"),
        _version(),
        _fk("ledger_voucher", "book_id", "ledger_book"),
        _fk("ledger_voucher", "corrects_id", "ledger_voucher"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_voucher")),
        sa.UniqueConstraint(
            "book_id", "year", "month", "type_code", "number", name=op.f("uq_ledger_voucher_book_id")
        ),
    )
    op.create_index("ix_ledger_voucher_book_date", "ledger_voucher", ["book_id", "date"])
    op.create_index(op.f("ix_ledger_voucher_corrects_id"), "ledger_voucher", ["corrects_id"])

    op.create_table(
        "ledger_voucher_line",
        _id(),
        _int("voucher_id"),
        _int("line_no"),
        _text("summary"),
        _int("account_id"),
        _int("aux_id", nullable=True),
        _cents("debit"),
        _cents("credit"),
        _int("book_id"),
        _date("date"),
        _text("type_code"),
        _int("number", nullable=True),
        _enum("status"),
        _fk("ledger_voucher_line", "voucher_id", "ledger_voucher"),
        _fk("ledger_voucher_line", "account_id", "ledger_account"),
        _fk("ledger_voucher_line", "aux_id", "ledger_aux_item"),
        _fk("ledger_voucher_line", "book_id", "ledger_book"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_voucher_line")),
        sa.UniqueConstraint("voucher_id", "line_no", name=op.f("uq_ledger_voucher_line_voucher_id")),
    )
    op.create_index(
        "ix_ledger_voucher_line_account",
        "ledger_voucher_line",
        ["account_id", "status", "date", "type_code", "number", "line_no", "debit", "credit"],
    )
    op.create_index("ix_ledger_voucher_line_aux", "ledger_voucher_line", ["aux_id", "status", "date"])
    op.create_index("ix_ledger_voucher_line_book_summary", "ledger_voucher_line", ["book_id", "summary"])

    op.create_table(
        "ledger_month_total",
        sa.Column("account_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("closing", sa.Boolean(), autoincrement=False, nullable=False),
        _int("book_id"),
        _cents("debit"),
        _cents("credit"),
        _fk("ledger_month_total", "account_id", "ledger_account"),
        _fk("ledger_month_total", "book_id", "ledger_book"),
        sa.PrimaryKeyConstraint("account_id", "year", "month", "closing", name=op.f("pk_ledger_month_total")),
    )
    op.create_index("ix_ledger_month_total_book_period", "ledger_month_total", ["book_id", "year", "month"])

    op.create_table(
        "ledger_voucher_file",
        _id(),
        _int("voucher_id"),
        _text("filename"),
        _int("size"),
        _text("added_by"),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _version(),
        _fk("ledger_voucher_file", "voucher_id", "ledger_voucher"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_voucher_file")),
    )
    op.create_index(op.f("ix_ledger_voucher_file_voucher_id"), "ledger_voucher_file", ["voucher_id"])

    op.create_table(
        "ledger_bank_line",
        _id(),
        _int("book_id"),
        _int("account_id"),
        _date("date"),
        _text("summary"),
        _cents("deposit"),
        _cents("withdrawal"),
        _text("reference"),
        _int("matched_voucher_id", nullable=True),
        _int("matched_line", nullable=True),
        _version(),
        _fk("ledger_bank_line", "book_id", "ledger_book"),
        _fk("ledger_bank_line", "account_id", "ledger_account"),
        _fk("ledger_bank_line", "matched_voucher_id", "ledger_voucher"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_bank_line")),
    )
    op.create_index(op.f("ix_ledger_bank_line_book_id"), "ledger_bank_line", ["book_id"])
    op.create_index("ix_ledger_bank_line_account_date", "ledger_bank_line", ["account_id", "date"])


def downgrade() -> None:
    for table in (
        "ledger_bank_line",
        "ledger_voucher_file",
        "ledger_month_total",
        "ledger_voucher_line",
        "ledger_voucher",
        "ledger_opening",
        "ledger_aux_item",
        "ledger_account",
        "ledger_book",
    ):
        op.drop_table(table)
