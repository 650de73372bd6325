"""The register index: one ``RegisterLine`` per household, computed from its records (issue 5).

The table of 农户档案 shows and searches these lines, so they are kept beside
the records and rewritten, in the same transaction, whenever a household's
records change (``services.register``). Everything here is a pure function of
records already read: the service does the reading.

- ``household_facts``: the snapshot the monitoring rules read
  (``monitoring.HouseholdFacts``) from the members still in, the incomes and the file;
- ``register_line``: the line itself — members in, the latest income year and
  income per person, the kinds of risk signal now, the latest case's status, the
  next visit due for a household under monitoring, and the search text;
- ``search_text``: what the search box looks in (户号, and for every member still
  in: name with its pinyin keys, ID number, phone; the household's phone), each
  form normalized like a query and joined by ``pinyin.FORM_SEPARATOR``, which a
  query never contains, so a match can never run across two fields;
- ``id_number_warning``: an area code whose province does not exist is only a warning;
- ``case_next_step``: what is due next for an open case, for the 监测预警 page.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from village_desk.cases import (
    OPEN_STATUSES,
    CaseStatus,
    Measure,
    MonitoringCase,
    Visit,
    next_visit_on,
)
from village_desk.codes import normalize_code, resident_id_birth_date
from village_desk.ids import HouseholdId
from village_desk.monitoring import HouseholdFacts, MemberFacts, risk_signals
from village_desk.notices import Notice, NoticeStatus, chinese_date
from village_desk.pinyin import FORM_SEPARATOR, name_keys, normalize_query
from village_desk.register import (
    HouseholdFile,
    IncomeRecord,
    Member,
    RegisterLine,
    RegisterSettings,
)
from village_desk.roster import Household

# The first two digits of a 身份证号码: provinces, autonomous regions and municipalities
# (GB/T 2260), and 71/81/82/83 (台湾, 香港, 澳门 and the residence permits of their residents).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip


def id_number_warning(number: str) -> str | None:
    """A warning (never an error) for an ID number whose first two digits name no province."""
    number = normalize_code(number)
    if len(number) < 2 or not number[:2].isdigit() or number[:2] in PROVINCE_CODES:
        return None
    return (
        f"身份证号码前两位“{number[:2]}”不是已知的省级地区代码，请对照身份证核对；"
        "如果证件上确实如此，可以照常保存。"
    )


def members_in(household_id: HouseholdId | None, members: Sequence[Member]) -> list[Member]:
    """The members still in (在籍) the household, in the order given."""
    return [m for m in members if m.resident.is_in and m.resident.household_id == household_id]


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


def household_facts(
    members: Sequence[Member],
    incomes: Sequence[IncomeRecord],
    file: HouseholdFile,
    assistance: int,
    stable_since: dt.date | None,
    today: dt.date,
) -> HouseholdFacts:
    """The monitoring rules' snapshot of a household on ``today``.

    ``members``: the members still in (pass ``members_in(...)``; those who left are dropped
    here too). A birth date comes from a valid ID number, else it is unknown. ``assistance``:
    how many assistance measures (and benefits, for the signal) are recorded.
    ``stable_since``: the case's date since which income is stably above the line.
    """
    facts = tuple(
        MemberFacts(
            name=m.person.name,
            birth_date=_birth_date(m.person.id_number),
            in_school=m.resident.school_stage is not None,
            has_medical_insurance=m.resident.medical_insurance,
            health=m.resident.health,
            labour=m.resident.labour,
        )
        for m in members
        if m.resident.is_in
    )
    return HouseholdFacts(
        members=facts,
        incomes=tuple(i.as_income_year() for i in sorted(incomes, key=lambda i: i.year)),
        housing=file.housing_level,
        safe_water=file.safe_water,
        assistance_count=assistance,
        months_above_line=months_between(stable_since, today) if stable_since is not None else 0,
        as_of=today,
    )


def latest_income_year(incomes: Sequence[IncomeRecord]) -> int | None:
    return max((i.year for i in incomes), default=None)


def current_case(cases: Sequence[MonitoringCase]) -> MonitoringCase | None:
    """The household's open case if it has one, else its latest case (by identification date)."""
    open_cases = [c for c in cases if c.is_open]
    pool = open_cases or list(cases)
    return max(pool, key=lambda c: (c.identified_on, c.id or 0), default=None)


def case_visits(case: MonitoringCase, visits: Sequence[Visit]) -> list[Visit]:
    """The visits that count for ``case``: those of its household since it was identified."""
    return [v for v in visits if v.household_id == case.household_id and v.visited_on >= case.identified_on]


def next_visit(case: MonitoringCase | None, visits: Sequence[Visit], interval_days: int) -> dt.date | None:
    """When the next visit is due, for a household with an open case; None otherwise."""
    if case is None or not case.is_open:
        return None
    return next_visit_on(case_visits(case, visits), case.identified_on, interval_days)


def assistance_count(measures: Sequence[Measure], benefits_paid: int = 0) -> int:
    """Assistance recorded for a household: its measures not cancelled, and the benefits paid."""
    return sum(1 for m in measures if not m.cancelled_reason) + benefits_paid


def search_text(household: Household, file: HouseholdFile, members: Sequence[Member]) -> str:
    """户号, and for each member still in: name and its pinyin forms, ID number, phone; the file's phone.

    A household with nobody in it yet (entered on the roster before the register) is found by its
    head's name as the roster has it."""
    forms: list[str] = [normalize_query(household.number)]
    inside = members_in(household.id, members)
    if not inside and household.head_name:
        forms.extend(_name_forms(household.head_name))
    for member in inside:
        forms.extend(_name_forms(member.person.name))
        forms.append(normalize_query(member.person.id_number))
        forms.append(normalize_query(member.person.phone))
    forms.append(normalize_query(file.phone))
    return FORM_SEPARATOR.join(dict.fromkeys(form for form in forms if form))


@functools.lru_cache(maxsize=1 << 16)
def _name_forms(name: str) -> tuple[str, ...]:
    """The name's search forms (already normalized): names repeat, and reindexing a township
    computes tens of thousands of them."""
    return tuple(name_keys(name).search.split(FORM_SEPARATOR))


def register_line(
    household: Household,
    file: HouseholdFile,
    group_name: str,
    members: Sequence[Member],
    incomes: Sequence[IncomeRecord],
    cases: Sequence[MonitoringCase],
    visits: Sequence[Visit],
    settings: RegisterSettings,
    today: dt.date,
    assistance: int = 0,
) -> RegisterLine:
    """The household's line of the register index on ``today``.

    ``members``: every member record of the household (those who left are not
    counted nor searched); ``assistance``: see ``assistance_count``. A closed
    household (合户, 全户迁出) shows no risks and no visit due.
    """
    assert household.id is not None
    inside = members_in(household.id, members)
    closed = bool(household.closed_reason)
    case = current_case(cases)
    year = latest_income_year(incomes)
    facts = household_facts(
        inside, incomes, file, assistance, case.stable_since if case is not None else None, today
    )
    reasons: dict[str, str] = {}  # kind → its reason (the first, should a kind come twice)
    if not closed:
        for signal in risk_signals(facts, settings.monitoring, year if year is not None else today.year):
            reasons.setdefault(signal.kind.value, signal.reason)
    return RegisterLine(
        household_id=household.id,
        number=household.number,
        group_id=household.group_id,
        group_name=group_name,
        # The head's name as the roster has it now (a rename there reaches the table on the next refresh).
        head_name=_head_name(inside) or household.head_name,
        category=file.category,
        members=len(inside),
        per_person=facts.per_person(year) if year is not None else None,
        income_year=year,
        risks=tuple(reasons),
        risk_reasons=tuple(reasons.values()),
        computed_on=today,
        case_status=case.status.value if case is not None else "",
        phone=file.phone or _head_phone(inside),
        helper_name=file.helper_name,
        sheep=file.sheep,
        cattle=file.cattle,
        land=file.land_contracted,
        beet_area=file.beet_area,
        next_visit=None if closed else next_visit(case, visits, settings.visit_interval_days),
        address=file.address,
        closed=closed,
        search=search_text(household, file, members),
    )


def case_next_step(
    case: MonitoringCase,
    identification: Notice | None,
    elimination: Notice | None,
    measures: int,
    closure_problems: Sequence[str],
    today: dt.date,
) -> str:
    """What is due next for an open case, in a few words for the 监测预警 page.

    ``identification``/``elimination``: the linked notices (None when not linked);
    ``measures``: its measures not cancelled; ``closure_problems``: the 风险消除 rules that fail.
    """
    status = case.status
    if status is CaseStatus.IDENTIFIED:
        return "生成并发布识别公示"
    if status is CaseStatus.IDENTIFICATION_PUBLICITY:
        return _publicity_step(identification, "识别公示", "填写乡镇审核和县级审定日期", today)
    if status is CaseStatus.MONITORING:
        if measures == 0:
            return "登记帮扶措施"
        if closure_problems:
            return "继续帮扶，风险消除条件还不满足"
        return "可以生成风险消除公示"
    if status is CaseStatus.ELIMINATION_PUBLICITY:
        return _publicity_step(elimination, "风险消除公示", "标注风险消除", today)
    assert status not in OPEN_STATUSES
    return ""


def _publicity_step(notice: Notice | None, what: str, after: str, today: dt.date) -> str:
    if notice is None or notice.status is NoticeStatus.CANCELLED:
        return f"重新生成{what}"
    if not notice.is_issued:
        return f"发布{what}（草稿已生成）"
    if notice.period_end is not None and today <= notice.period_end:
        return f"{what}中，{chinese_date(notice.period_end)}期满"
    return f"公示期满，{after}"


def _birth_date(id_number: str) -> dt.date | None:
    """The birth date in an 18-digit ID number (checked when it was saved; a bad date gives None)."""
    number = normalize_code(id_number)
    return resident_id_birth_date(number) if len(number) == 18 else None


def _head_name(members: Sequence[Member]) -> str:
    return next((m.person.name for m in members if m.resident.relation == "户主"), "")


def _head_phone(members: Sequence[Member]) -> str:
    for member in members:
        if member.resident.relation == "户主" and member.person.phone:
            return member.person.phone
    return ""
