"""The session follows changes to the signed-in user's own account (name and roles)."""

from __future__ import annotations

import pytest

from db import SqlStorage
from village_desk.accounts import MACHINE, Access, Permission, Role, User
from village_desk.errors import AccessDeniedError
from village_desk.services import AccountService

pytestmark = pytest.mark.storage

PASSWORD = "cunwu2026"


def _account(storage: SqlStorage, username: str, name: str, *roles: Role) -> User:
    return AccountService(storage, Access(MACHINE)).add_user(
        User(id=None, username=username, display_name=name, roles=roles), PASSWORD, must_change_password=False
    )


def test_dropping_ones_own_admin_role_takes_effect_at_once(storage: SqlStorage) -> None:
    _account(storage, "admin", "王国强", Role.ADMIN)
    _account(storage, "second", "李二", Role.ADMIN)
    session = Access()
    accounts = AccountService(storage, session)
    me = accounts.login("admin", PASSWORD)
    accounts.update_user(User(me.id, "admin", "王国强（书记）", (Role.CLERK,), version=me.version))
    actor = session.actor
    assert actor is not None
    assert actor.display_name == "王国强（书记）" and actor.roles == {Role.CLERK}
    assert not actor.can(Permission.MANAGE_USERS)
    with pytest.raises(AccessDeniedError):
        accounts.users()  # no longer an administrator in this session either


def test_editing_someone_else_leaves_the_session_alone(storage: SqlStorage) -> None:
    _account(storage, "admin", "王国强", Role.ADMIN)
    other = _account(storage, "wenshu", "李文书", Role.CLERK)
    session = Access()
    accounts = AccountService(storage, session)
    accounts.login("admin", PASSWORD)
    before = session.actor
    accounts.update_user(
        User(other.id, "wenshu", "李文书", (Role.CLERK, Role.CASHIER), version=other.version)
    )
    assert session.actor == before
