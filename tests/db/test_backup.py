"""Backups and restore on real SQLite files (and a PostgreSQL export when configured).

A backup keeps every row of every table; a restore brings exactly those rows
back after a safety copy of the current data; damaged files, files from a
newer version, files of other programs and backups with a tampered log are
refused and change nothing; a damaged live database can be restored without
opening it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import SqlStorage, open_storage, sqlite_url
from db.backup import SqlBackupStore
from db.models import Base
from db.schema_version import HEAD_REVISION
from tests.db.fixtures.make_fixture import FIXTURE as SCHEMA_0001
from village_desk.accounts import MACHINE, Access, Actor, Role
from village_desk.app import open_context
from village_desk.audit import AuditAction, AuditFilter
from village_desk.backups import BackupKind, backup_file_name
from village_desk.context import AppContext
from village_desk.demo import build_demo
from village_desk.errors import (
    AccessDeniedError,
    ConflictError,
    DamagedDatabaseError,
    StorageError,
)
from village_desk.office import OfficeSettings
from village_desk.roster import Person
from village_desk.services import AccountService, AuditService, OfficeService, RosterService, VillageService
from village_desk.services.backup import BackupService

NOW = dt.datetime(2026, 11, 28, 14, 30, 5)
ACCOUNTANT = Actor(None, "kuaiji", "报账员", frozenset({Role.ACCOUNTANT}))


# --- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """小大歹村 built once through the services; each test works on its own copy."""
    path = tmp_path_factory.mktemp("template") / "village.sqlite3"
    storage = open_storage(sqlite_url(path))
    machine = Access(MACHINE)
    build_demo(
        VillageService(storage, machine), RosterService(storage, machine), AccountService(storage, machine)
    )
    storage.close()
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def live(demo_template: Path, data_dir: Path) -> Path:
    path = data_dir / "village.sqlite3"
    shutil.copyfile(demo_template, path)
    return path


@pytest.fixture
def make_ctx(data_dir: Path, tmp_path: Path) -> Iterator[Callable[[Path], AppContext]]:
    """Contexts through the real composition root, signed in as the machine administrator."""
    opened: list[AppContext] = []

    def make(path: Path) -> AppContext:
        ctx = open_context(sqlite_url(path), data_dir, tmp_path / "logs", demo=False, allow_demo_switch=False)
        ctx.access.sign_in(MACHINE)
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


@pytest.fixture
def ctx(make_ctx: Callable[[Path], AppContext], live: Path) -> AppContext:
    return make_ctx(live)


def table_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a SQLite file, sorted."""
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        rows = {table: sorted(connection.execute(f'SELECT * FROM "{table}"'), key=repr) for table in tables}
    connection.close()
    return rows


def people_names(path: Path) -> set[str]:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as connection:
        names = {name for (name,) in connection.execute("SELECT name FROM people")}
    connection.close()
    return names


def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk would."""
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2 // 4096 * 4096)
        file.write(b"\xa5" * 16384)


def change_things(ctx: AppContext) -> None:
    """Edits after the backup: a new person, a renamed village, a closed group, a setting."""
    ctx.roster.save_person(Person(id=None, name="恢复后应消失", gender="男", ethnicity="汉族"))
    profile = ctx.village.profile()
    assert profile is not None
    ctx.village.save_profile(replace(profile, address="改过的地址"))
    group = ctx.village.groups()[-1]
    assert group.id is not None
    ctx.village.close_group(group.id, "测试撤销")
    ctx.office.save_settings(replace(ctx.office.settings(), idle_lock_minutes=30))


# --- backing up ---------------------------------------------------------------------------------------
def test_backup_now_writes_one_self_contained_named_file_and_logs_it(ctx: AppContext, data_dir: Path) -> None:
    made = ctx.backups.backup_now()

    assert made.path.parent == data_dir / "备份"
    assert made.kind is BackupKind.MANUAL
    assert made.path.name.startswith("小大歹村-备份-") and made.path.name.endswith("-手动.sqlite3")
    assert made.size == made.path.stat().st_size > 0
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]  # no -wal, -shm or partial
    with sqlite3.connect(made.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    connection.close()
    entry = ctx.audit.entries(AuditFilter(action=AuditAction.BACKUP))[0]
    assert (entry.username, entry.record_type) == (MACHINE.username, "数据文件")
    assert made.path.name in entry.summary
    assert ctx.backups.backups() == [made]


def test_inspect_shows_village_counts_date_and_a_whole_chain(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()

    info = ctx.backups.inspect(made.path)

    assert info.problem == ""
    assert info.village_name == "小大歹村"
    assert info.schema_revision == HEAD_REVISION
    with ctx.storage.transaction() as tx:
        counts = tx.record_counts()
        newest = tx.audit_entries(AuditFilter(), limit=2)[1]  # [0] is the backup's own entry
    assert info.counts == {**counts, "操作日志": counts["操作日志"] - 1}
    assert info.counts["人员"] > 50
    assert info.made_at == newest.at
    assert info.chain is not None and info.chain.ok and info.chain.count == info.counts["操作日志"]


def test_a_backup_is_consistent_while_another_connection_writes(live: Path, tmp_path: Path) -> None:
    # A writer in the middle of a transaction (WAL): the copy is taken beside it, without its change.
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE village_profile SET address = 'uncommitted'")
    target = tmp_path / "copy.sqlite3"
    try:
        SqlBackupStore(sqlite_url(live)).backup(target)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with sqlite3.connect(target) as connection:
        assert connection.execute("SELECT address FROM village_profile").fetchone() != ("uncommitted",)
    connection.close()
    assert table_rows(target) == table_rows(live)


def test_backup_needs_the_backup_permission(ctx: AppContext) -> None:
    ctx.access.sign_in(Actor(None, "chakan", "副书记", frozenset({Role.READER})))
    with pytest.raises(AccessDeniedError):
        ctx.backups.backup_now()


def test_a_folder_that_cannot_be_made_is_reported_in_chinese(ctx: AppContext, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="无法使用备份文件夹") as caught:
        ctx.backups.backup_now(blocker / "备份")
    assert "U盘" in caught.value.hint


def test_a_stick_that_is_not_plugged_in_does_not_become_a_folder_on_the_pc(
    ctx: AppContext, tmp_path: Path
) -> None:
    stick = tmp_path / "media" / "U盘" / "村务通备份"
    with pytest.raises(StorageError, match="无法使用备份文件夹"):
        ctx.backups.backup_now(stick)
    assert not (tmp_path / "media").exists()
    stick.parent.mkdir(parents=True)  # plugged in: the backup folder on it is made
    assert ctx.backups.backup_now(stick).path.parent == stick


# --- restoring ----------------------------------------------------------------------------------------
def test_restore_brings_back_every_row_of_every_table(ctx: AppContext, live: Path) -> None:
    made = ctx.backups.backup_now()
    at_backup = table_rows(made.path)
    change_things(ctx)
    assert table_rows(live) != at_backup

    ctx.backups.restore(made.path)

    after = table_rows(live)
    assert after.keys() == at_backup.keys()
    for table in at_backup:
        if table in ("audit_log", "audit_head"):
            continue
        assert after[table] == at_backup[table], table
    # The log is the backup's, plus one entry saying that it was restored.
    assert set(at_backup["audit_log"]) < set(after["audit_log"])
    assert len(after["audit_log"]) == len(at_backup["audit_log"]) + 1
    ctx.access.sign_in(MACHINE)  # the restore signed everybody out
    restored = ctx.audit.entries(limit=1)[0]
    assert restored.action == AuditAction.RESTORE
    assert made.path.name in restored.summary
    assert ctx.audit.verify().ok
    assert "恢复后应消失" not in {p.name for p in ctx.roster.people()}


def test_restore_first_keeps_a_copy_of_the_current_data(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()
    change_things(ctx)
    current = table_rows(Path(ctx.location))
    assert current

    before = ctx.backups.restore(made.path)

    assert before.kind is BackupKind.BEFORE_RESTORE
    assert before.path.is_file() and before.path.parent == made.path.parent
    assert before.path.name.endswith("-恢复前.sqlite3")
    kept = table_rows(before.path)
    assert kept["people"] == current["people"]
    assert "恢复后应消失" in people_names(before.path)
    assert "恢复后应消失" not in people_names(Path(ctx.location))
    assert ctx.access.actor is None, "the accounts came back from the file: sign in again"
    assert {b.kind for b in ctx.backups.backups()} == {BackupKind.MANUAL, BackupKind.BEFORE_RESTORE}


def test_only_an_administrator_may_restore(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()
    ctx.access.sign_in(ACCOUNTANT)
    with pytest.raises(AccessDeniedError, match="恢复备份"):
        ctx.backups.restore(made.path)


def test_an_older_backup_is_upgraded_when_restored(ctx: AppContext, live: Path, tmp_path: Path) -> None:
    old = tmp_path / "旧版-备份.sqlite3"
    shutil.copyfile(SCHEMA_0001, old)
    info = ctx.backups.inspect(old)
    assert (info.problem, info.schema_revision, info.chain) == ("", "0001", None)

    ctx.backups.restore(old)

    ctx.access.sign_in(MACHINE)
    assert {p.name for p in ctx.roster.people()} == {"王建国", "李秀英", "张海", "刘梅"}
    assert ctx.audit.entries(limit=1)[0].action == AuditAction.RESTORE
    with sqlite3.connect(live) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
    connection.close()


# --- refusing -------------------------------------------------------------------------------------------
def refused_unchanged(ctx: AppContext, path: Path, reason: str) -> None:
    """``path`` is refused for ``reason``, by inspect and by restore, and the live data stays as it was."""
    ctx.open()
    live = Path(ctx.location)
    info = ctx.backups.inspect(path)
    assert reason in info.problem
    before = table_rows(live)
    with pytest.raises(StorageError, match=reason):
        ctx.backups.restore(path)
    assert table_rows(live) == before
    assert not any(b.kind is BackupKind.BEFORE_RESTORE for b in ctx.backups.backups())


def test_a_damaged_backup_is_refused(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()
    damage(made.path)
    refused_unchanged(ctx, made.path, "已损坏")


def test_a_backup_from_a_newer_version_is_refused(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()
    with sqlite3.connect(made.path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    refused_unchanged(ctx, made.path, "更新版本")
    assert ctx.backups.inspect(made.path).schema_revision == "9999"


def test_a_database_of_another_program_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    other = tmp_path / "账本.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount TEXT)")
    connection.close()
    refused_unchanged(ctx, other, "不是村务通的数据文件")


def test_a_file_that_is_not_a_database_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    text = tmp_path / "说明.sqlite3"
    text.write_text("这不是数据库", encoding="utf-8")
    refused_unchanged(ctx, text, "不是 SQLite 数据文件")
    assert "找不到" in ctx.backups.inspect(tmp_path / "没有这个文件.sqlite3").problem


def test_a_backup_with_a_tampered_log_is_refused(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()
    with sqlite3.connect(made.path) as connection:
        connection.execute("UPDATE audit_log SET summary = '改过' WHERE seq = 5")
    connection.close()
    info = ctx.backups.inspect(made.path)
    assert info.chain is not None and info.chain.problem_seq == 5
    refused_unchanged(ctx, made.path, "操作日志被改动过")


def test_the_live_file_cannot_restore_itself(ctx: AppContext, live: Path) -> None:
    with pytest.raises(StorageError, match="恢复它自己"):
        ctx.backups.restore(live)


def test_inspecting_leaves_no_file_beside_the_backup(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()
    before = made.path.read_bytes()
    ctx.backups.inspect(made.path)
    assert made.path.read_bytes() == before
    assert sorted(p.name for p in made.path.parent.iterdir()) == [made.path.name]


# --- a damaged live database ---------------------------------------------------------------------------
def test_a_damaged_database_is_not_opened_and_is_restored_from_the_newest_good_backup(
    make_ctx: Callable[[Path], AppContext], live: Path
) -> None:
    first = make_ctx(live)
    good = first.backups.backup_now()
    newer = first.backups.backup_now()
    damage(newer.path)  # the newest copy is no good: the one before it is offered
    first.roster.save_person(Person(id=None, name="损坏前的最后一笔", gender="女", ethnicity="汉族"))
    first.close()
    damage(live)

    ctx = make_ctx(live)
    with pytest.raises(DamagedDatabaseError) as caught:
        ctx.open()
    assert "可以从备份恢复" in caught.value.hint
    assert ctx.backups.newest_good_backup() == good
    with pytest.raises(AccessDeniedError):  # nobody can log in to a damaged database …
        ctx.access.sign_out()
        ctx.backups.restore(good.path)

    before = ctx.backups.restore_damaged(good.path)  # … so the start-up offer restores as the machine

    assert before.kind is BackupKind.BEFORE_RESTORE
    assert before.path.name.startswith("village.sqlite3.") and before.path.name.endswith(".damaged")
    assert before.path.is_file(), "the damaged file is kept"
    ctx.open()
    ctx.access.sign_in(MACHINE)
    assert ctx.village.profile() is not None
    assert "损坏前的最后一笔" not in {p.name for p in ctx.roster.people()}
    assert ctx.backups.check() == []
    assert ctx.audit.entries(limit=1)[0].action == AuditAction.RESTORE


def test_the_backup_folder_on_a_stick_is_found_when_the_database_is_damaged(
    make_ctx: Callable[[Path], AppContext], live: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "U盘" / "村务通备份"
    stick.parent.mkdir()
    first = make_ctx(live)
    first.office.save_settings(replace(first.office.settings(), backup_dir=str(stick)))
    made = first.backups.backup_now()
    assert made.path.parent == stick
    first.close()
    damage(live)

    ctx = make_ctx(live)
    with pytest.raises(DamagedDatabaseError):
        ctx.open()
    assert ctx.backups.folder() == stick  # noted beside the database at the backup
    assert ctx.backups.newest_good_backup() == made


def test_restore_damaged_refuses_a_healthy_database(ctx: AppContext) -> None:
    made = ctx.backups.backup_now()
    with pytest.raises(ConflictError, match="没有损坏"):
        ctx.backups.restore_damaged(made.path)


def test_check_finds_damage_and_a_tampered_log(make_ctx: Callable[[Path], AppContext], live: Path) -> None:
    ctx = make_ctx(live)
    assert ctx.backups.check() == []
    ctx.close()

    engine = sa.create_engine(sqlite_url(live))
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE audit_log SET summary = '改过' WHERE seq = 7")
    engine.dispose()
    problems = make_ctx(live).backups.check()
    assert len(problems) == 1 and "第7条" in problems[0]

    damage(live)
    problems = make_ctx(live).backups.check()
    assert len(problems) == 1 and "损坏" in problems[0]


# --- automatic backups -----------------------------------------------------------------------------------
class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def files(live: Path) -> Iterator[tuple[SqlStorage, SqlBackupStore]]:
    storage = open_storage(sqlite_url(live))
    store = SqlBackupStore(sqlite_url(live))
    store.attach(storage)
    yield storage, store
    storage.close()
    store.close()


def service(files: tuple[SqlStorage, SqlBackupStore], data_dir: Path, clock: Clock) -> BackupService:
    storage, store = files
    access = Access(MACHINE)
    return BackupService(storage, access, store, OfficeService(storage, access), data_dir, clock)


def test_the_automatic_backup_runs_once_a_day(
    files: tuple[SqlStorage, SqlBackupStore], data_dir: Path
) -> None:
    clock = Clock(NOW)
    backups = service(files, data_dir, clock)

    first = backups.auto_backup_if_due()
    assert first is not None and first.kind is BackupKind.AUTO
    assert first.path.name == backup_file_name("小大歹村", NOW, BackupKind.AUTO)
    clock.now = NOW + dt.timedelta(hours=5)
    assert backups.auto_backup_if_due() is None
    clock.now = NOW + dt.timedelta(days=1)
    second = backups.auto_backup_if_due()
    assert second is not None
    assert [b.path for b in backups.backups()] == [second.path, first.path]


def test_automatic_backups_thin_out_old_automatic_copies_only(
    files: tuple[SqlStorage, SqlBackupStore], data_dir: Path
) -> None:
    folder = data_dir / "备份"
    folder.mkdir()
    source = service(files, data_dir, Clock(NOW)).backup_now()  # a real backup to copy from
    made = {source.path.name}
    for days in range(1, 40):
        for kind in (BackupKind.AUTO, BackupKind.MANUAL):
            name = backup_file_name("小大歹村", NOW - dt.timedelta(days=days), kind)
            shutil.copyfile(source.path, folder / name)
            made.add(name)
    other_village = backup_file_name("巴彦嘎查", NOW - dt.timedelta(days=100), BackupKind.AUTO)
    shutil.copyfile(source.path, folder / other_village)

    backups = service(files, data_dir, Clock(NOW))
    today = backups.auto_backup_if_due()

    assert today is not None
    left = backups.backups()
    autos = [b for b in left if b.kind is BackupKind.AUTO and "小大歹村" in b.path.name]
    # Today plus 13 more days, plus the newest of October (the month before the 14 days).
    assert len(autos) == 15
    assert autos[0] == today
    assert len([b for b in left if b.kind is BackupKind.MANUAL]) == 40  # 39 old ones and source
    assert (folder / other_village).exists(), "another village's copies are not ours to prune"


def test_no_automatic_backup_before_the_village_is_set_up(tmp_path: Path, data_dir: Path) -> None:
    url = sqlite_url(data_dir / "empty.sqlite3")
    storage = open_storage(url)
    store = SqlBackupStore(url)
    try:
        assert service((storage, store), data_dir, Clock(NOW)).auto_backup_if_due() is None
        assert not (data_dir / "备份").exists()
    finally:
        storage.close()


def test_status_warns_until_there_is_a_recent_backup(
    files: tuple[SqlStorage, SqlBackupStore], data_dir: Path, tmp_path: Path
) -> None:
    clock = Clock(NOW)
    backups = service(files, data_dir, clock)
    status = backups.status()
    assert (status.folder, status.folder_ok, status.newest) == (data_dir / "备份", True, None)
    assert "还没有任何备份" in status.warning

    made = backups.backup_now()
    assert backups.status().newest == made
    assert backups.status().warning == ""
    clock.now = NOW + dt.timedelta(days=9)
    assert "9天前" in backups.status().warning

    storage, _store = files
    OfficeService(storage, Access(MACHINE)).save_settings(
        OfficeSettings(backup_dir=str(tmp_path / "拔掉的U盘"))
    )
    gone = backups.status()
    assert not gone.folder_ok
    assert "拔掉的U盘" in gone.warning


def test_before_an_upgrade_a_copy_goes_to_the_backup_folder(
    make_ctx: Callable[[Path], AppContext], data_dir: Path
) -> None:
    old = data_dir / "village.sqlite3"
    shutil.copyfile(SCHEMA_0001, old)

    ctx = make_ctx(old)
    ctx.open()

    copies = ctx.backups.backups()
    assert [c.kind for c in copies] == [BackupKind.BEFORE_UPGRADE]
    info = ctx.backups.inspect(copies[0].path)
    assert (info.problem, info.schema_revision, info.village_name) == ("", "0001", "小大歹村")
    assert list(data_dir.glob("village.sqlite3.*.rev0001.bak")), "the copy beside the file stays too"


# --- PostgreSQL --------------------------------------------------------------------------------------
@pytest.mark.storage
def test_a_full_copy_exports_to_a_sqlite_file_that_restores_like_a_backup(
    storage_url: str, tmp_path: Path, data_dir: Path
) -> None:
    storage = open_storage(storage_url)
    machine = Access(MACHINE)
    build_demo(
        VillageService(storage, machine), RosterService(storage, machine), AccountService(storage, machine)
    )
    store = SqlBackupStore(storage_url)
    store.attach(storage)
    backups = BackupService(storage, machine, store, OfficeService(storage, machine), data_dir)
    assert backups.supported == storage_url.startswith("sqlite")
    if not backups.supported:
        with pytest.raises(StorageError, match="服务器管理员"):
            backups.backup_now()
        assert backups.auto_backup_if_due() is None
    target = tmp_path / "导出" / "小大歹村-副本.sqlite3"
    target.parent.mkdir()
    try:
        with storage.engine.connect() as connection:
            expected = {
                t.name: sorted(tuple(r) for r in connection.execute(sa.select(t)))
                for t in Base.metadata.sorted_tables
            }

        assert backups.export_copy(target) == target

        exported = open_storage(sqlite_url(target))  # at head: opens without an upgrade
        with exported.engine.connect() as connection:
            got = {
                t.name: sorted(tuple(r) for r in connection.execute(sa.select(t)))
                for t in Base.metadata.sorted_tables
            }
        exported.close()
        assert got == expected
        info = backups.inspect(target)
        assert (info.problem, info.village_name, info.schema_revision) == ("", "小大歹村", HEAD_REVISION)
        assert info.chain is not None and info.chain.ok
        logged = AuditService(storage, machine).entries(limit=1)[0]
        assert (logged.action, logged.username) == (AuditAction.EXPORT, MACHINE.username)
        assert target.name in logged.summary
    finally:
        storage.close()
        store.close()
