"""The rules of monitoring cases, measures, visits and benefits (village_desk/cases.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from village_desk.cases import (
    Benefit,
    CaseId,
    CaseSource,
    CaseStatus,
    Measure,
    MeasureKind,
    MonitoringCase,
    Visit,
    benefit_problems,
    benefit_totals,
    case_problems,
    measure_problems,
    visit_due,
    visit_problems,
)
from village_desk.ids import HouseholdId
from village_desk.notices import NoticeId
from village_desk.register import IncomeRecord, Indicators, income_problems

TODAY = dt.date(2026, 11, 28)
H = HouseholdId(7)


def _case(**changes: object) -> MonitoringCase:
    case = MonitoringCase(
        id=CaseId(1),
        household_id=H,
        source=CaseSource.SURVEY,
        risk_types=("因病",),
        identified_on=dt.date(2026, 3, 2),
    )
    return replace(case, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({}, CaseStatus.IDENTIFIED),
        ({"identification_notice_id": NoticeId(3)}, CaseStatus.IDENTIFICATION_PUBLICITY),
        (
            {
                "identification_notice_id": NoticeId(3),
                "township_reviewed_on": dt.date(2026, 3, 20),
                "county_approved_on": dt.date(2026, 3, 28),
            },
            CaseStatus.MONITORING,
        ),
        (
            {"county_approved_on": dt.date(2026, 3, 28), "elimination_notice_id": NoticeId(9)},
            CaseStatus.ELIMINATION_PUBLICITY,
        ),
        (
            {
                "county_approved_on": dt.date(2026, 3, 28),
                "elimination_notice_id": NoticeId(9),
                "eliminated_on": dt.date(2026, 10, 8),
            },
            CaseStatus.CLOSED,
        ),
        (
            {"identification_notice_id": NoticeId(3), "rejected_reason": "收入核实后高于监测线"},
            CaseStatus.REJECTED,
        ),
    ],
)
def test_the_status_follows_from_the_dates(changes: dict[str, object], status: CaseStatus) -> None:
    case = _case(**changes)
    assert case.status is status
    assert case.is_open is (status not in (CaseStatus.CLOSED, CaseStatus.REJECTED))


def test_a_complete_case_has_no_problems() -> None:
    case = _case(
        identification_notice_id=NoticeId(3),
        township_reviewed_on=dt.date(2026, 3, 20),
        county_approved_on=dt.date(2026, 3, 28),
        stable_since=dt.date(2026, 4, 1),
    )
    assert case_problems(case, TODAY) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"risk_types": ()}, "risk_types", "至少选择一种"),
        ({"risk_types": ("因懒",)}, "risk_types", "因懒"),
        ({"identified_on": dt.date(2026, 12, 1)}, "identified_on", "不能晚于今天"),
        ({"township_reviewed_on": dt.date(2026, 3, 1)}, "township_reviewed_on", "不能早于识别日期"),
        ({"county_approved_on": dt.date(2026, 3, 28)}, "township_reviewed_on", "请先填写乡镇审核日期"),
        (
            {"township_reviewed_on": dt.date(2026, 3, 20), "county_approved_on": dt.date(2026, 3, 19)},
            "county_approved_on",
            "不能早于乡镇审核日期",
        ),
        (
            {
                "township_reviewed_on": dt.date(2026, 3, 20),
                "county_approved_on": dt.date(2026, 3, 28),
                "rejected_reason": "不符合",
            },
            "rejected_reason",
            "不能再标为未纳入",
        ),
        ({"eliminated_on": dt.date(2026, 10, 8)}, "eliminated_on", "先经过公示"),
        ({"stable_since": dt.date(2026, 12, 1)}, "stable_since", "不能晚于今天"),
    ],
)
def test_case_problems_name_the_field(changes: dict[str, object], field: str, words: str) -> None:
    problems = case_problems(_case(**changes), TODAY)
    assert any(p.field == field and words in p.message for p in problems), problems


def test_measures_visits_and_benefits_are_checked() -> None:
    measure = Measure(None, CaseId(1), MeasureKind.INDUSTRY, " ", TODAY, Decimal(-1))
    assert {p.field for p in measure_problems(measure)} == {"what", "amount"}
    assert measure_problems(replace(measure, what="发放基础母羊5只", amount=None)) == []

    visit = Visit(None, H, TODAY + dt.timedelta(days=1), "", "", next_on=TODAY)
    assert {p.field for p in visit_problems(visit, TODAY)} == {"visited_on", "visitor", "found", "next_on"}
    assert (
        visit_problems(
            replace(visit, visited_on=TODAY, visitor="李四", found="家中正常", next_on=None), TODAY
        )
        == []
    )

    benefit = Benefit(None, H, "发红包", TODAY, Decimal("0.001"))
    assert {p.field for p in benefit_problems(benefit)} == {"kind", "amount"}
    assert benefit_problems(replace(benefit, kind="教育补助", amount=Decimal("1800.00"))) == []
    assert [p.field for p in benefit_problems(replace(benefit, kind="教育补助", amount=Decimal(0)))] == [
        "amount"
    ]


def test_a_visit_is_due_from_the_plan_or_the_interval() -> None:
    start = dt.date(2026, 9, 1)
    # Never visited: due 30 days after identification.
    due = visit_due(H, [], start, TODAY, 30)
    assert due is not None and due.due_on == dt.date(2026, 10, 1) and due.last_visit is None
    assert due.days_overdue == (TODAY - dt.date(2026, 10, 1)).days
    # Visited with a planned next visit still ahead: not due.
    planned = Visit(None, H, dt.date(2026, 11, 1), "李四", "正常", next_on=dt.date(2026, 12, 1))
    assert visit_due(H, [planned], start, TODAY, 30) is None
    # Planned next visit passed: due on that day.
    late = replace(planned, next_on=dt.date(2026, 11, 20))
    due = visit_due(H, [late], start, TODAY, 30)
    assert due is not None and due.due_on == dt.date(2026, 11, 20) and due.days_overdue == 8
    # A cancelled visit does not count.
    cancelled = replace(planned, visited_on=dt.date(2026, 11, 27), cancelled_reason="录错了户")
    due = visit_due(H, [late, cancelled], start, TODAY, 30)
    assert due is not None and due.last_visit == dt.date(2026, 11, 1)
    # Due today is not overdue.
    assert visit_due(H, [], TODAY - dt.timedelta(days=30), TODAY, 30) is None


def test_benefit_totals_leave_out_cancelled_entries() -> None:
    paid = [
        Benefit(None, H, "低保金", dt.date(2026, 1, 10), Decimal("650.50")),
        Benefit(None, H, "低保金", dt.date(2026, 2, 10), Decimal("650.50")),
        Benefit(None, H, "低保金", dt.date(2026, 3, 10), Decimal("650.50"), cancelled_reason="重复登记"),
        Benefit(None, H, "低保金", dt.date(2025, 12, 10), Decimal("600")),
        Benefit(None, H, "教育补助", dt.date(2026, 9, 1), Decimal("1800")),
    ]
    assert benefit_totals(paid) == {
        (2026, "低保金"): Decimal("1301.00"),
        (2025, "低保金"): Decimal(600),
        (2026, "教育补助"): Decimal(1800),
    }


def test_income_is_checked_to_the_fen() -> None:
    income = IncomeRecord(H, 2025, wages=Decimal("12000.005"), transfer=Decimal(-1))
    fields = {p.field for p in income_problems(income, TODAY)}
    assert fields == {"wages", "transfer"}
    assert [
        p.field
        for p in income_problems(replace(income, wages=Decimal(1), transfer=Decimal(0), year=2027), TODAY)
    ] == ["year"]
    net = IncomeRecord(H, 2025, Decimal(10000), Decimal(5000), Decimal(300), Decimal(2000), Decimal(4000))
    assert net.as_income_year().net == Decimal(13300)


def test_per_poor_person_figures() -> None:
    figures = Indicators(3, 2, 120, 30, 150, 40, 30, 290, 61, Decimal("35.5"))
    assert figures.sheep_per_poor_person == Decimal("9.7")
    assert figures.cattle_per_poor_person == Decimal("2.0")
    none = replace(figures, poor_people=0)
    assert none.sheep_per_poor_person is None and none.cattle_per_poor_person is None
