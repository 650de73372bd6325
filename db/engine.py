"""Engines for a SQLite file or a PostgreSQL server, from a SQLAlchemy URL.

SQLite is the default: one file the user can copy (while 村务通 is closed; in
WAL mode recent changes sit in ``…-wal`` beside it until the last
connection closes). Every SQLite connection runs with

- ``journal_mode=WAL``: readers do not block the writer;
- ``foreign_keys=ON``: SQLite ignores foreign keys unless asked;
- ``synchronous=FULL``: a power cut in a village office must not lose a commit;
- ``busy_timeout``: wait for a lock instead of failing at once.

``check_same_thread=False`` because the UI uses storage from one worker thread,
not the thread that opened it. SQLAlchemy emits ``BEGIN`` itself, so a
transaction covers reads and DDL too (the sqlite3 module's legacy mode begins
only before INSERT/UPDATE/DELETE, which would make migrations non-atomic).
A connection with the execution option ``WRITE_LOCK`` begins with ``BEGIN
IMMEDIATE``: it takes the file's one write lock at once (waiting up to the
busy timeout for another writer to finish), so a writer never reads a
snapshot that another writer then makes stale.

PostgreSQL goes through psycopg 3: ``postgresql://…`` is read as
``postgresql+psycopg://…``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from village_desk.errors import StorageError

SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option: begin SQLite transactions with BEGIN IMMEDIATE (ignored by PostgreSQL).
WRITE_LOCK = "village_desk_write_lock"
PG_CONNECT_TIMEOUT_S = 10

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = FULL",
)


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file; any characters in the path (spaces, Chinese) survive."""
    return URL.create("sqlite", database=str(Path(path).expanduser().absolute())).render_as_string(
        hide_password=False
    )


def parse_url(url: str | URL) -> URL:
    """Parse and normalise a database URL; a ``StorageError`` if we cannot use it."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            "数据库地址的格式不对。",
            "请填写 SQLite 文件路径，或形如 postgresql://用户名@服务器:5432/数据库名 的地址。",
        ) from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
            return parsed.set(drivername="postgresql+psycopg")
        raise StorageError(
            f"不支持数据库驱动“{parsed.drivername}”。",
            "连接 PostgreSQL 时请使用 postgresql:// 或 postgresql+psycopg:// 开头的地址。",
        )
    if backend == "sqlite" and parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed
    raise StorageError(
        f"不支持这种数据库（{parsed.drivername}）。",
        "村务通只能使用 SQLite 数据文件或 PostgreSQL 数据库服务器。",
    )


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL; ``None`` for an in-memory database."""
    database = url.database
    if not is_sqlite(url) or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def describe_location(url: URL) -> str:
    """What the status bar shows: the file, or ``PostgreSQL host:port/dbname`` (never a password)."""
    if is_sqlite(url):
        path = sqlite_path(url)
        return str(path) if path is not None else "内存数据库（关闭后不保留）"
    return f"PostgreSQL {url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def make_engine(url: URL, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for a parsed URL (see ``parse_url``); connects lazily."""
    if is_sqlite(url):
        return _sqlite_engine(url, sqlite_busy_timeout_ms)
    connect_args: dict[str, Any] = {
        "connect_timeout": PG_CONNECT_TIMEOUT_S,
        "application_name": "village_desk",
    }
    # pre_ping: a desktop session outlives server restarts and dropped networks.
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: URL, busy_timeout_ms: int) -> Engine:
    # sqlite3's ``timeout`` sets SQLite's busy timeout as the file opens, so even the
    # switch to WAL waits for a lock; the PRAGMA below states it where it can be read back.
    connect_args: dict[str, Any] = {
        "check_same_thread": False,
        "timeout": busy_timeout_ms / 1000,
    }
    if url.database in (None, "", ":memory:"):
        # An in-memory database lives as long as its one connection.
        engine = create_engine(url, connect_args=connect_args, poolclass=StaticPool)
    else:
        engine = create_engine(url, connect_args=connect_args)
    pragmas = (f"PRAGMA busy_timeout = {int(busy_timeout_ms)}", *_SQLITE_PRAGMAS)

    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from the sqlite3 module; _on_sqlite_begin emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
