"""Backups of the database: the ``BackupStore`` of ``village_desk.backups``.

SQLite
    A backup is SQLite's online backup (``sqlite3.Connection.backup``) of the
    live file into a new file, consistent while 村务通 keeps working (WAL:
    readers do not block the writer). The copy is switched to the classic
    rollback journal, so it is one self-contained file, and is written under
    a temporary name first: a USB stick pulled half-way leaves no half
    backup behind that looks like a whole one.

    Inspecting a file never writes to it (read-only, and ``immutable`` when no
    ``-wal`` lies beside it, so not even a ``-shm`` appears on the stick): the
    integrity check, the schema revision against the ones this version knows,
    the village, record counts and the audit chain.

    A restore closes the live connections, writes the backup into the live
    file with the same backup API (one transaction on the live file: a crash
    half-way leaves the old data), then upgrades it if it is older. A
    damaged live file is first moved aside (kept, never deleted).

PostgreSQL
    Backing up the server is its administrator's job (``pg_dump``). A full
    copy can still be exported to a SQLite file: the schema made from
    ``db.models``, every table copied in dependency order inside one
    snapshot, the revision stamped, so the copy opens, inspects and restores
    like any backup.

Beside the SQLite file the store keeps ``village.sqlite3.lock`` (the
one-instance lock, ``db.lock``) and ``village.sqlite3.backup.json`` (the backup
folder and village name at the last backup, for when the database itself
cannot be read).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from db.engine import make_engine, parse_url, sqlite_path, sqlite_url
from db.errors import is_database_failure, os_storage_error, to_storage_error
from db.lock import InstanceLock
from db.migrate import VERSION_TABLE, alembic_config, prepare_database
from db.models import AuditEntryRow, Base
from db.storage import COUNTED, SqlStorage, _audit_entry
from village_desk.audit import AuditEntry, ChainHead, ChainReport, verify_chain
from village_desk.backups import BackupInfo
from village_desk.errors import DamagedDatabaseError, StorageError
from village_desk.village import VillageProfile

SQLITE_HEADER = b"SQLite format 3\x00"
NOTE_SUFFIX = ".backup.json"
_AUDIT_COLUMNS = (
    "seq",
    "at",
    "user_id",
    "username",
    "user_name",
    "action",
    "record_type",
    "record_id",
    "summary",
    "changes",
    "prev_hash",
    "hash",
)

NOT_FOUND = "找不到这个文件，可能U盘已经拔出或文件已被移走。请检查后重新选择。"
NOT_SQLITE = "这个文件不是村务通的备份文件（它不是 SQLite 数据文件）。请选择以 .sqlite3 结尾的村务通备份。"
NOT_OURS = "这个文件不是村务通的数据文件（里面没有村务通的数据表）。请选择村务通做的备份。"
DAMAGED = "这个备份文件已损坏（完整性检查没有通过），不能用来恢复。请选择另一份备份。"
TOO_NEW = (
    "这个备份是用更新版本的村务通做的（数据格式版本 {rev}），当前版本不能恢复它。请先安装最新版本的村务通。"
)
CHAIN_BROKEN = "这个备份中的操作日志被改动过，不能用来恢复：{problem}请选择另一份备份。"
UNREADABLE = "无法读取这个文件（{name}）。请检查文件是否还在、是否有读取权限。"
LIVE_DAMAGED = "数据文件“{name}”已损坏：SQLite 完整性检查没有通过。请从备份恢复。"
LIVE_UNREADABLE = "数据文件“{name}”已损坏或不是数据库文件，无法读取。请从备份恢复。"
SERVER_BACKUP = (
    "PostgreSQL 数据库的备份由服务器管理员负责（例如每天用 pg_dump 备份），村务通不在这台电脑上做备份文件。",
    "如需一份本地副本，可以用“导出副本”把全部数据导出成一个 SQLite 文件。",
)
SERVER_RESTORE = (
    "PostgreSQL 数据库的恢复由服务器管理员负责，村务通不能把备份文件写回服务器。",
    "请联系服务器管理员；导出的副本可以作为 SQLite 数据文件单独打开查看。",
)


class SqlBackupStore:
    """Backups, inspection, restore and the one-instance lock for the database at ``url``."""

    def __init__(self, url: str | URL) -> None:
        self._url = parse_url(url)
        self._path = sqlite_path(self._url)
        self._lock = InstanceLock(self._path) if self._path is not None else None
        self._storage: SqlStorage | None = None

    # --- the protocol ------------------------------------------------------------------------------
    @property
    def supported(self) -> bool:
        return self._path is not None

    @property
    def database_file(self) -> Path | None:
        return self._path

    def attach(self, storage: SqlStorage) -> None:
        """The open storage whose connections a restore must close first."""
        self._storage = storage

    def lock(self) -> None:
        """Take the one-instance lock of the SQLite file (``InstanceLockedError``); nothing on PostgreSQL."""
        if self._lock is not None:
            self._lock.acquire()

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def ensure_intact(self) -> None:
        """The start-up check (``PRAGMA quick_check``): ``DamagedDatabaseError`` when it fails."""
        problems = self.check(quick=True)
        if problems:
            raise DamagedDatabaseError(
                f"数据文件“{self._path.name if self._path else ''}”已损坏，为了不让损坏扩大，村务通没有打开它。"
            )

    def check(self, quick: bool = False) -> list[str]:
        path = self._path
        if path is None or not path.is_file() or path.stat().st_size == 0:
            return []
        try:
            # A plain connection, not read-only: after a crash the WAL may need recovering.
            with closing(sqlite3.connect(str(path), timeout=5)) as connection:
                pragma = "quick_check" if quick else "integrity_check"
                rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                return [LIVE_UNREADABLE.format(name=path.name)]
            raise to_storage_error(exc) from exc
        if rows != [("ok",)]:
            return [LIVE_DAMAGED.format(name=path.name)]
        return []

    def backup(self, target: Path, source: Path | None = None) -> None:
        if source is not None:
            _write_copy(lambda: _open_read_only(source), Path(target))
            return
        live = self._path
        if live is None:
            raise StorageError(*SERVER_BACKUP)
        if not live.is_file():
            raise StorageError(
                f"找不到数据文件“{live}”，没有可备份的数据。", "请检查数据文件夹和数据库地址是否正确。"
            )
        _write_copy(lambda: sqlite3.connect(str(live), timeout=5), Path(target))

    def inspect(self, path: Path) -> BackupInfo:
        return inspect_file(Path(path))

    def restore(self, source: Path) -> None:
        path = self._path
        if path is None:
            raise StorageError(*SERVER_RESTORE)
        self._close_connections()
        try:
            with (
                closing(_open_read_only(Path(source))) as src,
                closing(sqlite3.connect(str(path), timeout=5, isolation_level=None)) as dst,
            ):
                # Out of WAL first: a backup into a WAL file must have the same page size.
                dst.execute("PRAGMA journal_mode = DELETE")
                src.backup(dst)
        except sqlite3.Error as exc:
            raise to_storage_error(exc) from exc
        except OSError as exc:
            raise os_storage_error(exc) from exc
        # An older backup is upgraded now (a copy of it is made beside the file first).
        engine = make_engine(self._url)
        try:
            prepare_database(self._url, engine)
        except Exception as exc:
            if is_database_failure(exc):
                raise to_storage_error(exc) from exc
            raise
        finally:
            engine.dispose()

    def set_aside(self, made_at: dt.datetime) -> Path | None:
        path = self._path
        if path is None or not path.exists():
            return None
        self._close_connections()
        stamp = made_at.strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.{stamp}.damaged")
        n = 1
        while target.exists():
            n += 1
            target = path.with_name(f"{path.name}.{stamp}-{n}.damaged")
        try:
            os.replace(path, target)
            for suffix in ("-wal", "-shm", "-journal"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    os.replace(side, target.with_name(target.name + suffix))
        except OSError as exc:
            raise os_storage_error(exc) from exc
        return target

    def export_copy(self, target: Path) -> None:
        if self._path is not None:
            self.backup(target)
            return
        engine = make_engine(self._url)
        try:
            _export_server(engine, Path(target))
        except Exception as exc:
            if is_database_failure(exc):
                raise to_storage_error(exc) from exc
            raise
        finally:
            engine.dispose()

    def remembered(self) -> tuple[Path | None, str]:
        note = self._note_path()
        if note is None:
            return None, ""
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, ""
        if not isinstance(data, dict):
            return None, ""
        folder = data.get("folder")
        return (Path(folder) if isinstance(folder, str) and folder else None), str(data.get("village", ""))

    def remember(self, folder: Path, village: str) -> None:
        note = self._note_path()
        if note is None or self.remembered() == (folder, village):
            return
        text = json.dumps({"folder": str(folder), "village": village}, ensure_ascii=False)
        with suppress(OSError):  # a note, not data: a read-only folder simply keeps none
            note.write_text(text, encoding="utf-8")

    # --- the machinery -----------------------------------------------------------------------------
    def _note_path(self) -> Path | None:
        return self._path.with_name(self._path.name + NOTE_SUFFIX) if self._path is not None else None

    def _close_connections(self) -> None:
        # The engine stays usable: it opens new connections (to the new file) on next use.
        if self._storage is not None:
            self._storage.engine.dispose()


def inspect_file(path: Path) -> BackupInfo:
    """What a backup file holds and whether it can be restored (``problem``); never writes to it."""

    def refused(problem: str, revision: str = "") -> BackupInfo:
        return BackupInfo(path, "", revision, _file_time(path), problem=problem)

    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return BackupInfo(path, "", "", None, problem=NOT_FOUND)
    except OSError:
        return BackupInfo(path, "", "", None, problem=UNREADABLE.format(name=path.name))
    if header != SQLITE_HEADER:
        return refused(NOT_SQLITE)
    try:
        with closing(_open_read_only(path)) as connection:
            if connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
                return refused(DAMAGED)
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            }
            if VERSION_TABLE not in tables or "village_profile" not in tables:
                return refused(NOT_OURS)
            revisions = sorted(r for (r,) in connection.execute(f"SELECT version_num FROM {VERSION_TABLE}"))
            revision = "+".join(revisions)
            if not revisions or not set(revisions) <= known_revisions():
                return refused(TOO_NEW.format(rev=revision or "未知"), revision)
            row = connection.execute("SELECT name, kind FROM village_profile WHERE id = 1").fetchone()
            village = VillageProfile(str(row[0]), str(row[1])).full_name if row is not None else ""
            counts = {
                label: int(connection.execute(f'SELECT count(*) FROM "{model.__tablename__}"').fetchone()[0])
                for label, model in COUNTED.items()
                if model.__tablename__ in tables
            }
            made_at: dt.datetime | None = None
            chain: ChainReport | None = None
            if {AuditEntryRow.__tablename__, "audit_head"} <= tables:
                made_at = _newest_entry_time(connection)
                chain = verify_chain(_audit_entries(connection), _audit_head(connection))
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            return refused(DAMAGED)
        return refused(UNREADABLE.format(name=path.name))
    except OSError:
        return refused(UNREADABLE.format(name=path.name))
    problem = CHAIN_BROKEN.format(problem=chain.problem) if chain is not None and not chain.ok else ""
    return BackupInfo(
        path=path,
        village_name=village,
        schema_revision=revision,
        made_at=made_at or _file_time(path),
        counts=counts,
        chain=chain,
        problem=problem,
    )


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every schema revision this version can open (and upgrade)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(s.revision for s in script.walk_revisions())


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change ``path`` and leaves nothing beside it.

    ``immutable`` unless a ``-wal`` lies beside the file (then the WAL holds
    part of the data and must be read, which needs a ``-shm``).
    """
    wal = path.with_name(path.name + "-wal")
    options = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "mode=ro&immutable=1"
    return sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True)


def _write_copy(open_source: Callable[[], sqlite3.Connection], target: Path) -> None:
    """Copy the database ``open_source()`` connects to into ``target`` via a temporary file."""
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        with (
            closing(open_source()) as src,
            closing(sqlite3.connect(str(partial), isolation_level=None)) as dst,
        ):
            src.backup(dst)
            # One self-contained file: no -wal/-shm beside it on the stick.
            dst.execute("PRAGMA journal_mode = DELETE")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise to_storage_error(exc) from exc
    except OSError as exc:
        _unlink_quietly(partial)
        raise os_storage_error(exc) from exc


def _unlink_quietly(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _file_time(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    except OSError:
        return None


def _newest_entry_time(connection: sqlite3.Connection) -> dt.datetime | None:
    row = connection.execute(f"SELECT max(at) FROM {AuditEntryRow.__tablename__}").fetchone()
    if row is None or not row[0]:
        return None
    try:
        return dt.datetime.strptime(str(row[0]), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _audit_entries(connection: sqlite3.Connection) -> Iterator[AuditEntry]:
    columns = ", ".join(_AUDIT_COLUMNS)
    cursor = connection.execute(f"SELECT {columns} FROM {AuditEntryRow.__tablename__} ORDER BY seq")
    for values in cursor:
        # A transient row, read exactly as the live storage reads it (and as tolerant of edits).
        yield _audit_entry(AuditEntryRow(**dict(zip(_AUDIT_COLUMNS, values, strict=True))))


def _audit_head(connection: sqlite3.Connection) -> ChainHead | None:
    row = connection.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    return ChainHead(int(row[0]), str(row[1])) if row is not None else None


def _export_server(source: sa.Engine, target: Path) -> None:
    """Every table of the database behind ``source`` into a new SQLite file at ``target``."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    destination = sa.create_engine(sqlite_url(partial))
    try:
        Base.metadata.create_all(destination)
        # One snapshot of the whole database: tables copied one after the other still agree.
        with (
            source.connect().execution_options(isolation_level="REPEATABLE READ") as src,
            src.begin(),
            destination.begin() as dst,
        ):
            if src.dialect.name == "postgresql":
                src.exec_driver_sql("SET TRANSACTION READ ONLY")
            for table in Base.metadata.sorted_tables:
                result = src.execute(sa.select(table)).mappings()
                for chunk in result.partitions(1000):
                    dst.execute(table.insert(), [dict(row) for row in chunk])
            revisions = list(src.scalars(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")))
            dst.exec_driver_sql(
                f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
                f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
            )
            for revision in revisions:
                dst.execute(sa.text(f"INSERT INTO {VERSION_TABLE} VALUES (:rev)"), {"rev": revision})
    except BaseException:
        destination.dispose()
        _unlink_quietly(partial)
        raise
    destination.dispose()
    os.replace(partial, target)
