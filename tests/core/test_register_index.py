"""The register index: a household's line (members, income, risks, case, next visit, search text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from village_desk.cases import CaseId, CaseSource, MonitoringCase, Visit, VisitId
from village_desk.codes import resident_id_check_char
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.monitoring import Health, HousingLevel, MonitoringSettings, SchoolStage, SignalKind
from village_desk.notices import Notice, NoticeCategory, NoticeId, NoticeKind, NoticeStatus
from village_desk.pinyin import like_pattern
from village_desk.register import (
    HouseholdFile,
    IncomeRecord,
    Member,
    RegisterSettings,
    Resident,
    ResidentStatus,
)
from village_desk.register_index import (
    case_next_step,
    current_case,
    household_facts,
    id_number_warning,
    months_between,
    register_line,
    search_text,
)
from village_desk.roster import Household, Person

D = dt.date
TODAY = D(2026, 11, 28)
BORN = D(1980, 5, 1)
IDENTIFIED = D(2026, 9, 1)
PERIOD_END = D(2026, 11, 20)
H = HouseholdId(7)
HOUSEHOLD = Household(id=H, number="03012", head_name="张三", group_id=GroupId(3))
SETTINGS = RegisterSettings(
    monitoring=MonitoringSettings(lines=((2021, Decimal(6000)), (2025, Decimal(7000)))),
    visit_interval_days=30,
)


def id_number(birth: dt.date, seq: str = "011", area: str = "150525") -> str:
    first = f"{area}{birth:%Y%m%d}{seq}"
    return first + resident_id_check_char(first)


def member(
    pid: int,
    name: str,
    birth: dt.date | None = BORN,
    *,
    phone: str = "",
    household: HouseholdId = H,
    **resident: object,
) -> Member:
    person = Person(id=PersonId(pid), name=name, id_number=id_number(birth) if birth else "", phone=phone)
    return Member(person, Resident(PersonId(pid), household, **resident))  # type: ignore[arg-type]


HEAD = member(1, "张三", phone="13904751234")
SPOUSE = member(2, "曾丽", D(1982, 3, 9), relation="配偶")
CHILD = member(3, "张小宝", D(2016, 9, 1), relation="子", school_stage=SchoolStage.PRIMARY)
LEFT = member(
    4, "张老四", D(1950, 1, 1), relation="父亲", status=ResidentStatus.DECEASED, status_on=D(2025, 1, 1)
)
FAMILY = (HEAD, SPOUSE, CHILD, LEFT)
FILE = HouseholdFile(
    H, category="脱贫户", housing_level=HousingLevel.B, safe_water=True, phone="0475-8123456"
)


def income(year: int, wages: str, **parts: str) -> IncomeRecord:
    return IncomeRecord(H, year, wages=Decimal(wages), **{k: Decimal(v) for k, v in parts.items()})  # type: ignore[arg-type]


def case(cid: int = 1, identified_on: dt.date = IDENTIFIED, **changes: object) -> MonitoringCase:
    return MonitoringCase(
        id=CaseId(cid),
        household_id=H,
        source=CaseSource.SURVEY,
        risk_types=("因病",),
        identified_on=identified_on,
        **changes,  # type: ignore[arg-type]
    )


def visit(on: dt.date, next_on: dt.date | None = None, cancelled: str = "") -> Visit:
    return Visit(VisitId(1), H, on, "王干部", "情况稳定", next_on=next_on, cancelled_reason=cancelled)


def line(**changes: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "household": HOUSEHOLD,
        "file": FILE,
        "group_name": "第三村民小组",
        "members": FAMILY,
        "incomes": (income(2024, "60000"), income(2025, "45000")),
        "cases": (),
        "visits": (),
        "settings": SETTINGS,
        "today": TODAY,
    }
    args.update(changes)
    return register_line(**args)  # type: ignore[arg-type]


# --- ID numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "warned"),
    [
        ("150525198001010010", False),  # 内蒙古
        ("11010519491231002X", False),  # 北京
        (id_number(D(1990, 1, 1), area="830000"), False),  # 台湾居民居住证
        (id_number(D(1990, 1, 1), area="990101"), True),
        (id_number(D(1990, 1, 1), area="000000"), True),
        ("", False),
    ],
)
def test_an_unknown_province_is_only_a_warning(number: str, warned: bool) -> None:
    warning = id_number_warning(number)
    assert (warning is not None) == warned
    if warned:
        assert number[:2] in (warning or "") and "可以照常保存" in (warning or "")


# --- facts ----------------------------------------------------------------------------------------------


def test_facts_see_only_members_still_in_with_birth_dates_from_their_id_numbers() -> None:
    facts = household_facts(FAMILY, (income(2025, "45000"),), FILE, 2, D(2026, 2, 1), TODAY)
    assert [m.name for m in facts.members] == ["张三", "曾丽", "张小宝"]
    assert facts.members[2].birth_date == D(2016, 9, 1) and facts.members[2].in_school
    assert not facts.members[0].in_school
    assert facts.per_person(2025) == Decimal("15000.00")
    assert facts.housing is HousingLevel.B and facts.safe_water is True
    assert facts.assistance_count == 2
    assert facts.months_above_line == 9  # 2026-02-01 → 2026-11-28
    assert household_facts(FAMILY, (), FILE, 0, None, TODAY).months_above_line == 0
    nameless = member(9, "无证", None)
    assert household_facts((nameless,), (), FILE, 0, None, TODAY).members[0].birth_date is None


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2026, 1, 31), D(2026, 2, 28), 0),
        (D(2026, 1, 15), D(2026, 7, 15), 6),
        (D(2026, 1, 15), D(2026, 7, 14), 5),
        (D(2026, 5, 1), D(2026, 1, 1), 0),
    ],
)
def test_months_between(start: dt.date, end: dt.date, months: int) -> None:
    assert months_between(start, end) == months


# --- the line --------------------------------------------------------------------------------------------


def test_a_line_counts_members_in_and_takes_the_latest_income_year() -> None:
    got = line()
    assert (got.household_id, got.number, got.group_name, got.head_name) == (
        H,
        "03012",
        "第三村民小组",
        "张三",
    )
    assert got.members == 3
    assert got.income_year == 2025 and got.per_person == Decimal("15000.00")
    assert got.risks == ()
    assert got.case_status == "" and got.next_visit is None and not got.closed
    assert got.category == "脱贫户" and got.phone == "0475-8123456"


@pytest.mark.parametrize(
    ("changes", "risks"),
    [
        ({"incomes": (income(2025, "18000"),)}, (SignalKind.BELOW_LINE,)),  # 6000/人 < 7000
        ({"incomes": (income(2024, "60000"), income(2025, "30000"))}, (SignalKind.INCOME_DROP,)),
        ({"file": replace(FILE, housing_level=HousingLevel.D)}, (SignalKind.HOUSING,)),
        ({"file": replace(FILE, safe_water=False)}, (SignalKind.WATER,)),
        (
            {"members": (HEAD, SPOUSE, replace(CHILD, resident=replace(CHILD.resident, school_stage=None)))},
            (SignalKind.SCHOOL,),
        ),
        (
            {"members": (HEAD, replace(SPOUSE, resident=replace(SPOUSE.resident, health=Health.SERIOUS)))},
            (SignalKind.ILLNESS_UNASSISTED,),
        ),
        (
            {
                "members": (HEAD, replace(SPOUSE, resident=replace(SPOUSE.resident, health=Health.SERIOUS))),
                "assistance": 1,
            },
            (),
        ),
        # A member who left is not looked at (the deceased father had no insurance).
        (
            {"members": (HEAD, replace(LEFT, resident=replace(LEFT.resident, medical_insurance=False)))},
            (),
        ),
    ],
)
def test_a_line_carries_the_kinds_of_risk_signal(
    changes: dict[str, object], risks: tuple[SignalKind, ...]
) -> None:
    assert line(**changes).risks == tuple(r.value for r in risks)


def test_without_income_there_are_no_income_signals_but_the_others_remain() -> None:
    got = line(incomes=(), file=replace(FILE, safe_water=False))
    assert got.income_year is None and got.per_person is None
    assert got.risks == (SignalKind.WATER.value,)


def test_a_closed_household_shows_no_risks_and_no_visit() -> None:
    closed = replace(HOUSEHOLD, closed_reason="合户到03001户")
    got = line(
        household=closed,
        file=replace(FILE, housing_level=HousingLevel.D),
        cases=(case(),),
    )
    assert got.closed and got.risks == () and got.next_visit is None
    assert got.case_status == "已识别"


def test_the_open_case_wins_over_a_later_closed_one_and_gives_the_next_visit() -> None:
    closed = case(1, D(2026, 10, 1), eliminated_on=D(2026, 11, 1), elimination_notice_id=NoticeId(3))
    running = case(2, D(2026, 9, 1))
    assert current_case((closed, running)) == running
    assert current_case((closed,)) == closed
    assert current_case(()) is None
    got = line(cases=(closed, running))
    assert got.case_status == "已识别"
    assert got.next_visit == D(2026, 10, 1)  # identified + 30 days


@pytest.mark.parametrize(
    ("visits", "due"),
    [
        ((), D(2026, 10, 1)),
        ((visit(D(2026, 10, 20)),), D(2026, 11, 19)),
        ((visit(D(2026, 10, 20), next_on=D(2026, 12, 5)),), D(2026, 12, 5)),
        ((visit(D(2026, 10, 20), cancelled="登记有误"),), D(2026, 10, 1)),
        ((visit(D(2026, 8, 1)),), D(2026, 10, 1)),  # before the case: not counted
    ],
)
def test_next_visit_of_a_household_under_monitoring(visits: tuple[Visit, ...], due: dt.date) -> None:
    assert line(cases=(case(),), visits=visits).next_visit == due


def test_a_closed_case_has_no_visit_due() -> None:
    closed = case(eliminated_on=D(2026, 11, 1), elimination_notice_id=NoticeId(3))
    got = line(cases=(closed,))
    assert got.case_status == "已消除风险" and got.next_visit is None


def test_the_phone_falls_back_to_the_heads() -> None:
    assert line(file=replace(FILE, phone="")).phone == "13904751234"


# --- search ----------------------------------------------------------------------------------------------


def found(query: str, text: str) -> bool:
    """What ``search LIKE like_pattern(query)`` does (no % or _ typed in these queries)."""
    return like_pattern(query).strip("%") in text


@pytest.mark.parametrize(
    ("query", "hit"),
    [
        ("03012", True),  # 户号
        ("张三", True),
        ("zhangsan", True),
        ("zs", True),
        ("zl", True),  # 曾丽 as a surname reads zeng
        ("zengli", True),
        ("cengli", False),
        ("zxb", True),
        (HEAD.person.id_number, True),
        (HEAD.person.id_number.lower(), True),
        ("13904751234", True),
        ("0475-8123456", True),  # the file's phone, as typed
        ("04758123456", True),
        ("张老四", False),  # left: not found under this household
        ("zs1505", False),  # never across two fields
        ("1234zl", False),
    ],
)
def test_search_text_finds_members_in_by_every_key(query: str, hit: bool) -> None:
    text = search_text(HOUSEHOLD, FILE, FAMILY)
    assert found(query, text) == hit
    assert text == text.lower()


def test_an_id_number_with_x_is_found_by_either_case() -> None:
    person = Person(PersonId(5), "李秀英", gender="女", id_number="11010519491231002X")
    text = search_text(HOUSEHOLD, FILE, (Member(person, Resident(PersonId(5), H)),))
    assert found("11010519491231002X", text) and found("11010519491231002x", text)


def test_members_who_moved_to_another_household_are_not_searched_here() -> None:
    moved = member(8, "王五", household=HouseholdId(99))
    assert not found("王五", search_text(HOUSEHOLD, FILE, (HEAD, moved)))


# --- next step of a case ------------------------------------------------------------------------------------


def notice(status: NoticeStatus, end: dt.date = PERIOD_END) -> Notice:
    return Notice(
        id=NoticeId(1),
        category=NoticeCategory.VILLAGE,
        kind=NoticeKind.PUBLICITY,
        title="公示",
        status=status,
        period_start=end - dt.timedelta(days=4),
        period_end=end,
    )


ISSUED = NoticeStatus.ISSUED


@pytest.mark.parametrize(
    ("changes", "ident", "elim", "measures", "problems", "step"),
    [
        ({}, None, None, 0, (), "生成并发布识别公示"),
        ({"identification_notice_id": NoticeId(1)}, notice(NoticeStatus.DRAFT), None, 0, (), "发布识别公示（草稿已生成）"),
        ({"identification_notice_id": NoticeId(1)}, notice(ISSUED, D(2026, 12, 1)), None, 0, (), "识别公示中，2026年12月1日期满"),
        ({"identification_notice_id": NoticeId(1)}, notice(ISSUED), None, 0, (), "公示期满，填写乡镇审核和县级审定日期"),
        ({"identification_notice_id": NoticeId(1)}, notice(NoticeStatus.CANCELLED), None, 0, (), "重新生成识别公示"),
        ({"county_approved_on": D(2026, 10, 1)}, None, None, 0, ("x",), "登记帮扶措施"),
        ({"county_approved_on": D(2026, 10, 1)}, None, None, 2, ("x",), "继续帮扶，风险消除条件还不满足"),
        ({"county_approved_on": D(2026, 10, 1)}, None, None, 2, (), "可以生成风险消除公示"),
        ({"elimination_notice_id": NoticeId(2)}, None, notice(ISSUED), 2, (), "公示期满，标注风险消除"),
        ({"elimination_notice_id": NoticeId(2)}, None, notice(NoticeStatus.DRAFT), 2, (), "发布风险消除公示（草稿已生成）"),
    ],
)  # fmt: skip
def test_the_next_step_of_an_open_case(
    changes: dict[str, object],
    ident: Notice | None,
    elim: Notice | None,
    measures: int,
    problems: tuple[str, ...],
    step: str,
) -> None:
    made = case(**changes)  # type: ignore[arg-type]
    assert case_next_step(made, ident, elim, measures, problems, TODAY) == step
