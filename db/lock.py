"""One 村务通 per SQLite file: a lock file beside the database, held with an OS lock.

``village.sqlite3.lock`` names who holds it (the Windows user, the PC, since
when) for the message the second 村务通 shows. What excludes is the operating
system's lock on that file (``flock`` on POSIX, ``msvcrt.locking`` on
Windows), not the file's existence: the OS drops the lock when the process
ends, however it ends, so a file left behind by a crash blocks nobody.

Within one process the lock is shared: a second ``InstanceLock`` on the same
file (a second context the program opens on its own file, as tests do) counts
up instead of failing; the OS lock goes when the last one is released.
SQLite's own locking still guards every transaction; this lock only keeps two
people from working in one file at the same time, which would otherwise end
in one overwriting the other's morning with a restore.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from village_desk.errors import InstanceLockedError

LOCK_SUFFIX = ".lock"
# Windows locks byte ranges, and a locked range cannot be read by others: lock a
# byte far past the text, so the second 村务通 can still read who holds the file.
_WINDOWS_LOCK_OFFSET = 1 << 20

_registry_lock = threading.Lock()
_registry: dict[str, _Held] = {}


@dataclass
class _Held:
    fd: int
    count: int


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + LOCK_SUFFIX)


class InstanceLock:
    """The lock of one SQLite file for this process; ``acquire`` raises ``InstanceLockedError``."""

    def __init__(self, database: Path) -> None:
        self._path = lock_path(Path(database).absolute())
        self._key = os.path.normcase(os.path.realpath(self._path))  # one file, however it is named
        self._held = False

    @property
    def path(self) -> Path:
        return self._path

    @property
    def held(self) -> bool:
        return self._held

    def acquire(self) -> None:
        """Take the lock (again: no-op). Another process holding it: ``InstanceLockedError``.

        A folder where no lock file can be made (read-only, a write-protected
        USB stick) is let through: the database cannot be written there
        either, and opening it says so in its own words.
        """
        if self._held:
            return
        with _registry_lock:
            held = _registry.get(self._key)
            if held is not None:
                held.count += 1
                self._held = True
                return
            try:
                fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                return
            try:
                locked = _try_lock(fd)
            except OSError:
                os.close(fd)
                return
            if not locked:
                os.close(fd)
                raise _locked_error(self._path)
            _write_owner(fd)
            _registry[self._key] = _Held(fd, 1)
            self._held = True

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        with _registry_lock:
            held = _registry.get(self._key)
            if held is None:
                return
            held.count -= 1
            if held.count > 0:
                return
            del _registry[self._key]
            with contextlib.suppress(OSError):
                os.ftruncate(held.fd, 0)
            try:
                _unlock(held.fd)
            finally:
                os.close(held.fd)


def read_owner(path: Path) -> tuple[str, str, str]:
    """(user, PC, since) from a lock file; empty strings for what cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")[:4096])
    except (OSError, ValueError):
        return "", "", ""
    if not isinstance(data, dict):
        return "", "", ""
    return str(data.get("user", "")), str(data.get("host", "")), str(data.get("started", ""))


def _locked_error(path: Path) -> InstanceLockedError:
    user, host, started = read_owner(path)
    same_place = bool(host) and host == _host() and user == _user()
    return InstanceLockedError(user, host, started, same_place=same_place)


def _write_owner(fd: int) -> None:
    text = json.dumps(
        {
            "user": _user(),
            "host": _host(),
            "started": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "pid": os.getpid(),
        },
        ensure_ascii=False,
    )
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    except OSError:
        pass  # the lock holds without the note; the other side's message is vaguer


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
