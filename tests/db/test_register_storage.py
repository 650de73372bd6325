"""The register's storage (农户档案 and 防返贫监测) on SQLite and PostgreSQL.

Every record comes back exactly as saved (money to the 分), a stale version
or a second "new" record is refused, each save is logged field by field in
Chinese, the index is filtered, counted, sorted and sliced in SQL, the
plan's figures are summed in SQL, a household's history is found by its
records, and a bulk import writes one log entry that keeps the chain whole.
Nothing can be deleted: there is no method for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from db import SqlStorage
from db.storage import SqlTransaction
from village_desk.accounts import MACHINE, Actor, Role
from village_desk.audit import AuditAction, AuditEntry, AuditFilter, verify_chain
from village_desk.cases import (
    Benefit,
    CaseSource,
    CaseStatus,
    Measure,
    MeasureKind,
    MonitoringCase,
    Visit,
)
from village_desk.errors import ConflictError, NotFoundError, ValidationError
from village_desk.ids import GroupId, HouseholdId, PersonId, UserId
from village_desk.monitoring import Health, HousingLevel, Labour, MonitoringSettings, SchoolStage
from village_desk.pinyin import name_keys
from village_desk.register import (
    OPEN_CASE,
    POOR_CATEGORIES,
    DisabilityCategory,
    Education,
    HouseholdFile,
    IncomeRecord,
    IndicatorTargets,
    Loan,
    Member,
    RegisterColumn,
    RegisterFilter,
    RegisterImport,
    RegisterLine,
    RegisterSettings,
    Resident,
    ResidentStatus,
)
from village_desk.roster import Household, Person
from village_desk.storage import Transaction
from village_desk.village import VillageGroup

pytestmark = pytest.mark.storage

CLERK = Actor(UserId(2), "wenshu", "赵文书", frozenset({Role.CLERK}))


def _household(tx: SqlTransaction, number: str, head: str, group: GroupId | None = None) -> Household:
    return tx.save_household(Household(id=None, number=number, head_name=head, group_id=group))


def _person(tx: SqlTransaction, name: str, id_number: str = "") -> Person:
    return tx.save_person(Person(id=None, name=name, id_number=id_number))


def _last(tx: SqlTransaction, record_type: str) -> AuditEntry:
    return tx.audit_entries(AuditFilter(record_type=record_type), limit=1)[0]


def _changes(entry: AuditEntry) -> dict[str, tuple[str, str]]:
    return {c.label: (c.old, c.new) for c in entry.changes}


@pytest.fixture
def household(storage: SqlStorage) -> Household:
    with storage.transaction(CLERK) as tx:
        return _household(tx, "0101", "王建国")


FULL_FILE = HouseholdFile(
    household_id=HouseholdId(0),
    address="小大歹村一组12号",
    phone="13904751234",
    category="脱贫户",
    helper_name="孙立",
    bank_name="农商银行",
    bank_account="6228480012345678",
    housing_structure="砖混",
    housing_area=Decimal("85.5"),
    housing_level=HousingLevel.C,
    housing_appraised_year=2025,
    housing_renovated="2026年维修加固",
    safe_water=False,
    land_contracted=Decimal("32.25"),
    land_out=Decimal("5"),
    land_in=Decimal("0.75"),
    ewes=60,
    cows=5,
    fattening_sheep=20,
    fattening_cattle=2,
    sheep_sold=15,
    cattle_sold=1,
    beet_area=Decimal("12.5"),
    other_crops="玉米20亩",
    loans=(
        Loan("扶贫小额信贷", Decimal("50000"), "农商银行", dt.date(2027, 6, 30)),
        Loan("信用贷款", Decimal("12345.67"), "邮储银行"),
    ),
    note="2026年新建羊舍",
)


class TestHouseholdFile:
    def test_round_trips_exactly_and_is_logged_under_the_household(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        file = dataclasses.replace(FULL_FILE, household_id=household.id)
        with storage.transaction(CLERK) as tx:
            saved = tx.save_household_file(file)
        with storage.transaction() as tx:
            read = tx.get_household_file(household.id)
            entry = _last(tx, "农户档案")
        assert saved == read == dataclasses.replace(file, version=1)
        assert read is not None and read.land_farmed == Decimal("28.00") and read.sheep == 80
        assert (entry.action, entry.record_id, entry.summary) == ("新建", household.id, "0101 王建国")
        changes = _changes(entry)
        assert changes["户类别"] == ("", "脱贫户")
        assert changes["承包地（亩）"] == ("", "32.25")
        assert changes["贷款"] == (
            "",
            "扶贫小额信贷50000元（农商银行，2027-06-30到期）；信用贷款12345.67元（邮储银行）",
        )
        assert changes["饮水安全"] == ("", "否")

    def test_an_update_logs_only_what_changed(self, storage: SqlStorage, household: Household) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            saved = tx.save_household_file(HouseholdFile(household.id, category="一般户", ewes=3))
        with storage.transaction(CLERK) as tx:
            again = tx.save_household_file(
                dataclasses.replace(saved, category="脱贫户", land_contracted=Decimal("10.5"))
            )
            entry = _last(tx, "农户档案")
        assert again.version == 2
        assert (entry.action, _changes(entry)) == (
            "修改",
            {"户类别": ("一般户", "脱贫户"), "承包地（亩）": ("0.00", "10.50")},
        )

    def test_a_second_new_file_and_a_stale_version_are_refused(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            first = tx.save_household_file(HouseholdFile(household.id))
        with storage.transaction(CLERK) as tx, pytest.raises(ConflictError) as caught:
            tx.save_household_file(HouseholdFile(household.id, category="低保户"))
        assert "农户档案" in caught.value.message and "赵文书" in caught.value.message
        with storage.transaction(CLERK) as tx:
            tx.save_household_file(dataclasses.replace(first, note="第一次"))
        with storage.transaction(CLERK) as tx, pytest.raises(ConflictError):
            tx.save_household_file(dataclasses.replace(first, note="用旧版本改"))
        with storage.transaction() as tx:
            stored = tx.get_household_file(household.id)
        assert stored is not None and (stored.note, stored.version) == ("第一次", 2)

    def test_a_file_of_an_unknown_household_is_not_found(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx, pytest.raises(NotFoundError):
            tx.save_household_file(HouseholdFile(HouseholdId(999)))

    def test_areas_keep_hundredths(self, storage: SqlStorage, household: Household) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            saved = tx.save_household_file(HouseholdFile(household.id, land_contracted=Decimal("7.125")))
        assert saved.land_contracted == Decimal("7.13")

    def test_all_files_in_household_order(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx:
            ids = [HouseholdId(_household(tx, n, h).id or 0) for n, h in (("2", "乙"), ("1", "甲"))]
            for household_id in reversed(ids):
                tx.save_household_file(HouseholdFile(household_id))
        with storage.transaction() as tx:
            assert [f.household_id for f in tx.list_household_files()] == sorted(ids)


class TestResidents:
    def test_round_trip_and_every_member_in_registration_order(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            head = _person(tx, "王建国", "150523197003150012")
            son = _person(tx, "王小明")
            assert head.id is not None and son.id is not None
            full = Resident(
                person_id=son.id,
                household_id=household.id,
                relation="子",
                education=Education.SENIOR,
                school_stage=SchoolStage.SENIOR,
                health=Health.DISABLED,
                illness="",
                disability_category=DisabilityCategory.HEARING,
                disability_grade=2,
                disability_card="15052320080101001242",
                labour=Labour.WEAK,
                work_place="通辽",
                work_months=3,
                medical_insurance=False,
                pension_insurance=True,
                status=ResidentStatus.STUDYING_AWAY,
                status_on=dt.date(2026, 9, 1),
                status_reason="考上大学",
                joined_on=dt.date(2008, 1, 1),
            )
            tx.save_resident(full)
            tx.save_resident(Resident(head.id, household.id))
        with storage.transaction() as tx:
            members = tx.list_residents(household.id)
            everyone = tx.list_residents()
            entry = _last(tx, "家庭成员")
            assert tx.get_resident(PersonId(999)) is None
        assert [m.person_id for m in members] == [head.id, son.id] == [m.person_id for m in everyone]
        assert members[1] == dataclasses.replace(full, version=1)
        assert (entry.record_id, entry.summary) == (head.id, "王建国（0101户）")
        assert _changes(entry)["所属农户"] == ("", "0101 王建国")

    def test_a_move_to_another_household_shows_both_households(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            new = _household(tx, "0102", "王小明")
            son = _person(tx, "王小明")
            assert son.id is not None and new.id is not None
            saved = tx.save_resident(Resident(son.id, household.id, relation="子"))
        with storage.transaction(CLERK) as tx:
            moved = tx.save_resident(
                dataclasses.replace(
                    saved, household_id=new.id, relation="户主", joined_on=dt.date(2026, 5, 1)
                )
            )
            entry = _last(tx, "家庭成员")
        with storage.transaction() as tx:
            assert tx.list_residents(household.id) == []
            assert tx.list_residents(new.id) == [moved]
        assert _changes(entry) == {
            "与户主关系": ("子", "户主"),
            "所属农户": ("0101 王建国", "0102 王小明"),
            "入户日期": ("", "2026-05-01"),
        }

    def test_one_record_per_person(self, storage: SqlStorage, household: Household) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            person = _person(tx, "李秀英")
            assert person.id is not None
            tx.save_resident(Resident(person.id, household.id))
        with storage.transaction(CLERK) as tx, pytest.raises(ConflictError):
            tx.save_resident(Resident(person.id, household.id, relation="配偶"))


class TestIncome:
    def test_round_trips_to_the_cent_one_per_year(self, storage: SqlStorage, household: Household) -> None:
        assert household.id is not None
        income = IncomeRecord(
            household.id,
            2025,
            wages=Decimal("24000"),
            business=Decimal("18500.5"),
            assets=Decimal("0.01"),
            transfer=Decimal("3600.99"),
            production_costs=Decimal("5000"),
            medical_costs=Decimal("1200.10"),
            note="务工为主",
        )
        with storage.transaction(CLERK) as tx:
            tx.save_income(dataclasses.replace(income, year=2024))
            saved = tx.save_income(income)
        with storage.transaction() as tx:
            read = tx.list_incomes(household.id)
            entry = _last(tx, "收入")
        assert saved == read[1] == dataclasses.replace(income, version=1)
        assert [i.year for i in read] == [2024, 2025]
        assert read[1].as_income_year().net == Decimal("41101.50")
        assert (entry.record_id, entry.summary) == (household.id, "0101 王建国 2025年")
        assert _changes(entry)["经营性收入（元）"] == ("", "18500.50")

        with storage.transaction(CLERK) as tx, pytest.raises(ConflictError):
            tx.save_income(IncomeRecord(household.id, 2025))
        with storage.transaction(CLERK) as tx:
            updated = tx.save_income(dataclasses.replace(saved, wages=Decimal("25000")))
        with storage.transaction(CLERK) as tx, pytest.raises(ConflictError):
            tx.save_income(dataclasses.replace(saved, wages=Decimal("1")))
        assert updated.version == 2
        with storage.transaction(CLERK) as tx, pytest.raises(NotFoundError):
            tx.save_income(IncomeRecord(household.id, 2023, version=1))

    def test_an_amount_finer_than_a_cent_is_refused(self, storage: SqlStorage, household: Household) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx, pytest.raises(ValidationError) as caught:
            tx.save_income(IncomeRecord(household.id, 2025, wages=Decimal("100.005")))
        assert caught.value.errors[0].field == "wages"
        assert "工资性收入最多到分" in caught.value.errors[0].message
        with storage.transaction() as tx:
            assert tx.list_incomes() == []


class TestMonitoring:
    def test_cases_measures_visits_and_benefits_round_trip(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            other = _household(tx, "0102", "李秀英")
            person = _person(tx, "王小明")
            assert other.id is not None and person.id is not None
            notice_free = MonitoringCase(
                id=None,
                household_id=household.id,
                source=CaseSource.SURVEY,
                risk_types=("因病", "缺劳动力"),
                identified_on=dt.date(2026, 6, 10),
                situation="户主残疾。",
                township_reviewed_on=dt.date(2026, 6, 20),
                county_approved_on=dt.date(2026, 6, 30),
                stable_since=dt.date(2026, 7, 1),
            )
            case = tx.save_case(notice_free)
            assert case.id is not None
            relapse = tx.save_case(
                MonitoringCase(
                    None, other.id, CaseSource.APPLIED, ("因灾",), dt.date(2026, 7, 1), relapse_of=case.id
                )
            )
            measure = tx.save_measure(
                Measure(
                    None,
                    case.id,
                    MeasureKind.INDUSTRY,
                    "发放基础母羊5只",
                    dt.date(2026, 7, 15),
                    Decimal("7500"),
                )
            )
            no_money = tx.save_measure(
                Measure(None, case.id, MeasureKind.HEALTH, "办理门诊卡", dt.date(2026, 7, 1))
            )
            visit = tx.save_visit(
                Visit(None, household.id, dt.date(2026, 7, 20), "孙立", "母羊已到户。", dt.date(2026, 8, 20))
            )
            tx.save_visit(Visit(None, other.id, dt.date(2026, 7, 21), "孙立", "受灾情况已核实。"))
            benefit = tx.save_benefit(
                Benefit(
                    None,
                    household.id,
                    "雨露计划",
                    dt.date(2026, 9, 10),
                    Decimal("1500"),
                    "旗乡村振兴局",
                    person.id,
                    "第一学期",
                )
            )
            tx.save_benefit(Benefit(None, other.id, "临时救助", dt.date(2026, 8, 1), Decimal("0.01")))
        with storage.transaction() as tx:
            assert tx.list_cases(household.id) == [case] == [tx.get_case(case.id)]
            assert tx.list_cases() == [case, relapse]
            assert tx.list_measures(household.id) == [measure, no_money] == tx.list_measures()
            assert tx.list_measures(other.id) == []
            assert tx.list_visits(household.id) == [visit] and len(tx.list_visits()) == 2
            assert tx.list_benefits(household.id) == [benefit] and len(tx.list_benefits()) == 2
            assert measure.id is not None and visit.id is not None and benefit.id is not None
            assert tx.get_measure(measure.id) == measure and tx.get_visit(visit.id) == visit
            assert tx.get_benefit(benefit.id) == benefit
            benefit_entry = _last(tx, "补助发放")
            measure_entry = _last(tx, "帮扶措施")
        assert case == dataclasses.replace(notice_free, id=case.id, version=1)
        assert case.status is CaseStatus.MONITORING and relapse.relapse_of == case.id
        assert (measure.amount, no_money.amount) == (Decimal("7500.00"), None)
        assert benefit.amount == Decimal(1500) and benefit.person_id == person.id
        assert (measure_entry.summary, measure_entry.record_id) == ("0101 王建国 健康帮扶", no_money.id)
        assert benefit_entry.summary == "0102 李秀英 临时救助 0.01元"

    def test_cancelling_and_rejecting_are_logged_as_closing(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            case = tx.save_case(
                MonitoringCase(None, household.id, CaseSource.ALERT, ("因病",), dt.date(2026, 5, 1))
            )
            assert case.id is not None
            measure = tx.save_measure(Measure(None, case.id, MeasureKind.OTHER, "慰问", dt.date(2026, 5, 2)))
        with storage.transaction(CLERK) as tx:
            tx.save_measure(dataclasses.replace(measure, cancelled_reason="录入重复"))
            rejected = tx.save_case(dataclasses.replace(case, rejected_reason="收入高于监测线"))
            measure_entry = _last(tx, "帮扶措施")
            case_entry = _last(tx, "监测对象")
        assert rejected.status is CaseStatus.REJECTED and rejected.version == 2
        assert (measure_entry.action, case_entry.action) == ("撤销", "撤销")
        assert _changes(case_entry) == {"未纳入原因": ("", "收入高于监测线")}
        with storage.transaction(CLERK) as tx, pytest.raises(ConflictError):
            tx.save_case(dataclasses.replace(case, situation="旧版本"))

    def test_a_measure_amount_finer_than_a_cent_is_refused(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            case = tx.save_case(
                MonitoringCase(None, household.id, CaseSource.ALERT, ("因病",), dt.date(2026, 5, 1))
            )
            assert case.id is not None
        with storage.transaction(CLERK) as tx, pytest.raises(ValidationError):
            tx.save_measure(
                Measure(None, case.id, MeasureKind.OTHER, "慰问", dt.date(2026, 5, 2), Decimal("0.001"))
            )


class TestSettings:
    def test_defaults_until_saved_then_round_trip_logged_in_words(self, storage: SqlStorage) -> None:
        with storage.transaction() as tx:
            assert tx.get_register_settings() == RegisterSettings()
        changed = RegisterSettings(
            categories=("一般户", "脱贫户", "低保户"),
            monitoring=MonitoringSettings(
                lines=((2021, Decimal(6000)), (2025, Decimal("6900.5"))),
                watch_level=Decimal(5500),
                drop_share=Decimal("0.25"),
                school_ages=(6, 16),
                stable_months=3,
            ),
            targets=IndicatorTargets(sheep_households=20, sheep_per_poor_person=Decimal("10.5")),
            visit_interval_days=14,
            education_subsidies=(
                (SchoolStage.PRIMARY, Decimal(1000)),
                (SchoolStage.VOCATIONAL, Decimal("2500.5")),
            ),
            rain_and_dew=Decimal("1600"),
        )
        with storage.transaction(MACHINE) as tx:
            first = tx.save_register_settings(RegisterSettings())
        with storage.transaction(MACHINE) as tx:
            saved = tx.save_register_settings(dataclasses.replace(changed, version=first.version))
        with storage.transaction() as tx:
            read = tx.get_register_settings()
            entry = _last(tx, "防返贫设置")
        assert read == saved == dataclasses.replace(changed, version=2)
        assert entry.action == AuditAction.SETTINGS
        changes = _changes(entry)
        assert changes["监测线（元/人/年）"] == ("2021年6000元", "2021年6000元、2025年6900.5元")
        assert changes["义务教育年龄"] == ("6—15周岁", "6—16周岁")
        assert changes["目标：养羊大户数"] == ("15", "20")
        assert changes["雨露计划补助（元）"] == ("1500.00", "1600.00")
        assert not any("{" in c.new or "[" in c.new for c in entry.changes)  # words, never JSON
        with storage.transaction(MACHINE) as tx, pytest.raises(ConflictError):
            tx.save_register_settings(RegisterSettings())


class TestPeopleByIdNumber:
    def test_found_trimmed_and_upper_case(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx:
            upper = _person(tx, "王建国", "15052319700315001X")
            lower = _person(tx, "手工录入", "15052319700315001x")
            _person(tx, "别人", "150523197003150012")
        with storage.transaction() as tx:
            found = tx.find_people_by_id_number(" 15052319700315001x ")
            assert tx.find_people_by_id_number("   ") == []
            assert tx.find_people_by_id_number("150523") == []
        assert [p.id for p in found] == [upper.id, lower.id]


# --- the index -----------------------------------------------------------------------------------------


def _line(household_id: HouseholdId, number: str, head: str, **changes: Any) -> RegisterLine:
    keys = name_keys(head).search
    line = RegisterLine(
        household_id=household_id,
        number=number,
        group_id=None,
        group_name="",
        head_name=head,
        category="一般户",
        members=1,
        per_person=None,
        income_year=None,
        risks=(),
        case_status="",
        phone="",
        helper_name="",
        sheep=0,
        cattle=0,
        land=Decimal(0),
        beet_area=Decimal(0),
        next_visit=None,
        address="",
        closed=False,
        search=f"{number} {keys}",
    )
    return dataclasses.replace(line, **changes)


@pytest.fixture
def indexed(storage: SqlStorage) -> Iterator[dict[str, RegisterLine]]:
    """Seven households with their lines, by 户号."""
    with storage.transaction(CLERK) as tx:
        first = tx.save_group(VillageGroup(None, 1, "第一村民小组"))
        tenth = tx.save_group(VillageGroup(None, 10, "第十村民小组"))
        second = tx.save_group(VillageGroup(None, 2, "第二村民小组"))
        specs: list[tuple[str, str, dict[str, Any]]] = [
            (
                "10",
                "张三丰",
                dict(group_id=tenth.id, per_person=Decimal("4800.5"), risks=("收入低于关注线",)),
            ),
            ("2", "李四", dict(group_id=first.id, per_person=Decimal("12000"), case_status="监测帮扶中")),
            ("1", "王五", dict(group_id=second.id, category="脱贫户", members=4, sheep=60)),
            (
                "0003",
                "赵六",
                dict(
                    risks=("收入低于监测线", "未参加医保"),
                    case_status="识别公示中",
                    next_visit=dt.date(2026, 12, 1),
                ),
            ),
            (
                "2-1",
                "钱七",
                dict(case_status="已消除风险", phone="13904751234", search="2-1 100%_done qianqi"),
            ),
            ("20", "孙八", dict(closed=True, category="脱贫户", per_person=Decimal(1))),
            ("3", "周九", dict(case_status="未纳入", land=Decimal("12.5"), search="3 zhoujiu 100x done")),
        ]
        lines = {}
        for number, head, changes in specs:
            household = _household(tx, number, head)
            assert household.id is not None
            lines[number] = _line(household.id, number, head, **changes)
        tx.put_register_lines(list(lines.values()))
    yield lines


def _numbers(storage: SqlStorage, query: RegisterFilter) -> tuple[int, list[str]]:
    with storage.transaction() as tx:
        page = tx.register_page(query)
    return page.total, [line.number for line in page.lines]


class TestRegisterIndex:
    def test_a_line_reads_back_as_put(self, storage: SqlStorage, indexed: dict[str, RegisterLine]) -> None:
        with storage.transaction() as tx:
            for line in indexed.values():
                assert tx.get_register_line(line.household_id) == line
            assert tx.get_register_line(HouseholdId(999)) is None

    def test_numbers_sort_naturally_and_closed_households_are_hidden(
        self, storage: SqlStorage, indexed: dict[str, RegisterLine]
    ) -> None:
        assert _numbers(storage, RegisterFilter()) == (6, ["1", "2", "2-1", "0003", "3", "10"])
        assert _numbers(storage, RegisterFilter(include_closed=True, descending=True)) == (
            7,
            ["20", "10", "3", "0003", "2-1", "2", "1"],
        )

    def test_slices_count_every_match(self, storage: SqlStorage, indexed: dict[str, RegisterLine]) -> None:
        assert _numbers(storage, RegisterFilter(offset=2, limit=3)) == (6, ["2-1", "0003", "3"])
        assert _numbers(storage, RegisterFilter(offset=5, limit=3)) == (6, ["10"])
        assert _numbers(storage, RegisterFilter(offset=9, limit=3)) == (6, [])

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            (RegisterFilter(text="zsf"), ["10"]),
            (RegisterFilter(text="Zhang San"), ["10"]),
            (RegisterFilter(text="李"), ["2"]),
            (RegisterFilter(text="100%"), ["2-1"]),  # % is a character, not "anything"
            (RegisterFilter(text="100_"), []),  # _ likewise: "100x" is not found by it
            (RegisterFilter(text="%"), ["2-1"]),
            (RegisterFilter(text="  "), ["1", "2", "2-1", "0003", "3", "10"]),
            (RegisterFilter(category="脱贫户"), ["1"]),
            (RegisterFilter(category="脱贫户", include_closed=True), ["1", "20"]),
            (RegisterFilter(at_risk=True), ["0003", "10"]),
            (RegisterFilter(risk="未参加医保"), ["0003"]),
            (RegisterFilter(risk="收入低于"), []),  # a kind, whole, not part of one
            (RegisterFilter(case_status="监测帮扶中"), ["2"]),
            (RegisterFilter(case_status=OPEN_CASE), ["2", "0003"]),
            (RegisterFilter(case_status="未纳入"), ["3"]),
            (RegisterFilter(at_risk=True, case_status=OPEN_CASE), ["0003"]),
        ],
        ids=repr,
    )
    def test_each_filter(
        self,
        storage: SqlStorage,
        indexed: dict[str, RegisterLine],
        query: RegisterFilter,
        expected: list[str],
    ) -> None:
        assert _numbers(storage, query) == (len(expected), expected)

    def test_the_group_filter_and_sort_by_group_number(
        self, storage: SqlStorage, indexed: dict[str, RegisterLine]
    ) -> None:
        group = indexed["2"].group_id
        assert _numbers(storage, RegisterFilter(group_id=group)) == (1, ["2"])
        # By group number (1, 2, 10), households without a group last, each group by 户号.
        by_group = RegisterFilter(sort=RegisterColumn.GROUP)
        assert _numbers(storage, by_group)[1] == ["2", "1", "10", "2-1", "0003", "3"]
        descending = dataclasses.replace(by_group, descending=True)
        assert _numbers(storage, descending)[1] == ["10", "1", "2", "2-1", "0003", "3"]

    def test_sorts_by_value_ties_by_number_missing_values_last(
        self, storage: SqlStorage, indexed: dict[str, RegisterLine]
    ) -> None:
        per_person = RegisterFilter(sort=RegisterColumn.PER_PERSON)
        assert _numbers(storage, per_person)[1] == ["10", "2", "1", "2-1", "0003", "3"]
        descending = dataclasses.replace(per_person, descending=True)
        assert _numbers(storage, descending)[1] == ["2", "10", "1", "2-1", "0003", "3"]
        by_members = RegisterFilter(sort=RegisterColumn.MEMBERS, descending=True)
        assert _numbers(storage, by_members)[1] == ["1", "2", "2-1", "0003", "3", "10"]
        by_risks = RegisterFilter(sort=RegisterColumn.RISKS, descending=True, limit=2)
        assert _numbers(storage, by_risks)[1] == ["0003", "10"]
        by_visit = RegisterFilter(sort=RegisterColumn.NEXT_VISIT)
        assert _numbers(storage, by_visit)[1][0] == "0003"
        by_land = RegisterFilter(sort=RegisterColumn.LAND, descending=True)
        assert _numbers(storage, by_land)[1][0] == "3"

    @pytest.mark.parametrize("column", list(RegisterColumn), ids=lambda c: c.name)
    def test_every_column_sorts_in_sql(
        self, storage: SqlStorage, indexed: dict[str, RegisterLine], column: RegisterColumn
    ) -> None:
        for descending in (False, True):
            total, numbers = _numbers(storage, RegisterFilter(sort=column, descending=descending))
            assert total == 6 and sorted(numbers) == sorted(["1", "2", "2-1", "0003", "3", "10"])

    def test_putting_a_line_again_replaces_it(
        self, storage: SqlStorage, indexed: dict[str, RegisterLine]
    ) -> None:
        changed = dataclasses.replace(indexed["1"], head_name="王五一", members=5, closed=True)
        with storage.transaction(CLERK) as tx:
            tx.put_register_lines([changed])
            tx.put_register_lines([])
        with storage.transaction() as tx:
            assert tx.get_register_line(changed.household_id) == changed
            assert tx.register_page(RegisterFilter(include_closed=True)).total == 7

    def test_lines_are_only_put_in_a_writing_transaction(
        self, storage: SqlStorage, indexed: dict[str, RegisterLine]
    ) -> None:
        with storage.transaction() as tx, pytest.raises(RuntimeError):
            tx.put_register_lines([indexed["1"]])

    def test_lines_are_not_logged(self, storage: SqlStorage, indexed: dict[str, RegisterLine]) -> None:
        with storage.transaction() as tx:
            before = tx.audit_head()
        with storage.transaction(CLERK) as tx:
            tx.put_register_lines(list(indexed.values()))
        with storage.transaction() as tx:
            assert tx.audit_head() == before


class TestIndicators:
    def test_summed_over_households_still_in_the_register(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx:
            files = [
                ("脱贫户", 50, 0, 20, 0, "12.5", 3, ""),  # 70 sheep ≥ 50
                ("边缘易致贫户", 10, 20, 0, 1, "0.25", 2, ""),  # 21 cattle ≥ 20
                ("一般户", 49, 19, 0, 0, "100", 5, ""),  # just under both
                ("脱贫户", 500, 100, 0, 0, "1000", 4, "全户迁出"),  # closed: not counted
            ]
            for n, (category, ewes, cows, fat_sheep, fat_cattle, beet, members, closed) in enumerate(files):
                household = tx.save_household(Household(None, f"{n + 1}", f"户主{n}", None, closed))
                assert household.id is not None
                tx.save_household_file(
                    HouseholdFile(
                        household.id,
                        category=category,
                        ewes=ewes,
                        cows=cows,
                        fattening_sheep=fat_sheep,
                        fattening_cattle=fat_cattle,
                        beet_area=Decimal(beet),
                    )
                )
                for k in range(members):
                    person = _person(tx, f"成员{n}{k}")
                    assert person.id is not None
                    left = k == 0 and members > 2  # one member of the bigger households moved out
                    status = ResidentStatus.MOVED_OUT if left else ResidentStatus.IN
                    tx.save_resident(
                        Resident(person.id, household.id, status=status, status_on=dt.date(2026, 1, 1))
                    )
            tx.save_household(Household(None, "99", "没有档案", None))
        with storage.transaction() as tx:
            figures = tx.register_indicators(50, 20, POOR_CATEGORIES)
            only_general = tx.register_indicators(40, 15, frozenset({"一般户"}))
        assert (figures.sheep_households, figures.cattle_households) == (1, 1)
        assert (figures.ewes, figures.cows, figures.sheep, figures.cattle) == (109, 39, 129, 40)
        # 脱贫户 (3 members, 1 moved out) and 边缘易致贫户 (2): 4 people 在籍.
        assert (figures.poor_people, figures.poor_sheep, figures.poor_cattle) == (4, 80, 21)
        assert figures.beet_area == Decimal("112.75")
        assert figures.sheep_per_poor_person == Decimal("20.0")
        assert (only_general.sheep_households, only_general.cattle_households, only_general.poor_people) == (
            2,
            2,
            4,
        )

    def test_an_empty_register_has_zeros(self, storage: SqlStorage) -> None:
        with storage.transaction() as tx:
            figures = tx.register_indicators(50, 20, POOR_CATEGORIES)
        assert figures.sheep == 0 and figures.poor_people == 0 and figures.beet_area == 0
        assert figures.sheep_per_poor_person is None


class TestHistory:
    def test_entries_of_the_given_records_newest_first(
        self, storage: SqlStorage, household: Household
    ) -> None:
        assert household.id is not None
        with storage.transaction(CLERK) as tx:
            other = _household(tx, "0102", "李秀英")
            assert other.id is not None
            file = tx.save_household_file(HouseholdFile(household.id))
            tx.save_household_file(HouseholdFile(other.id))
            tx.save_income(IncomeRecord(household.id, 2025, wages=Decimal(100)))
            tx.save_household_file(dataclasses.replace(file, note="改了"))
        with storage.transaction() as tx:
            history = tx.record_history(
                [("农户档案", household.id), ("收入", household.id), ("农户", household.id)]
            )
            assert tx.record_history([]) == []
        assert [(e.record_type, e.action) for e in history] == [
            ("农户档案", "修改"),
            ("收入", "新建"),
            ("农户档案", "新建"),
            ("农户", "新建"),
        ]
        assert [e.seq for e in history] == sorted((e.seq for e in history), reverse=True)

    def test_many_records_are_asked_in_chunks(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx:
            ids = [_household(tx, str(n), f"户主{n}").id for n in range(1, 1202)]
        with storage.transaction() as tx:
            history = tx.record_history([("农户", i) for i in ids if i is not None])
        assert len(history) == 1201 and history[0].record_id == ids[-1]


class TestImport:
    def _batch(self, households: int) -> list[RegisterImport]:
        batch = []
        for n in range(households):
            members = tuple(
                Member(
                    Person(None, f"村民{n}-{k}", id_number=f"1505231970031{n:04d}{k}", group_id=None),
                    Resident(PersonId(0), HouseholdId(0), relation="户主" if k == 0 else "子", work_months=k),
                )
                for k in range(1 + n % 3)
            )
            batch.append(
                RegisterImport(
                    Household(None, f"{n + 1:04d}", f"村民{n}-0", None),
                    HouseholdFile(HouseholdId(0), category="脱贫户", ewes=n, beet_area=Decimal("1.25")),
                    members,
                    (IncomeRecord(HouseholdId(0), 2025, wages=Decimal("1000.10") * n),),
                )
            )
        return batch

    def test_ids_in_input_order_one_log_entry_and_a_whole_chain(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx:
            before = _household(tx, "0000", "早已在册")
        batch = self._batch(30)
        with storage.transaction(CLERK) as tx:
            ids = tx.import_households(batch)
        with storage.transaction() as tx:
            households = {h.id: h for h in tx.list_households()}
            entries = tx.audit_entries(AuditFilter())
            report = verify_chain(tx.audit_chain(), tx.audit_head())
            residents = tx.list_residents(ids[5])
            people = {p.id: p for p in tx.list_people()}
            files = tx.list_household_files()
            incomes = tx.list_incomes(ids[7])
        assert len(ids) == 30 and len(set(ids)) == 30 and before.id not in ids
        assert [households[i].number for i in ids] == [f"{n + 1:04d}" for n in range(30)]
        assert [households[i].version for i in ids] == [1] * 30
        assert [(e.action, e.record_type, e.summary) for e in entries[:2]] == [
            ("导入", "农户档案", "导入农户档案 30 户 60 人"),
            ("新建", "农户", "0000 早已在册"),
        ]
        assert report.ok and report.count == 2  # 0000's entry and the import: nothing per row
        assert [(r.relation, r.work_months, r.household_id) for r in residents] == [
            ("户主", 0, ids[5]),
            ("子", 1, ids[5]),
            ("子", 2, ids[5]),
        ]
        assert [people[r.person_id].name for r in residents] == ["村民5-0", "村民5-1", "村民5-2"]
        assert [(f.household_id, f.ewes, f.beet_area) for f in files][:2] == [
            (ids[0], 0, Decimal("1.25")),
            (ids[1], 1, Decimal("1.25")),
        ]
        assert [(i.year, i.wages, i.version) for i in incomes] == [(2025, Decimal("7000.70"), 1)]

        # Saved records carry on from the import as from any save.
        with storage.transaction(CLERK) as tx:
            tx.save_household_file(dataclasses.replace(files[0], ewes=5))
            tx.save_household(dataclasses.replace(households[ids[0]], head_name="新户主"))
            another = tx.import_households(self._batch(2))
            person = _person(tx, "导入之后")
        with storage.transaction() as tx:
            assert verify_chain(tx.audit_chain(), tx.audit_head()).ok
        assert min(another) > max(ids)
        assert person.id is not None and person.id > max(p for p in people if p is not None)

    def test_nothing_to_import_writes_nothing(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx:
            assert tx.import_households([]) == []
        with storage.transaction() as tx:
            head = tx.audit_head()
        assert head is None or head.seq == 0

    def test_a_bad_amount_imports_nothing(self, storage: SqlStorage) -> None:
        batch = self._batch(3)
        bad = dataclasses.replace(
            batch[2], incomes=(IncomeRecord(HouseholdId(0), 2025, wages=Decimal("0.001")),)
        )
        with pytest.raises(ValidationError), storage.transaction(CLERK) as tx:
            tx.import_households([*batch[:2], bad])
        with storage.transaction() as tx:
            assert tx.list_households() == [] and tx.list_people() == []

    def test_counts_for_the_backup_preview(self, storage: SqlStorage) -> None:
        with storage.transaction(CLERK) as tx:
            tx.import_households(self._batch(4))
        with storage.transaction() as tx:
            counts = tx.record_counts()
        assert {k: counts[k] for k in ("农户", "人员", "农户档案", "家庭成员", "收入", "监测对象")} == {
            "农户": 4,
            "人员": 7,  # 1 + 2 + 3 + 1 members
            "农户档案": 4,
            "家庭成员": 7,
            "收入": 4,
            "监测对象": 0,
        }


def test_nothing_can_be_deleted() -> None:
    """Records close with a reason; neither the contract nor the storage offers a way to delete."""
    words = ("delete", "remove", "drop", "purge", "erase", "destroy")
    for cls in (Transaction, SqlTransaction):
        assert [name for name in dir(cls) if any(word in name.lower() for word in words)] == []
