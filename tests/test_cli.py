"""The command line, as a clerk's shortcut or a script runs it: ``python -m village_desk …``.

Each test starts a real process, offscreen, with its own data folder and its own
settings folders, so nothing touches the developer's data.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from village_desk import __version__
from village_desk.app import DEMO_DB_FILE

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 120  # a hung window must fail the test, not the CI run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    environ = dict(os.environ)
    environ.pop("VILLAGE_DESK_TEST_PG_URL", None)
    environ.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONIOENCODING="utf-8",
        # Qt's settings and platformdirs' folders follow these on Linux.
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return environ


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


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, (
        f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def row_counts(path: Path) -> dict[str, int]:
    """Rows in every table of a SQLite file, read-only."""
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }
    connection.close()
    return counts


def test_version_names_the_program_and_its_version(env: dict[str, str]) -> None:
    result = run(env, "--version")

    assert_ok(result)
    assert "村务通" in result.stdout
    assert __version__ in result.stdout


def test_demo_smoke_run_creates_the_demo_database_and_a_second_run_reuses_it(
    env: dict[str, str], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    demo_db = data_dir / DEMO_DB_FILE

    assert_ok(run(env, "--demo", "--smoke", "--data-dir", str(data_dir)))
    assert demo_db.is_file()
    first = row_counts(demo_db)
    assert sum(first.values()) > 0, "the demo village was not written into the database"

    assert_ok(run(env, "--demo", "--smoke", "--data-dir", str(data_dir)))
    # Reused, not rebuilt: the same file, the same rows, no second demo village beside the first.
    assert row_counts(demo_db) == first


def test_smoke_run_on_a_fresh_sqlite_url_creates_the_database(env: dict[str, str], tmp_path: Path) -> None:
    db_file = tmp_path / "fresh" / "村务.sqlite3"
    db_file.parent.mkdir()

    result = run(
        env, "--smoke", "--db", f"sqlite:///{db_file.as_posix()}", "--data-dir", str(tmp_path / "data")
    )

    assert_ok(result)
    assert db_file.is_file()
    assert row_counts(db_file), "the schema was not created"


def test_demo_command_builds_a_village_of_the_size_asked_and_never_overwrites_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    from db import open_storage, sqlite_url
    from village_desk.accounts import MACHINE, Access
    from village_desk.register import DEFAULT_CATEGORIES, RegisterFilter
    from village_desk.services import RegisterService, RosterService, VillageService
    from village_desk.services.notices import NoticeService

    data_dir = tmp_path / "data"
    demo_db = data_dir / DEMO_DB_FILE

    result = run(env, "demo", "--households", "50", "--data-dir", str(data_dir))

    assert_ok(result)
    assert "已生成演示村" in result.stdout and str(demo_db) in result.stdout
    storage = open_storage(sqlite_url(demo_db))
    try:
        machine = Access(MACHINE)
        profile = VillageService(storage, machine).profile()
        assert profile is not None and profile.full_name == "小大歹村"
        register = RegisterService(storage, machine, NoticeService(storage, machine))
        lines = register.page(RegisterFilter(include_closed=True)).lines
        assert 50 <= len(lines) <= 51  # 分户 may add one
        assert f"在册农户{register.page(RegisterFilter()).total}户" in result.stdout
        assert {line.category for line in lines} == set(DEFAULT_CATEGORIES)
        assert any(line.case_status for line in lines)
        members = sum(len(register.dossier(line.household_id).members) for line in lines)
        assert 140 <= members <= 220
        assert RosterService(storage, machine).representatives()
    finally:
        storage.close()

    before = row_counts(demo_db)
    again = run(env, "demo", "--households", "50", "--data-dir", str(data_dir))

    assert again.returncode == 2
    assert "已经有“小大歹村”的村庄信息，没有生成演示村" in again.stderr
    assert row_counts(demo_db) == before


def test_demo_command_refuses_a_size_out_of_range(env: dict[str, str], tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    result = run(env, "demo", "--households", "0", "--data-dir", str(data_dir))

    assert result.returncode == 2
    assert "农户数应在1到100000之间，现在是0。" in result.stderr
    assert not (data_dir / DEMO_DB_FILE).exists()
