"""防止返贫动态监测 cases: from identification to 风险消除, with measures, visits and benefits (issue 5).

A household at risk gets a ``MonitoringCase``:

    已识别 (recorded; source and risk types) → 识别公示中 (a 公示 of the notice
    engine, at least 5 days) → 监测帮扶中 (township review and county approval
    dates) → 风险消除公示中 (only when ``monitoring.closure_problems`` is empty)
    → 已消除风险 (closed).

A case not approved ends as 未纳入 with a reason. A household whose risk comes
back gets a new case marked as a relapse (``relapse_of`` the closed one).
Nothing is deleted: a measure, visit or benefit entered by mistake is
cancelled with a reason and stays in the history.

``case_status`` derives the status from the dates, so the record cannot hold
a status its dates contradict. ``case_problems`` checks a case before saving,
``visits_due`` lists the households whose visit is overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NewType

from village_desk.errors import FieldError
from village_desk.ids import HouseholdId, PersonId
from village_desk.notices import NoticeId

CaseId = NewType("CaseId", int)
MeasureId = NewType("MeasureId", int)
VisitId = NewType("VisitId", int)
BenefitId = NewType("BenefitId", int)


class CaseSource(StrEnum):
    """How the household came to be identified (domain §5)."""

    APPLIED = "农户自主申报"
    SURVEY = "干部排查"
    ALERT = "部门筛查预警"


# The national list of risk types (致贫返贫风险类型); the clerk ticks one or more.
RISK_TYPES: tuple[str, ...] = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "因意外事故",
    "因产业项目失败",
    "因务工就业不稳",
    "缺劳动力",
    "住房出现安全问题",
    "饮水安全问题",
    "其他",
)


class MeasureKind(StrEnum):
    """帮扶措施 kinds, as the issue lists them."""

    INDUSTRY = "产业帮扶"
    EMPLOYMENT = "就业帮扶"
    FINANCE = "金融帮扶"
    EDUCATION = "教育帮扶"
    HEALTH = "健康帮扶"
    SAFETY_NET = "综合保障（兜底）"
    HOUSING = "住房保障"
    WATER = "饮水保障"
    OTHER = "其他"


# Benefits paid to households or persons (a setting could extend the list; these are the plan's).
BENEFIT_KINDS: tuple[str, ...] = (
    "教育补助",
    "雨露计划",
    "护林员工资",
    "生态补偿",
    "低保金",
    "特困供养金",
    "残疾人两项补贴",
    "产业奖补",
    "临时救助",
    "其他",
)


class CaseStatus(StrEnum):
    IDENTIFIED = "已识别"
    IDENTIFICATION_PUBLICITY = "识别公示中"
    MONITORING = "监测帮扶中"
    ELIMINATION_PUBLICITY = "风险消除公示中"
    CLOSED = "已消除风险"
    REJECTED = "未纳入"


OPEN_STATUSES = frozenset(
    {
        CaseStatus.IDENTIFIED,
        CaseStatus.IDENTIFICATION_PUBLICITY,
        CaseStatus.MONITORING,
        CaseStatus.ELIMINATION_PUBLICITY,
    }
)


@dataclass(frozen=True)
class MonitoringCase:
    id: CaseId | None
    household_id: HouseholdId
    source: CaseSource
    risk_types: tuple[str, ...]
    identified_on: dt.date
    situation: str = ""  # 情况说明: what happened, in the clerk's words
    identification_notice_id: NoticeId | None = None  # the 识别公示
    township_reviewed_on: dt.date | None = None  # 乡镇审核
    county_approved_on: dt.date | None = None  # 县级审定 (纳入监测)
    rejected_reason: str = ""  # 未纳入: why (set instead of the approval)
    stable_since: dt.date | None = None  # income above the line since (the clerk checks it)
    elimination_notice_id: NoticeId | None = None  # the 风险消除公示
    eliminated_on: dt.date | None = None  # 风险消除 approved: the case is closed
    relapse_of: CaseId | None = None  # a relapse: the earlier, closed case
    version: int = 0

    @property
    def status(self) -> CaseStatus:
        return case_status(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def case_status(case: MonitoringCase) -> CaseStatus:
    if case.rejected_reason:
        return CaseStatus.REJECTED
    if case.eliminated_on is not None:
        return CaseStatus.CLOSED
    if case.elimination_notice_id is not None:
        return CaseStatus.ELIMINATION_PUBLICITY
    if case.county_approved_on is not None:
        return CaseStatus.MONITORING
    if case.identification_notice_id is not None:
        return CaseStatus.IDENTIFICATION_PUBLICITY
    return CaseStatus.IDENTIFIED


@dataclass(frozen=True)
class Measure:
    """A 帮扶措施 of a case: what, from when, how much (元; None when it is not money)."""

    id: MeasureId | None
    case_id: CaseId
    kind: MeasureKind
    what: str
    started_on: dt.date
    amount: Decimal | None = None
    cancelled_reason: str = ""
    version: int = 0


@dataclass(frozen=True)
class Visit:
    """A 走访记录: date, who went, what was found, when to go next."""

    id: VisitId | None
    household_id: HouseholdId
    visited_on: dt.date
    visitor: str
    found: str
    next_on: dt.date | None = None
    cancelled_reason: str = ""
    version: int = 0


@dataclass(frozen=True)
class Benefit:
    """Money paid to a household (or one of its members): date, amount, source."""

    id: BenefitId | None
    household_id: HouseholdId
    kind: str
    paid_on: dt.date
    amount: Decimal
    source: str = ""  # 发放单位 / 资金来源
    person_id: PersonId | None = None
    note: str = ""
    cancelled_reason: str = ""  # entered by mistake: kept, not counted
    version: int = 0


# --- checks ---------------------------------------------------------------------------------------------


def case_problems(case: MonitoringCase, today: dt.date) -> list[FieldError]:
    problems: list[FieldError] = []
    if not case.risk_types:
        problems.append(FieldError("risk_types", "请至少选择一种风险类型。"))
    unknown = [r for r in case.risk_types if r not in RISK_TYPES]
    if unknown:
        problems.append(FieldError("risk_types", f"风险类型“{'、'.join(unknown)}”不在列表里，请重新选择。"))
    if case.identified_on > today:
        problems.append(FieldError("identified_on", "识别日期不能晚于今天，请检查日期。"))
    if case.township_reviewed_on is not None and case.township_reviewed_on < case.identified_on:
        problems.append(FieldError("township_reviewed_on", "乡镇审核日期不能早于识别日期。"))
    if case.county_approved_on is not None:
        if case.township_reviewed_on is None:
            problems.append(FieldError("township_reviewed_on", "请先填写乡镇审核日期，再填写县级审定日期。"))
        elif case.county_approved_on < case.township_reviewed_on:
            problems.append(FieldError("county_approved_on", "县级审定日期不能早于乡镇审核日期。"))
    if case.rejected_reason and case.county_approved_on is not None:
        problems.append(FieldError("rejected_reason", "已经审定纳入监测的户不能再标为未纳入。"))
    if case.eliminated_on is not None:
        if case.elimination_notice_id is None:
            problems.append(FieldError("eliminated_on", "风险消除要先经过公示，请先发布风险消除公示。"))
        if case.county_approved_on is not None and case.eliminated_on < case.county_approved_on:
            problems.append(FieldError("eliminated_on", "风险消除日期不能早于纳入监测的日期。"))
    if case.stable_since is not None and case.stable_since > today:
        problems.append(FieldError("stable_since", "收入稳定的起始日期不能晚于今天。"))
    return problems


def measure_problems(measure: Measure) -> list[FieldError]:
    problems: list[FieldError] = []
    if not measure.what.strip():
        problems.append(FieldError("what", "请写明帮扶措施的内容，例如“发放基础母羊5只”。"))
    if measure.amount is not None and measure.amount < 0:
        problems.append(FieldError("amount", "金额不能是负数。"))
    return problems


def visit_problems(visit: Visit, today: dt.date) -> list[FieldError]:
    problems: list[FieldError] = []
    if visit.visited_on > today:
        problems.append(FieldError("visited_on", "走访日期不能晚于今天。"))
    if not visit.visitor.strip():
        problems.append(FieldError("visitor", "请填写走访人。"))
    if not visit.found.strip():
        problems.append(FieldError("found", "请写明走访了解到的情况。"))
    if visit.next_on is not None and visit.next_on <= visit.visited_on:
        problems.append(FieldError("next_on", "下次走访日期应晚于这次走访日期。"))
    return problems


def benefit_problems(benefit: Benefit, kinds: Sequence[str] = BENEFIT_KINDS) -> list[FieldError]:
    problems: list[FieldError] = []
    if benefit.kind not in kinds:
        problems.append(FieldError("kind", f"补助类别“{benefit.kind}”不在列表里，请重新选择。"))
    if benefit.amount <= 0:
        problems.append(FieldError("amount", "发放金额应大于0。"))
    elif benefit.amount != benefit.amount.quantize(Decimal("0.01")):
        problems.append(FieldError("amount", "金额最多到分（两位小数）。"))
    return problems


# --- what is due -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitDue:
    household_id: HouseholdId
    last_visit: dt.date | None
    due_on: dt.date  # the planned next visit, or last visit + the interval
    days_overdue: int


def visit_due(
    household_id: HouseholdId,
    visits: Sequence[Visit],
    case_start: dt.date,
    today: dt.date,
    interval_days: int,
) -> VisitDue | None:
    """When the household under monitoring should have been visited, if that day has passed.

    The next visit is the one planned at the last visit, else the last visit
    (or the case's identification) plus ``interval_days``.
    """
    due = next_visit_on(visits, case_start, interval_days)
    if due >= today:
        return None
    last = _last_visit(visits)
    return VisitDue(household_id, last.visited_on if last else None, due, (today - due).days)


def next_visit_on(visits: Sequence[Visit], case_start: dt.date, interval_days: int) -> dt.date:
    """The day the next visit is due (``visit_due``'s rule), whether or not it has passed."""
    last = _last_visit(visits)
    if last is None:
        return case_start + dt.timedelta(days=interval_days)
    if last.next_on is not None:
        return last.next_on
    return last.visited_on + dt.timedelta(days=interval_days)


def _last_visit(visits: Sequence[Visit]) -> Visit | None:
    return max((v for v in visits if not v.cancelled_reason), key=lambda v: v.visited_on, default=None)


def benefit_totals(benefits: Sequence[Benefit]) -> dict[tuple[int, str], Decimal]:
    """(year, kind) → total paid, leaving out cancelled entries."""
    totals: dict[tuple[int, str], Decimal] = {}
    for b in benefits:
        if b.cancelled_reason:
            continue
        key = (b.paid_on.year, b.kind)
        totals[key] = totals.get(key, Decimal(0)) + b.amount
    return totals
