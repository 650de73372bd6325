"""Two PCs on one database (村账乡代管 on PostgreSQL): saving over a newer change is refused.

Each "PC" is its own ``SqlStorage`` (own engine, own connections) with its own
signed-in user. The refusal names who made the newer change and when; the
other PC's change stays, and nothing of the refused one is written.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace

import pytest

from db import open_storage
from village_desk.accounts import Access, Actor, Role
from village_desk.audit import verify_chain
from village_desk.errors import ConflictError
from village_desk.ids import GroupId, UserId
from village_desk.roster import Household
from village_desk.services import RosterService, VillageService
from village_desk.village import VillageGroup

pytestmark = pytest.mark.storage

CLERK_A = Actor(UserId(1), "wenshu", "李文书", frozenset({Role.CLERK}))
CLERK_B = Actor(UserId(2), "admin", "王书记", frozenset({Role.ADMIN}))
FIRST_GROUP = VillageGroup(id=None, number=1, name="第一村民小组")


def _clock() -> dt.datetime:
    return dt.datetime(2026, 11, 28, 14, 30, 5)


def test_saving_over_another_pcs_newer_change_names_who_and_when(storage_url: str) -> None:
    pc_a = open_storage(storage_url)
    pc_b = open_storage(storage_url)
    pc_a._clock = _clock  # the entry's time, fixed for the message
    try:
        village_a = VillageService(pc_a, Access(CLERK_B))
        group = village_a.save_group(FIRST_GROUP)
        roster_a = RosterService(pc_a, Access(CLERK_A))
        roster_b = RosterService(pc_b, Access(CLERK_B))
        assert group.id is not None
        household = roster_a.save_household(
            Household(id=None, number="01001", head_name="张三", group_id=group.id)
        )

        seen_by_b = roster_b.households()[0]  # B opens the record …
        roster_a.save_household(replace(household, head_name="张山"))  # … A saves first
        with pytest.raises(ConflictError) as caught:
            roster_b.save_household(replace(seen_by_b, head_name="张珊"))
        assert "已被李文书在2026-11-28 14:30修改过" in caught.value.message
        assert [h.head_name for h in roster_b.households()] == ["张山"]
        with pc_b.transaction() as tx:
            report = verify_chain(tx.audit_chain(), tx.audit_head())
            assert report.ok and report.count == 3  # group, household, A's change; nothing of B's
    finally:
        pc_a.close()
        pc_b.close()


def test_writers_on_two_pcs_at_once_keep_one_unbroken_chain(storage_url: str) -> None:
    pcs = [open_storage(storage_url), open_storage(storage_url)]
    try:
        group = VillageService(pcs[0], Access(CLERK_B)).save_group(FIRST_GROUP)
        assert group.id is not None
        group_id: GroupId = group.id
        errors: list[BaseException] = []

        def write(pc: int) -> None:
            roster = RosterService(pcs[pc], Access([CLERK_A, CLERK_B][pc]))
            try:
                for n in range(15):
                    roster.save_household(
                        Household(
                            id=None,
                            number=f"{pc + 1:02d}{n:03d}",
                            head_name=f"户主{pc}-{n}",
                            group_id=group_id,
                        )
                    )
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(pc,)) for pc in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # SQLite: one writer at a time, each taking the write lock as it begins; the other waits its turn.
        assert not errors
        with pcs[0].transaction() as tx:
            entries = list(tx.audit_chain())
            report = verify_chain(entries, tx.audit_head())
            households = tx.list_households()
        assert report.ok, report.problem
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert len(entries) == 1 + len(households)  # every saved household has its entry
    finally:
        for pc in pcs:
            pc.close()
