"""Log in and out, the idle lock, and managing accounts (管理员 only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from village_desk.accounts import (
    FREE_TRIES,
    MACHINE,
    Access,
    Actor,
    Permission,
    Role,
    User,
    hash_password,
    next_try_at,
    password_problems,
    user_problems,
    verify_password,
)
from village_desk.audit import AuditAction
from village_desk.errors import AccessDeniedError, FieldError, ValidationError
from village_desk.ids import UserId
from village_desk.storage import Storage, Transaction

_WRONG = "用户名或密码不对。"
_RECORD_TYPE = "用户"


class AccountService:
    def __init__(
        self, storage: Storage, access: Access, clock: Callable[[], dt.datetime] = dt.datetime.now
    ) -> None:
        self._storage = storage
        self._access = access
        self._clock = clock

    # --- before anyone is signed in ---------------------------------------------------------------
    def has_users(self) -> bool:
        """False on a new database (or one from before accounts): the first administrator is due."""
        with self._storage.transaction() as tx:
            return bool(tx.list_users())

    def login_names(self) -> list[tuple[str, str]]:
        """(username, name) of the active accounts, for the login dialog's list."""
        with self._storage.transaction() as tx:
            users = [u for u in tx.list_users() if u.is_active]
        return [(u.username, u.display_name) for u in sorted(users, key=lambda u: u.id or 0)]

    def create_first_admin(self, username: str, display_name: str, password: str) -> User:
        """The first start: create the administrator and sign them in. Refused once any account exists."""
        user = User(
            id=None,
            username=username.strip(),
            display_name=display_name.strip(),
            roles=(Role.ADMIN,),
        )
        errors = user_problems(user, []) + password_problems(password, user.username)
        if errors:
            raise ValidationError(errors)
        with self._storage.transaction(MACHINE) as tx:
            if tx.list_users():
                raise AccessDeniedError("管理员账号已经建立过了，请用已有的账号登录。")
            saved = tx.save_user(replace(user, password_hash=hash_password(password)))
        self._access.sign_in(Actor.of(saved))
        return saved

    def login(self, username: str, password: str) -> User:
        """Check the password and sign in; a wrong one counts, and after 5 the next try must wait."""
        now = self._clock()
        with self._storage.transaction() as tx:
            user = _by_username(tx, username)
        if user is None or not user.is_active:
            with self._storage.transaction(_typed(username)) as tx:
                note = "账号已停用" if user is not None else "没有这个用户名"
                tx.record_event(AuditAction.LOGIN_FAILED, _RECORD_TYPE, None, f"{username.strip()}（{note}）")
            raise AccessDeniedError(
                "这个账号已停用，请找管理员。" if user is not None else f"{_WRONG}请检查后再试。"
            )
        self._check_delay(user, now)
        if not verify_password(password, user.password_hash):
            self._count_failure(user, now, "登录密码错误")
        with self._storage.transaction(Actor.of(user)) as tx:
            if user.failed_logins or user.last_failed_at is not None:
                user = tx.save_user(replace(tx.get_user(_id(user)), failed_logins=0, last_failed_at=None))
            tx.record_event(AuditAction.LOGIN, _RECORD_TYPE, user.id, _label(user))
        self._access.sign_in(Actor.of(user))
        return user

    def unlock(self, password: str) -> None:
        """After the idle lock: the signed-in user types their password again."""
        actor = self._access.actor
        if actor is None or actor.user_id is None:
            raise AccessDeniedError("请先登录。")
        now = self._clock()
        with self._storage.transaction() as tx:
            user = tx.get_user(actor.user_id)
        if not user.is_active:
            raise AccessDeniedError("这个账号已被停用，请找管理员。")
        self._check_delay(user, now)
        if not verify_password(password, user.password_hash):
            self._count_failure(user, now, "解锁密码错误")
        if user.failed_logins:
            with self._storage.transaction(actor) as tx:
                tx.save_user(replace(tx.get_user(_id(user)), failed_logins=0, last_failed_at=None))

    def logout(self) -> None:
        actor = self._access.actor
        if actor is None:
            return
        if not actor.is_machine:
            with self._storage.transaction(actor) as tx:
                tx.record_event(AuditAction.LOGOUT, _RECORD_TYPE, actor.user_id, actor.display_name)
        self._access.sign_out()

    def _check_delay(self, user: User, now: dt.datetime) -> None:
        allowed = next_try_at(user)
        if allowed is not None and now < allowed:
            seconds = int((allowed - now).total_seconds()) + 1
            wait = f"{seconds}秒" if seconds < 120 else f"{(seconds + 59) // 60}分钟"
            raise AccessDeniedError(
                f"密码已连续输错{user.failed_logins}次。为防止他人试密码，请{wait}后再试。"
            )

    def _count_failure(self, user: User, now: dt.datetime, what: str) -> None:
        """Count the wrong password (committed, with its log entry), then refuse."""
        with self._storage.transaction(Actor.of(user)) as tx:
            current = tx.get_user(_id(user))
            failed = current.failed_logins + 1
            tx.save_user(replace(current, failed_logins=failed, last_failed_at=now))
            tx.record_event(
                AuditAction.LOGIN_FAILED, _RECORD_TYPE, user.id, f"{_label(user)}（{what}，第{failed}次）"
            )
        wrong = "密码不对。" if what.startswith("解锁") else _WRONG
        left = FREE_TRIES - failed
        if left > 0:
            raise AccessDeniedError(f"{wrong}还可以再试{left}次。")
        raise AccessDeniedError(
            f"{wrong}已连续输错{failed}次，需要等一会儿才能再试。忘记密码请找管理员重设。"
        )

    # --- one's own password -------------------------------------------------------------------------
    def change_own_password(self, old: str, new: str) -> User:
        actor = self._access.require(Permission.VIEW)
        if actor.user_id is None:
            raise AccessDeniedError("命令行身份没有密码可改。")
        with self._storage.transaction() as tx:
            user = tx.get_user(actor.user_id)
        errors: list[FieldError] = []
        if not verify_password(old, user.password_hash):
            errors.append(FieldError("old_password", "原密码不对，请重新输入。"))
        errors += password_problems(new, user.username, field="new_password")
        if not errors and old == new:
            errors.append(FieldError("new_password", "新密码不能和原密码一样。"))
        if errors:
            raise ValidationError(errors)
        with self._storage.transaction(actor) as tx:
            current = tx.get_user(actor.user_id)
            return tx.save_user(
                replace(current, password_hash=hash_password(new), must_change_password=False)
            )

    # --- managing accounts (管理员) ------------------------------------------------------------------
    def users(self) -> list[User]:
        """Every account, active first; the password hashes are blanked."""
        self._access.require(Permission.MANAGE_USERS)
        with self._storage.transaction() as tx:
            users = tx.list_users()
        users.sort(key=lambda u: (not u.is_active, u.id or 0))
        return [replace(u, password_hash="") for u in users]

    def add_user(self, user: User, password: str, must_change_password: bool = True) -> User:
        """A new account; by default it must change the password at its first login."""
        actor = self._access.require(Permission.MANAGE_USERS)
        user = replace(user, id=None, username=user.username.strip(), display_name=user.display_name.strip())
        with self._storage.transaction(actor) as tx:
            errors = user_problems(user, tx.list_users()) + password_problems(password, user.username)
            if errors:
                raise ValidationError(errors)
            saved = tx.save_user(
                replace(
                    user,
                    password_hash=hash_password(password),
                    must_change_password=must_change_password,
                    failed_logins=0,
                    last_failed_at=None,
                    closed_reason="",
                )
            )
        return replace(saved, password_hash="")

    def update_user(self, user: User) -> User:
        """Change the name and roles (not the password: ``reset_password``)."""
        actor = self._access.require(Permission.MANAGE_USERS)
        if user.id is None:
            raise ValueError("update_user needs a saved user")
        with self._storage.transaction(actor) as tx:
            current = tx.get_user(user.id)
            changed = replace(
                current,
                username=user.username.strip(),
                display_name=user.display_name.strip(),
                roles=user.roles,
                version=user.version,
            )
            errors = user_problems(changed, tx.list_users())
            if Role.ADMIN in current.roles and Role.ADMIN not in changed.roles:
                errors += _last_admin_problem(tx, current, "roles")
            if errors:
                raise ValidationError(errors)
            saved = tx.save_user(changed)
        if actor.user_id == saved.id:
            # One's own name or roles: this session acts with the new ones from now on.
            self._access.sign_in(Actor.of(saved))
        return replace(saved, password_hash="")

    def reset_password(self, user_id: UserId, password: str) -> User:
        """For a forgotten password: set a new one, lift the wait, ask for a change at next login."""
        actor = self._access.require(Permission.MANAGE_USERS)
        with self._storage.transaction(actor) as tx:
            current = tx.get_user(user_id)
            errors = password_problems(password, current.username)
            if errors:
                raise ValidationError(errors)
            saved = tx.save_user(
                replace(
                    current,
                    password_hash=hash_password(password),
                    must_change_password=True,
                    failed_logins=0,
                    last_failed_at=None,
                )
            )
        return replace(saved, password_hash="")

    def close_user(self, user_id: UserId, reason: str) -> User:
        """Disable an account (never deleted: its name stays in the log)."""
        actor = self._access.require(Permission.MANAGE_USERS)
        if not reason.strip():
            raise ValidationError.single("closed_reason", "请填写停用原因，例如“调离”“换届卸任”。")
        if actor.user_id == user_id:
            raise ValidationError.single(
                "closed_reason", "不能停用自己正在使用的账号，请由另一位管理员办理。"
            )
        with self._storage.transaction(actor) as tx:
            current = tx.get_user(user_id)
            if not current.is_active:
                raise ValidationError.single("closed_reason", "这个账号已经停用了。")
            errors = _last_admin_problem(tx, current, "closed_reason") if Role.ADMIN in current.roles else []
            if errors:
                raise ValidationError(errors)
            saved = tx.save_user(replace(current, closed_reason=reason.strip()))
        return replace(saved, password_hash="")

    def reopen_user(self, user_id: UserId) -> User:
        """Enable a disabled account again."""
        actor = self._access.require(Permission.MANAGE_USERS)
        with self._storage.transaction(actor) as tx:
            current = tx.get_user(user_id)
            saved = tx.save_user(replace(current, closed_reason="", failed_logins=0, last_failed_at=None))
        return replace(saved, password_hash="")


def _by_username(tx: Transaction, username: str) -> User | None:
    wanted = username.strip().lower()
    for user in tx.list_users():
        if user.username.lower() == wanted:
            return user
    return None


def _typed(username: str) -> Actor:
    """Who a failed login with an unknown name is logged as: the name typed, no account."""
    return Actor(None, username.strip()[:30] or "（空）", "（未知用户）", frozenset())


def _id(user: User) -> UserId:
    assert user.id is not None
    return user.id


def _label(user: User) -> str:
    return f"{user.display_name}（{user.username}）"


def _last_admin_problem(tx: Transaction, user: User, field: str) -> list[FieldError]:
    admins = [u for u in tx.list_users() if u.is_active and Role.ADMIN in u.roles and u.id != user.id]
    if admins:
        return []
    return [
        FieldError(field, "这是最后一个管理员账号，不能去掉管理员角色或停用；请先给另一位设置管理员角色。")
    ]
