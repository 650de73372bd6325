"""Backups and restore: automatic daily copies, 立即备份, 恢复, the integrity check.

The file work is the ``BackupStore``'s (``db.backup``); this service decides
where copies go, when one is due, which to keep, who may do what, and writes
the audit entries.

Who may do what:

- ``backup_now`` and ``export_copy``: ``Permission.BACKUP`` (staff);
- ``restore``: ``Permission.RESTORE`` (管理员); afterwards nobody is signed in,
  because the accounts came back from the file;
- ``inspect`` and ``check``: ``Permission.VIEW``;
- ``folder``, ``status``, ``backups``, ``newest_good_backup``: anyone, even
  before login (file names and dates, no data);
- ``auto_backup_if_due`` and ``restore_damaged``: system tasks, done as the
  machine administrator (``MACHINE``) and audited as such.

A damaged database (the start-up check raised ``DamagedDatabaseError``, so
nobody could log in): ``newest_good_backup()`` finds the newest copy that
passes ``inspect`` (in the backup folder noted beside the database at the last
backup, and the default folder), and ``restore_damaged(path)`` moves the
damaged file aside (kept), restores the copy and lets the storage open again.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from village_desk.accounts import MACHINE, Access, Actor, Permission
from village_desk.audit import AuditAction, verify_chain
from village_desk.backups import (
    DEFAULT_FOLDER_NAME,
    BackupFile,
    BackupInfo,
    BackupKind,
    BackupStatus,
    BackupStore,
    backup_file_name,
    backup_status,
    backups_to_prune,
    describe_size,
    newest_first,
    parse_backup_file_name,
    safe_village_name,
)
from village_desk.errors import ConflictError, DamagedDatabaseError, StorageError
from village_desk.services.office import OfficeService
from village_desk.storage import DeferredStorage, Storage

Clock = Callable[[], dt.datetime]

RECORD_TYPE = "数据文件"
_SERVER = (
    "PostgreSQL 数据库的备份和恢复由服务器管理员负责，村务通不在这台电脑上做备份文件。",
    "如需一份本地副本，请用“导出副本”把全部数据导出成一个 SQLite 文件。",
)


class BackupService:
    def __init__(
        self,
        storage: Storage,
        access: Access,
        store: BackupStore,
        office: OfficeService,
        data_dir: Path,
        clock: Clock = dt.datetime.now,
    ) -> None:
        self._storage = storage
        self._access = access
        self._store = store
        self._office = office
        self._data_dir = data_dir
        self._clock = clock

    # --- where and how things stand -----------------------------------------------------------
    @property
    def supported(self) -> bool:
        """False on PostgreSQL: file backups are the server's job (``export_copy`` still works)."""
        return self._store.supported

    @property
    def default_folder(self) -> Path:
        return self._data_dir / DEFAULT_FOLDER_NAME

    def folder(self) -> Path:
        """The backup folder: the setting, or ``<data_dir>/备份`` when it is empty.

        When the database cannot be read (damaged), the folder noted at the
        last backup, else the default.
        """
        try:
            setting = self._office.settings().backup_dir
        except StorageError:
            remembered, _village = self._store.remembered()
            return remembered or self.default_folder
        return self.folder_for(setting)

    def folder_for(self, setting: str) -> Path:
        """The folder a ``backup_dir`` setting means (relative: inside the data folder)."""
        if not setting.strip():
            return self.default_folder
        path = Path(setting.strip()).expanduser()
        return path if path.is_absolute() else self._data_dir / path

    def status(self) -> BackupStatus:
        """For the home page: the folder, whether it can be reached, the newest copy, a warning.

        "Newest" goes by the file names of this village's copies (no file is
        opened, so the home page stays quick). On PostgreSQL: no warning.
        """
        folder = self.folder()
        if not self.supported:
            return BackupStatus(folder, folder_ok=False, newest=None, warning="")
        reachable = _reachable(folder, self.default_folder)
        newest: BackupFile | None = None
        if reachable:
            try:
                village = self._village_name()
                mine = [f for f in self._list(folder) if _of_village(f, village)]
                newest = newest_first(mine)[0] if mine else None
            except StorageError:
                reachable = False
        return backup_status(folder, reachable, newest, self._clock())

    def backups(self, folder: Path | None = None) -> list[BackupFile]:
        """The backups in ``folder`` (default: the backup folder), newest first. A missing folder: []."""
        return newest_first(self._list(folder or self.folder()))

    def inspect(self, path: Path) -> BackupInfo:
        """What a backup holds (village, date, counts, audit chain) and ``problem`` if it cannot be restored."""
        self._access.require(Permission.VIEW)
        return self._store.inspect(Path(path))

    def newest_good_backup(self) -> BackupFile | None:
        """The newest backup of this village that passes ``inspect``; looked for even when the database is damaged."""
        remembered, remembered_village = self._store.remembered()
        folders: list[Path] = []
        for folder in (self.folder(), remembered, self.default_folder):
            if folder is not None and folder not in folders:
                folders.append(folder)
        village = self._village_name_or_none()
        if village is None:
            village = remembered_village or None
        candidates: list[BackupFile] = []
        for folder in folders:
            try:
                candidates += [f for f in self._list(folder) if village is None or _of_village(f, village)]
            except StorageError:
                continue  # a stick that is not plugged in
        for candidate in newest_first(candidates):
            if self._store.inspect(candidate.path).ok:
                return candidate
        return None

    # --- making copies ---------------------------------------------------------------------------
    def backup_now(self, folder: Path | None = None, kind: BackupKind = BackupKind.MANUAL) -> BackupFile:
        """A copy of the database now, into ``folder`` (default: the backup folder); audited.

        ``kind=AUTO`` (the command line's scheduled backup) lets old copies be thinned out like daily ones.
        """
        actor = self._access.require(Permission.BACKUP)
        self._require_files()
        return self._backup(folder or self.folder(), kind, actor)

    def auto_backup_if_due(self) -> BackupFile | None:
        """The automatic backup at the first start of a day (a system task, done as ``MACHINE``).

        Nothing when today's automatic copy exists, the village is not set up
        yet, or the database is on PostgreSQL. Thins out old automatic copies
        afterwards. A folder that cannot be reached raises ``StorageError``;
        the home page's warning (``status``) then tells the clerk.
        """
        if not self.supported:
            return None
        village = self._village_name_or_none()
        if village is None:
            return None
        folder = self.folder()
        today = self._clock().date()
        done = any(
            f.kind is BackupKind.AUTO and f.made_at.date() == today and _of_village(f, village)
            for f in self._list(folder)
        )
        if done:
            return None
        return self._backup(folder, BackupKind.AUTO, MACHINE)

    def keep_upgrade_copy(self, copy: Path) -> BackupFile | None:
        """File the copy made beside the database before an upgrade in the backup folder too (``升级前``).

        Called while the database is being opened, so it reads nothing from
        it: the folder and village noted at the last backup (else the
        default folder). Best effort: ``None`` when it cannot be done; the
        copy beside the file remains either way. Not audited (the log is
        mid-upgrade); the copy's file name says what it is.
        """
        if not self.supported:
            return None
        remembered, village = self._store.remembered()
        folder = remembered or self.default_folder
        try:
            if not village:
                village = self._store.inspect(copy).village_name
            made_at = self._clock().replace(microsecond=0)
            self._make_folder(folder)
            target = self._free_name(folder, village, made_at, BackupKind.BEFORE_UPGRADE)
            self._store.backup(target, source=copy)
            return BackupFile(target, made_at, BackupKind.BEFORE_UPGRADE, _size(target))
        except (OSError, StorageError):
            return None

    def export_copy(self, path: Path) -> Path:
        """A full copy into the SQLite file ``path`` (PostgreSQL or SQLite); it restores like a backup."""
        actor = self._access.require(Permission.BACKUP)
        path = Path(path)
        self._store.export_copy(path)
        with self._storage.transaction(actor) as tx:
            tx.record_event(AuditAction.EXPORT, RECORD_TYPE, None, f"导出全部数据的副本 → {path}")
        return path

    # --- restoring ---------------------------------------------------------------------------------
    def restore(self, path: Path) -> BackupFile:
        """Replace the database with the backup at ``path``; returns the safety copy made first.

        Refuses a file whose ``inspect`` names a problem (``StorageError`` with
        that reason). Copies the current database first (``恢复前``, in the
        backup folder; a damaged one is moved aside instead), restores,
        upgrades an older backup, writes a 恢复 entry into the restored log,
        and signs the user out.
        """
        actor = self._access.require(Permission.RESTORE)
        return self._restore(Path(path), actor, damaged_only=False)

    def restore_damaged(self, path: Path) -> BackupFile:
        """Restore over a database that cannot be opened because it is damaged (no login possible).

        A system task done as ``MACHINE``: the start-up offer calls it with
        ``newest_good_backup().path``. Only when the database really is
        damaged (else ``ConflictError``: log in and use ``restore``). The
        damaged file is moved aside beside it (``village.sqlite3.<time>.damaged``,
        returned as the ``恢复前`` copy); then the storage may be opened again.
        """
        return self._restore(Path(path), MACHINE, damaged_only=True)

    def check(self) -> list[str]:
        """Integrity of the database file and of the audit chain: the problems in Chinese, [] when fine."""
        self._access.require(Permission.VIEW)
        live = self._store.database_file
        if live is not None and not live.is_file():
            return [f"找不到数据文件“{live}”。请检查数据文件夹或数据库地址是否正确。"]
        problems = self._store.check()
        if problems:
            return problems
        with self._storage.transaction() as tx:
            report = verify_chain(tx.audit_chain(), tx.audit_head())
        if not report.ok:
            return [f"操作日志被改动过：{report.problem}"]
        return []

    def close(self) -> None:
        """Release the database file (its one-instance lock)."""
        self._store.close()

    # --- the machinery ---------------------------------------------------------------------------
    def _backup(self, folder: Path, kind: BackupKind, actor: Actor) -> BackupFile:
        village = self._village_name()
        made_at = self._clock().replace(microsecond=0)
        try:
            self._make_folder(folder)
        except OSError as exc:
            raise _unreachable(folder) from exc
        target = self._free_name(folder, village, made_at, kind)
        self._store.backup(target)
        size = target.stat().st_size
        with self._storage.transaction(actor) as tx:
            tx.record_event(
                AuditAction.BACKUP, RECORD_TYPE, None, f"{kind.value}备份 → {target}（{describe_size(size)}）"
            )
        self._store.remember(folder, village)
        if kind is BackupKind.AUTO:
            self._prune(folder, village)
        return BackupFile(target, made_at, kind, size)

    def _make_folder(self, folder: Path) -> None:
        # Only the last part of a chosen folder is made: a stick that is not plugged in
        # must not turn into a folder of the same name on the PC's own disk.
        folder.mkdir(parents=folder == self.default_folder, exist_ok=True)

    @staticmethod
    def _free_name(folder: Path, village: str, made_at: dt.datetime, kind: BackupKind) -> Path:
        n = 1
        target = folder / backup_file_name(village, made_at, kind)
        while target.exists():
            n += 1
            target = folder / backup_file_name(village, made_at, kind, n)
        return target

    def _prune(self, folder: Path, village: str) -> None:
        mine = [f for f in self._list(folder) if _of_village(f, village)]
        for old in backups_to_prune(mine, self._clock().date()):
            try:
                old.path.unlink()
            except OSError:
                continue  # kept one copy too many: no harm

    def _restore(self, path: Path, actor: Actor, damaged_only: bool) -> BackupFile:
        if not self.supported:
            raise StorageError(*_SERVER)
        live = self._store.database_file
        if live is not None and _same_file(path, live):
            raise StorageError(
                "不能用正在使用的数据文件来恢复它自己。",
                "请选择备份文件夹里的一份备份（文件名里有“备份”二字）。",
            )
        info = self._store.inspect(path)
        if info.problem:
            raise StorageError(info.problem)
        damaged = self._is_damaged()
        if damaged_only and not damaged:
            raise ConflictError(
                "数据文件没有损坏，不需要这样恢复。如果确实要恢复备份，请由管理员登录后，"
                "在“系统设置 → 备份与恢复”里选择备份恢复。"
            )
        now = self._clock().replace(microsecond=0)
        if damaged:
            aside = self._store.set_aside(now)
            if aside is None:
                raise StorageError("找不到损坏的数据文件，无法恢复。", "请检查数据文件夹是否正确。")
            before = BackupFile(aside, now, BackupKind.BEFORE_RESTORE, _size(aside))
        else:
            before = self._backup(self.folder(), BackupKind.BEFORE_RESTORE, actor)
        self._store.restore(path)
        if isinstance(self._storage, DeferredStorage):
            self._storage.reset()  # a damaged file kept it from opening: open the restored one
        when = f"（备份时间 {info.made_at:%Y-%m-%d %H:%M}）" if info.made_at else ""
        with self._storage.transaction(actor) as tx:
            tx.record_event(
                AuditAction.RESTORE,
                RECORD_TYPE,
                None,
                f"从备份“{path}”恢复{when}；恢复前的数据保存在“{before.path}”",
            )
        self._access.sign_out()
        return before

    def _is_damaged(self) -> bool:
        try:
            with self._storage.transaction():
                pass
        except DamagedDatabaseError:
            return True
        return False

    def _require_files(self) -> None:
        if not self.supported:
            raise StorageError(*_SERVER)

    def _village_name(self) -> str:
        with self._storage.transaction() as tx:
            profile = tx.get_profile()
        return profile.full_name if profile is not None else ""

    def _village_name_or_none(self) -> str | None:
        """The village's name; ``None`` when not set up yet or the database cannot be read."""
        try:
            return self._village_name() or None
        except StorageError:
            return None

    def _list(self, folder: Path) -> list[BackupFile]:
        try:
            entries = list(folder.iterdir())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise _unreachable(folder) from exc
        files: list[BackupFile] = []
        for entry in entries:
            parsed = parse_backup_file_name(entry.name)
            if parsed is None:
                continue
            try:
                if not entry.is_file():
                    continue
                size = entry.stat().st_size
            except OSError:
                continue
            files.append(BackupFile(entry, parsed.made_at, parsed.kind, size))
        return files


def _of_village(file: BackupFile, village: str) -> bool:
    parsed = parse_backup_file_name(file.path.name)
    return parsed is not None and parsed.village == safe_village_name(village)


def _reachable(folder: Path, default: Path) -> bool:
    """A folder backups can go to: it exists, or it is the default one (made on first backup)."""
    try:
        if folder.is_dir():
            return os.access(folder, os.W_OK)
        return folder == default and not folder.exists()
    except OSError:
        return False


def _unreachable(folder: Path) -> StorageError:
    return StorageError(
        f"无法使用备份文件夹“{folder}”。",
        "U盘可能没有插好，或者文件夹不存在、没有写入权限。请插好U盘或换一个备份文件夹后再试。",
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class NoBackupStore:
    """A ``BackupStore`` for a context wired without file backups (tests, storage without files)."""

    supported = False
    database_file: Path | None = None

    def backup(self, target: Path, source: Path | None = None) -> None:
        raise StorageError(*_SERVER)

    def inspect(self, path: Path) -> BackupInfo:
        return BackupInfo(Path(path), "", "", None, problem="这里不能检查或恢复备份文件。")

    def check(self, quick: bool = False) -> list[str]:
        return []

    def restore(self, source: Path) -> None:
        raise StorageError(*_SERVER)

    def set_aside(self, made_at: dt.datetime) -> Path | None:
        return None

    def export_copy(self, target: Path) -> None:
        raise StorageError(*_SERVER)

    def remembered(self) -> tuple[Path | None, str]:
        return None, ""

    def remember(self, folder: Path, village: str) -> None:
        pass

    def close(self) -> None:
        pass
