"""The one place where database failures become ``StorageError`` in Chinese.

Failures of the environment (a locked or read-only file, a full disk, a
damaged file, an unreachable server) reach the clerk as a ``StorageError``
whose ``hint`` says what to do. Anything else from the database driver
becomes a ``StorageError`` with a general message; the original exception
stays chained (``__cause__``) for the log. Errors of our own code (a
``TypeError``, a SQLAlchemy usage error) are not database failures: callers
let them through to the crash dialog.

psycopg is optional (the ``postgres`` extra), so its exceptions are
recognised by module name and SQLSTATE, without importing it.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc

from village_desk.errors import StorageError

# Primary SQLite result codes (https://www.sqlite.org/rescode.html).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26


@dataclass(frozen=True)
class _Text:
    message: str
    hint: str

    def error(self) -> StorageError:
        return StorageError(self.message, self.hint)


LOCKED = _Text(
    "数据库正被占用，暂时无法读写。",
    "可能另一台电脑或另一个村务通窗口正在使用同一个数据文件。请稍等片刻再试；如果一直这样，请关闭其他窗口后重试。",
)
READ_ONLY = _Text(
    "数据库文件只读，无法保存更改。",
    "文件只读或所在文件夹只读：请取消数据文件的“只读”属性、检查U盘是否写保护，"
    "或把数据文件复制到有写入权限的文件夹后再打开。",
)
DISK_FULL = _Text(
    "磁盘已满，无法保存。",
    "磁盘已满：请删除不需要的文件、腾出空间后重试；以前保存的数据不受影响。",
)
CORRUPT = _Text(
    "数据库文件损坏，或者不是村务通的数据文件。",
    "文件损坏：请从备份恢复（数据文件旁边以 .bak 结尾的文件是自动备份），或联系技术支持。",
)
CANNOT_OPEN = _Text(
    "无法打开数据库文件。",
    "请检查数据文件夹是否存在、是否有写入权限（文件只读或文件夹只读时无法打开），U盘是否已拔出。",
)
IO_ERROR = _Text(
    "读写数据库文件时出错。",
    "请检查磁盘或U盘是否已拔出、是否有故障；如果文件已损坏，请从备份恢复。",
)
NO_SERVER = _Text(
    "无法连接到 PostgreSQL 数据库服务器。",
    "请检查服务器地址和端口是否正确、数据库服务器是否已启动、网络是否通畅，以及用户名和密码是否正确。",
)
BAD_LOGIN = _Text(
    "PostgreSQL 数据库服务器拒绝登录。",
    "请检查用户名和密码是否正确，或请管理员确认该用户有权登录这个数据库。",
)
NO_DATABASE = _Text(
    "PostgreSQL 服务器上没有这个数据库。",
    "请检查数据库名称是否写对，或请管理员先创建这个数据库。",
)
NO_PERMISSION = _Text(
    "没有权限读写 PostgreSQL 数据库中的表。",
    "请管理员为这个用户授予读写权限。",
)
CONNECTION_LOST = _Text(
    "与 PostgreSQL 数据库服务器的连接中断了，本次操作没有完成。",
    "请检查网络和数据库服务器，然后重试。",
)
INTEGRITY = _Text(
    "数据与数据库中已有的记录不一致，本次操作没有保存。",
    "可能别人刚刚修改了相关记录。请刷新后重试；如果一再出现，请把日志文件发给技术支持。",
)
GENERAL = _Text(
    "数据库出错，本次操作没有完成，也没有保存任何更改。",
    "请重试；如果一再出现，请把日志文件发给技术支持。",
)


def is_database_failure(exc: BaseException) -> bool:
    """True for failures of the database or its environment, False for bugs.

    ``sqlalchemy.exc.DBAPIError`` wraps everything the driver raised; other
    SQLAlchemy errors (``InvalidRequestError``, ``StatementError`` around a
    ``TypeError`` …) are mistakes in our code and must reach the crash dialog.
    """
    if isinstance(exc, sa_exc.DBAPIError) and isinstance(exc.orig, BaseException):
        return is_database_failure(exc.orig)
    if _is_programming_error(exc):
        # A value the driver cannot bind, SQL that does not parse: our bug. Except
        # PostgreSQL's "permission denied" (SQLSTATE 42501), which shares the class.
        return getattr(exc, "sqlstate", None) == "42501"
    if isinstance(exc, sa_exc.DBAPIError | sa_exc.TimeoutError | sqlite3.Error):
        return True
    return _is_psycopg_error(exc)


def to_storage_error(exc: BaseException) -> StorageError:
    """The ``StorageError`` to show for a database failure (see ``is_database_failure``)."""
    if isinstance(exc, StorageError):
        return exc
    return environment_error(exc) or GENERAL.error()


def environment_error(exc: BaseException) -> StorageError | None:
    """The ``StorageError`` for a failure we recognise (locked, read-only, full …), else ``None``."""
    if isinstance(exc, sa_exc.TimeoutError):
        return LOCKED.error()
    orig: BaseException = exc
    if isinstance(exc, sa_exc.DBAPIError) and isinstance(exc.orig, BaseException):
        orig = exc.orig
    text = _classify(orig)
    if text is None and isinstance(exc, sa_exc.IntegrityError):
        text = INTEGRITY
    return text.error() if text is not None else None


def os_storage_error(exc: OSError) -> StorageError:
    """A ``StorageError`` for a failed file operation (backups beside the data file)."""
    if exc.errno == errno.ENOSPC:
        return DISK_FULL.error()
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return READ_ONLY.error()
    return IO_ERROR.error()


def _classify(orig: BaseException) -> _Text | None:
    if isinstance(orig, sqlite3.Error):
        return _classify_sqlite(orig)
    if _is_psycopg_error(orig):
        return _classify_psycopg(orig)
    return None


def _classify_sqlite(exc: sqlite3.Error) -> _Text | None:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    by_code = {
        _SQLITE_BUSY: LOCKED,
        _SQLITE_LOCKED: LOCKED,
        _SQLITE_READONLY: READ_ONLY,
        _SQLITE_PERM: READ_ONLY,
        _SQLITE_FULL: DISK_FULL,
        _SQLITE_CORRUPT: CORRUPT,
        _SQLITE_NOTADB: CORRUPT,
        _SQLITE_CANTOPEN: CANNOT_OPEN,
        _SQLITE_IOERR: IO_ERROR,
    }
    if primary in by_code:
        return by_code[primary]
    # Errors raised without a result code (older Pythons, some wrappers): go by the text.
    message = str(exc).lower()
    for needle, text in (
        ("database is locked", LOCKED),
        ("readonly database", READ_ONLY),
        ("database or disk is full", DISK_FULL),
        ("malformed", CORRUPT),
        ("not a database", CORRUPT),
        ("unable to open database", CANNOT_OPEN),
        ("disk i/o error", IO_ERROR),
    ):
        if needle in message:
            return text
    return None


def _is_programming_error(exc: BaseException) -> bool:
    # sqlite3.ProgrammingError, psycopg.ProgrammingError and its SQLSTATE subclasses,
    # sqlalchemy.exc.ProgrammingError: DB-API names it the same everywhere.
    return any(cls.__name__ == "ProgrammingError" for cls in type(exc).__mro__)


def _is_psycopg_error(exc: BaseException) -> bool:
    return any(cls.__module__.split(".")[0] == "psycopg" for cls in type(exc).__mro__)


def _classify_psycopg(exc: BaseException) -> _Text | None:
    state = getattr(exc, "sqlstate", None) or ""
    message = str(exc).lower()
    if state in ("28P01", "28000") or "password authentication failed" in message:
        return BAD_LOGIN
    if state == "3D000" or ("database" in message and "does not exist" in message):
        return NO_DATABASE
    if state == "53100":
        return DISK_FULL
    if state in ("55P03", "40P01"):
        return LOCKED
    if state == "25006":
        return READ_ONLY
    if state == "42501":
        return NO_PERMISSION
    if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return CONNECTION_LOST
    if not state and (
        "connection failed" in message
        or "could not connect" in message
        or "connection refused" in message
        or "could not translate host name" in message
        or "timeout expired" in message
        or "no route to host" in message
    ):
        return NO_SERVER
    if "server closed the connection" in message or "connection is lost" in message:
        return CONNECTION_LOST
    return None
