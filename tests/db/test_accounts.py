"""Accounts on real storage: the first administrator, login, the delay after wrong tries, passwords."""

from __future__ import annotations

import datetime as dt

import pytest

from db import SqlStorage
from village_desk.accounts import (
    MACHINE,
    Access,
    Role,
    User,
    hash_password,
    login_delay,
    verify_password,
)
from village_desk.audit import AuditAction, AuditFilter
from village_desk.errors import AccessDeniedError, ValidationError
from village_desk.services import AccountService, AuditService

pytestmark = pytest.mark.storage

START = dt.datetime(2026, 11, 28, 9, 0, 0)


class Clock:
    """The time the service sees; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session() -> Access:
    return Access()


@pytest.fixture
def accounts(storage: SqlStorage, session: Access, clock: Clock) -> AccountService:
    service = AccountService(storage, session, clock)
    service.create_first_admin("admin", "王书记", "first-pass-1")
    session.sign_in(MACHINE)
    service.add_user(
        User(id=None, username="kuaiji", display_name="李会计", roles=(Role.ACCOUNTANT,)),
        "kuaiji-pass",
        must_change_password=False,
    )
    session.sign_out()
    return service


def _log(storage: SqlStorage) -> list[tuple[str, str, str]]:
    with storage.transaction() as tx:
        return [(e.username, e.action, e.summary) for e in reversed(tx.audit_entries(AuditFilter()))]


def test_the_first_start_creates_the_administrator_and_signs_in(storage: SqlStorage) -> None:
    session = Access()
    service = AccountService(storage, session)
    assert not service.has_users()
    admin = service.create_first_admin(" admin ", "王书记", "first-pass-1")
    assert admin.username == "admin" and admin.roles == (Role.ADMIN,)
    assert session.actor is not None and session.actor.user_id == admin.id
    with pytest.raises(AccessDeniedError, match="已经建立过"):
        service.create_first_admin("admin2", "另一人", "first-pass-2")


def test_a_weak_first_password_is_refused_with_every_problem(storage: SqlStorage) -> None:
    with pytest.raises(ValidationError) as caught:
        AccountService(storage, Access()).create_first_admin("", "", "short")
    assert {e.field for e in caught.value.errors} == {"username", "display_name", "password"}


def test_login_signs_in_and_is_logged(accounts: AccountService, session: Access, storage: SqlStorage) -> None:
    user = accounts.login("KuaiJi", "kuaiji-pass")  # the user name is not case-sensitive
    assert session.actor is not None and session.actor.username == "kuaiji"
    assert user.failed_logins == 0
    assert _log(storage)[-1] == ("kuaiji", AuditAction.LOGIN, "李会计（kuaiji）")


def test_wrong_passwords_count_down_then_wait_longer_each_time(
    accounts: AccountService, session: Access, clock: Clock, storage: SqlStorage
) -> None:
    for left in (4, 3, 2, 1):
        with pytest.raises(AccessDeniedError, match=f"还可以再试{left}次"):
            accounts.login("kuaiji", "wrong-pass")
        clock.advance(1)
    with pytest.raises(AccessDeniedError, match="已连续输错5次"):
        accounts.login("kuaiji", "wrong-pass")
    # Now even the right password must wait 30 seconds.
    clock.advance(10)
    with pytest.raises(AccessDeniedError, match=r"请2[01]秒后再试"):
        accounts.login("kuaiji", "kuaiji-pass")
    assert session.actor is None
    clock.advance(21)
    with pytest.raises(AccessDeniedError, match="已连续输错6次"):
        accounts.login("kuaiji", "wrong-again")
    clock.advance(31)  # the wait doubled to 60 s
    with pytest.raises(AccessDeniedError, match="秒后再试"):
        accounts.login("kuaiji", "kuaiji-pass")
    clock.advance(30)
    accounts.login("kuaiji", "kuaiji-pass")
    assert session.actor is not None
    failed = [entry for entry in _log(storage) if entry[1] == AuditAction.LOGIN_FAILED]
    assert len(failed) == 6 and "第6次" in failed[-1][2]
    # A good login clears the count.
    with storage.transaction() as tx:
        assert next(u for u in tx.list_users() if u.username == "kuaiji").failed_logins == 0


def test_the_delay_grows_and_is_capped() -> None:
    assert [login_delay(n).total_seconds() for n in (0, 4, 5, 6, 7)] == [0, 0, 30, 60, 120]
    assert login_delay(40) == dt.timedelta(minutes=15)


def test_the_count_survives_a_restart(accounts: AccountService, storage: SqlStorage, clock: Clock) -> None:
    for _ in range(5):
        with pytest.raises(AccessDeniedError):
            accounts.login("kuaiji", "wrong-pass")
    restarted = AccountService(storage, Access(), clock)
    with pytest.raises(AccessDeniedError, match="秒后再试"):
        restarted.login("kuaiji", "kuaiji-pass")


def test_an_unknown_name_is_refused_and_logged(accounts: AccountService, storage: SqlStorage) -> None:
    with pytest.raises(AccessDeniedError, match="用户名或密码不对"):
        accounts.login("nobody", "whatever-1")
    assert _log(storage)[-1] == ("nobody", AuditAction.LOGIN_FAILED, "nobody（没有这个用户名）")


def test_a_closed_account_cannot_log_in(accounts: AccountService, session: Access) -> None:
    accounts.login("admin", "first-pass-1")
    kuaiji = next(u for u in accounts.users() if u.username == "kuaiji")
    assert kuaiji.id is not None
    accounts.close_user(kuaiji.id, "调离")
    with pytest.raises(AccessDeniedError, match="已停用"):
        accounts.login("kuaiji", "kuaiji-pass")
    assert ("kuaiji", "李会计") not in accounts.login_names()


def test_the_administrator_resets_a_forgotten_password(
    accounts: AccountService, session: Access, clock: Clock
) -> None:
    for _ in range(6):
        with pytest.raises(AccessDeniedError):
            accounts.login("kuaiji", "forgotten")
    accounts.login("admin", "first-pass-1")
    kuaiji = next(u for u in accounts.users() if u.username == "kuaiji")
    assert kuaiji.id is not None and kuaiji.password_hash == ""  # never handed out
    accounts.reset_password(kuaiji.id, "new-pass-99")
    accounts.logout()
    user = accounts.login("kuaiji", "new-pass-99")  # no wait after a reset
    assert user.must_change_password
    accounts.change_own_password("new-pass-99", "my-own-pass")
    accounts.logout()
    assert not accounts.login("kuaiji", "my-own-pass").must_change_password


def test_changing_ones_password_checks_the_old_one(accounts: AccountService) -> None:
    accounts.login("kuaiji", "kuaiji-pass")
    with pytest.raises(ValidationError) as caught:
        accounts.change_own_password("not-it", "short")
    assert {e.field for e in caught.value.errors} == {"old_password", "new_password"}


def test_the_last_administrator_stays(accounts: AccountService) -> None:
    admin = accounts.login("admin", "first-pass-1")
    with pytest.raises(ValidationError, match="最后一个管理员"):
        accounts.update_user(
            User(
                id=admin.id,
                username="admin",
                display_name="王书记",
                roles=(Role.CLERK,),
                version=admin.version,
            )
        )
    with pytest.raises(ValidationError, match="不能停用自己"):
        assert admin.id is not None
        accounts.close_user(admin.id, "卸任")


def test_unlock_asks_for_the_same_users_password(accounts: AccountService, session: Access) -> None:
    accounts.login("kuaiji", "kuaiji-pass")
    with pytest.raises(AccessDeniedError, match="还可以再试4次"):
        accounts.unlock("wrong-pass")
    accounts.unlock("kuaiji-pass")
    assert session.actor is not None and session.actor.username == "kuaiji"


def test_passwords_are_hashed_with_salt_and_never_logged(
    accounts: AccountService, storage: SqlStorage
) -> None:
    with storage.transaction() as tx:
        stored = next(u for u in tx.list_users() if u.username == "kuaiji").password_hash
    assert stored.startswith("scrypt$") and "kuaiji-pass" not in stored
    assert verify_password("kuaiji-pass", stored) and not verify_password("kuaiji-pasS", stored)
    assert hash_password("same") != hash_password("same")  # a fresh salt each time
    session = Access(MACHINE)
    audit = AuditService(storage, session)
    text = repr(audit.entries())
    assert "kuaiji-pass" not in text and stored not in text and "scrypt" not in text
    assert any(c.field == "password" and c.new == "（已设置）" for e in audit.entries() for c in e.changes)
