"""The audit trail on a real database: every change logged with it, nothing without it, tampering found.

Each service write must leave exactly the expected entries (action, record
type, record, changed fields old → new), in the same transaction as the
change; a write that fails leaves neither; the numbers run 1..n; and rows
changed with plain SQL behind the program's back are named by ``verify``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import SqlStorage, open_storage
from db.spreadsheets import write_audit_log
from village_desk.accounts import MACHINE, Access, Actor, Role, User
from village_desk.audit import AuditAction, AuditEntry, AuditFilter, FieldChange
from village_desk.errors import AccessDeniedError, ConflictError, StorageError, ValidationError
from village_desk.ids import GroupId, PersonId, UserId
from village_desk.office import OfficeSettings
from village_desk.roster import (
    Body,
    Household,
    Kinship,
    KinshipKind,
    PartyMember,
    PartyStatus,
    Person,
    Post,
    Representative,
)
from village_desk.services import AccountService, AuditService, OfficeService, RosterService, VillageService
from village_desk.village import VillageGroup, VillageProfile

pytestmark = pytest.mark.storage

TODAY = dt.date(2026, 11, 28)
TERM = dt.date(2021, 5, 1)
PASSWORD = "cunwu-2026"
PROFILE = VillageProfile(
    name="小大歹",
    township="甘旗卡",
    county="科尔沁左翼后",
    city="通辽",
    org_name="小大歹村股份经济合作社",
    supervision_phone="0475-1234567",
)


# --- helpers -----------------------------------------------------------------------------------------
def log(storage: SqlStorage) -> list[AuditEntry]:
    """Every entry, oldest first."""
    with storage.transaction() as tx:
        return list(tx.audit_chain())


def after(storage: SqlStorage, mark: int) -> list[AuditEntry]:
    """The entries written since ``mark`` entries existed."""
    return [e for e in log(storage) if e.seq > mark]


def seq_now(storage: SqlStorage) -> int:
    with storage.transaction() as tx:
        head = tx.audit_head()
    return head.seq if head is not None else 0


def brief(entry: AuditEntry) -> tuple[str, str, int | None, str]:
    return (entry.action, entry.record_type, entry.record_id, entry.summary)


def changes(entry: AuditEntry) -> dict[str, tuple[str, str]]:
    return {c.field: (c.old, c.new) for c in entry.changes}


def raw(storage: SqlStorage, sql: str, **params: object) -> None:
    """Plain SQL behind the program's back (as someone with a database browser would)."""
    with storage.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


def count_rows(storage: SqlStorage, table: str) -> int:
    with storage.engine.connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def audit_for(storage: SqlStorage, actor: Actor | None = MACHINE) -> AuditService:
    return AuditService(storage, Access(actor), write_audit_log)


@dataclasses.dataclass
class Office:
    """The services as one signed-in person uses them."""

    village: VillageService
    roster: RosterService
    accounts: AccountService
    settings: OfficeService
    audit: AuditService
    access: Access


def office(storage: SqlStorage, actor: Actor | None = MACHINE) -> Office:
    access = Access(actor)
    return Office(
        VillageService(storage, access),
        RosterService(storage, access, today=lambda: TODAY),
        AccountService(storage, access),
        OfficeService(storage, access),
        AuditService(storage, access, write_audit_log),
        access,
    )


def add_user(storage: SqlStorage, username: str, name: str, *roles: Role) -> Actor:
    saved = office(storage).accounts.add_user(
        User(id=None, username=username, display_name=name, roles=roles),
        PASSWORD,
        must_change_password=False,
    )
    return Actor.of(saved)


def new_post(body: Body, role: str) -> Post:
    return Post(id=None, person_id=PersonId(0), body=body, role=role, term_start=TERM)


@pytest.fixture
def machine(storage: SqlStorage) -> Office:
    return office(storage)


# --- every write leaves its entries ------------------------------------------------------------------
class TestVillage:
    def test_set_up_logs_the_profile_and_each_group(self, storage: SqlStorage, machine: Office) -> None:
        machine.village.set_up(PROFILE, 2)

        entries = log(storage)
        assert [brief(e) for e in entries] == [
            ("新建", "本村信息", 1, "小大歹"),
            ("新建", "村民小组", 1, "第一村民小组"),
            ("新建", "村民小组", 2, "第二村民小组"),
        ]
        assert all(e.username == "本机" and e.user_id is None for e in entries)
        assert all(e.user_name == MACHINE.display_name for e in entries)
        assert changes(entries[0])["name"] == ("", "小大歹")
        assert changes(entries[0])["county_kind"] == ("", "旗")
        assert changes(entries[1]) == {"number": ("", "1"), "name": ("", "第一村民小组")}

    def test_a_profile_update_logs_only_the_changed_fields(
        self, storage: SqlStorage, machine: Office
    ) -> None:
        saved = machine.village.set_up(PROFILE, 0)
        mark = seq_now(storage)

        machine.village.save_profile(
            dataclasses.replace(saved, address="村委会大院", complaint_phone="12345")
        )

        [entry] = after(storage, mark)
        assert brief(entry) == ("修改", "本村信息", 1, "小大歹")
        assert changes(entry) == {"address": ("", "村委会大院"), "complaint_phone": ("", "12345")}

    def test_an_unchanged_save_writes_no_entry(self, storage: SqlStorage, machine: Office) -> None:
        saved = machine.village.set_up(PROFILE, 1)
        mark = seq_now(storage)

        again = machine.village.save_profile(saved)
        group = machine.village.groups()[0]
        machine.village.save_group(group)

        assert again.version == saved.version + 1  # saved all the same
        assert after(storage, mark) == []

    def test_group_edit_and_close(self, storage: SqlStorage, machine: Office) -> None:
        machine.village.set_up(PROFILE, 2)
        group = machine.village.groups()[1]
        assert group.id is not None
        mark = seq_now(storage)

        edited = machine.village.save_group(dataclasses.replace(group, leader_name="赵铁柱", note="河东"))
        machine.village.close_group(group.id, "并入第一村民小组")

        update, close = after(storage, mark)
        assert brief(update) == ("修改", "村民小组", group.id, "第二村民小组")
        assert changes(update) == {"leader_name": ("", "赵铁柱"), "note": ("", "河东")}
        assert brief(close) == ("撤销", "村民小组", group.id, "第二村民小组")
        assert changes(close) == {"closed_reason": ("", "并入第一村民小组")}
        assert edited.version == 2

    def test_changes_carry_labels_for_the_viewer(self, storage: SqlStorage, machine: Office) -> None:
        machine.village.set_up(PROFILE, 1)
        entry = log(storage)[1]
        assert [c.label for c in entry.changes] == ["编号", "名称/姓名"]


class TestRoster:
    def test_a_new_person_logs_only_the_filled_fields(self, storage: SqlStorage, machine: Office) -> None:
        saved = machine.roster.save_person(Person(id=None, name="李秀英", gender="女", phone="13904751234"))

        [entry] = log(storage)
        assert brief(entry) == ("新建", "人员", saved.id, "李秀英")
        assert changes(entry) == {
            "name": ("", "李秀英"),
            "gender": ("", "女"),
            "ethnicity": ("", "汉族"),
            "phone": ("", "13904751234"),
            "knows_accounting": ("", "否"),
        }

    def test_a_person_edited(self, storage: SqlStorage, machine: Office) -> None:
        saved = machine.roster.save_person(Person(id=None, name="李秀英", gender="女"))
        mark = seq_now(storage)

        machine.roster.save_person(dataclasses.replace(saved, knows_accounting=True, note="会计"))

        [entry] = after(storage, mark)
        assert brief(entry) == ("修改", "人员", saved.id, "李秀英")
        assert changes(entry) == {"knows_accounting": ("否", "是"), "note": ("", "会计")}

    def test_appointing_logs_the_person_and_the_post_then_the_end(
        self, storage: SqlStorage, machine: Office
    ) -> None:
        post = machine.roster.appoint(Person(id=None, name="王建国"), new_post(Body.PARTY, "书记"))
        assert post.id is not None

        person_entry, post_entry = log(storage)
        assert brief(person_entry) == ("新建", "人员", post.person_id, "王建国")
        assert brief(post_entry) == ("新建", "职务", post.id, "王建国 村党组织书记")
        assert changes(post_entry) == {
            "person_id": ("", str(post.person_id)),
            "body": ("", "村党组织"),
            "role": ("", "书记"),
            "term_start": ("", "2021-05-01"),
        }

        machine.roster.end_post(post.id, dt.date(2022, 12, 31), "调任")
        end = log(storage)[-1]
        assert brief(end) == ("撤销", "职务", post.id, "王建国 村党组织书记")
        assert changes(end) == {"left_on": ("", "2022-12-31"), "left_reason": ("", "调任")}

    def test_a_party_member_admitted_then_transferred(self, storage: SqlStorage, machine: Office) -> None:
        member = machine.roster.admit_party_member(
            Person(id=None, name="刘梅", gender="女"),
            PartyMember(
                id=None,
                person_id=PersonId(0),
                status=PartyStatus.PROBATIONARY,
                joined_on=dt.date(2026, 7, 1),
            ),
        )
        assert member.id is not None
        entry = log(storage)[-1]
        assert brief(entry) == ("新建", "党员", member.id, "刘梅")
        assert changes(entry)["status"] == ("", "预备党员")

        machine.roster.end_party_member(member.id, dt.date(2026, 11, 1), "组织关系转出")
        end = log(storage)[-1]
        assert brief(end) == ("撤销", "党员", member.id, "刘梅")
        assert changes(end) == {"left_on": ("", "2026-11-01"), "left_reason": ("", "组织关系转出")}

    def test_households_and_a_representative(self, storage: SqlStorage, machine: Office) -> None:
        machine.village.set_up(PROFILE, 1)
        group = GroupId(1)
        first = machine.roster.save_household(
            Household(id=None, number="0101", head_name="王建国", group_id=group)
        )
        second = machine.roster.save_household(
            Household(id=None, number="0102", head_name="李秀英", group_id=group)
        )
        assert first.id is not None and second.id is not None
        assert brief(log(storage)[-1]) == ("新建", "农户", second.id, "0102 李秀英")
        mark = seq_now(storage)

        rep = machine.roster.elect_representative(
            Person(id=None, name="张海"),
            Representative(
                id=None,
                person_id=PersonId(0),
                group_id=group,
                term_start=TERM,
                households=(second.id, first.id),
            ),
        )
        assert rep.id is not None
        _person, elected = after(storage, mark)
        assert brief(elected) == ("新建", "村民代表", rep.id, "张海")
        assert changes(elected)["households"] == ("", f"{second.id}、{first.id}")

        mark = seq_now(storage)
        with storage.transaction(MACHINE) as tx:
            current = next(r for r in tx.list_representatives() if r.id == rep.id)
            tx.save_representative(dataclasses.replace(current, households=(first.id,)))
        [relinked] = after(storage, mark)
        assert brief(relinked) == ("修改", "村民代表", rep.id, "张海")
        assert changes(relinked) == {"households": (f"{second.id}、{first.id}", f"{first.id}")}

        machine.roster.end_representative(rep.id, dt.date(2026, 4, 30), "换届")
        assert brief(log(storage)[-1]) == ("撤销", "村民代表", rep.id, "张海")

    def test_a_household_closed(self, storage: SqlStorage, machine: Office) -> None:
        saved = machine.roster.save_household(
            Household(id=None, number="0301", head_name="张海", group_id=None)
        )
        machine.roster.save_household(dataclasses.replace(saved, closed_reason="全户迁出"))
        entry = log(storage)[-1]
        assert brief(entry) == ("撤销", "农户", saved.id, "0301 张海")
        assert changes(entry) == {"closed_reason": ("", "全户迁出")}

    def test_a_kinship_declared_then_ended(self, storage: SqlStorage, machine: Office) -> None:
        wang = machine.roster.save_person(Person(id=None, name="王建国"))
        li = machine.roster.save_person(Person(id=None, name="李秀英", gender="女"))
        assert wang.id is not None and li.id is not None
        kinship = machine.roster.declare_kinship(
            Kinship(id=None, person_a=wang.id, person_b=li.id, kind=KinshipKind.SPOUSE)
        )
        assert kinship.id is not None
        assert brief(log(storage)[-1]) == ("新建", "亲属关系", kinship.id, "王建国—李秀英 配偶")

        machine.roster.end_kinship(kinship.id, "登记有误")
        end = log(storage)[-1]
        assert brief(end) == ("撤销", "亲属关系", kinship.id, "王建国—李秀英 配偶")
        assert changes(end) == {"ended_reason": ("", "登记有误")}

    def test_the_entry_names_who_did_it(self, storage: SqlStorage) -> None:
        clerk = add_user(storage, "wenshu", "赵文书", Role.CLERK)
        saved = office(storage, clerk).roster.save_person(Person(id=None, name="张海"))
        entry = log(storage)[-1]
        assert (entry.user_id, entry.username, entry.user_name) == (clerk.user_id, "wenshu", "赵文书")
        assert entry.record_id == saved.id


class TestAccounts:
    def test_the_first_administrator(self, storage: SqlStorage) -> None:
        admin = office(storage, None).accounts.create_first_admin("admin", "王书记", PASSWORD)

        [entry] = log(storage)
        assert brief(entry) == ("新建", "用户", admin.id, "王书记（admin）")
        assert changes(entry) == {
            "username": ("", "admin"),
            "display_name": ("", "王书记"),
            "roles": ("", "管理员"),
            "must_change_password": ("", "否"),
            "password": ("", "（已设置）"),
        }
        assert entry.username == "本机"

    def test_account_management_by_field(self, storage: SqlStorage) -> None:
        admin = add_user(storage, "admin", "王书记", Role.ADMIN)
        manager = office(storage, admin).accounts
        mark = seq_now(storage)

        added = manager.add_user(
            User(id=None, username="kuaiji", display_name="李会计", roles=(Role.ACCOUNTANT,)), PASSWORD
        )
        assert added.id is not None
        updated = manager.update_user(dataclasses.replace(added, roles=(Role.ACCOUNTANT, Role.CASHIER)))
        manager.reset_password(added.id, "reset-pass-1")
        manager.close_user(added.id, "调离")
        manager.reopen_user(added.id)

        create, roles, reset, close, reopen = after(storage, mark)
        label = "李会计（kuaiji）"
        assert all(e.username == "admin" and e.user_id == admin.user_id for e in (create, roles, reset))
        assert brief(create) == ("新建", "用户", added.id, label)
        assert changes(create)["must_change_password"] == ("", "是")
        assert changes(create)["password"] == ("", "（已设置）")
        assert brief(roles) == ("修改", "用户", added.id, label)
        assert changes(roles) == {"roles": ("会计", "会计,出纳")}
        assert updated.roles == (Role.ACCOUNTANT, Role.CASHIER)
        assert brief(reset) == ("修改", "用户", added.id, label)
        assert changes(reset) == {"password": ("", "（已设置）")}  # must_change_password was already 是
        assert brief(close) == ("撤销", "用户", added.id, label)
        assert changes(close) == {"closed_reason": ("", "调离")}
        assert brief(reopen) == ("修改", "用户", added.id, label)
        assert changes(reopen) == {"closed_reason": ("调离", "")}

    def test_changing_ones_own_password(self, storage: SqlStorage) -> None:
        clerk = add_user(storage, "wenshu", "赵文书", Role.CLERK)
        mark = seq_now(storage)

        office(storage, clerk).accounts.change_own_password(PASSWORD, "xin-mima-2027")

        [entry] = after(storage, mark)
        assert brief(entry) == ("修改", "用户", clerk.user_id, "赵文书（wenshu）")
        assert changes(entry) == {"password": ("", "（已设置）")}
        assert entry.username == "wenshu"

    def test_the_password_hash_never_reaches_the_log(self, storage: SqlStorage) -> None:
        admin = add_user(storage, "admin", "王书记", Role.ADMIN)
        accounts = office(storage, admin).accounts
        accounts.reset_password(UserId(1), "reset-pass-1")  # the admin's own
        with storage.transaction() as tx:
            hashes = [u.password_hash for u in tx.list_users()]
        with storage.engine.connect() as connection:
            rows = [" ".join(map(str, r)) for r in connection.execute(sa.text("SELECT * FROM audit_log"))]
        assert rows
        for text in rows:
            assert "scrypt" not in text
            assert all(h not in text for h in hashes)
            assert "password_hash" not in text and "failed_logins" not in text

    def test_login_logout_and_failures(self, storage: SqlStorage) -> None:
        user = add_user(storage, "kuaiji", "李会计", Role.ACCOUNTANT)
        mark = seq_now(storage)
        session = office(storage, None)

        with pytest.raises(AccessDeniedError):
            session.accounts.login("kuaiji", "wrong-password")
        with pytest.raises(AccessDeniedError):
            session.accounts.login("nobody", "whatever")
        session.accounts.login("kuaiji", PASSWORD)  # resets the failure counter
        session.accounts.logout()

        failed, unknown, login, logout = after(storage, mark)
        assert brief(failed) == ("登录失败", "用户", user.user_id, "李会计（kuaiji）（登录密码错误，第1次）")
        assert (failed.username, failed.changes) == ("kuaiji", ())
        assert brief(unknown) == ("登录失败", "用户", None, "nobody（没有这个用户名）")
        assert (unknown.username, unknown.user_id, unknown.user_name) == ("nobody", None, "（未知用户）")
        assert brief(login) == ("登录", "用户", user.user_id, "李会计（kuaiji）")
        assert login.changes == ()
        assert brief(logout) == ("退出登录", "用户", user.user_id, "李会计")
        # The counter went up and back down without any 修改 entry.
        with storage.transaction() as tx:
            assert tx.get_user(UserId(user.user_id or 0)).failed_logins == 0


class TestSettings:
    def test_settings_first_saved_then_changed(self, storage: SqlStorage, machine: Office) -> None:
        first = machine.settings.save_settings(OfficeSettings(idle_lock_minutes=15, backup_dir="/备份"))
        machine.settings.save_settings(dataclasses.replace(first, idle_lock_minutes=30))

        created, changed = log(storage)
        assert brief(created) == ("修改设置", "设置", 1, "")
        assert changes(created) == {"idle_lock_minutes": ("", "15"), "backup_dir": ("", "/备份")}
        assert brief(changed) == ("修改设置", "设置", 1, "")
        assert changes(changed) == {"idle_lock_minutes": ("15", "30")}


# --- all or nothing -----------------------------------------------------------------------------------------
class TestAllOrNothing:
    def test_a_refused_write_leaves_no_entry(self, storage: SqlStorage, machine: Office) -> None:
        machine.village.set_up(PROFILE, 2)
        before = log(storage)

        with pytest.raises(ValidationError):  # raised inside the transaction, after reading
            machine.village.save_group(VillageGroup(id=None, number=1, name="又一个第一组"))
        with pytest.raises(ValidationError):
            machine.roster.appoint(Person(id=None, name=""), new_post(Body.PARTY, "书记"))

        assert log(storage) == before
        assert count_rows(storage, "people") == 0 and count_rows(storage, "village_groups") == 2

    def test_an_error_after_a_save_takes_the_entry_back_with_the_change(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            tx.save_person(Person(id=None, name="王建国"))
        before, head = log(storage), seq_now(storage)

        with pytest.raises(ValidationError), storage.transaction(MACHINE) as tx:
            tx.save_person(Person(id=None, name="李秀英"))
            tx.record_event(AuditAction.PRINT, "人员", None, "花名册")
            raise ValidationError.single("name", "后面的检查没有通过。")

        assert log(storage) == before and seq_now(storage) == head
        assert count_rows(storage, "people") == 1

    def test_a_bug_after_a_save_takes_both_back(self, storage: SqlStorage) -> None:
        with pytest.raises(ZeroDivisionError), storage.transaction(MACHINE) as tx:
            tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            _ = 1 / 0
        assert log(storage) == [] and seq_now(storage) == 0
        assert count_rows(storage, "village_groups") == 0

    def test_a_database_failure_after_a_save_takes_both_back(self, storage: SqlStorage) -> None:
        with pytest.raises(StorageError), storage.transaction(MACHINE) as tx:
            tx.save_person(Person(id=None, name="王建国"))
            tx.save_person(Person(id=None, name="李秀英", group_id=GroupId(99)))  # no such group
        assert log(storage) == [] and count_rows(storage, "people") == 0

    def test_a_stale_save_leaves_no_entry(self, storage: SqlStorage, machine: Office) -> None:
        saved = machine.roster.save_person(Person(id=None, name="王建国"))
        machine.roster.save_person(dataclasses.replace(saved, phone="13904751234"))
        before = log(storage)
        with pytest.raises(ConflictError):
            machine.roster.save_person(dataclasses.replace(saved, note="旧的一份"))
        assert log(storage) == before

    def test_a_read_only_transaction_cannot_write(self, storage: SqlStorage) -> None:
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.save_person(Person(id=None, name="王建国"))
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.record_event(AuditAction.PRINT, "人员")
        assert log(storage) == [] and count_rows(storage, "people") == 0

    def test_every_record_row_has_its_creation_entry(self, storage: SqlStorage, machine: Office) -> None:
        machine.village.set_up(PROFILE, 3)
        machine.roster.appoint(Person(id=None, name="王建国"), new_post(Body.PARTY, "书记"))
        machine.roster.save_household(Household(id=None, number="0101", head_name="王建国", group_id=None))
        created = {(e.record_type, e.record_id) for e in log(storage) if e.action == AuditAction.CREATE}
        with storage.transaction() as tx:
            rows = (
                [("村民小组", g.id) for g in tx.list_groups()]
                + [("人员", p.id) for p in tx.list_people()]
                + [("职务", p.id) for p in tx.list_posts()]
                + [("农户", h.id) for h in tx.list_households()]
            )
        assert set(rows) | {("本村信息", 1)} == created


# --- numbering ---------------------------------------------------------------------------------------------
class TestNumbers:
    def test_numbers_run_one_to_n_and_the_chain_verifies(self, storage: SqlStorage, machine: Office) -> None:
        machine.village.set_up(PROFILE, 3)
        with pytest.raises(ValidationError):
            machine.village.save_group(VillageGroup(id=None, number=2, name="重复"))
        for name in ("王建国", "李秀英", "张海"):
            machine.roster.save_person(Person(id=None, name=name))
        machine.village.save_profile(dataclasses.replace(machine.village.profile() or PROFILE, uscc=""))

        entries = log(storage)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        with storage.transaction() as tx:
            head = tx.audit_head()
        assert head is not None and (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
        report = machine.audit.verify()
        assert report.ok and report.count == len(entries) == 7

    def test_an_empty_log_verifies(self, storage: SqlStorage, machine: Office) -> None:
        report = machine.audit.verify()
        assert report.ok and report.count == 0

    def test_a_write_without_an_entry_on_an_empty_log(self, storage: SqlStorage, machine: Office) -> None:
        # Records from before the audit trail (an upgraded database) saved unchanged: no entry,
        # but the head row the writer queued on stays, at number 0.
        raw(
            storage,
            "INSERT INTO village_groups (id, number, name, leader_name, note, closed_reason, version)"
            " VALUES (1, 1, '第一村民小组', '', '', '', 1)",
        )
        machine.village.save_group(machine.village.groups()[0])
        with storage.transaction() as tx:
            head = tx.audit_head()
        assert head is not None and head.seq == 0
        assert machine.audit.verify().ok
        machine.roster.save_person(Person(id=None, name="王建国"))
        assert [e.seq for e in log(storage)] == [1]
        assert machine.audit.verify().ok


# --- conflicts name who and when -------------------------------------------------------------------------------
class TestConflicts:
    def test_the_conflict_names_the_other_user_and_the_time(self, storage: SqlStorage) -> None:
        clerk = add_user(storage, "wenshu", "赵文书", Role.CLERK)
        admin = add_user(storage, "admin", "王书记", Role.ADMIN)
        office(storage).village.set_up(PROFILE, 1)
        group = office(storage, admin).village.groups()[0]

        office(storage, clerk).village.save_group(dataclasses.replace(group, leader_name="孙立"))
        with pytest.raises(ConflictError) as caught:
            office(storage, admin).village.save_group(dataclasses.replace(group, note="我的修改"))

        last = log(storage)[-1]
        assert last.user_name == "赵文书"
        assert "赵文书" in caught.value.message
        assert f"{last.at:%Y-%m-%d %H:%M}" in caught.value.message
        assert "村民小组" in caught.value.message

    def test_a_second_profile_conflict_names_who_set_it_up(self, storage: SqlStorage) -> None:
        admin = add_user(storage, "admin", "王书记", Role.ADMIN)
        office(storage, admin).village.set_up(PROFILE, 0)
        with pytest.raises(ConflictError, match="王书记"):
            office(storage).village.save_profile(PROFILE)


# --- tampering with plain SQL --------------------------------------------------------------------------------------
@pytest.fixture
def five(storage: SqlStorage, machine: Office) -> list[AuditEntry]:
    """A log of 5 entries."""
    machine.village.set_up(PROFILE, 2)
    machine.roster.save_person(Person(id=None, name="王建国"))
    machine.roster.save_person(Person(id=None, name="李秀英", gender="女"))
    entries = log(storage)
    assert len(entries) == 5
    return entries


class TestTampering:
    def test_an_edited_summary_is_named(self, storage: SqlStorage, machine: Office, five: object) -> None:
        raw(storage, "UPDATE audit_log SET summary = '第九村民小组' WHERE seq = 3")
        report = machine.audit.verify()
        assert not report.ok and report.problem_seq == 3
        assert "第3条" in report.problem and "第九村民小组" in report.problem and "改动" in report.problem

    def test_an_edited_user_is_named(self, storage: SqlStorage, machine: Office, five: object) -> None:
        raw(storage, "UPDATE audit_log SET user_name = '别人' WHERE seq = 2")
        assert machine.audit.verify().problem_seq == 2

    def test_an_edited_change_value_is_named(
        self, storage: SqlStorage, machine: Office, five: object
    ) -> None:
        text = json.dumps([["name", "", "张三"]], ensure_ascii=False)
        raw(storage, "UPDATE audit_log SET changes = :text WHERE seq = 4", text=text)
        assert machine.audit.verify().problem_seq == 4

    def test_garbage_in_a_row_still_loads_and_is_named(
        self, storage: SqlStorage, machine: Office, five: object
    ) -> None:
        raw(storage, "UPDATE audit_log SET changes = 'not json', at = 'yesterday' WHERE seq = 2")
        entries = machine.audit.entries()
        assert len(entries) == 5  # the viewer still opens
        assert machine.audit.verify().problem_seq == 2

    def test_a_deleted_middle_row_names_the_gap(
        self, storage: SqlStorage, machine: Office, five: object
    ) -> None:
        raw(storage, "DELETE FROM audit_log WHERE seq = 3")
        report = machine.audit.verify()
        assert report.problem_seq == 3
        assert "第3条操作记录被删除了" in report.problem and "第4条" in report.problem

    def test_a_deleted_last_row_is_found_by_the_head(
        self, storage: SqlStorage, machine: Office, five: object
    ) -> None:
        raw(storage, "DELETE FROM audit_log WHERE seq = 5")
        report = machine.audit.verify()
        assert report.problem_seq == 5 and "最后的第5条操作记录被删除了" in report.problem

    def test_an_inserted_row_is_named(
        self, storage: SqlStorage, machine: Office, five: list[AuditEntry]
    ) -> None:
        raw(
            storage,
            "INSERT INTO audit_log (seq, at, user_id, username, user_name, action, record_type, record_id,"
            " summary, changes, prev_hash, hash) VALUES (6, '2026-11-28 09:00:00', NULL, 'admin', '王书记',"
            " '新建', '人员', 9, '张冒名', '[]', :prev, :hash)",
            prev=five[-1].hash,
            hash="0" * 64,
        )
        report = machine.audit.verify()
        assert report.problem_seq == 6 and "第6条" in report.problem and "插入" in report.problem

    def test_a_row_inserted_and_the_head_moved_is_named(
        self, storage: SqlStorage, machine: Office, five: list[AuditEntry]
    ) -> None:
        raw(
            storage,
            "INSERT INTO audit_log (seq, at, user_id, username, user_name, action, record_type, record_id,"
            " summary, changes, prev_hash, hash) VALUES (6, '2026-11-28 09:00:00', NULL, 'admin', '王书记',"
            " '新建', '人员', 9, '张冒名', '[]', :prev, :hash)",
            prev=five[-1].hash,
            hash="e" * 64,
        )
        raw(storage, "UPDATE audit_head SET seq = 6, hash = :hash", hash="e" * 64)
        report = machine.audit.verify()
        assert report.problem_seq == 6 and "校验值不符" in report.problem

    def test_a_rewritten_head_is_named(self, storage: SqlStorage, machine: Office, five: object) -> None:
        raw(storage, "UPDATE audit_head SET hash = :hash", hash="f" * 64)
        report = machine.audit.verify()
        assert report.problem_seq == 5 and "最后一条（第5条）" in report.problem

    def test_a_deleted_head_is_named(self, storage: SqlStorage, machine: Office, five: object) -> None:
        raw(storage, "DELETE FROM audit_head")
        assert "末尾记号" in machine.audit.verify().problem

    def test_later_writes_do_not_heal_the_chain(
        self, storage: SqlStorage, machine: Office, five: object
    ) -> None:
        raw(storage, "UPDATE audit_log SET summary = '改过' WHERE seq = 2")
        machine.roster.save_person(Person(id=None, name="张海"))
        machine.roster.save_person(Person(id=None, name="刘梅", gender="女"))
        report = machine.audit.verify()
        assert report.problem_seq == 2
        assert [e.seq for e in log(storage)] == [1, 2, 3, 4, 5, 6, 7]

    def test_the_log_is_whole_again_when_the_edit_is_undone(
        self, storage: SqlStorage, machine: Office, five: list[AuditEntry]
    ) -> None:
        raw(storage, "UPDATE audit_log SET summary = '改过' WHERE seq = 2")
        raw(storage, "UPDATE audit_log SET summary = :s WHERE seq = 2", s=five[1].summary)
        assert machine.audit.verify().ok


# --- reading the log -------------------------------------------------------------------------------------------------
class _Clock:
    """A clock that tells the time it is set to."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> _Clock:
    return _Clock(dt.datetime(2026, 11, 26, 9, 30, 15, 500))


@pytest.fixture
def timed(storage: SqlStorage, clock: _Clock) -> SqlStorage:
    """The same database, written at the times the test sets."""
    return SqlStorage(storage.engine, storage.location, clock)


class TestReading:
    def test_filters(self, timed: SqlStorage, clock: _Clock) -> None:
        clerk = add_user(timed, "wenshu", "赵文书", Role.CLERK)  # 26 Nov
        admin = add_user(timed, "admin", "王书记", Role.ADMIN)  # 26 Nov
        clock.now = dt.datetime(2026, 11, 27, 23, 59, 59)
        person = office(timed, clerk).roster.save_person(Person(id=None, name="王建国"))
        clock.now = dt.datetime(2026, 11, 28, 0, 0, 0)
        office(timed, admin).roster.save_person(dataclasses.replace(person, phone="13904751234"))
        office(timed, admin).village.set_up(PROFILE, 1)
        audit = audit_for(timed, admin)

        everything = audit.entries()
        assert [e.seq for e in everything] == [6, 5, 4, 3, 2, 1]  # newest first
        assert everything[-1].at == dt.datetime(2026, 11, 26, 9, 30, 15)  # whole seconds
        assert [e.seq for e in audit.entries(AuditFilter(username="wenshu"))] == [3]
        assert [e.seq for e in audit.entries(AuditFilter(username="admin"))] == [6, 5, 4]
        assert [e.seq for e in audit.entries(AuditFilter(date_from=dt.date(2026, 11, 27)))] == [6, 5, 4, 3]
        assert [e.seq for e in audit.entries(AuditFilter(date_to=dt.date(2026, 11, 27)))] == [3, 2, 1]
        day = dt.date(2026, 11, 27)
        assert [e.seq for e in audit.entries(AuditFilter(date_from=day, date_to=day))] == [3]
        assert [e.seq for e in audit.entries(AuditFilter(record_type="人员"))] == [4, 3]
        assert [e.seq for e in audit.entries(AuditFilter(action=AuditAction.UPDATE))] == [4]
        assert [e.seq for e in audit.entries(AuditFilter(record_type="人员", action=AuditAction.CREATE))] == [
            3
        ]
        assert [e.seq for e in audit.entries(AuditFilter(record_type="用户", record_id=1))] == [1]
        assert [e.seq for e in audit.entries(limit=2)] == [6, 5]
        assert audit.entries(AuditFilter(username="nobody")) == []

    def test_history_of_one_record(self, storage: SqlStorage, machine: Office) -> None:
        wang = machine.roster.save_person(Person(id=None, name="王建国"))
        li = machine.roster.save_person(Person(id=None, name="李秀英", gender="女"))
        wang = machine.roster.save_person(dataclasses.replace(wang, phone="13904751234"))
        machine.roster.save_person(dataclasses.replace(wang, note="老党员"))
        assert wang.id is not None and li.id is not None

        history = machine.audit.history("人员", wang.id)
        assert [(e.seq, e.action) for e in history] == [(4, "修改"), (3, "修改"), (1, "新建")]
        assert [e.seq for e in machine.audit.history("人员", li.id)] == [2]
        assert machine.audit.history("村民小组", wang.id) == []

    def test_usernames_include_everyone_in_the_log(self, storage: SqlStorage) -> None:
        add_user(storage, "wenshu", "赵文书", Role.CLERK)
        with pytest.raises(AccessDeniedError):
            office(storage, None).accounts.login("zhangsan", "whatever")
        names = audit_for(storage).usernames()
        assert ("wenshu", "赵文书") in names
        assert ("本机", MACHINE.display_name) in names  # wrote the account above
        assert ("zhangsan", "（未知用户）") in names  # a name typed at the login
        assert names == sorted(names)

    def test_usernames_show_the_current_name_of_an_account(self, storage: SqlStorage) -> None:
        clerk = add_user(storage, "wenshu", "赵文书", Role.CLERK)
        office(storage, clerk).roster.save_person(Person(id=None, name="王建国"))
        with storage.transaction(MACHINE) as tx:
            user = tx.list_users()[0]
            tx.save_user(dataclasses.replace(user, display_name="赵明"))
        names = dict(audit_for(storage).usernames())
        assert names["wenshu"] == "赵明"

    def test_export_writes_the_file_and_is_logged(
        self, storage: SqlStorage, machine: Office, tmp_path: Path, five: object
    ) -> None:
        path = tmp_path / "操作日志.xlsx"
        count = machine.audit.export(path, AuditFilter(record_type="村民小组"))
        assert count == 2 and path.is_file()
        last = log(storage)[-1]
        assert brief(last) == ("导出", "操作日志", None, "2条 → 操作日志.xlsx")
        assert machine.audit.verify().ok

    def test_an_export_that_cannot_be_written_says_so_and_is_not_logged(
        self, storage: SqlStorage, machine: Office, tmp_path: Path, five: object
    ) -> None:
        before = log(storage)
        with pytest.raises(StorageError, match="没有导出") as caught:
            machine.audit.export(tmp_path / "没有这个文件夹" / "操作日志.xlsx")
        assert "Excel" in caught.value.hint
        assert log(storage) == before


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.CASHIER, Role.CLERK, Role.READER])
    def test_only_admin_and_supervisor_read_the_log(
        self, storage: SqlStorage, role: Role, tmp_path: Path
    ) -> None:
        actor = add_user(storage, "someone", "某人", role)
        audit = audit_for(storage, actor)
        before = log(storage)
        calls: list[Callable[[], object]] = [
            audit.entries,
            audit.usernames,
            lambda: audit.history("用户", 1),
            audit.verify,
            lambda: audit.export(tmp_path / "x.xlsx"),
        ]
        for call in calls:
            with pytest.raises(AccessDeniedError, match="查看操作日志"):
                call()
        assert not (tmp_path / "x.xlsx").exists()
        assert log(storage) == before

    def test_nobody_signed_in(self, storage: SqlStorage) -> None:
        with pytest.raises(AccessDeniedError, match="请先登录"):
            audit_for(storage, None).entries()

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
    def test_admin_and_supervisor_may(self, storage: SqlStorage, role: Role) -> None:
        actor = add_user(storage, "someone", "某人", role)
        audit = audit_for(storage, actor)
        assert [e.action for e in audit.entries()] == ["新建"]
        assert audit.verify().ok


# --- two writers at once ---------------------------------------------------------------------------------------------
WRITERS = 4
WRITES_EACH = 15


@pytest.fixture
def second_storage(storage_url: str) -> Iterator[SqlStorage]:
    opened = open_storage(storage_url)
    yield opened
    opened.close()


def test_two_programs_writing_at_once_keep_one_chain(storage: SqlStorage, second_storage: SqlStorage) -> None:
    # SQLite too: each writer takes the file's write lock as it begins and the others wait their turn.
    stores = [storage, second_storage]
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        roster = RosterService(stores[n % 2], Access(MACHINE), today=lambda: TODAY)
        try:
            start.wait()
            for i in range(WRITES_EACH):
                saved = roster.save_person(Person(id=None, name=f"写入者{n}号{i}"))
                roster.save_person(dataclasses.replace(saved, note="改过"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    entries = log(storage)
    assert [e.seq for e in entries] == list(range(1, 2 * WRITERS * WRITES_EACH + 1))
    assert audit_for(second_storage).verify().ok
    assert count_rows(storage, "people") == WRITERS * WRITES_EACH
    # Every person has exactly its two entries.
    per_person: dict[int | None, list[str]] = {}
    for e in entries:
        per_person.setdefault(e.record_id, []).append(e.action)
    assert set(map(tuple, per_person.values())) == {("新建", "修改")}


def test_two_storages_on_one_database_take_turns(storage: SqlStorage, second_storage: SqlStorage) -> None:
    # One after the other (as two windows on a SQLite file do): each continues the other's chain.
    for n in range(6):
        target = storage if n % 2 else second_storage
        with target.transaction(MACHINE) as tx:
            tx.save_person(Person(id=None, name=f"轮流{n}"))
    entries = log(storage)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert audit_for(storage).verify().ok
    assert [FieldChange("name", "", "轮流5")] == [c for c in entries[-1].changes if c.field == "name"]


def test_a_head_read_earlier_in_the_transaction_does_not_hide_a_newer_one(
    storage: SqlStorage, second_storage: SqlStorage, storage_url: str
) -> None:
    if not storage_url.startswith("postgresql"):
        pytest.skip("needs a second writer inside our transaction: PostgreSQL")
    with storage.transaction(MACHINE) as tx:
        tx.save_person(Person(id=None, name="王建国"))
    with storage.transaction(MACHINE) as tx:
        assert tx.audit_head() is not None  # read (seq 1) …
        with second_storage.transaction(MACHINE) as other:
            other.save_person(Person(id=None, name="李秀英"))  # … another program writes seq 2 …
        tx.save_person(Person(id=None, name="张海"))  # … and ours must follow it, as seq 3
    assert [e.seq for e in log(storage)] == [1, 2, 3]
    assert audit_for(storage).verify().ok
