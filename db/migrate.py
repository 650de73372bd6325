"""What happens to a database when 村务通 opens it.

- **New or empty** (no tables): the migrations run from the start, so the
  schema is created and stamped with its revision (never ``create_all``).
- **At the head revision**: nothing. This is every start but the first after
  an update, so it must be quick: the revision is compared with
  ``HEAD_REVISION`` and Alembic is not even imported.
- **An older revision**: a SQLite file is first copied beside itself
  (``village.sqlite3.20261128-123456.rev0001.bak``, with SQLite's online
  backup API), then upgraded in one transaction. If the upgrade fails, the file
  is restored from that copy and ``MigrationError`` says so and names the
  copy. A PostgreSQL database gets no file copy (backing up a server is the
  job of its administrator, e.g. ``pg_dump``); its upgrade runs in one
  transaction (PostgreSQL's DDL is transactional), so a failure leaves it
  as it was.
- **A revision our scripts do not know**: a newer 村务通 wrote it.
  ``DatabaseTooNewError``, and the file is not touched: a SQLite file is read
  through a read-only connection before the engine (whose ``journal_mode=WAL``
  rewrites the file header) ever opens it.
- **Not a SQLite file, or a damaged one**: ``StorageError`` with the hint to
  restore from a backup.
- **Tables but no revision**: not a 村务通 database; refused untouched.

A new revision: change ``db/models.py``, then let Alembic draft the script
against a database at head and check it by hand::

    from alembic import command
    from db.migrate import alembic_config
    command.revision(alembic_config(url="sqlite:////tmp/scratch.sqlite3"),
                     message="what changed", rev_id="0002", autogenerate=True)

then bump ``HEAD_REVISION`` and add ``tests/db/fixtures/schema_0002.sqlite3``
(a ``make_fixture`` for it) so that every released schema keeps being upgraded
in the tests.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from db.engine import is_sqlite, sqlite_path
from db.errors import environment_error, is_database_failure, os_storage_error, to_storage_error
from db.schema_version import HEAD_REVISION
from village_desk.errors import DatabaseTooNewError, MigrationError, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class SchemaState:
    """What a database holds before we touch it."""

    revisions: frozenset[str]
    has_tables: bool  # any table besides the version table


def alembic_config(script_location: Path = MIGRATIONS_DIR, url: str | None = None) -> Config:
    """An Alembic ``Config`` built in code; ``url`` only for developer commands (``revision``)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def script_head(script_location: Path = MIGRATIONS_DIR) -> str:
    """The head revision of a script directory (imports Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration scripts in {script_location}")
    return head


def prepare_database(
    url: URL,
    engine: Engine,
    *,
    script_location: Path = MIGRATIONS_DIR,
    head: str = HEAD_REVISION,
    on_backup: Callable[[Path], object] | None = None,
) -> None:
    """Bring the database behind ``engine`` to ``head`` (see the module docstring).

    ``on_backup`` is called with the copy made beside a SQLite file before it
    is upgraded (the application also files it in the backup folder).
    Raises ``DatabaseTooNewError``, ``MigrationError`` or ``StorageError``.
    """
    path = sqlite_path(url)
    state = _read_state(path, engine)
    if state.revisions == {head}:
        return
    if not state.revisions and state.has_tables:
        raise StorageError(
            "这个数据库里已有别的数据表，不是村务通的数据库，没有打开它，也没有做任何改动。",
            "请检查选择的数据文件或数据库地址是否正确。",
        )
    _refuse_unknown(state.revisions, script_location)

    backup: Path | None = None
    if path is not None and state.revisions:
        backup = backup_sqlite(path, state.revisions)
        if on_backup is not None:
            on_backup(backup)
    try:
        upgrade(engine, script_location)
    except Exception as exc:
        engine.dispose()
        raise _upgrade_failed(exc, path, backup, on_server=not is_sqlite(url)) from exc


def read_sqlite_state(path: Path) -> SchemaState:
    """Revisions and tables of a SQLite file, read without writing a byte to it."""
    connection = sqlite3.connect(_read_only_uri(path), uri=True)
    try:
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        revisions: set[str] = set()
        if VERSION_TABLE in tables:
            revisions = {rev for (rev,) in connection.execute(f"SELECT version_num FROM {VERSION_TABLE}")}
    finally:
        connection.close()
    return SchemaState(frozenset(revisions), bool(tables - {VERSION_TABLE}))


def backup_sqlite(path: Path, revisions: frozenset[str], now: dt.datetime | None = None) -> Path:
    """Copy ``path`` beside itself with SQLite's online backup; returns the copy's path."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    rev = "+".join(sorted(revisions))
    target = path.with_name(f"{path.name}.{stamp}.rev{rev}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{stamp}-{n}.rev{rev}.bak")
    try:
        _copy_sqlite(_read_only_uri(path), str(target))
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        cause = os_storage_error(exc) if isinstance(exc, OSError) else to_storage_error(exc)
        raise MigrationError(
            "这个数据库需要升级，但升级前的备份没有做成，所以没有升级，数据文件没有任何改动。",
            cause.hint,
        ) from exc
    return target


def _read_state(path: Path | None, engine: Engine) -> SchemaState:
    try:
        if path is not None:
            if not path.exists():
                return SchemaState(frozenset(), has_tables=False)
            return read_sqlite_state(path)
        with engine.connect() as connection:
            return _state_of(connection)
    except Exception as exc:
        if is_database_failure(exc):
            raise to_storage_error(exc) from exc
        raise


def _state_of(connection: sa.Connection) -> SchemaState:
    tables = set(sa.inspect(connection).get_table_names())
    revisions: set[str] = set()
    if VERSION_TABLE in tables:
        revisions = set(connection.scalars(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")))
    return SchemaState(frozenset(revisions), bool(tables - {VERSION_TABLE}))


def _refuse_unknown(revisions: frozenset[str], script_location: Path) -> None:
    if not revisions:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(script_location))
    known = {s.revision for s in script.walk_revisions()}
    if not revisions <= known:
        raise DatabaseTooNewError(
            "这个数据库是用更新版本的村务通保存的，当前版本的村务通不能打开它。",
            "请安装最新版本的村务通后再打开。数据没有任何改动。",
        )


def upgrade(engine: Engine, script_location: Path = MIGRATIONS_DIR, target: str = "head") -> None:
    """Run the migrations up to ``target`` in one transaction (no backup, no checks: see ``prepare_database``)."""
    from alembic import command

    config = alembic_config(script_location)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild tables; foreign keys are checked once at the end
            # (env.py). The PRAGMA only works outside a transaction, so it goes to the
            # driver before SQLAlchemy begins one.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, target)
        finally:
            if sqlite:
                try:
                    if connection.in_transaction():
                        connection.rollback()
                    connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
                except (sqlite3.Error, sa.exc.SQLAlchemyError):
                    # Never hand a connection without foreign keys back to the pool.
                    connection.invalidate()


def _upgrade_failed(exc: Exception, path: Path | None, backup: Path | None, on_server: bool) -> StorageError:
    # A full disk or a locked file is worth naming; a broken migration script is not the clerk's business.
    cause = environment_error(exc) if is_database_failure(exc) else None
    cause_hint = cause.hint if cause is not None else ""
    if on_server:
        # One transaction, rolled back: the database is as it was.
        return MigrationError(
            "数据库升级失败，数据库没有任何改动。",
            f"{cause_hint}请暂时继续使用原来版本的村务通，并把日志文件发给技术支持。"
            "（PostgreSQL 数据库的备份由服务器管理员负责。）",
        )
    if backup is None or path is None:
        # A new database: nothing to lose. Name what went wrong if we know it (a read-only folder …).
        return cause or MigrationError("创建数据库失败。", "请把日志文件发给技术支持。")
    try:
        _copy_sqlite(_read_only_uri(backup), str(path))
    except (sqlite3.Error, OSError):
        return MigrationError(
            "数据库升级失败，而且未能自动恢复原来的数据文件。",
            f"{cause_hint}请先不要再打开村务通：用升级前的备份 {backup} 替换数据文件 {path}，"
            "再把日志文件发给技术支持。",
            backup_path=str(backup),
        )
    return MigrationError(
        "数据库升级失败，数据没有任何改动。",
        f"{cause_hint}升级前的备份保存在：{backup}。请暂时继续使用原来版本的村务通，并把日志文件发给技术支持。",
        backup_path=str(backup),
    )


def _read_only_uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _copy_sqlite(source_uri: str, target: str) -> None:
    source = sqlite3.connect(source_uri, uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
