"""The demo register's generator: plausible, lawful households, the same every time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from village_desk.demo_register import register_households
from village_desk.ids import GroupId
from village_desk.monitoring import (
    Health,
    HouseholdFacts,
    Labour,
    MemberFacts,
    MonitoringSettings,
    SchoolStage,
    SignalKind,
    risk_signals,
)
from village_desk.register import (
    DEFAULT_CATEGORIES,
    RegisterImport,
    derived_from_id,
    file_problems,
    head_problems,
    id_number_problem,
    income_problems,
    resident_problems,
)
from village_desk.roster import person_problems

DAY = dt.date(2026, 11, 28)
GROUPS = [GroupId(g) for g in range(1, 7)]


@pytest.fixture(scope="module")
def village() -> list[RegisterImport]:
    return register_households(400, GROUPS, DAY)


def age(id_number: str) -> int:
    derived = derived_from_id(id_number)
    assert derived is not None
    birth = derived[1]
    return DAY.year - birth.year - ((DAY.month, DAY.day) < (birth.month, birth.day))


def facts(item: RegisterImport) -> HouseholdFacts:
    return HouseholdFacts(
        members=tuple(
            MemberFacts(
                m.person.name,
                derived[1] if (derived := derived_from_id(m.person.id_number)) else None,
                in_school=m.resident.school_stage is not None,
                has_medical_insurance=m.resident.medical_insurance,
                health=m.resident.health,
                labour=m.resident.labour,
            )
            for m in item.members
        ),
        incomes=tuple(i.as_income_year() for i in item.incomes),
        housing=item.file.housing_level,
        safe_water=item.file.safe_water,
        as_of=DAY,
    )


def test_same_size_seed_and_day_give_the_same_village(village: list[RegisterImport]) -> None:
    assert register_households(400, GROUPS, DAY) == village
    assert register_households(400, GROUPS, DAY, seed=7) != village


def test_sizes_and_numbers(village: list[RegisterImport]) -> None:
    assert len(village) == 400
    members = sum(len(h.members) for h in village)
    assert 3.2 <= members / len(village) <= 3.8  # about 1,400 people
    numbers = [h.household.number for h in village]
    assert len(set(numbers)) == 400
    assert numbers[0] == "01001"
    assert {h.household.group_id for h in village} == set(GROUPS)
    assert all(h.household.head_name == h.members[0].person.name for h in village)
    # A township's scale: numbers stay unique and sortable past 999 per group.
    big = register_households(7000, GROUPS[:2], DAY)
    assert len({h.household.number for h in big}) == 7000
    assert all(len(h.household.number) == 6 for h in big)


def test_every_record_passes_the_checks_a_clerk_gets(village: list[RegisterImport]) -> None:
    ids: list[str] = []
    for h in village:
        assert file_problems(h.file) == [], h.household.number
        assert head_problems([m.resident for m in h.members]) == []
        for m in h.members:
            assert person_problems(m.person, DAY) == [], m.person
            assert resident_problems(m.resident) == [], m.resident
            ids.append(m.person.id_number)
        for income in h.incomes:
            assert income_problems(income, DAY) == [], income
            parts = (income.wages, income.business, income.assets, income.transfer, income.production_costs)
            assert all(isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in parts)
        assert [i.year for i in h.incomes] == [2023, 2024, 2025]
    assert len(set(ids)) == len(ids)  # one person, one ID number


def test_id_numbers_are_valid_numbers_of_the_tongliao_area(village: list[RegisterImport]) -> None:
    areas: Counter[str] = Counter()
    for h in village:
        for m in h.members:
            number = m.person.id_number
            assert id_number_problem(number, DAY) is None
            derived = derived_from_id(number)
            assert derived is not None and derived[0] == m.person.gender
            areas[number[:6]] += 1
    assert all(area.startswith("1505") for area in areas)
    assert areas.most_common(1)[0][0] == "150522"  # 科尔沁左翼后旗, the demo's 旗
    assert len(areas) > 1  # and a few married in from the neighbouring 旗县


def test_relations_and_ages_agree(village: list[RegisterImport]) -> None:
    for h in village:
        head = h.members[0]
        assert head.resident.relation == "户主"
        head_age = age(head.person.id_number)
        assert 30 <= head_age <= 88
        parents = [head_age]
        for m in h.members[1:]:
            a = age(m.person.id_number)
            relation = m.resident.relation
            if relation == "配偶":
                assert abs(a - head_age) <= 5 and m.person.gender != head.person.gender
                parents.append(a)
        for m in h.members[1:]:
            a = age(m.person.id_number)
            relation = m.resident.relation
            if relation in ("子", "女"):
                assert min(parents) - a >= 18, (h.household.number, relation, a)
                assert m.person.gender == ("男" if relation == "子" else "女")
            elif relation in ("孙子", "孙女"):
                assert head_age - a >= 36
            elif relation in ("父亲", "母亲"):
                assert a - head_age >= 18
            elif relation == "儿媳":
                assert a >= 20 and m.person.gender == "女"
    relations = Counter(m.resident.relation for h in village for m in h.members)
    for relation in ("配偶", "子", "女", "儿媳", "孙子", "孙女", "父亲", "母亲"):
        assert relations[relation] > 0


def test_children_go_to_school_by_age_and_labour_follows_age(village: list[RegisterImport]) -> None:
    stages = {(6, 11): SchoolStage.PRIMARY, (12, 14): SchoolStage.JUNIOR}
    out_of_school = 0
    for h in village:
        for m in h.members:
            a = age(m.person.id_number)
            for (low, high), stage in stages.items():
                if low <= a <= high:
                    if m.resident.school_stage is None:
                        out_of_school += 1
                    else:
                        assert m.resident.school_stage is stage
            if a < 16 or a >= 75:
                assert m.resident.labour is Labour.NONE
            if m.resident.work_months:
                assert 18 <= a <= 55 and m.resident.work_place
    assert out_of_school <= 5  # a rare gap the signals should find


def test_every_category_and_the_health_problems_appear(village: list[RegisterImport]) -> None:
    categories = Counter(h.file.category for h in village)
    assert set(categories) == set(DEFAULT_CATEGORIES)
    assert categories["一般户"] > 200 and 60 <= categories["脱贫户"] <= 100
    small = register_households(50, GROUPS, DAY)
    assert {h.file.category for h in small} == set(DEFAULT_CATEGORIES)
    health = Counter(m.resident.health for h in village for m in h.members)
    assert all(health[kind] > 0 for kind in Health)
    disabled = [m for h in village for m in h.members if m.resident.health is Health.DISABLED]
    assert all(m.resident.disability_card.startswith(m.person.id_number) for m in disabled)
    # Those living alone on support are elderly and cannot work.
    for h in village:
        if h.file.category in ("五保户", "特困供养户（集中）"):
            assert len(h.members) == 1 and age(h.members[0].person.id_number) >= 60


def test_livestock_land_and_beet_sit_near_the_plans_targets(village: list[RegisterImport]) -> None:
    ewes = sum(h.file.ewes for h in village)
    cows = sum(h.file.cows for h in village)
    assert 2500 <= ewes <= 4000  # target 3000
    assert 500 <= cows <= 1100  # target 900
    assert 10 <= sum(1 for h in village if h.file.sheep >= 50) <= 25  # target 15
    assert 8 <= sum(1 for h in village if h.file.cattle >= 20) <= 25  # target 13
    assert 1500 <= sum(h.file.beet_area for h in village) <= 2600  # target 2000 亩
    assert all(Decimal(10) <= h.file.land_contracted <= Decimal(80) for h in village)
    assert any(h.file.land_out for h in village) and any(h.file.land_in for h in village)
    assert any(loan.kind == "扶贫小额信贷" for h in village for loan in h.file.loans)
    assert any(loan.kind == "信用贷款" for h in village for loan in h.file.loans)


def test_some_households_show_risk_signals_most_do_not(village: list[RegisterImport]) -> None:
    settings = MonitoringSettings()
    kinds: Counter[SignalKind] = Counter()
    flagged = 0
    for h in village:
        signals = risk_signals(facts(h), settings, 2025)
        flagged += bool(signals)
        kinds.update(s.kind for s in signals)
    assert 15 <= flagged <= 120
    for kind in (
        SignalKind.BELOW_LINE,
        SignalKind.INCOME_DROP,
        SignalKind.MEDICAL_INSURANCE,
        SignalKind.HOUSING,
        SignalKind.MEDICAL_COSTS,
        SignalKind.ILLNESS_UNASSISTED,
    ):
        assert kinds[kind] > 0, kind
    below_5000 = sum(1 for h in village if (p := facts(h).per_person(2025)) is not None and p < 5000)
    assert below_5000 > 0
