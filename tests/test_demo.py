"""The demo village 小大歹村: complete, plausible, lawful and the same every time."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from db import open_storage, sqlite_url
from village_desk.accounts import MACHINE, Access
from village_desk.app import build_demo_village
from village_desk.cases import CaseStatus
from village_desk.codes import resident_id_birth_date, resident_id_problem, uscc_problem
from village_desk.demo import build_demo
from village_desk.notices import NoticeFilter
from village_desk.register import DEFAULT_CATEGORIES, RegisterFilter, ResidentStatus
from village_desk.roster import Body
from village_desk.services import AccountService, RegisterService, RosterService, VillageService
from village_desk.services.notices import NoticeService
from village_desk.storage import Storage

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


# --- the register (issue 5): households, a year of monitoring, benefits and operations -------------------

REGISTER_HOUSEHOLDS = 150  # enough for every stage of the story; the app's demo has 400


def _build_village(path: Path) -> Storage:
    storage = open_storage(sqlite_url(path))
    build_demo_village(storage, DAY, REGISTER_HOUSEHOLDS)
    return storage


@pytest.fixture(scope="module")
def village_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Storage]:
    storage = _build_village(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield storage
    storage.close()


def _register(storage: Storage) -> RegisterService:
    machine = Access(MACHINE)
    return RegisterService(storage, machine, NoticeService(storage, machine), today=lambda: DAY)


def test_demo_register_is_deterministic(village_storage: Storage, tmp_path: Path) -> None:
    everything = RegisterFilter(include_closed=True)
    first = _register(village_storage)
    other = _build_village(tmp_path / "again.sqlite3")
    try:
        second = _register(other)
        assert second.page(everything) == first.page(everything)
        lines = first.page(everything).lines
        for line in lines[:: max(1, len(lines) // 20)]:
            a, b = first.dossier(line.household_id), second.dossier(line.household_id)
            assert (a.members, a.incomes, a.cases, a.measures, a.visits, a.benefits) == (
                b.members,
                b.incomes,
                b.cases,
                b.measures,
                b.visits,
                b.benefits,
            )
    finally:
        other.close()


def test_demo_register_has_every_category_and_lawful_members(village_storage: Storage) -> None:
    register = _register(village_storage)
    lines = register.page(RegisterFilter(include_closed=True)).lines
    assert len(lines) >= REGISTER_HOUSEHOLDS  # 分户 adds one
    assert {line.category for line in lines} == set(DEFAULT_CATEGORIES)
    assert all(line.head_name and line.members >= 1 for line in lines if not line.closed)
    people = 0
    latest: list[int] = []
    for line in lines[:40]:
        dossier = register.dossier(line.household_id)
        for member in dossier.members:
            people += 1
            assert resident_id_problem(member.person.id_number, DAY) is None
        latest.extend(i.year for i in dossier.incomes[:1])  # a household split off has none yet
    assert people > 100
    assert len(latest) >= 38 and set(latest) == {DAY.year - 1}
    assert any(line.risks for line in lines)  # some at risk …
    assert sum(1 for line in lines if line.risks) < len(lines) // 2  # … most not


def test_demo_register_has_cases_at_every_stage(village_storage: Storage) -> None:
    register = _register(village_storage)
    lines = register.page(RegisterFilter(include_closed=True)).lines
    cases = [c for line in lines if line.case_status for c in register.dossier(line.household_id).cases]
    assert {c.status for c in cases} == set(CaseStatus)
    assert 15 <= len(cases) <= 25
    relapses = [c for c in cases if c.relapse_of is not None]
    assert len(relapses) == 1
    earlier = next(c for c in cases if c.id == relapses[0].relapse_of)
    assert earlier.status is CaseStatus.CLOSED and earlier.household_id == relapses[0].household_id
    overview = register.overview()
    assert overview.visits_due  # some visits are overdue
    assert overview.at_risk  # and some households at risk have no case yet
    monitored = [c for c in cases if c.status is CaseStatus.MONITORING]
    for case in monitored:
        dossier = register.dossier(case.household_id)
        assert case.township_reviewed_on is not None and case.county_approved_on is not None
        assert any(m.case_id == case.id for m in dossier.measures)
    kinds = {m.kind for c in monitored for m in register.dossier(c.household_id).measures}
    assert len(kinds) >= 3
    # The 公示 were issued through the notice engine by the demo's 文书, numbered with the calendar.
    service = NoticeService(village_storage, Access(MACHINE))
    issued = [
        service.notice(n.id)
        for n in service.notices(NoticeFilter())
        if "防返贫监测对象" in n.title and n.number
    ]
    assert len(issued) >= 5
    assert {n.issued_by for n in issued} == {_clerk_name(village_storage)}
    this_year = sorted((n for n in issued if n.year == DAY.year), key=lambda n: n.seq)
    dates = [n.issue_date for n in this_year]
    assert None not in dates and dates == sorted(d for d in dates if d is not None)


def test_demo_register_pays_benefits_at_the_plans_amounts(village_storage: Storage) -> None:
    register = _register(village_storage)
    lines = register.page(RegisterFilter()).lines
    benefits = [b for line in lines for b in register.dossier(line.household_id).benefits]
    kinds = {b.kind for b in benefits}
    assert {"教育补助", "低保金", "护林员工资", "生态补偿"} <= kinds
    plan = {Decimal(1800), Decimal(2000), Decimal(2400), Decimal(10000)}
    assert {b.amount for b in benefits if b.kind == "教育补助"} <= plan
    assert all(b.person_id is not None for b in benefits if b.kind in ("教育补助", "护林员工资"))
    assert all(b.amount % 385 == 0 for b in benefits if b.kind == "低保金")
    assert all(b.paid_on <= DAY for b in benefits)


def test_demo_register_operations_are_in_the_history(village_storage: Storage) -> None:
    register = _register(village_storage)
    lines = register.page(RegisterFilter(include_closed=True)).lines
    members = [m for line in lines for m in register.dossier(line.household_id).members]
    assert {ResidentStatus.DECEASED, ResidentStatus.MOVED_OUT} <= {m.resident.status for m in members}
    assert all(m.resident.status_on is not None for m in members if not m.resident.is_in)
    # 分户 made a household whose members joined it on the day; a baby joined at birth.
    joined = [m for m in members if m.resident.joined_on is not None]
    assert any(m.resident.relation == "户主" for m in joined)
    assert any(m.resident.relation in ("子", "女") and m.resident.education.value == "未上学" for m in joined)
    summaries = " ".join(
        entry.summary
        for line in lines
        if any(m.resident.joined_on is not None for m in register.dossier(line.household_id).members)
        for entry in register.history(line.household_id)
    )
    assert "分户" in summaries and "新生" in summaries


def test_demo_representatives_represent_the_register(village_storage: Storage) -> None:
    machine = Access(MACHINE)
    roster = RosterService(village_storage, machine, today=lambda: DAY)
    register = _register(village_storage)
    represented = [h for r in roster.representatives() for h in r.households]
    imported = {line.household_id for line in register.page(RegisterFilter(include_closed=True)).lines}
    assert len(represented) == len(set(represented)) and set(represented) <= imported
    assert len(represented) >= REGISTER_HOUSEHOLDS - 1
    summary = roster.summary(DAY)
    assert summary.women_representatives * 3 >= summary.representatives
    assert summary.warnings == ()
    # Each representative is a member of a household of the register: one person, one record.
    members = {
        m.person.id
        for line in register.page(RegisterFilter()).lines[:200]
        for m in register.dossier(line.household_id).members
    }
    assert all(r.person_id in members for r in roster.representatives())


def _clerk_name(storage: Storage) -> str:
    users = AccountService(storage, Access(MACHINE)).users()
    return next(u.display_name for u in users if u.username == "wenshu")
