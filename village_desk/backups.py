"""Backups as records and rules: file names, what to keep, when to warn.

A backup is one self-contained SQLite file in the backup folder (a USB stick
is common), named so that a clerk can read it and the program can parse it::

    小大歹村-备份-20261128-143005-自动.sqlite3

Automatic copies (``自动``) are thinned out: the newest of each of the last 14
days that have one, and the newest of each of the last 12 months that have
one, stay. Copies made by hand (``手动``) and the safety copies made before a
restore or an upgrade are never removed by the program.

The file work (SQLite's online backup, reading a file without changing it,
writing a backup over the live database) is ``db``'s: the services reach it
through the ``BackupStore`` protocol below.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, Protocol

from village_desk.audit import ChainReport

BACKUP_SUFFIX = ".sqlite3"
KEEP_DAYS = 14
KEEP_MONTHS = 12
WARN_AFTER_DAYS = 7
DEFAULT_FOLDER_NAME = "备份"
UNNAMED_VILLAGE = "村务通"

# Characters Windows does not allow in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_STAMP = "%Y%m%d-%H%M%S"


class BackupKind(StrEnum):
    AUTO = "自动"
    MANUAL = "手动"
    BEFORE_RESTORE = "恢复前"
    BEFORE_UPGRADE = "升级前"


@dataclass(frozen=True)
class BackupFile:
    """A backup in a folder, as its name describes it."""

    path: Path
    made_at: dt.datetime
    kind: BackupKind
    size: int


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, read without changing it.

    ``problem`` is empty when the file can be restored; else the Chinese
    reason (damaged, from a newer version, not a 村务通 file, log tampered).
    """

    path: Path
    village_name: str
    schema_revision: str
    made_at: dt.datetime | None  # the newest audit entry's time, else the file's time
    counts: dict[str, int] = field(default_factory=dict)  # Chinese label → rows
    chain: ChainReport | None = None  # None: the file has no audit trail (an older schema)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class BackupStatus:
    """For the home page: where backups go, whether it can be reached, the newest one, a warning."""

    folder: Path
    folder_ok: bool
    newest: BackupFile | None
    warning: str = ""


class BackupName(NamedTuple):
    village: str
    made_at: dt.datetime
    kind: BackupKind


_NAME = re.compile(
    r"^(?P<village>.+)-备份-(?P<stamp>\d{8}-\d{6})-(?P<kind>"
    + "|".join(k.value for k in BackupKind)
    + r")(?:-(?P<n>\d+))?"
    + re.escape(BACKUP_SUFFIX)
    + "$"
)


def safe_village_name(village: str) -> str:
    """The village name as it can stand in a file name on any system."""
    cleaned = _UNSAFE.sub("_", village).strip().strip(".").strip()
    return cleaned or UNNAMED_VILLAGE


def backup_file_name(village: str, made_at: dt.datetime, kind: BackupKind, n: int = 1) -> str:
    """``小大歹村-备份-20261128-143005-自动.sqlite3``; ``n`` > 1 tells apart copies of the same second."""
    extra = f"-{n}" if n > 1 else ""
    return f"{safe_village_name(village)}-备份-{made_at.strftime(_STAMP)}-{kind.value}{extra}{BACKUP_SUFFIX}"


def parse_backup_file_name(name: str) -> BackupName | None:
    """The village, time and kind a backup's file name states; ``None`` for any other file."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        made_at = dt.datetime.strptime(match["stamp"], _STAMP)
    except ValueError:
        return None
    return BackupName(match["village"], made_at, BackupKind(match["kind"]))


def backups_to_prune(files: list[BackupFile], today: dt.date) -> list[BackupFile]:
    """The automatic copies no longer worth keeping, oldest first.

    Kept: the newest automatic copy of each of the last ``KEEP_DAYS`` days that
    have one, and of each of the last ``KEEP_MONTHS`` months that have one.
    Counting days that have copies (not calendar days) means a PC left off for
    a month still keeps two weeks of copies. Copies dated after ``today`` (a
    wrong clock) are left alone and do not count. Only ``AUTO`` copies are
    ever returned.
    """
    autos = [f for f in files if f.kind is BackupKind.AUTO and f.made_at.date() <= today]
    newest_of_day: dict[dt.date, BackupFile] = {}
    newest_of_month: dict[tuple[int, int], BackupFile] = {}
    for f in sorted(autos, key=_age_key):
        newest_of_day[f.made_at.date()] = f
        newest_of_month[(f.made_at.year, f.made_at.month)] = f
    keep = {id(newest_of_day[d]) for d in sorted(newest_of_day, reverse=True)[:KEEP_DAYS]}
    keep |= {id(newest_of_month[m]) for m in sorted(newest_of_month, reverse=True)[:KEEP_MONTHS]}
    return sorted((f for f in autos if id(f) not in keep), key=_age_key)


def _age_key(f: BackupFile) -> tuple[dt.datetime, str]:
    return (f.made_at, f.path.name)


def newest_first(files: list[BackupFile]) -> list[BackupFile]:
    return sorted(files, key=_age_key, reverse=True)


def backup_status(folder: Path, folder_ok: bool, newest: BackupFile | None, now: dt.datetime) -> BackupStatus:
    """The home page's verdict: a warning when the folder is out of reach or the newest copy is old."""
    if not folder_ok:
        warning = (
            f"备份文件夹“{folder}”现在无法访问（U盘可能没有插好，或文件夹已被删除）。"
            "请插好U盘，或在“系统设置 → 备份与恢复”里换一个备份文件夹，然后点“立即备份”。"
        )
    elif newest is None:
        warning = "还没有任何备份。请点“立即备份”，把数据备份到U盘或另一块磁盘上。"
    else:
        age = (now.date() - newest.made_at.date()).days
        warning = (
            f"最近一次备份是{age}天前（{newest.made_at:%Y年%m月%d日}）。"
            "请点“立即备份”，以免电脑出故障时丢失最近的数据。"
            if age > WARN_AFTER_DAYS
            else ""
        )
    return BackupStatus(folder, folder_ok, newest, warning)


def describe_size(size: int) -> str:
    """``1.2 MB`` / ``850 KB`` for messages and lists."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


class BackupStore(Protocol):
    """The file work behind backups; ``db`` implements it for a SQLite file and for PostgreSQL.

    Failures surface as ``StorageError`` (Chinese message and hint).
    """

    @property
    def supported(self) -> bool:
        """True for a SQLite file; False on PostgreSQL, whose backups are the server's job."""
        ...

    @property
    def database_file(self) -> Path | None:
        """The live SQLite file (``None`` on PostgreSQL)."""
        ...

    def backup(self, target: Path, source: Path | None = None) -> None:
        """A consistent copy of the live database (or of the SQLite file ``source``) into ``target``.

        Safe while the database is in use; ``target`` is replaced only once the copy is whole.
        """
        ...

    def inspect(self, path: Path) -> BackupInfo:
        """What ``path`` holds and whether it can be restored; never changes the file."""
        ...

    def check(self, quick: bool = False) -> list[str]:
        """Problems of the live database file (integrity); [] when whole, and always on PostgreSQL."""
        ...

    def restore(self, source: Path) -> None:
        """Write ``source`` (checked by ``inspect``) over the live database and upgrade it.

        The live database's connections are closed first; the caller made a
        safety copy. Works when the live file is missing (set aside).
        """
        ...

    def set_aside(self, made_at: dt.datetime) -> Path | None:
        """Move a damaged live file (with its ``-wal``/``-shm``) aside, kept; its new path (None if none)."""
        ...

    def export_copy(self, target: Path) -> None:
        """A full copy of the live database (either backend) into the SQLite file ``target``."""
        ...

    def remembered(self) -> tuple[Path | None, str]:
        """The backup folder and village name noted beside the database at the last backup.

        What the program knows when the database itself cannot be read.
        """
        ...

    def remember(self, folder: Path, village: str) -> None:
        """Note the backup folder and village name beside the database (best effort)."""
        ...

    def close(self) -> None:
        """Release what the store holds (the one-instance lock of the file)."""
        ...


class DeferredBackupStore:
    """A ``BackupStore`` made on first use, so wiring the services loads no database code.

    The window shows before SQLAlchemy is imported (see ``DeferredStorage``);
    the store behind backups waits the same way. ``close`` before any use
    does nothing (nothing was held).
    """

    def __init__(self, maker: Callable[[], BackupStore]) -> None:
        self._maker = maker
        self._lock = threading.Lock()
        self._store: BackupStore | None = None

    def get(self) -> BackupStore:
        with self._lock:
            if self._store is None:
                self._store = self._maker()
            return self._store

    @property
    def supported(self) -> bool:
        return self.get().supported

    @property
    def database_file(self) -> Path | None:
        return self.get().database_file

    def backup(self, target: Path, source: Path | None = None) -> None:
        self.get().backup(target, source)

    def inspect(self, path: Path) -> BackupInfo:
        return self.get().inspect(path)

    def check(self, quick: bool = False) -> list[str]:
        return self.get().check(quick)

    def restore(self, source: Path) -> None:
        self.get().restore(source)

    def set_aside(self, made_at: dt.datetime) -> Path | None:
        return self.get().set_aside(made_at)

    def export_copy(self, target: Path) -> None:
        self.get().export_copy(target)

    def remembered(self) -> tuple[Path | None, str]:
        return self.get().remembered()

    def remember(self, folder: Path, village: str) -> None:
        self.get().remember(folder, village)

    def close(self) -> None:
        with self._lock:
            store = self._store
        if store is not None:
            store.close()
