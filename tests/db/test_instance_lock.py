"""One 村务通 per SQLite file: the second one is told who has it; a crashed one blocks nobody.

The holder is a real second process (the OS lock is per process), started
with a few lines of Python that take the lock and wait.
"""

from __future__ import annotations

import getpass
import json
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from db import sqlite_url
from db.lock import InstanceLock, lock_path
from village_desk.app import open_context
from village_desk.errors import InstanceLockedError

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60
# The children load db/lock.py on its own: the db package would import SQLAlchemy, a second per child.
LOAD_LOCK_MODULE = (
    "import importlib.util, sys; "
    "spec = importlib.util.spec_from_file_location('instance_lock', 'db/lock.py'); "
    "module = sys.modules['instance_lock'] = importlib.util.module_from_spec(spec); "
    "spec.loader.exec_module(module); "
    "InstanceLock, lock_path = module.InstanceLock, module.lock_path"
)


class Holder:
    """A child process that holds the lock of ``database`` until told to stop (or killed)."""

    def __init__(self, database: Path, owner: dict[str, str] | None = None) -> None:
        script = textwrap.dedent(
            f"""
            import json, os, sys
            from pathlib import Path
            {LOAD_LOCK_MODULE}

            database = Path({str(database)!r})
            lock = InstanceLock(database)
            lock.acquire()
            owner = {owner!r}
            if owner:  # as if written on another PC (a shared folder)
                fd = os.open(lock_path(database), os.O_WRONLY | os.O_TRUNC)
                os.write(fd, json.dumps(owner, ensure_ascii=False).encode("utf-8"))
                os.close(fd)
            print("locked", flush=True)
            sys.stdin.readline()
            lock.release()
            print("released", flush=True)
            """
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        if first != "locked":
            self.stop()
            raise AssertionError(f"the holder did not take the lock: {first!r}")

    def release(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"
        self.process.wait(TIMEOUT_S)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL if sys.platform != "win32" else signal.SIGTERM)
        self.process.wait(TIMEOUT_S)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(TIMEOUT_S)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def other_process_can_lock(database: Path) -> bool:
    """Whether another process could take the lock now (it lets go at once)."""
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        {LOAD_LOCK_MODULE}
        from village_desk.errors import InstanceLockedError

        lock = InstanceLock(Path({str(database)!r}))
        try:
            lock.acquire()
        except InstanceLockedError:
            print("refused")
        else:
            print("locked" if lock.held else "not held")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_S,
        check=True,
    )
    assert result.stdout.strip() in ("locked", "refused"), result
    return result.stdout.strip() == "locked"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "village.sqlite3"


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.stop()


def test_a_second_process_is_refused_with_the_holders_user_and_pc(
    database: Path, holders: list[Holder]
) -> None:
    holders.append(Holder(database))

    with pytest.raises(InstanceLockedError) as caught:
        InstanceLock(database).acquire()

    error = caught.value
    assert (error.user, error.host) == (getpass.getuser(), socket.gethostname())
    assert getpass.getuser() in error.message and socket.gethostname() in error.message
    assert "这台电脑" in error.message


def test_the_message_names_another_pc_and_user(database: Path, holders: list[Holder]) -> None:
    holders.append(Holder(database, {"user": "王会计", "host": "村委会-PC2", "started": "2026-11-28 08:05"}))

    with pytest.raises(InstanceLockedError) as caught:
        InstanceLock(database).acquire()

    assert "王会计" in caught.value.message
    assert "村委会-PC2" in caught.value.message
    assert "2026-11-28 08:05" in caught.value.message
    assert "村委会-PC2" in caught.value.hint


def test_the_lock_is_free_again_after_the_holder_releases_it(database: Path, holders: list[Holder]) -> None:
    holder = Holder(database)
    holders.append(holder)
    holder.release()

    lock = InstanceLock(database)
    lock.acquire()
    assert lock.held
    lock.release()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_holders_lock_file_does_not_block(database: Path, holders: list[Holder]) -> None:
    holder = Holder(database)
    holders.append(holder)
    holder.kill()
    # The file and its text stay behind, as after a crash or a power cut …
    assert json.loads(lock_path(database).read_text(encoding="utf-8"))["user"] == getpass.getuser()

    lock = InstanceLock(database)
    lock.acquire()  # … but the OS dropped the lock with the process
    assert lock.held
    lock.release()


def test_within_one_process_the_lock_is_shared_until_the_last_release(database: Path) -> None:
    first, second = InstanceLock(database), InstanceLock(database)
    first.acquire()
    second.acquire()
    first.release()
    assert not other_process_can_lock(database)
    second.release()
    assert other_process_can_lock(database)


def test_the_composition_root_takes_the_lock_when_the_database_opens(
    database: Path, tmp_path: Path, holders: list[Holder]
) -> None:
    holders.append(Holder(database))
    url = sqlite_url(database)

    locked = open_context(url, tmp_path, tmp_path / "logs", demo=False, allow_demo_switch=False)
    with pytest.raises(InstanceLockedError):
        locked.open()
    locked.close()
    assert not database.exists(), "the database was not even created"

    holders[0].release()
    ctx = open_context(url, tmp_path, tmp_path / "logs", demo=False, allow_demo_switch=False)
    ctx.open()
    assert not other_process_can_lock(database)
    ctx.close()
    assert other_process_can_lock(database)


def test_a_folder_where_no_lock_file_can_be_made_is_let_through(tmp_path: Path) -> None:
    lock = InstanceLock(tmp_path / "no-such-folder" / "village.sqlite3")
    lock.acquire()
    assert not lock.held
    lock.release()
