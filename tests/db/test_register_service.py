"""农户档案 and 防返贫监测 end to end: ``RegisterService`` on a real database.

Every write is one transaction (a refused or failing one leaves nothing), the
index line of every touched household is rewritten with it, operations leave
their story in the household's history, the rules refuse with Chinese
sentences, and a monitoring case runs from identification to closure through
real notices issued by the notice engine (real PDFs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
import sqlalchemy as sa

from db import SqlStorage
from tests.db.notice_tools import pdf_text, render
from village_desk.accounts import MACHINE, Access, Actor, Role
from village_desk.audit import AuditAction, AuditFilter
from village_desk.cases import (
    Benefit,
    CaseSource,
    CaseStatus,
    Measure,
    MeasureKind,
    MonitoringCase,
    Visit,
)
from village_desk.codes import resident_id_check_char
from village_desk.errors import AccessDeniedError, ConflictError, ValidationError
from village_desk.ids import GroupId, HouseholdId, PersonId, UserId
from village_desk.monitoring import HousingLevel, MonitoringSettings, SchoolStage, SignalKind
from village_desk.notices import NoticeStatus, NoticeTable
from village_desk.register import (
    OPEN_CASE,
    HouseholdFile,
    IncomeRecord,
    Member,
    RegisterColumn,
    RegisterFilter,
    RegisterImport,
    RegisterSettings,
    Resident,
    ResidentStatus,
)
from village_desk.roster import Household, Person
from village_desk.services import RosterService, VillageService
from village_desk.services.notices import NoticeService
from village_desk.services.register import Dossier, RegisterService
from village_desk.village import VillageProfile

pytestmark = pytest.mark.storage

D = dt.date
NOW = dt.datetime(2026, 3, 2, 9, 0)
BORN = D(1980, 1, 1)
IDENTIFIED = D(2026, 3, 1)
PROFILE = VillageProfile(name="小大歹", township="甘旗卡", county="科尔沁左翼后", city="通辽")
CLERK = Actor(UserId(2), "wenshu", "赵文书", frozenset({Role.CLERK}))
ADMIN = Actor(UserId(1), "admin", "王书记", frozenset({Role.ADMIN}))
READER = Actor(UserId(6), "chakan", "周查看", frozenset({Role.READER}))
G1, G3 = GroupId(1), GroupId(3)


class Clock:
    """The time every service and the storage see; a test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def today(self) -> dt.date:
        return self.now.date()

    def to(self, day: dt.date) -> None:
        self.now = dt.datetime.combine(day, self.now.time())


def id_number(birth: dt.date, seq: str = "011", area: str = "150525") -> str:
    first = f"{area}{birth:%Y%m%d}{seq}"
    return first + resident_id_check_char(first)


def member(
    name: str, birth: dt.date, seq: str = "011", relation: str = "户主", phone: str = "", **resident: object
) -> Member:
    person = Person(id=None, name=name, id_number=id_number(birth, seq), phone=phone)
    return Member(person, Resident(PersonId(0), HouseholdId(0), relation=relation, **resident))  # type: ignore[arg-type]


@dataclass
class Desk:
    storage: SqlStorage
    clock: Clock
    notices: NoticeService
    register: RegisterService

    def signed_in(self, actor: Actor) -> RegisterService:
        access = Access(actor)
        notices = NoticeService(self.storage, access, render, self.clock)
        return RegisterService(self.storage, access, notices, today=self.clock.today)

    def household(
        self,
        head: str = "张三",
        birth: dt.date = BORN,
        seq: str = "011",
        group: GroupId | None = G3,
        number: str = "",
        **file: object,
    ) -> Dossier:
        return self.register.create_household(
            Household(id=None, number=number, head_name="", group_id=group),
            HouseholdFile(HouseholdId(0), **file),  # type: ignore[arg-type]
            member(head, birth, seq, phone="13904751234"),
            on=self.clock.today(),
        )

    def family(self, **file: object) -> Dossier:
        """张三 (1980), 李秀英 (1982, 配偶) and 张小宝 (2014, 子, 小学)."""
        dossier = self.household(**file)
        hid = _hid(dossier)
        self.register.add_member(
            hid, member("李秀英", D(1982, 3, 4), "022", "配偶"), born=False, on=self.clock.today()
        )
        return self.register.add_member(
            hid,
            member("张小宝", D(2014, 6, 1), "031", "子", school_stage=SchoolStage.PRIMARY),
            born=True,
            on=self.clock.today(),
        )

    def count(self, table: str) -> int:
        with self.storage.engine.connect() as connection:
            return int(connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)

    def log_head(self) -> int:
        with self.storage.transaction() as tx:
            head = tx.audit_head()
        return head.seq if head is not None else 0

    def line(self, household_id: HouseholdId):  # type: ignore[no-untyped-def]
        with self.storage.transaction() as tx:
            found = tx.get_register_line(household_id)
        assert found is not None
        return found


@pytest.fixture
def desk(storage: SqlStorage) -> Desk:
    """小大歹村 with three groups; a 文书 signed in; the clock at ``NOW`` (the storage's too)."""
    clock = Clock(NOW)
    clocked = SqlStorage(storage.engine, storage.location, clock)
    VillageService(clocked, Access(MACHINE)).set_up(PROFILE, 3)
    access = Access(CLERK)
    notices = NoticeService(clocked, access, render, clock)
    return Desk(clocked, clock, notices, RegisterService(clocked, access, notices, today=clock.today))


def _hid(dossier: Dossier) -> HouseholdId:
    assert dossier.household.id is not None
    return dossier.household.id


def _pid(dossier: Dossier, name: str) -> PersonId:
    found = next(m.person.id for m in dossier.members if m.person.name == name)
    assert found is not None
    return found


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return "".join(e.message for e in error.value.errors)


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e.field for e in error.value.errors}


def _summaries(desk: Desk, household_id: HouseholdId) -> list[str]:
    return [e.summary for e in desk.register.history(household_id) if e.action == AuditAction.CHANGE]


# --- households and members ---------------------------------------------------------------------------


def test_a_new_household_gets_the_next_number_of_its_group_and_an_index_line(desk: Desk) -> None:
    assert desk.register.next_number(G3) == "03001"
    first = desk.household()
    assert first.household.number == "03001" and first.household.head_name == "张三"
    assert first.group_name == "第三村民小组"
    assert [(m.person.name, m.resident.relation) for m in first.members] == [("张三", "户主")]
    assert desk.register.next_number(G3) == "03002"
    assert desk.register.next_number(G1) == "01001"
    second = desk.household("李四", D(1975, 5, 5), "013")
    assert second.household.number == "03002"
    line = desk.line(_hid(first))
    assert (line.number, line.group_name, line.head_name, line.members) == (
        "03001",
        "第三村民小组",
        "张三",
        1,
    )
    assert _summaries(desk, _hid(first)) == ["建档：03001户，户主张三（2026年3月2日）"]


def test_a_taken_number_is_refused(desk: Desk) -> None:
    desk.household(number="0312")
    with pytest.raises(ValidationError, match="户号0312已被张三户使用"):
        desk.household("李四", D(1975, 5, 5), "013", number="0312")


def test_search_finds_members_by_pinyin_initials_id_and_phone(desk: Desk) -> None:
    family = desk.family()
    desk.household("曾国强", D(1970, 2, 2), "015")
    for text, heads in [
        ("zs", ["张三"]),
        ("lxy", ["张三"]),
        ("zhangxb", ["张三"]),
        ("zgq", ["曾国强"]),
        ("cengguo", []),
        (id_number(D(1982, 3, 4), "022"), ["张三"]),
        ("13904751234", ["张三", "曾国强"]),
        ("03001", ["张三"]),
    ]:
        page = desk.register.page(RegisterFilter(text=text))
        assert [line.head_name for line in page.lines] == heads, text
    assert desk.register.page(RegisterFilter(sort=RegisterColumn.MEMBERS, descending=True)).lines[
        0
    ].household_id == (_hid(family))


def test_every_problem_of_a_new_household_at_once_and_nothing_saved(desk: Desk) -> None:
    before = desk.log_head()
    bad = member("", D(1980, 1, 1))
    bad = replace(bad, person=replace(bad.person, id_number="150525198001010019"))
    with pytest.raises(ValidationError) as error:
        desk.register.create_household(
            Household(id=None, number="", head_name="", group_id=G3),
            HouseholdFile(HouseholdId(0), category="富裕户", land_contracted=Decimal(5), land_out=Decimal(9)),
            bad,
        )
    assert {"name", "id_number", "category", "land_out"} <= _fields(error)
    assert "校验位" in _messages(error)
    assert desk.count("households") == 0 and desk.count("people") == 0 and desk.log_head() == before


def test_id_number_check_problem_warning_and_the_person_already_registered(desk: Desk) -> None:
    family = desk.family()
    check = desk.register.check_id_number("150525198001010019")
    assert check.problem is not None and "校验位" in check.problem and check.existing is None
    unknown = desk.register.check_id_number(id_number(D(1990, 1, 1), area="990101"))
    assert unknown.problem is None and unknown.warning is not None and "99" in unknown.warning
    assert (unknown.gender, unknown.birth_date) == ("男", D(1990, 1, 1))
    spouse_id = id_number(D(1982, 3, 4), "022").lower()
    taken = desk.register.check_id_number(spouse_id)
    assert taken.existing is not None and taken.existing.name == "李秀英"
    assert taken.existing_household == family.household
    assert taken.gender == "女"
    # Her own number, while editing her: not a duplicate.
    assert desk.register.check_id_number(spouse_id, _pid(family, "李秀英")).existing is None


def test_an_id_number_already_in_the_village_is_refused_naming_the_person_and_household(desk: Desk) -> None:
    desk.family()
    other = desk.household("李四", D(1975, 5, 5), "013")
    people = desk.count("people")
    with pytest.raises(ValidationError) as error:
        desk.register.add_member(
            _hid(other), member("李秀英", D(1982, 3, 4), "022", "配偶"), born=False, on=NOW.date()
        )
    assert "身份证号码与第三村民小组 03001 户的李秀英相同" in _messages(error)
    assert desk.count("people") == people


def test_the_gender_comes_from_the_id_number(desk: Desk) -> None:
    head = member("王芳", D(1990, 7, 7), "022")  # an even digit: 女
    head = replace(head, person=replace(head.person, gender="男"))
    dossier = desk.register.create_household(
        Household(id=None, number="", head_name="", group_id=G1), HouseholdFile(HouseholdId(0)), head
    )
    assert dossier.members[0].person.gender == "女"


def test_a_member_belongs_to_one_household_at_a_time(desk: Desk) -> None:
    family = desk.family()
    spouse = next(m for m in family.members if m.person.name == "李秀英")
    other = desk.household("李四", D(1975, 5, 5), "013")
    again = Member(spouse.person, replace(spouse.resident, relation="女"))
    with pytest.raises(ValidationError, match="现在是第三村民小组03001户的成员，一个人同一时间只能在一户"):
        desk.register.add_member(_hid(other), again, born=False, on=NOW.date())
    # After she moved out, she may move in elsewhere (the same person, not a new one).
    desk.register.member_leaves(_pid(family, "李秀英"), ResidentStatus.MOVED_OUT, NOW.date(), "嫁到外村")
    people = desk.count("people")
    joined = desk.register.add_member(_hid(other), again, born=False, on=NOW.date())
    assert [m.person.name for m in joined.members] == ["李四", "李秀英"]
    assert desk.count("people") == people
    assert desk.line(_hid(family)).members == 2


def test_the_head_leaves_only_with_a_successor_and_the_last_to_leave_closes_the_household(desk: Desk) -> None:
    family = desk.family()
    hid = _hid(family)
    with pytest.raises(ValidationError, match="张三是户主，请指定一位家庭成员接任户主"):
        desk.register.member_leaves(_pid(family, "张三"), ResidentStatus.DECEASED, NOW.date(), "病故")
    dossier = desk.register.member_leaves(
        _pid(family, "张三"), ResidentStatus.DECEASED, NOW.date(), "病故", new_head=_pid(family, "李秀英")
    )
    assert dossier.household.head_name == "李秀英"
    assert [(m.person.name, m.resident.relation, m.resident.status) for m in dossier.members] == [
        ("李秀英", "户主", ResidentStatus.IN),
        ("张小宝", "子", ResidentStatus.IN),
        ("张三", "户主", ResidentStatus.DECEASED),
    ]
    assert desk.line(hid).head_name == "李秀英"
    desk.register.member_leaves(_pid(family, "张小宝"), ResidentStatus.MOVED_OUT, NOW.date(), "随母迁出")
    with pytest.raises(ValidationError, match="张小宝已经迁出"):
        desk.register.member_leaves(_pid(family, "张小宝"), ResidentStatus.MOVED_OUT, NOW.date(), "")
    closed = desk.register.member_leaves(
        _pid(family, "李秀英"), ResidentStatus.MOVED_OUT, NOW.date(), "迁往通辽"
    )
    assert "户内已无在籍成员" in closed.household.closed_reason
    assert desk.register.page(RegisterFilter()).total == 0
    assert desk.register.page(RegisterFilter(include_closed=True)).lines[0].closed
    assert _summaries(desk, hid)[:3] == [
        "销户：户内已无在籍成员（李秀英迁出）（2026年3月2日）",
        "成员减少：李秀英迁出（2026年3月2日，迁往通辽）",
        "成员减少：张小宝迁出（2026年3月2日，随母迁出）",
    ]


def test_change_head_keeps_the_households_head_name(desk: Desk) -> None:
    family = desk.family()
    with pytest.raises(ValidationError, match="请为原户主张三选择与新户主的关系"):
        desk.register.change_head(_hid(family), _pid(family, "李秀英"), "户主", NOW.date())
    changed = desk.register.change_head(_hid(family), _pid(family, "李秀英"), "配偶", NOW.date())
    assert changed.household.head_name == "李秀英"
    assert changed.members[0].person.name == "李秀英"
    assert "变更户主：张三（改为配偶） → 李秀英（2026年3月2日）" in _summaries(desk, _hid(family))


def test_a_stale_member_save_changes_nothing_at_all(desk: Desk) -> None:
    family = desk.family()
    spouse = next(m for m in family.members if m.person.name == "李秀英")
    desk.register.save_member(
        Member(spouse.person, replace(spouse.resident, work_place="通辽", work_months=3))
    )
    before = desk.log_head()
    renamed = Member(replace(spouse.person, name="李秀芳"), replace(spouse.resident, illness="x"))
    with pytest.raises(ConflictError):
        desk.register.save_member(renamed)  # her record was saved since: its version is stale
    assert desk.log_head() == before
    assert desk.register.page(RegisterFilter(text="李秀芳")).total == 0
    assert desk.register.dossier(_hid(family)).members[1].person.name == "李秀英"


def test_renaming_the_head_renames_the_household(desk: Desk) -> None:
    family = desk.household()
    head = family.members[0]
    dossier = desk.register.save_member(Member(replace(head.person, name="张山"), head.resident))
    assert dossier.household.head_name == "张山"
    assert desk.register.page(RegisterFilter(text="zhangshan")).total == 1
    with pytest.raises(ValidationError, match="没有户主"):
        desk.register.save_member(
            Member(dossier.members[0].person, replace(dossier.members[0].resident, relation="子"))
        )


def test_split_makes_a_new_household_and_both_lines_and_histories_tell_it(desk: Desk) -> None:
    family = desk.family(category="脱贫户", address="小大歹村三组", helper_name="王干部", ewes=40)
    hid = _hid(family)
    spouse, child = _pid(family, "李秀英"), _pid(family, "张小宝")
    with pytest.raises(ValidationError) as error:
        desk.register.split(hid, [_pid(family, "张三")], _pid(family, "张三"), "", NOW.date())
    assert "张三是本户户主，不能分出" in _messages(error)
    with pytest.raises(ValidationError, match="请选择张小宝与新户主的关系"):
        desk.register.split(hid, [spouse, child], spouse, "", NOW.date())
    new = desk.register.split(hid, [spouse, child], spouse, "", NOW.date(), {child: "子"})
    assert new.household.number == "03002" and new.household.group_id == G3
    assert new.household.head_name == "李秀英"
    assert (new.file.category, new.file.address, new.file.helper_name, new.file.ewes) == (
        "脱贫户",
        "小大歹村三组",
        "王干部",
        0,
    )
    assert [(m.person.name, m.resident.relation) for m in new.members] == [
        ("李秀英", "户主"),
        ("张小宝", "子"),
    ]
    assert desk.line(hid).members == 1 and desk.line(_hid(new)).members == 2
    assert desk.register.page(RegisterFilter(text="lxy")).lines[0].number == "03002"
    assert _summaries(desk, hid)[0] == "分户：李秀英、张小宝分出，另立03002户（户主李秀英，2026年3月2日）"
    assert _summaries(desk, _hid(new))[0] == "分户：由03001户（户主张三）分出，李秀英、张小宝（2026年3月2日）"


def test_merge_moves_every_member_and_closes_the_old_household(desk: Desk) -> None:
    family = desk.family()
    single = desk.household("张二", D(1950, 1, 1), "017", group=G1)
    elder = _pid(single, "张二")
    with pytest.raises(ValidationError, match="请选择张二与03001户户主张三的关系"):
        desk.register.merge(_hid(single), _hid(family), NOW.date(), {})
    merged = desk.register.merge(_hid(single), _hid(family), NOW.date(), {elder: "父亲"})
    assert [m.person.name for m in merged.members] == ["张三", "李秀英", "张小宝", "张二"]
    assert merged.members[3].person.group_id == G3  # the group follows the household
    old = desk.register.dossier(_hid(single))
    assert old.household.closed_reason == "合户到03001户" and desk.line(_hid(single)).closed
    assert desk.line(_hid(family)).members == 4
    with pytest.raises(ValidationError, match="已经销户"):
        desk.register.add_member(
            _hid(single), member("新人", D(2000, 1, 1), "019", "子"), born=False, on=NOW.date()
        )
    assert _summaries(desk, _hid(single))[0].startswith("合户：张二并入03001户（户主张三），本户销户")


def test_close_household_moves_everyone_out(desk: Desk) -> None:
    family = desk.family()
    with pytest.raises(ValidationError, match="请填写销户原因"):
        desk.register.close_household(_hid(family), NOW.date(), " ")
    closed = desk.register.close_household(_hid(family), NOW.date(), "全户迁往通辽市")
    assert closed.household.closed_reason == "全户迁往通辽市"
    assert {m.resident.status for m in closed.members} == {ResidentStatus.MOVED_OUT}


def test_save_household_keeps_the_head_and_moves_members_with_the_group(desk: Desk) -> None:
    family = desk.family()
    edited = replace(family.household, head_name="别人", group_id=G1)
    dossier = desk.register.save_household(
        edited, replace(family.file, ewes=55, cows=21, beet_area=Decimal("12.5"))
    )
    assert dossier.household.head_name == "张三" and dossier.group_name == "第一村民小组"
    assert {m.person.group_id for m in dossier.members} == {G1}
    line = desk.line(_hid(family))
    assert (line.sheep, line.cattle, line.beet_area, line.group_name) == (
        55,
        21,
        Decimal("12.5"),
        "第一村民小组",
    )


# --- income and signals -------------------------------------------------------------------------------------


def test_income_gives_income_per_person_and_signals_on_the_line(desk: Desk) -> None:
    family = desk.family()
    hid = _hid(family)
    dossier = desk.register.save_income(
        IncomeRecord(hid, 2025, wages=Decimal("12000"), transfer=Decimal("3000"))
    )
    assert dossier.per_person == Decimal("5000.00") and dossier.income_year == 2025
    assert [s.kind for s in dossier.signals] == [SignalKind.BELOW_LINE]
    assert "5000元，低于当年监测线6000元" in dossier.signals[0].reason
    assert desk.line(hid).risks == (SignalKind.BELOW_LINE.value,)
    assert desk.register.page(RegisterFilter(risk=SignalKind.BELOW_LINE.value)).total == 1
    with pytest.raises(ValidationError, match="2025年的收入已经登记过了"):
        desk.register.save_income(IncomeRecord(hid, 2025, wages=Decimal("1")))
    corrected = desk.register.save_income(replace(dossier.incomes[0], wages=Decimal("30000")))
    assert corrected.signals == () and desk.line(hid).risks == ()
    with pytest.raises(ValidationError, match="最多到分"):
        desk.register.save_income(IncomeRecord(hid, 2024, wages=Decimal("1.005")))


def test_settings_changes_recompute_every_line_in_the_same_transaction(desk: Desk) -> None:
    family = desk.family()
    desk.register.save_income(IncomeRecord(_hid(family), 2025, wages=Decimal("21000")))  # 7000 per person
    assert desk.line(_hid(family)).risks == ()
    admin = desk.signed_in(ADMIN)
    with pytest.raises(AccessDeniedError):
        desk.register.save_settings(RegisterSettings())  # the 文书 may not change settings
    higher = MonitoringSettings(lines=((2021, Decimal(6000)), (2025, Decimal(7500))))
    saved = admin.save_settings(replace(admin.settings(), monitoring=higher))
    assert saved.monitoring.line_for(2025) == Decimal(7500)
    assert desk.line(_hid(family)).risks == (SignalKind.BELOW_LINE.value,)
    with pytest.raises(ValidationError, match="户类别“一般户”还有1户在用，不能删除"):
        admin.save_settings(replace(saved, categories=("脱贫户", "低保户")))
    with pytest.raises(ValidationError, match="走访间隔"):
        admin.save_settings(replace(saved, visit_interval_days=0))


def test_reindex_recomputes_every_line(desk: Desk) -> None:
    desk.family()
    desk.household("李四", D(1975, 5, 5), "013")
    with desk.storage.transaction(CLERK) as tx:
        tx.put_register_lines([])  # nothing: the lines are there
    assert desk.register.reindex() == 2
    assert desk.register.page(RegisterFilter()).total == 2


def test_indicators_sum_the_register(desk: Desk) -> None:
    desk.family(category="脱贫户", ewes=60, cows=25, beet_area=Decimal("30"))
    desk.household("李四", D(1975, 5, 5), "013", ewes=10, cows=2)
    figures, targets = desk.register.indicators()
    assert targets.sheep_households == 15
    assert (figures.sheep_households, figures.cattle_households, figures.ewes, figures.cows) == (1, 1, 70, 27)
    assert figures.poor_people == 3 and figures.sheep_per_poor_person == Decimal("20.0")
    assert figures.beet_area == Decimal("30")


# --- cases from identification to closure -------------------------------------------------------------------


def _case(household_id: HouseholdId, on: dt.date = IDENTIFIED) -> MonitoringCase:
    return MonitoringCase(
        id=None,
        household_id=household_id,
        source=CaseSource.SURVEY,
        risk_types=("因病", "因学"),
        identified_on=on,
        situation="妻子患尿毒症，透析费用高。",
    )


def _issue(desk: Desk, notice_id: int, version: int) -> None:
    issued = desk.notices.issue(notice_id, version)  # type: ignore[arg-type]
    assert issued.status is NoticeStatus.ISSUED


def test_a_case_runs_from_identification_to_closure_through_issued_notices(desk: Desk) -> None:
    family = desk.family()
    hid = _hid(family)
    desk.register.save_income(IncomeRecord(hid, 2025, wages=Decimal("60000")))
    opened = desk.register.open_case(_case(hid))
    case = opened.cases[0]
    assert case.status is CaseStatus.IDENTIFIED and case.relapse_of is None
    assert desk.line(hid).case_status == "已识别"
    with pytest.raises(ValidationError, match="已经有一个正在进行的监测"):
        desk.register.open_case(_case(hid))
    assert case.id is not None

    # 识别公示: a draft linked to the case, then issued by the notice engine.
    notice = desk.register.identification_notice([case.id], 2026)
    assert notice.id is not None and notice.title == "关于2026年拟纳入防返贫监测对象的公示"
    assert notice.tables[0].rows[0][1:] == ("第三村民小组", "张三", "3", "因病、因学")
    case = desk.register.dossier(hid).cases[0]
    assert case.status is CaseStatus.IDENTIFICATION_PUBLICITY
    approved = replace(case, township_reviewed_on=NOW.date(), county_approved_on=NOW.date())
    with pytest.raises(ValidationError, match="识别公示还没有发布"):
        desk.register.save_case(approved)
    _issue(desk, notice.id, notice.version)
    text = pdf_text(desk.notices.pdf(notice.id))
    assert "张三" in text and "因病、因学" in text
    end = desk.notices.notice(notice.id).period_end
    assert end is not None and end >= NOW.date() + dt.timedelta(days=4)
    with pytest.raises(ValidationError, match=f"识别公示到{end.year}年{end.month}月{end.day}日才期满"):
        desk.register.save_case(approved)
    desk.clock.to(end + dt.timedelta(days=1))
    day = desk.clock.today()
    case = desk.register.save_case(replace(approved, township_reviewed_on=day, county_approved_on=day)).cases[
        0
    ]
    assert case.status is CaseStatus.MONITORING

    # 风险消除 is refused while its rules do not hold, naming them.
    assert case.id is not None
    problems = desk.register.elimination_problems(case.id, None)
    assert any("帮扶措施" in p for p in problems) and any("6个月" in p for p in problems)
    with pytest.raises(
        ValidationError, match=r"03001户（户主张三）还不能标注风险消除：.*还没有登记任何帮扶措施"
    ):
        desk.register.elimination_notice([case.id], 2026)
    desk.register.add_measure(Measure(None, case.id, MeasureKind.HEALTH, "大病救助", day, Decimal("5000")))
    dossier = desk.register.save_case(replace(case, stable_since=day))
    case = dossier.cases[0]
    assert dossier.closure_problems  # not yet half a year
    desk.clock.to(D(2026, 9, 15))
    assert desk.register.elimination_problems(case.id, case.stable_since) == []
    assert desk.register.dossier(hid).closure_problems == ()

    elimination = desk.register.elimination_notice([case.id], 2026)
    assert elimination.id is not None
    assert elimination.tables[0].rows[0][1:] == ("第三村民小组", "张三", "3", "2026年3月1日", "健康帮扶")
    case = desk.register.dossier(hid).cases[0]
    assert case.status is CaseStatus.ELIMINATION_PUBLICITY
    with pytest.raises(ValidationError, match="风险消除公示还没有发布"):
        desk.register.close_case(case.id, case.version, desk.clock.today())  # type: ignore[arg-type]
    _issue(desk, elimination.id, elimination.version)
    with pytest.raises(ValidationError, match=r"风险消除公示到.*才期满"):
        desk.register.close_case(case.id, case.version, desk.clock.today())  # type: ignore[arg-type]
    desk.clock.to(D(2026, 9, 25))
    closed = desk.register.close_case(case.id, case.version, D(2026, 9, 25))  # type: ignore[arg-type]
    assert closed.cases[0].status is CaseStatus.CLOSED
    assert desk.line(hid).case_status == "已消除风险" and desk.line(hid).next_visit is None

    # The risk comes back: a new case is a relapse of the closed one.
    relapse = desk.register.open_case(_case(hid, D(2026, 9, 25)))
    assert relapse.cases[0].relapse_of == case.id and relapse.cases[1].id == case.id
    assert _summaries(desk, hid)[0].startswith("返贫风险：再次纳入监测识别（上次于2026年9月25日风险消除）")
    types = {e.record_type for e in desk.register.history(hid)}
    assert {"农户", "农户档案", "家庭成员", "人员", "收入", "监测对象", "帮扶措施"} <= types


def test_a_cancelled_identification_draft_can_be_made_again(desk: Desk) -> None:
    family = desk.family()
    case = desk.register.open_case(_case(_hid(family))).cases[0]
    assert case.id is not None
    first = desk.register.identification_notice([case.id], 2026)
    assert first.id is not None
    with pytest.raises(ValidationError, match="只有“已识别”的才能生成识别公示"):
        desk.register.identification_notice([case.id], 2026)
    desk.notices.cancel_draft(first.id, first.version, "重新生成")
    second = desk.register.identification_notice([case.id], 2026)
    assert desk.register.dossier(_hid(family)).cases[0].identification_notice_id == second.id


def test_a_case_can_be_rejected_with_a_reason(desk: Desk) -> None:
    family = desk.family()
    case = desk.register.open_case(_case(_hid(family))).cases[0]
    assert case.id is not None
    with pytest.raises(ValidationError, match="请填写未纳入监测的原因"):
        desk.register.reject_case(case.id, case.version, "")
    rejected = desk.register.reject_case(case.id, case.version, "入户核实收入稳定").cases[0]
    assert rejected.status is CaseStatus.REJECTED
    assert desk.register.open_case(_case(_hid(family))).cases[0].relapse_of is None  # not after a closure


def test_visits_are_due_after_the_interval_and_a_planned_visit_moves_the_date(desk: Desk) -> None:
    family = desk.family()
    hid = _hid(family)
    desk.register.open_case(_case(hid))
    assert desk.line(hid).next_visit == D(2026, 3, 31)
    desk.clock.to(D(2026, 4, 10))
    overview = desk.register.overview()
    assert [(line.household_id, due.days_overdue) for line, due in overview.visits_due] == [(hid, 10)]
    assert overview.cases[0].overdue and overview.cases[0].next_step == "生成并发布识别公示"
    with pytest.raises(ValidationError) as error:
        desk.register.add_visit(Visit(None, hid, D(2026, 4, 10), "", "", next_on=D(2026, 4, 1)))
    assert _fields(error) == {"visitor", "found", "next_on"}
    dossier = desk.register.add_visit(
        Visit(None, hid, D(2026, 4, 10), "王干部", "妻子在透析，孩子按时上学", next_on=D(2026, 5, 1))
    )
    assert dossier.visit_due is None and desk.line(hid).next_visit == D(2026, 5, 1)
    assert desk.register.overview().visits_due == ()
    visit = dossier.visits[0]
    assert visit.id is not None
    cancelled = desk.register.cancel_visit(visit.id, visit.version, "登记错了户")
    assert cancelled.visit_due is not None and cancelled.visit_due.days_overdue == 10


def test_overview_lists_households_at_risk_without_an_open_case(desk: Desk) -> None:
    poor = desk.family()
    desk.register.save_income(IncomeRecord(_hid(poor), 2025, wages=Decimal("9000")))
    watched = desk.household(
        "李四", D(1975, 5, 5), "013", housing_level=HousingLevel.D, housing_appraised_year=2025
    )
    desk.household("王五", D(1970, 5, 5), "015")
    desk.register.open_case(_case(_hid(watched)))
    overview = desk.register.overview()
    assert [(line.head_name, [s.kind for s in signals]) for line, signals in overview.at_risk] == [
        ("张三", [SignalKind.BELOW_LINE])
    ]
    assert "3000元" in overview.at_risk[0][1][0].reason
    assert [c.line.head_name for c in overview.cases] == ["李四"]
    assert desk.register.page(RegisterFilter(case_status=OPEN_CASE)).total == 1


def test_measures_need_an_open_case_and_a_reason_to_cancel(desk: Desk) -> None:
    family = desk.family()
    case = desk.register.open_case(_case(_hid(family))).cases[0]
    assert case.id is not None
    with pytest.raises(ValidationError, match="请写明帮扶措施的内容"):
        desk.register.add_measure(Measure(None, case.id, MeasureKind.INDUSTRY, " ", NOW.date()))
    measure = desk.register.add_measure(
        Measure(None, case.id, MeasureKind.INDUSTRY, "发放基础母羊5只", NOW.date())
    ).measures[0]
    assert measure.id is not None
    with pytest.raises(ValidationError, match="请填写作废这条帮扶措施的原因"):
        desk.register.cancel_measure(measure.id, measure.version, "")
    cancelled = desk.register.cancel_measure(measure.id, measure.version, "重复登记").measures[0]
    assert cancelled.cancelled_reason == "重复登记"
    desk.register.reject_case(case.id, desk.register.dossier(_hid(family)).cases[0].version, "不符合条件")
    with pytest.raises(ValidationError, match="不能再登记帮扶措施"):
        desk.register.add_measure(Measure(None, case.id, MeasureKind.INDUSTRY, "发放母牛", NOW.date()))


def test_benefits_totals_per_year_and_kind_leave_out_cancelled(desk: Desk) -> None:
    family = desk.family()
    hid = _hid(family)
    child = _pid(family, "张小宝")
    desk.register.add_benefit(Benefit(None, hid, "教育补助", D(2026, 2, 1), Decimal("1800"), "教育局", child))
    desk.register.add_benefit(Benefit(None, hid, "低保金", D(2026, 1, 5), Decimal("455.50"), "民政局"))
    dossier = desk.register.add_benefit(
        Benefit(None, hid, "低保金", D(2026, 2, 5), Decimal("455.50"), "民政局")
    )
    mistake = dossier.benefits[0]
    assert mistake.id is not None
    dossier = desk.register.add_benefit(
        Benefit(None, hid, "低保金", D(2025, 12, 5), Decimal("400"), "民政局")
    )
    dossier = desk.register.cancel_benefit(mistake.id, mistake.version, "重复发放已追回")
    assert dossier.benefit_totals == (
        (2026, "低保金", Decimal("455.50")),
        (2026, "教育补助", Decimal("1800")),
        (2025, "低保金", Decimal("400")),
    )
    stranger = desk.household("李四", D(1975, 5, 5), "013")
    with pytest.raises(ValidationError, match="领取人应是本户的成员"):
        desk.register.add_benefit(
            Benefit(None, hid, "教育补助", D(2026, 2, 1), Decimal("1800"), person_id=_pid(stranger, "李四"))
        )
    with pytest.raises(ValidationError, match="发放日期不能晚于今天"):
        desk.register.add_benefit(Benefit(None, hid, "低保金", D(2026, 4, 5), Decimal("455.50")))


# --- notices of the register ------------------------------------------------------------------------------


def test_the_low_income_list_needs_every_amount_and_shows_only_the_allowed_columns(desk: Desk) -> None:
    family = desk.family(category="低保户")
    other = desk.household("李四", D(1975, 5, 5), "013")
    with pytest.raises(ValidationError, match="请填写03001户（户主张三）的月保障金额"):
        desk.register.low_income_notice("关于2026年低保对象的公示", {})
    with pytest.raises(ValidationError, match="不是“低保户”"):
        desk.register.low_income_notice(
            "关于2026年低保对象的公示", {_hid(family): Decimal("455.5"), _hid(other): Decimal(100)}
        )
    notice = desk.register.low_income_notice("关于2026年低保对象的公示", {_hid(family): Decimal("455.5")})
    assert notice.id is not None and notice.period_rule == "低保"
    assert notice.tables[0].rows == (("第三村民小组", "张三", "3", "455.50"),)


def test_the_roster_is_internal_with_full_personal_data(desk: Desk) -> None:
    desk.family()
    desk.household("李四", D(1975, 5, 5), "013", group=G1)
    notice = desk.register.roster_notice(RegisterFilter(group_id=G3))
    assert notice.title == "小大歹村农户花名册" and notice.period_start is None
    assert [row[2] for row in notice.tables[0].rows] == ["张三", "李秀英", "张小宝"]
    assert notice.id is not None
    text = pdf_text(desk.notices.internal_pdf(notice.id))
    assert id_number(D(1982, 3, 4), "022") in text and "内部资料" in text


# --- bulk, permissions ----------------------------------------------------------------------------------------


def _imported(number: str, head: str, birth: dt.date, seq: str, *others: Member) -> RegisterImport:
    return RegisterImport(
        household=Household(id=None, number=number, head_name="", group_id=G1),
        file=HouseholdFile(HouseholdId(0), category="脱贫户", ewes=12),
        members=(member(head, birth, seq), *others),
        incomes=(IncomeRecord(HouseholdId(0), 2025, wages=Decimal("8000")),),
    )


def test_import_is_one_transaction_with_one_log_entry_and_lines(desk: Desk) -> None:
    items: Sequence[RegisterImport] = [
        _imported("01001", "包金山", D(1970, 1, 1), "011", member("乌云", D(1972, 2, 2), "022", "配偶")),
        _imported("01002", "白音", D(1965, 1, 1), "013"),
    ]
    before = desk.log_head()
    ids = desk.register.import_households(items)
    assert len(ids) == 2 and desk.log_head() == before + 1
    with desk.storage.transaction() as tx:
        entries = tx.audit_entries(AuditFilter(action=AuditAction.IMPORT))
    assert len(entries) == 1
    page = desk.register.page(RegisterFilter(text="bjs"))
    assert [(line.household_id, line.head_name, line.members) for line in page.lines] == [
        (ids[0], "包金山", 2)
    ]
    assert (
        page.lines[0].per_person == Decimal("4000.00") and SignalKind.BELOW_LINE.value in page.lines[0].risks
    )
    assert desk.register.dossier(ids[1]).members[0].person.name == "白音"
    # One bad household refuses them all.
    bad = [
        _imported("01003", "张三", D(1980, 1, 1), "011"),
        _imported("01001", "李四", D(1975, 5, 5), "013", member("乌云", D(1972, 2, 2), "022", "配偶")),
    ]
    with pytest.raises(ValidationError) as error:
        desk.register.import_households(bad)
    assert "户号01001已被使用" in _messages(error) and "乌云的身份证号码" in _messages(error)
    assert desk.count("households") == 2 and desk.log_head() == before + 1


def test_reading_needs_view_and_writing_needs_the_register_permission(desk: Desk) -> None:
    family = desk.family()
    reader = desk.signed_in(READER)
    assert reader.page(RegisterFilter()).total == 1
    assert reader.dossier(_hid(family)).household.number == "03001"
    with pytest.raises(AccessDeniedError, match="维护农户档案"):
        reader.save_income(IncomeRecord(_hid(family), 2025))
    with pytest.raises(AccessDeniedError, match="维护农户档案"):
        desk.signed_in(ADMIN).add_visit(Visit(None, _hid(family), NOW.date(), "王", "好"))
    with pytest.raises(AccessDeniedError):
        reader.identification_notice([], 2026)


def test_many_households_are_read_table_by_table_with_the_same_result(desk: Desk) -> None:
    """Above a few households the overview and the roster read every table at once."""
    items = [
        _imported(
            f"01{n:03d}",
            f"白{n}",
            D(1960 + n, 1, 1),
            "011",
            member(f"乌{n}", D(1962 + n, 2, 2), "022", "配偶"),
        )
        for n in range(1, 31)
    ]
    ids = desk.register.import_households(items)
    poor = desk.register.dossier(ids[0])
    overview = desk.register.overview()
    assert len(overview.at_risk) == 30  # 8000 元 for two: under the line
    assert overview.at_risk[0][1] == poor.signals
    roster = desk.register.roster_notice(RegisterFilter())
    assert len(roster.tables[0].rows) == 60
    assert roster.tables[0].rows[:2] == (
        ("第一村民小组", "01001", "白1", "户主", id_number(D(1961, 1, 1)), "", "健康", "脱贫户"),
        ("第一村民小组", "01001", "乌1", "配偶", id_number(D(1963, 2, 2), "022"), "", "健康", "脱贫户"),
    )


@pytest.mark.storage
def test_lines_from_an_earlier_day_are_recomputed_as_ages_move_on(desk: Desk) -> None:
    """A child turning six without a school is a signal from that day on, once the lines are refreshed."""
    desk.clock.to(D(2026, 5, 31))
    dossier = desk.household()
    hid = _hid(dossier)
    desk.register.add_member(
        hid, member("张小妹", D(2020, 6, 1), "042", "女"), born=True, on=desk.clock.today()
    )
    assert SignalKind.SCHOOL.value not in desk.line(hid).risks
    assert desk.line(hid).computed_on == D(2026, 5, 31)
    reader = desk.signed_in(READER)
    assert reader.refresh_lines() == 0  # computed today: nothing to do
    head = desk.log_head()

    desk.clock.to(D(2026, 6, 2))  # she is six now
    assert reader.refresh_lines(batch=1) == 1  # any signed-in user; in batches
    line = desk.line(hid)
    assert SignalKind.SCHOOL.value in line.risks and line.computed_on == D(2026, 6, 2)
    assert "张小妹" in line.risk_reasons[line.risks.index(SignalKind.SCHOOL.value)]
    assert reader.refresh_lines() == 0
    assert desk.log_head() == head  # derived data: nothing logged


@pytest.mark.storage
def test_a_name_changed_on_the_roster_is_found_after_a_refresh(desk: Desk) -> None:
    hid = _hid(desk.household("张三"))
    person = desk.register.dossier(hid).members[0].person
    roster = RosterService(desk.storage, Access(CLERK))
    roster.save_person(replace(person, name="张山"))
    assert desk.register.page(RegisterFilter(text="张山")).total == 0  # the line is marked, not rewritten
    assert desk.signed_in(READER).refresh_lines() == 1
    assert [line.household_id for line in desk.register.page(RegisterFilter(text="zhangshan")).lines] == [hid]
    assert desk.register.page(RegisterFilter(text="张三")).total == 0


@pytest.mark.storage
def test_a_household_under_monitoring_cannot_be_merged_away_or_closed(desk: Desk) -> None:
    family = desk.family()
    single = desk.household("张二", D(1950, 1, 1), "017", group=G1)
    desk.register.open_case(_case(_hid(single)))
    head = desk.log_head()
    elder = _pid(single, "张二")
    with pytest.raises(ValidationError, match="还是防返贫监测对象（已识别），不能合户"):
        desk.register.merge(_hid(single), _hid(family), NOW.date(), {elder: "父亲"})
    with pytest.raises(ValidationError, match="不能销户"):
        desk.register.close_household(_hid(single), NOW.date(), "全户迁往通辽市")
    assert desk.log_head() == head and not desk.line(_hid(single)).closed
    # Merging another household into it is fine: the case stays with the household that goes on.
    merged = desk.register.merge(
        _hid(family), _hid(single), NOW.date(), {p.person.id: "子" for p in family.members}
    )  # type: ignore[misc]
    assert len(merged.members) == 4 and merged.cases[0].is_open


@pytest.mark.storage
def test_households_entered_on_the_roster_before_the_register_get_their_lines(desk: Desk) -> None:
    """A database upgraded from before the register: its roster households appear in the table."""
    with desk.storage.transaction(MACHINE) as tx:
        old = tx.save_household(Household(id=None, number="0909", head_name="老王", group_id=G1))
        tx.save_household(
            Household(id=None, number="0910", head_name="老李", group_id=G1, closed_reason="合户")
        )
    assert old.id is not None
    assert desk.register.page(RegisterFilter(text="0909")).total == 0
    assert desk.signed_in(READER).refresh_lines() == 1  # the closed one is left alone
    line = desk.line(old.id)
    assert (line.number, line.head_name, line.members, line.category) == ("0909", "老王", 0, "一般户")
    assert desk.register.page(RegisterFilter(text="lw")).lines[0].household_id == old.id
    assert desk.signed_in(READER).refresh_lines() == 0


@pytest.mark.storage
def test_lists_follow_the_group_numbers_not_the_characters(desk: Desk) -> None:
    """第一, 第二, 第三 — in character order 三 (U+4E09) would come before 二 (U+4E8C)."""
    third = desk.household("张三", group=G3, category="低保户")
    second = desk.household("李四", D(1970, 1, 1), "021", group=GroupId(2), category="低保户")
    first = desk.household("王五", D(1960, 1, 1), "031", group=G1, category="低保户")
    amounts = {_hid(d): Decimal(400) for d in (third, second, first)}
    notice = desk.register.low_income_notice("关于低保对象的公示", amounts)
    table = next(b for b in notice.body if isinstance(b, NoticeTable))
    assert [row[:2] for row in table.rows[:3]] == [
        ("第一村民小组", "王五"),
        ("第二村民小组", "李四"),
        ("第三村民小组", "张三"),
    ]
