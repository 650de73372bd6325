"""Small SQL helpers both storage modules use (``db.storage`` and its ledger part ``db.ledger_store``)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from village_desk.errors import ValidationError

LIKE_ESCAPE = "\\"
SQLITE_CONSTRAINT_UNIQUE = 2067
PG_UNIQUE_VIOLATION = "23505"
CENT = Decimal("0.01")
NOT_FOUND = "找不到这条{label}记录，可能已被别人修改。请刷新后重试。"


def escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern: ``%`` and ``_`` are not wildcards."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")


def insert_for(session: Session) -> Callable[..., Any]:
    """The dialect's INSERT (both have ``on_conflict_do_nothing``)."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def is_unique_violation(exc: sa.exc.IntegrityError) -> bool:
    orig = exc.orig
    if isinstance(orig, sqlite3.IntegrityError):
        return getattr(orig, "sqlite_errorcode", None) == SQLITE_CONSTRAINT_UNIQUE
    return getattr(orig, "sqlstate", None) == PG_UNIQUE_VIOLATION


def money(value: Decimal, name: str, label: str) -> Decimal:
    """Money to the 分 as stored (``1200`` → ``1200.00``); a finer amount is refused, never rounded."""
    cents = Decimal(value).quantize(CENT)
    if cents != value:
        raise ValidationError.single(name, f"{label}最多到分（两位小数），请改正后再保存。")
    return cents


def as_date(value: object) -> dt.date | None:
    """A DATE read back: through an aggregate, a subquery or GROUP BY, SQLite gives it as text."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_day(value: object) -> dt.date:
    """``as_date`` of a value that cannot be NULL."""
    day = as_date(value)
    if day is None:
        raise ValueError("a date was NULL")
    return day
