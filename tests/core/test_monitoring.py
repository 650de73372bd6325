"""防返贫监测 rules: risk signals with their reasons, and what stops 风险消除."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from village_desk.monitoring import (
    Health,
    HouseholdFacts,
    HousingLevel,
    IncomeYear,
    Labour,
    MemberFacts,
    MonitoringSettings,
    SchoolStage,
    SignalKind,
    closure_problems,
    education_subsidy,
    risk_signals,
)

D = dt.date
TODAY = D(2026, 11, 29)
SETTINGS = MonitoringSettings(lines=((2021, Decimal(6000)), (2025, Decimal(7200)), (2026, Decimal(7500))))


def adult(name: str = "包金山", **changes: object) -> MemberFacts:
    return MemberFacts(name, D(1980, 5, 1), **changes)  # type: ignore[arg-type]


def household(*members: MemberFacts, **changes: object) -> HouseholdFacts:
    base: dict[str, object] = {
        "members": members or (adult(), adult("李秀英")),
        "housing": HousingLevel.A,
        "safe_water": True,
        "as_of": TODAY,
    }
    base.update(changes)
    return HouseholdFacts(**base)  # type: ignore[arg-type]


def income(year: int, total: str, **parts: str) -> IncomeYear:
    return IncomeYear(year, wages=Decimal(total), **{k: Decimal(v) for k, v in parts.items()})


def kinds(facts: HouseholdFacts, year: int = 2026) -> list[SignalKind]:
    return [s.kind for s in risk_signals(facts, SETTINGS, year)]


def test_monitoring_line_per_year_falls_back_to_the_latest_earlier() -> None:
    assert SETTINGS.line_for(2026) == Decimal(7500)
    assert SETTINGS.line_for(2024) == Decimal(6000)
    assert SETTINGS.line_for(2030) == Decimal(7500)
    assert SETTINGS.line_for(2019) == Decimal(6000)  # before any entry: the 2021 national default


def test_net_income_and_per_person_use_decimal() -> None:
    year = IncomeYear(
        2026,
        wages=Decimal("10000.10"),
        business=Decimal("5000.20"),
        transfer=Decimal("1200"),
        production_costs=Decimal("3000.30"),
    )
    assert year.net == Decimal("13200.00")
    facts = household(incomes=(year,), members=(adult(), adult("李秀英"), adult("包小花")))
    assert facts.per_person(2026) == Decimal("4400.00")
    assert facts.per_person(2025) is None


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("14000", [SignalKind.BELOW_LINE]),  # 7000 < 7500
        ("15000", []),  # 7500: not under the line, not under 5000
        ("9000", [SignalKind.BELOW_LINE]),  # under both: the line is the one named
    ],
)
def test_income_against_the_line(total: str, expected: list[SignalKind]) -> None:
    assert kinds(household(incomes=(income(2026, total),))) == expected


def test_watch_level_above_the_line_of_an_early_year() -> None:
    early = MonitoringSettings(lines=((2021, Decimal(4000)),))
    facts = household(incomes=(income(2021, "9000"),))
    signals = risk_signals(facts, early, 2021)
    assert [s.kind for s in signals] == [SignalKind.BELOW_WATCH]
    assert signals[0].reason == "2021年人均纯收入4500元，低于本村关注线5000元。"


def test_sharp_drop_from_last_year() -> None:
    facts = household(incomes=(income(2025, "40000"), income(2026, "26000")))
    signals = risk_signals(facts, SETTINGS, 2026)
    assert [s.kind for s in signals] == [SignalKind.INCOME_DROP]
    assert "比上年20000元下降35%" in signals[0].reason


def test_three_guarantees_and_water() -> None:
    child = MemberFacts("包小龙", D(2015, 3, 1), in_school=False)
    baby = MemberFacts("包小虎", D(2022, 3, 1))  # 4: not yet school age
    uninsured = adult("包金山", has_medical_insurance=False)
    facts = household(uninsured, child, baby, housing=HousingLevel.C, safe_water=False)
    signals = {s.kind: s.reason for s in risk_signals(facts, SETTINGS, 2026)}
    assert signals[SignalKind.SCHOOL] == "包小龙在6到15周岁义务教育年龄，没有登记在校。"
    assert signals[SignalKind.MEDICAL_INSURANCE] == "包金山没有参加基本医疗保险。"
    assert "C级危房" in signals[SignalKind.HOUSING]
    assert SignalKind.WATER in signals


def test_age_counts_birthdays() -> None:
    turning_six_tomorrow = MemberFacts("小明", D(2020, 11, 30))
    assert turning_six_tomorrow.age_on(TODAY) == 5
    assert kinds(household(adult(), turning_six_tomorrow)) == []


def test_medical_costs_and_unassisted_illness() -> None:
    ill = adult("包金山", health=Health.SERIOUS)
    costly = IncomeYear(2026, wages=Decimal(20000), medical_costs=Decimal(8000))
    facts = household(ill, adult("李秀英"), incomes=(costly,))
    assert kinds(facts) == [SignalKind.MEDICAL_COSTS, SignalKind.ILLNESS_UNASSISTED]
    helped = household(ill, adult("李秀英"), incomes=(costly,), assistance_count=1)
    assert kinds(helped) == [SignalKind.MEDICAL_COSTS]


def test_closure_needs_every_rule() -> None:
    facts = household(
        incomes=(income(2026, "20000"),),
        assistance_count=1,
        months_above_line=7,
    )
    assert closure_problems(facts, SETTINGS, 2026, identified_on=D(2026, 3, 1)) == []

    too_soon = closure_problems(facts, SETTINGS, 2026, identified_on=D(2026, 8, 1))
    assert too_soon == ["纳入监测一般要满6个月才能消除风险，现在是3个月。"]

    no_help = household(incomes=(income(2026, "20000"),), months_above_line=7)
    assert closure_problems(no_help, SETTINGS, 2026, D(2026, 1, 1)) == [
        "还没有登记任何帮扶措施，至少要落实一项。"
    ]

    old = (MemberFacts("包老汉", D(1940, 1, 1), labour=Labour.NONE),)
    elderly = household(*old, incomes=(income(2026, "9000"),), assistance_count=2, months_above_line=12)
    assert any(
        "没有劳动年龄内有劳动能力的人" in p for p in closure_problems(elderly, SETTINGS, 2026, D(2025, 1, 1))
    )

    poor = household(
        incomes=(income(2026, "12000"),), assistance_count=1, months_above_line=2, housing=HousingLevel.D
    )
    problems = closure_problems(poor, SETTINGS, 2026, D(2025, 1, 1))
    assert problems[0] == "2026年人均纯收入6000元，仍低于监测线7500元。"
    assert "至少6个月，现在是2个月" in problems[1]
    assert problems[-1].startswith("“三保障”和饮水安全还有缺口：住房鉴定为D级危房")


def test_closure_without_income_entered() -> None:
    facts = household(assistance_count=1, months_above_line=6)
    assert closure_problems(facts, SETTINGS, 2026, D(2025, 1, 1)) == [
        "还没有登记2026年的收入，无法判断收入是否稳定超过监测线。"
    ]


def test_education_subsidies_of_the_plan() -> None:
    assert education_subsidy(SchoolStage.PRIMARY) == Decimal(1800)
    assert education_subsidy(SchoolStage.COLLEGE) == Decimal(10000)
    assert education_subsidy(SchoolStage.PRESCHOOL) == Decimal(0)


@given(st.lists(st.integers(0, 200_000), min_size=1, max_size=6), st.integers(1, 8))
def test_below_line_signal_exactly_when_income_per_person_is_under_the_line(
    amounts: list[int], size: int
) -> None:
    members = tuple(adult(f"成员{i}") for i in range(size))
    facts = household(*members, incomes=(IncomeYear(2026, wages=Decimal(sum(amounts))),))
    per_person = facts.per_person(2026)
    assert per_person is not None
    assert (SignalKind.BELOW_LINE in kinds(facts)) == (per_person < Decimal(7500))
