"""The demo village 小大歹村: complete, plausible, lawful and the same every time."""

import datetime as dt
from pathlib import Path

from db import open_storage, sqlite_url
from village_desk.accounts import MACHINE, Access
from village_desk.codes import resident_id_birth_date, resident_id_problem, uscc_problem
from village_desk.demo import build_demo
from village_desk.roster import Body
from village_desk.services import AccountService, RosterService, VillageService

DAY = dt.date(2026, 11, 28)


def _build(path: Path) -> tuple[VillageService, RosterService]:
    storage = open_storage(sqlite_url(path))
    machine = Access(MACHINE)
    village, roster = VillageService(storage, machine), RosterService(storage, machine, today=lambda: DAY)
    build_demo(village, roster, AccountService(storage, machine))
    return village, roster


def _snapshot(village: VillageService, roster: RosterService) -> tuple[object, ...]:
    return (
        village.profile(),
        village.groups(include_closed=True),
        roster.people(),
        roster.posts(),
        roster.party_members(),
        roster.households(),
        roster.representatives(),
        roster.kinships(),
    )


def test_demo_is_deterministic(tmp_path: Path) -> None:
    first = _snapshot(*_build(tmp_path / "a.sqlite3"))
    second = _snapshot(*_build(tmp_path / "b.sqlite3"))
    assert first == second


def test_demo_village_is_complete_and_lawful(tmp_path: Path) -> None:
    village, roster = _build(tmp_path / "demo.sqlite3")
    profile = village.profile()
    assert profile is not None
    assert profile.full_name == "小大歹村"
    assert uscc_problem(profile.uscc) is None
    assert profile.seal_committee == "小大歹村村民委员会"
    assert len(village.groups()) == 6
    assert all(g.leader_name for g in village.groups())

    summary = roster.summary(DAY)
    assert summary.one_shoulder_name  # 书记、主任一肩挑
    assert summary.party_committee == 4 and summary.committee == 4 and summary.supervision == 3
    assert summary.party_members >= 25 and summary.probationary_members == 2
    assert summary.representatives >= 20
    assert summary.women_representatives * 3 >= summary.representatives
    assert summary.warnings == ()  # a model roster: no supervision-bar or quota warnings

    assert all(resident_id_problem(p.id_number, DAY) is None for p in roster.people())
    # Nobody joined the party before turning 18.
    people = {p.id: p for p in roster.people()}
    for member in roster.party_members():
        birth = resident_id_birth_date(people[member.person_id].id_number)
        assert birth is not None and member.joined_on.year - birth.year >= 18
    # The previous term is kept as history, not deleted.
    assert any(p.left_reason == "换届" for p in roster.posts())
    supervision = [p for p, _ in roster.members_of(Body.SUPERVISION, DAY)]
    assert any(p.knows_accounting for p in supervision)
    # Every household of the village is represented exactly once.
    represented = [h for r in roster.representatives() for h in r.households]
    assert sorted(represented) == sorted(h.id for h in roster.households())
    assert all(5 <= len(r.households) <= 15 for r in roster.representatives())
