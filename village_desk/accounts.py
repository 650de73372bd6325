"""Accounts, roles and permissions; password hashing and the login delay.

A user holds one or more roles; a role grants permissions; the services check
permissions (``Access.require``), so hiding a button is never the only guard.
The command line acts as the machine's administrator (``MACHINE``).

Passwords are hashed with scrypt (memory-hard, in the standard library), a
random salt per user, parameters stored with the hash so they can be raised
later. After ``FREE_TRIES`` wrong passwords in a row each further try must
wait, longer each time (``login_delay``); the counter lives in the database,
so restarting the program does not reset it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from enum import StrEnum

from village_desk.errors import AccessDeniedError, FieldError
from village_desk.ids import UserId


class Role(StrEnum):
    ADMIN = "管理员"
    ACCOUNTANT = "会计"
    CASHIER = "出纳"
    CLERK = "文书"
    SUPERVISOR = "监督委员"
    READER = "只读"


class Permission(StrEnum):
    VIEW = "查看"
    PRINT = "打印"
    EXPORT = "导出"
    BACKUP = "备份"
    RESTORE = "恢复备份"
    MANAGE_USERS = "管理用户"
    EDIT_SETTINGS = "修改本村信息和设置"
    EDIT_ROSTER = "维护名册"
    EDIT_RECORDS = "维护农户档案、会议和评选"
    ISSUE_NOTICES = "发布公示"
    EDIT_BOOKS = "记账"
    REVIEW_VOUCHERS = "审核凭证"
    EDIT_CASH = "登记出纳日记账"
    MANAGE_BOOKS = "建立账套、授权和反结账"
    RECORD_SUPERVISION = "记录监督意见"
    VIEW_AUDIT = "查看操作日志"


_EVERYONE = frozenset({Permission.VIEW, Permission.PRINT})
_STAFF = _EVERYONE | {Permission.EXPORT, Permission.BACKUP}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _STAFF
    | {
        Permission.RESTORE,
        Permission.MANAGE_USERS,
        Permission.EDIT_SETTINGS,
        Permission.EDIT_ROSTER,
        Permission.VIEW_AUDIT,
        Permission.MANAGE_BOOKS,
    },
    Role.ACCOUNTANT: _STAFF | {Permission.EDIT_BOOKS, Permission.REVIEW_VOUCHERS},
    Role.CASHIER: _STAFF | {Permission.EDIT_CASH},
    Role.CLERK: _STAFF | {Permission.EDIT_ROSTER, Permission.EDIT_RECORDS, Permission.ISSUE_NOTICES},
    # 村务监督委员会 reads everything and records opinions; it changes no books or records.
    Role.SUPERVISOR: _EVERYONE | {Permission.EXPORT, Permission.VIEW_AUDIT, Permission.RECORD_SUPERVISION},
    Role.READER: _EVERYONE,
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ADMIN: "管理用户和设置，恢复备份，查看操作日志，建立账套和反结账",
    Role.ACCOUNTANT: "记账、审核凭证、结账和财务报表",
    Role.CASHIER: "现金和银行日记账",
    Role.CLERK: "农户档案、会议记录、评选和公示",
    Role.SUPERVISOR: "查看全部记录和操作日志，填写监督意见，不能改动账目和档案",
    Role.READER: "只能查看和打印",
}


@dataclass(frozen=True)
class User:
    """An account. Never deleted: ``closed_reason`` disables it and it stays in the log."""

    id: UserId | None
    username: str
    display_name: str
    roles: tuple[Role, ...]
    password_hash: str = ""
    must_change_password: bool = False
    failed_logins: int = 0
    last_failed_at: dt.datetime | None = None
    closed_reason: str = ""
    version: int = 0

    @property
    def is_active(self) -> bool:
        return not self.closed_reason

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)


def permissions_of(roles: tuple[Role, ...] | frozenset[Role]) -> frozenset[Permission]:
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, the machine (command line), or a name typed at login."""

    user_id: UserId | None
    username: str
    display_name: str
    roles: frozenset[Role]

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.display_name, frozenset(user.roles))

    def can(self, permission: Permission) -> bool:
        return permission in permissions_of(self.roles)

    @property
    def is_machine(self) -> bool:
        return self == MACHINE


MACHINE = Actor(None, "本机", "本机管理员（命令行和自动任务）", frozenset({Role.ADMIN}))


class Access:
    """Who is signed in to this session, and the permission check every service calls.

    Shared by the services of one ``AppContext``; the window signs in and out.
    Thread-safe: the services run on the operation worker thread.
    """

    def __init__(self, actor: Actor | None = None) -> None:
        self._lock = threading.Lock()
        self._actor = actor

    @property
    def actor(self) -> Actor | None:
        with self._lock:
            return self._actor

    def sign_in(self, actor: Actor) -> None:
        with self._lock:
            self._actor = actor

    def sign_out(self) -> None:
        with self._lock:
            self._actor = None

    def require(self, permission: Permission) -> Actor:
        """The signed-in actor if they hold ``permission``; else ``AccessDeniedError`` in Chinese."""
        actor = self.actor
        if actor is None:
            raise AccessDeniedError("请先登录，再进行这项操作。")
        if not actor.can(permission):
            raise AccessDeniedError(
                f"您的账号（{actor.display_name}）没有“{permission}”的权限。"
                "如确需办理，请让管理员在“系统设置 → 用户与权限”里为您增加相应角色。"
            )
        return actor


def ensure_not_own(actor: Actor, author: UserId | None, what: str = "审核自己填制的凭证") -> None:
    """Segregation of duties: nobody approves their own work."""
    if author is not None and actor.user_id == author:
        raise AccessDeniedError(f"不能{what}。按照不相容职务分离的要求，请由另一位有权限的人员办理。")


# --- passwords ---------------------------------------------------------------------------------------
MIN_PASSWORD_LENGTH = 8
FREE_TRIES = 5
_FIRST_DELAY = dt.timedelta(seconds=30)
_MAX_DELAY = dt.timedelta(minutes=15)

# scrypt: N=2**14, r=8 needs 16 MiB and about 50 ms; stored with the hash.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SALT_BYTES = 16
_KEY_BYTES = 32


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$key`` (base64); a fresh random salt each time."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(("scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; False for a wrong password or a malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = _KEY_BYTES) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * n * r * p
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def password_problems(password: str, username: str = "", field: str = "password") -> list[FieldError]:
    """What makes a new password unacceptable (empty list when it is fine)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldError(field, f"密码至少要{MIN_PASSWORD_LENGTH}位，请再加长一些。")]
    if len(set(password)) == 1:
        return [FieldError(field, "密码不能全是同一个字符，请换一个。")]
    if username and password.strip().lower() == username.strip().lower():
        return [FieldError(field, "密码不能和用户名相同，请换一个。")]
    return []


def login_delay(failed_logins: int) -> dt.timedelta:
    """How long to wait after ``failed_logins`` wrong passwords in a row before the next try."""
    if failed_logins < FREE_TRIES:
        return dt.timedelta(0)
    doubled: dt.timedelta = _FIRST_DELAY * (2 ** min(failed_logins - FREE_TRIES, 10))
    return min(doubled, _MAX_DELAY)


def next_try_at(user: User) -> dt.datetime | None:
    """When ``user`` may try again, or ``None`` when they may try now."""
    delay = login_delay(user.failed_logins)
    if not delay or user.last_failed_at is None:
        return None
    return user.last_failed_at + delay


def user_problems(user: User, others: list[User]) -> list[FieldError]:
    """The account fields (the password is checked separately)."""
    errors: list[FieldError] = []
    name = user.username.strip()
    if not name:
        errors.append(FieldError("username", "请填写登录用的用户名，例如“wangkuaiji”或“王会计”。"))
    elif len(name) > 30:
        errors.append(FieldError("username", "用户名最多30个字。"))
    elif any(o.id != user.id and o.username.strip().lower() == name.lower() for o in others):
        errors.append(FieldError("username", f"用户名“{name}”已经有人用了，请换一个。"))
    if not user.display_name.strip():
        errors.append(FieldError("display_name", "请填写姓名，操作日志里会显示它。"))
    if not user.roles:
        errors.append(FieldError("roles", "请至少选择一个角色。"))
    return errors
