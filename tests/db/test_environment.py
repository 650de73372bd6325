"""Where the data lives, and what the clerk reads when that place fails.

Each failure is produced for real (a read-only file, a lock held by another
connection, a full database, damaged pages, a server that is not there) and
must arrive as a ``StorageError`` whose hint says what to do.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import SqlStorage, open_storage, sqlite_url
from db.engine import describe_location, make_engine, parse_url
from db.migrate import prepare_database
from tests.db.conftest import pg_admin_url
from tests.db.filesystem import read_only
from village_desk.accounts import MACHINE
from village_desk.errors import StorageError
from village_desk.village import VillageGroup


def _add_group(storage: SqlStorage, number: int = 1) -> None:
    with storage.transaction(MACHINE) as tx:
        tx.save_group(VillageGroup(id=None, number=number, name=f"第{number}组"))


@pytest.fixture
def existing_file(sqlite_file: Path) -> Path:
    """A SQLite database at head with one group, closed again."""
    storage = open_storage(sqlite_url(sqlite_file))
    _add_group(storage)
    storage.close()
    return sqlite_file


class TestSqliteFile:
    def test_pragmas_are_in_effect_on_every_connection(self, existing_file: Path) -> None:
        storage = open_storage(sqlite_url(existing_file))
        try:
            for _ in range(2):
                with storage.engine.connect() as connection:
                    pragma = connection.exec_driver_sql
                    assert pragma("PRAGMA journal_mode").scalar() == "wal"
                    assert pragma("PRAGMA foreign_keys").scalar() == 1
                    assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
                    assert pragma("PRAGMA busy_timeout").scalar() == 5000
                storage.engine.dispose()  # the second round gets a brand-new connection
        finally:
            storage.close()

    def test_the_file_is_complete_after_close(self, existing_file: Path) -> None:
        # What the user copies is one file: the WAL is folded back when the last connection closes.
        assert not existing_file.with_name(existing_file.name + "-wal").exists()
        with sqlite3.connect(f"{existing_file.as_uri()}?mode=ro", uri=True) as connection:
            assert connection.execute("SELECT name FROM village_groups").fetchall() == [("第1组",)]

    def test_location_is_the_file_path(self, tmp_path: Path) -> None:
        path = tmp_path / "张三的 文件夹#1%" / "village.sqlite3"
        path.parent.mkdir()
        storage = open_storage(sqlite_url(path))
        try:
            assert storage.location == str(path)
            _add_group(storage)
        finally:
            storage.close()
        assert path.is_file()

    def test_storage_opened_on_one_thread_works_on_a_worker_thread(self, existing_file: Path) -> None:
        # The window opens storage, its one database worker thread uses it.
        storage = open_storage(sqlite_url(existing_file))
        seen: list[object] = []

        def work() -> None:
            try:
                _add_group(storage, 2)
                with storage.transaction(MACHINE) as tx:
                    seen.extend(g.number for g in tx.list_groups())
            except Exception as exc:  # handed back to the test thread
                seen.append(exc)

        try:
            worker = threading.Thread(target=work)
            worker.start()
            worker.join()
            with storage.transaction(MACHINE) as tx:
                assert [g.number for g in tx.list_groups()] == [1, 2]
        finally:
            storage.close()
        assert seen == [1, 2]

    def test_an_in_memory_database_works_for_one_session(self) -> None:
        storage = open_storage("sqlite://")
        try:
            _add_group(storage)
            with storage.transaction(MACHINE) as tx:
                assert [g.name for g in tx.list_groups()] == ["第1组"]
            assert "内存" in storage.location
        finally:
            storage.close()


class TestSqliteFailures:
    def test_a_read_only_file(self, existing_file: Path) -> None:
        with read_only(existing_file):
            storage = open_storage(sqlite_url(existing_file))
            try:
                with storage.transaction(MACHINE) as tx:  # reading still works
                    assert len(tx.list_groups()) == 1
                with pytest.raises(StorageError) as caught:
                    _add_group(storage, 2)
            finally:
                storage.close()
        assert "只读" in caught.value.message
        assert "文件只读" in caught.value.hint

    def test_a_read_only_folder(self, existing_file: Path) -> None:
        with read_only(existing_file.parent), pytest.raises(StorageError) as caught:
            open_storage(sqlite_url(existing_file)).close()
        assert "文件夹只读" in caught.value.hint

    def test_a_database_locked_by_another_program(self, existing_file: Path) -> None:
        url = parse_url(sqlite_url(existing_file))
        engine = make_engine(url, sqlite_busy_timeout_ms=50)
        prepare_database(url, engine)
        storage = SqlStorage(engine, describe_location(url))
        other = sqlite3.connect(existing_file, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # holds the write lock
            with pytest.raises(StorageError) as caught:
                _add_group(storage, 2)
        finally:
            other.close()
            storage.close()
        assert "数据库正被占用" in caught.value.message
        assert "稍等" in caught.value.hint

    def test_a_full_disk(self, existing_file: Path) -> None:
        storage = open_storage(sqlite_url(existing_file))
        storage.engine.dispose()
        # SQLite reports a database that reached max_page_count exactly as a full disk (SQLITE_FULL).
        sa.event.listen(
            storage.engine,
            "connect",
            lambda dbapi_connection, _record: dbapi_connection.execute("PRAGMA max_page_count = 40"),
        )
        try:
            with pytest.raises(StorageError) as caught, storage.transaction(MACHINE) as tx:
                for n in range(2000):
                    tx.save_group(VillageGroup(id=None, number=n, name="很长的名字" * 50))
        finally:
            storage.close()
        assert "磁盘已满" in caught.value.message
        assert "腾出空间" in caught.value.hint

    def test_a_damaged_file(self, existing_file: Path) -> None:
        page_size = 4096
        data = bytearray(existing_file.read_bytes())
        # Keep the header page; overwrite every page after it (tables and indexes).
        data[page_size:] = b"\xa5" * (len(data) - page_size)
        existing_file.write_bytes(bytes(data))
        with pytest.raises(StorageError) as caught:
            storage = open_storage(sqlite_url(existing_file))
            try:
                with storage.transaction(MACHINE) as tx:
                    tx.list_groups()
            finally:
                storage.close()
        assert "损坏" in caught.value.message
        assert "从备份恢复" in caught.value.hint

    def test_a_folder_that_does_not_exist(self, tmp_path: Path) -> None:
        with pytest.raises(StorageError) as caught:
            open_storage(sqlite_url(tmp_path / "没有这个文件夹" / "village.sqlite3"))
        assert "无法打开" in caught.value.message


class TestUrls:
    def test_postgresql_urls_use_psycopg(self) -> None:
        assert parse_url("postgresql://clerk@db.example/village").drivername == "postgresql+psycopg"
        assert parse_url("postgresql+psycopg://clerk@db.example/village").drivername == "postgresql+psycopg"

    @pytest.mark.parametrize(
        "url", ["mysql://clerk@db.example/village", "postgresql+asyncpg://h/db", "不是地址"]
    )
    def test_other_databases_are_refused_in_chinese(self, url: str) -> None:
        with pytest.raises(StorageError) as caught:
            open_storage(url)
        assert caught.value.hint

    def test_postgresql_location_never_shows_the_password(self) -> None:
        url = parse_url("postgresql://clerk:s3cret@db.example:6543/village")
        assert describe_location(url) == "PostgreSQL db.example:6543/village"
        assert describe_location(parse_url("postgresql://clerk:s3cret@db.example/village")) == (
            "PostgreSQL db.example:5432/village"
        )

    def test_sqlite_url_keeps_any_path(self, tmp_path: Path) -> None:
        path = tmp_path / "数据 文件夹#1?" / "小大歹村%.sqlite3"
        assert parse_url(sqlite_url(path)).database == str(path)


class TestPostgresqlFailures:
    def test_no_server_at_the_address(self) -> None:
        # Port 1 on this machine: nothing listens, the connection is refused at once.
        with pytest.raises(StorageError) as caught:
            open_storage("postgresql://clerk:secret@127.0.0.1:1/village")
        assert "无法连接" in caught.value.message
        assert "服务器是否已启动" in caught.value.hint and "密码" in caught.value.hint
        assert "secret" not in str(caught.value)

    def test_a_database_that_does_not_exist(self) -> None:
        admin_url = pg_admin_url()
        if admin_url is None:
            pytest.skip("PostgreSQL not configured: set VILLAGE_DESK_TEST_PG_URL")
        url = sa.make_url(admin_url).set(database="village_desk_no_such_database")
        with pytest.raises(StorageError) as caught:
            open_storage(url.render_as_string(hide_password=False))
        assert "没有这个数据库" in caught.value.message
