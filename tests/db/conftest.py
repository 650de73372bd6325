"""Real databases for the storage tests: a SQLite file in a temp dir, and PostgreSQL.

PostgreSQL runs when ``VILLAGE_DESK_TEST_PG_URL`` points at a server we may
create databases on (``postgresql+psycopg://postgres@127.0.0.1:55432/postgres``);
each test gets a fresh database, dropped afterwards. Without the variable the
PostgreSQL cases are skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import SqlStorage, open_storage, sqlite_url
from village_desk.accounts import MACHINE, Access
from village_desk.services import RosterService, VillageService

PG_URL_VAR = "VILLAGE_DESK_TEST_PG_URL"
TODAY = dt.date(2026, 11, 28)


def pg_admin_url() -> str | None:
    return os.environ.get(PG_URL_VAR) or None


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """Where a test's SQLite database lives (not created yet)."""
    return tmp_path / "village.sqlite3"


@pytest.fixture
def pg_database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    admin_url = pg_admin_url()
    if admin_url is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_URL_VAR}")
    name = f"village_desk_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sa.make_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file, and PostgreSQL when configured."""
    if request.node.get_closest_marker("storage") is None:
        pytest.fail("a test on both databases needs @pytest.mark.storage (CI reruns those on PostgreSQL)")
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "village.sqlite3")
    url: str = request.getfixturevalue("pg_database_url")
    return url


@pytest.fixture
def storage(storage_url: str) -> Iterator[SqlStorage]:
    opened = open_storage(storage_url)
    yield opened
    opened.close()


@pytest.fixture
def access() -> Access:
    """Signed in as the machine administrator (may do everything the roster needs)."""
    return Access(MACHINE)


@pytest.fixture
def village(storage: SqlStorage, access: Access) -> VillageService:
    return VillageService(storage, access)


@pytest.fixture
def roster(storage: SqlStorage, access: Access) -> RosterService:
    return RosterService(storage, access, today=lambda: TODAY)
