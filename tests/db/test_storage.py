"""SqlStorage keeps the Storage contract on SQLite and PostgreSQL.

Records go in and the same records come out; ids and versions are the
storage's business; a stale version is refused; a failed unit of work leaves
nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from db import SqlStorage, open_storage
from db.engine import is_sqlite, make_engine, parse_url
from db.storage import SqlTransaction
from village_desk.accounts import MACHINE
from village_desk.errors import ConflictError, NotFoundError, StorageError, ValidationError
from village_desk.ids import GroupId, HouseholdId, PersonId, PostId
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
from village_desk.village import VillageGroup, VillageProfile

pytestmark = pytest.mark.storage

PROFILE = VillageProfile(
    name="小大歹",
    township="甘旗卡",
    county="科尔沁左翼后",
    city="通辽",
    org_name="小大歹村股份经济合作社",
    uscc="N2150523MF0000001X",
    address="甘旗卡镇小大歹村村委会",
    supervision_phone="0475-1234567",
    complaint_phone="12345",
    seal_committee="小大歹村村民委员会",
)


def _people(tx: SqlTransaction, group: GroupId | None = None) -> tuple[Person, Person]:
    wang = tx.save_person(
        Person(
            id=None,
            name="王建国",
            id_number="150523197003150012",
            phone="13904751234",
            group_id=group,
            knows_accounting=True,
            note="老会计",
        )
    )
    li = tx.save_person(Person(id=None, name="李秀英", gender="女", ethnicity="蒙古族"))
    return wang, li


class TestRoundTrip:
    """Every record type comes back as it was saved, with an id and version 1."""

    def test_profile(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            assert tx.get_profile() is None
            saved = tx.save_profile(PROFILE)
        assert saved == dataclasses.replace(PROFILE, version=1)
        with storage.transaction(MACHINE) as tx:
            assert tx.get_profile() == saved

    def test_group(self, storage: SqlStorage) -> None:
        group = VillageGroup(id=None, number=3, name="第三村民小组", leader_name="赵铁柱", note="河东")
        with storage.transaction(MACHINE) as tx:
            saved = tx.save_group(group)
        assert saved.id is not None
        assert saved == dataclasses.replace(group, id=saved.id, version=1)
        with storage.transaction(MACHINE) as tx:
            assert tx.get_group(saved.id) == saved
            assert tx.list_groups() == [saved]

    def test_person(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            group = tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            wang, li = _people(tx, group.id)
        assert wang.group_id == group.id and wang.knows_accounting and wang.version == 1
        assert li.group_id is None and not li.knows_accounting
        with storage.transaction(MACHINE) as tx:
            assert tx.list_people() == [wang, li]
            assert wang.id is not None
            assert tx.get_person(wang.id) == wang

    def test_post(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            wang, _ = _people(tx)
            assert wang.id is not None
            open_post = tx.save_post(
                Post(
                    id=None,
                    person_id=wang.id,
                    body=Body.COMMITTEE,
                    role="主任",
                    term_start=dt.date(2021, 5, 1),
                    term_end=dt.date(2026, 4, 30),
                )
            )
            ended = tx.save_post(
                Post(
                    id=None,
                    person_id=wang.id,
                    body=Body.SUPERVISION,
                    role="委员",
                    term_start=dt.date(2016, 5, 1),
                    left_on=dt.date(2021, 4, 30),
                    left_reason="换届",
                )
            )
        with storage.transaction(MACHINE) as tx:
            assert tx.list_posts() == [open_post, ended]
        assert open_post.body is Body.COMMITTEE and open_post.version == 1

    def test_party_member(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            wang, li = _people(tx)
            assert wang.id is not None and li.id is not None
            full = tx.save_party_member(
                PartyMember(
                    id=None, person_id=wang.id, status=PartyStatus.FULL, joined_on=dt.date(1995, 7, 1)
                )
            )
            probationary = tx.save_party_member(
                PartyMember(
                    id=None,
                    person_id=li.id,
                    status=PartyStatus.PROBATIONARY,
                    joined_on=dt.date(2026, 7, 1),
                    left_on=dt.date(2026, 10, 1),
                    left_reason="组织关系转出",
                )
            )
        with storage.transaction(MACHINE) as tx:
            assert tx.list_party_members() == [full, probationary]
        assert probationary.status is PartyStatus.PROBATIONARY

    def test_household(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            group = tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            first = tx.save_household(
                Household(id=None, number="0101", head_name="王建国", group_id=group.id)
            )
            closed = tx.save_household(
                Household(id=None, number="0102", head_name="张三", group_id=None, closed_reason="全户迁出")
            )
        with storage.transaction(MACHINE) as tx:
            assert tx.list_households() == [first, closed]

    def test_representative_keeps_its_households_in_order(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            wang, _ = _people(tx)
            assert wang.id is not None
            homes = [
                tx.save_household(Household(id=None, number=f"01{n:02}", head_name=f"户主{n}", group_id=None))
                for n in range(1, 8)
            ]
            ids = tuple(h.id for h in homes if h.id is not None)
            listed = (ids[4], ids[0], ids[6], ids[2], ids[1])
            rep = tx.save_representative(
                Representative(
                    id=None,
                    person_id=wang.id,
                    group_id=None,
                    term_start=dt.date(2021, 5, 1),
                    term_end=dt.date(2026, 4, 30),
                    households=listed,
                )
            )
        assert rep.households == listed and rep.version == 1
        with storage.transaction(MACHINE) as tx:
            assert tx.list_representatives() == [rep]

        # Drop two, keep three in a new order, add two: the list is what was saved.
        changed = dataclasses.replace(rep, households=(ids[2], ids[3], ids[4], ids[0], ids[5]))
        with storage.transaction(MACHINE) as tx:
            saved = tx.save_representative(changed)
        with storage.transaction(MACHINE) as tx:
            assert tx.list_representatives() == [saved]
        assert saved.households == changed.households and saved.version == 2

    def test_kinship(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            wang, li = _people(tx)
            assert wang.id is not None and li.id is not None
            tie = tx.save_kinship(
                Kinship(id=None, person_a=wang.id, person_b=li.id, kind=KinshipKind.GRANDPARENT)
            )
        with storage.transaction(MACHINE) as tx:
            assert tx.list_kinships() == [tie]
        assert tie.kind is KinshipKind.GRANDPARENT

    def test_enums_are_stored_as_their_chinese_values(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            wang, li = _people(tx)
            assert wang.id is not None and li.id is not None
            tx.save_post(
                Post(
                    id=None,
                    person_id=wang.id,
                    body=Body.SUPERVISION,
                    role="主任",
                    term_start=dt.date(2021, 5, 1),
                )
            )
            tx.save_party_member(
                PartyMember(
                    id=None, person_id=wang.id, status=PartyStatus.PROBATIONARY, joined_on=dt.date(2020, 1, 1)
                )
            )
            tx.save_kinship(Kinship(id=None, person_a=wang.id, person_b=li.id, kind=KinshipKind.SPOUSE))
        with storage.engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT body FROM posts")) == "村务监督委员会"
            assert connection.scalar(sa.text("SELECT status FROM party_members")) == "预备党员"
            assert connection.scalar(sa.text("SELECT kind FROM kinships")) == "配偶"


class TestVersions:
    def test_an_update_bumps_the_version_even_without_changes(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            group = tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
        with storage.transaction(MACHINE) as tx:
            renamed = tx.save_group(dataclasses.replace(group, name="东队"))
            again = tx.save_group(renamed)
        assert (group.version, renamed.version, again.version) == (1, 2, 3)
        with storage.transaction(MACHINE) as tx:
            assert group.id is not None
            assert tx.get_group(group.id) == again

    def test_a_stale_record_is_refused(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            group = tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
        with storage.transaction(MACHINE) as tx:
            tx.save_group(dataclasses.replace(group, leader_name="赵铁柱"))
        with pytest.raises(ConflictError, match="修改过") as caught, storage.transaction(MACHINE) as tx:
            tx.save_group(dataclasses.replace(group, leader_name="钱二"))
        assert "重新打开" in caught.value.message
        with storage.transaction(MACHINE) as tx:
            assert group.id is not None
            assert tx.get_group(group.id).leader_name == "赵铁柱"

    def test_a_second_client_with_a_stale_record_is_refused(self, storage_url: str) -> None:
        first, second = open_storage(storage_url), open_storage(storage_url)
        try:
            with first.transaction(MACHINE) as tx:
                wang = tx.save_person(Person(id=None, name="王建国"))
            with second.transaction(MACHINE) as tx:
                assert wang.id is not None
                seen_by_second = tx.get_person(wang.id)
            with first.transaction(MACHINE) as tx:
                tx.save_person(dataclasses.replace(wang, phone="13904751234"))
            with pytest.raises(ConflictError), second.transaction(MACHINE) as tx:
                tx.save_person(dataclasses.replace(seen_by_second, note="改名"))
        finally:
            first.close()
            second.close()

    def test_a_write_between_our_read_and_our_write_is_never_lost(self, storage_url: str) -> None:
        first = open_storage(storage_url)
        url = parse_url(storage_url)
        # A second program that gives up quickly when SQLite's file is busy.
        second = SqlStorage(make_engine(url, sqlite_busy_timeout_ms=100), "second")
        try:
            with first.transaction(MACHINE) as tx:
                group = tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            assert group.id is not None
            if is_sqlite(url):
                # SQLite: a writer holds the file's write lock from its first read, so the other
                # program cannot write in between: it is told the file is busy; ours is saved.
                with first.transaction(MACHINE) as ours:
                    read = ours.get_group(group.id)
                    with pytest.raises(StorageError, match="占用"), second.transaction(MACHINE) as theirs:
                        theirs.save_group(dataclasses.replace(group, leader_name="赵铁柱"))
                    ours.save_group(dataclasses.replace(read, leader_name="钱二"))
                expected_leader = "钱二"
            else:
                # PostgreSQL: the UPDATE … WHERE version = 1 matches nothing, a ConflictError.
                with pytest.raises(ConflictError), first.transaction(MACHINE) as ours:
                    read = ours.get_group(group.id)
                    with second.transaction(MACHINE) as theirs:
                        theirs.save_group(dataclasses.replace(group, leader_name="赵铁柱"))
                    ours.save_group(dataclasses.replace(read, leader_name="钱二"))
                expected_leader = "赵铁柱"
            with first.transaction(MACHINE) as tx:
                assert tx.get_group(group.id).leader_name == expected_leader
        finally:
            first.close()
            second.close()

    def test_a_second_profile_is_a_conflict(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            tx.save_profile(PROFILE)
        with pytest.raises(ConflictError), storage.transaction(MACHINE) as tx:
            tx.save_profile(dataclasses.replace(PROFILE, name="巴彦", kind="嘎查"))

    def test_profile_update_checks_the_version(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            first = tx.save_profile(PROFILE)
        with storage.transaction(MACHINE) as tx:
            second = tx.save_profile(dataclasses.replace(first, address="新址"))
        assert second.version == 2
        with pytest.raises(ConflictError), storage.transaction(MACHINE) as tx:
            tx.save_profile(dataclasses.replace(first, address="旧址"))


class TestNotFound:
    def test_get_a_missing_record(self, storage: SqlStorage) -> None:
        with pytest.raises(NotFoundError, match="找不到这条村民小组记录"), storage.transaction(MACHINE) as tx:
            tx.get_group(GroupId(404))
        with pytest.raises(NotFoundError, match="找不到这条人员记录"), storage.transaction(MACHINE) as tx:
            tx.get_person(PersonId(404))

    def test_update_a_missing_record(self, storage: SqlStorage) -> None:
        with pytest.raises(NotFoundError, match="职务"), storage.transaction(MACHINE) as tx:
            tx.save_post(
                Post(
                    id=PostId(404),
                    person_id=PersonId(1),
                    body=Body.PARTY,
                    role="书记",
                    term_start=dt.date(2021, 1, 1),
                    version=1,
                )
            )


class TestUnitOfWork:
    def test_an_exception_inside_leaves_nothing_written(self, storage: SqlStorage) -> None:
        with pytest.raises(RuntimeError, match="停电"), storage.transaction(MACHINE) as tx:
            tx.save_profile(PROFILE)
            tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            raise RuntimeError("停电")
        with storage.transaction(MACHINE) as tx:
            assert tx.get_profile() is None
            assert tx.list_groups() == []

    def test_core_errors_pass_unchanged(self, storage: SqlStorage) -> None:
        error = ValidationError.single("name", "请填写姓名。")
        with pytest.raises(ValidationError) as caught, storage.transaction(MACHINE) as tx:
            tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            raise error
        assert caught.value is error
        with storage.transaction(MACHINE) as tx:
            assert tx.list_groups() == []

    def test_programming_errors_are_not_turned_into_storage_errors(self, storage: SqlStorage) -> None:
        # A value no driver can store is a bug of ours: it must reach the crash dialog.
        with pytest.raises(Exception) as caught, storage.transaction(MACHINE) as tx:
            tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            tx.save_group(VillageGroup(id=None, number=2, name="第二村民小组", note=object()))  # type: ignore[arg-type]
        assert not isinstance(caught.value, StorageError)
        with storage.transaction(MACHINE) as tx:
            assert tx.list_groups() == []

    def test_a_broken_foreign_key_is_a_storage_error_and_nothing_is_saved(self, storage: SqlStorage) -> None:
        with pytest.raises(StorageError) as caught, storage.transaction(MACHINE) as tx:
            tx.save_group(VillageGroup(id=None, number=1, name="第一村民小组"))
            tx.save_household(Household(id=None, number="0101", head_name="王建国", group_id=GroupId(404)))
        assert caught.value.hint
        assert isinstance(caught.value.__cause__, sa.exc.IntegrityError)
        with storage.transaction(MACHINE) as tx:
            assert tx.list_groups() == []

    def test_records_handed_out_are_not_orm_objects(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            _people(tx)
        with storage.transaction(MACHINE) as tx:
            people = tx.list_people()
        assert all(type(p) is Person for p in people)
        with pytest.raises(dataclasses.FrozenInstanceError):
            people[0].name = "改名"  # type: ignore[misc]

    def test_ids_are_typed_as_the_core_expects(self, storage: SqlStorage) -> None:
        with storage.transaction(MACHINE) as tx:
            home = tx.save_household(Household(id=None, number="0101", head_name="王建国", group_id=None))
        assert isinstance(home.id, int) and home.id == HouseholdId(home.id)
