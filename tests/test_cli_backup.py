"""``village-desk backup / restore / check``, run as a scheduled task would: real processes, real files.

Exit status 0 when done (``check``: all in order), 1 when ``check`` found a
problem, 2 when the work could not be done; Chinese on stdout and stderr.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db import open_storage, sqlite_url
from tests.db.test_instance_lock import Holder
from village_desk.accounts import MACHINE, Access
from village_desk.audit import AuditAction, AuditFilter
from village_desk.roster import Person
from village_desk.services import AuditService, RosterService, VillageService
from village_desk.village import VillageProfile

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 120


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    environ = dict(os.environ)
    environ.pop("VILLAGE_DESK_TEST_PG_URL", None)
    environ.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONIOENCODING="utf-8",
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return environ


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder holding 小大歹村's database (``village.sqlite3``) with a few people."""
    path = tmp_path / "data"
    path.mkdir()
    storage = open_storage(sqlite_url(path / "village.sqlite3"))
    machine = Access(MACHINE)
    VillageService(storage, machine).set_up(
        VillageProfile(name="小大歹", township="甘旗卡", county="科左后"), 3
    )
    roster = RosterService(storage, machine)
    for name in ("王建国", "李秀英", "张海"):
        roster.save_person(Person(id=None, name=name, gender="男", ethnicity="汉族"))
    storage.close()
    return path


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "village_desk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_S,
        check=False,
    )


def expect(result: subprocess.CompletedProcess[str], status: int) -> str:
    """All the process said (stdout and stderr), once its exit status is ``status``."""
    said = f"{result.stdout}{result.stderr}"
    assert result.returncode == status, f"exit {result.returncode}\n{said}"
    assert "Traceback" not in said
    return said


def people(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        names = [name for (name,) in connection.execute("SELECT name FROM people ORDER BY id")]
    connection.close()
    return names


def last_entry(database: Path) -> tuple[str, str, str]:
    storage = open_storage(sqlite_url(database))
    try:
        entry = AuditService(storage, Access(MACHINE)).entries(AuditFilter(), limit=1)[0]
    finally:
        storage.close()
    return entry.username, entry.action, entry.summary


def test_backup_writes_an_automatic_copy_into_the_backup_folder(env: dict[str, str], data_dir: Path) -> None:
    said = expect(run(env, "--data-dir", str(data_dir), "backup"), 0)

    copies = sorted((data_dir / "备份").iterdir())
    assert len(copies) == 1
    assert copies[0].name.startswith("小大歹村-备份-") and copies[0].name.endswith("-自动.sqlite3")
    assert f"已备份：{copies[0]}" in said
    user, action, summary = last_entry(data_dir / "village.sqlite3")
    assert (user, action) == (MACHINE.username, AuditAction.BACKUP)
    assert copies[0].name in summary


def test_options_may_follow_the_subcommand(env: dict[str, str], data_dir: Path, tmp_path: Path) -> None:
    stick = tmp_path / "U盘"
    url = sqlite_url(data_dir / "village.sqlite3")

    expect(run(env, "backup", "--db", url, "--data-dir", str(tmp_path / "elsewhere"), "--to", str(stick)), 0)

    assert [p.name.endswith("-自动.sqlite3") for p in stick.iterdir()] == [True]
    assert not (tmp_path / "elsewhere" / "village.sqlite3").exists()


def test_check_says_normal_for_a_whole_database(env: dict[str, str], data_dir: Path) -> None:
    said = expect(run(env, "check", "--data-dir", str(data_dir)), 0)
    assert "正常" in said


def test_check_catches_an_audit_row_edited_by_hand(env: dict[str, str], data_dir: Path) -> None:
    with sqlite3.connect(data_dir / "village.sqlite3") as connection:
        connection.execute("UPDATE audit_log SET summary = '李秀英（改过）' WHERE seq = 5")
    connection.close()

    said = expect(run(env, "check", "--data-dir", str(data_dir)), 1)

    assert "操作日志被改动过" in said
    assert "第5条" in said
    assert "正常" not in said


def test_check_catches_a_damaged_file(env: dict[str, str], data_dir: Path) -> None:
    database = data_dir / "village.sqlite3"
    size = database.stat().st_size
    with database.open("r+b") as file:
        file.seek(size // 2 // 4096 * 4096)
        file.write(b"\xa5" * 8192)

    said = expect(run(env, "--data-dir", str(data_dir), "check"), 1)

    assert "损坏" in said


def test_check_of_a_missing_database_is_not_normal(env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    said = expect(run(env, "check", "--data-dir", str(empty)), 1)
    assert "找不到数据文件" in said
    assert not (empty / "village.sqlite3").exists()


def test_restore_brings_back_the_backup_after_a_safety_copy(env: dict[str, str], data_dir: Path) -> None:
    database = data_dir / "village.sqlite3"
    expect(run(env, "backup", "--data-dir", str(data_dir)), 0)
    (backup,) = (data_dir / "备份").iterdir()
    storage = open_storage(sqlite_url(database))
    RosterService(storage, Access(MACHINE)).save_person(Person(id=None, name="备份后才来的", gender="女"))
    storage.close()

    said = expect(run(env, "restore", str(backup), "--data-dir", str(data_dir)), 0)

    assert people(database) == ["王建国", "李秀英", "张海"]
    assert "村名：小大歹村" in said and "人员3" in said
    safety = [p for p in (data_dir / "备份").iterdir() if p.name.endswith("-恢复前.sqlite3")]
    assert len(safety) == 1 and f"恢复前的数据保存在：{safety[0]}" in said
    assert "备份后才来的" in people(safety[0])
    user, action, summary = last_entry(database)
    assert (user, action) == (MACHINE.username, AuditAction.RESTORE)
    assert backup.name in summary


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    env: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    database = data_dir / "village.sqlite3"
    expect(run(env, "backup", "--data-dir", str(data_dir)), 0)
    (backup,) = (data_dir / "备份").iterdir()
    with backup.open("r+b") as file:
        file.seek(backup.stat().st_size // 2 // 4096 * 4096)
        file.write(b"\xa5" * 8192)
    before = database.read_bytes()

    said = expect(run(env, "restore", str(backup), "--data-dir", str(data_dir)), 2)

    assert "没有恢复" in said and "已损坏" in said
    assert database.read_bytes() == before
    assert [p.name for p in (data_dir / "备份").iterdir()] == [backup.name]


def test_restore_refuses_while_another_copy_of_the_program_has_the_file(
    env: dict[str, str], data_dir: Path
) -> None:
    database = data_dir / "village.sqlite3"
    expect(run(env, "backup", "--data-dir", str(data_dir)), 0)
    (backup,) = (data_dir / "备份").iterdir()
    holder = Holder(database, {"user": "王会计", "host": "村委会-PC2", "started": "2026-11-28 08:05"})
    try:
        said = expect(run(env, "restore", str(backup), "--data-dir", str(data_dir)), 2)
        assert "王会计" in said and "村委会-PC2" in said
        # Backing up and checking beside a running 村务通 is fine.
        expect(run(env, "backup", "--data-dir", str(data_dir)), 0)
        expect(run(env, "check", "--data-dir", str(data_dir)), 0)
    finally:
        holder.stop()


def test_restore_over_a_damaged_database_keeps_the_damaged_file(env: dict[str, str], data_dir: Path) -> None:
    database = data_dir / "village.sqlite3"
    expect(run(env, "backup", "--data-dir", str(data_dir)), 0)
    (backup,) = (data_dir / "备份").iterdir()
    with database.open("r+b") as file:
        file.write(b"not a database any more" * 10)

    said = expect(run(env, "restore", str(backup), "--data-dir", str(data_dir)), 0)

    assert people(database) == ["王建国", "李秀英", "张海"]
    (damaged,) = data_dir.glob("village.sqlite3.*.damaged")
    assert str(damaged) in said
    expect(run(env, "check", "--data-dir", str(data_dir)), 0)
