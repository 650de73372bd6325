"""农户档案: the household register's records and rules (issue 5; storage and screens follow).

A household of the register is the roster's ``Household`` (户号, 户主, 小组)
with its file (``HouseholdFile``: category, 帮扶责任人, the subsidy account,
housing, water, land, livestock, crops, loans) and its yearly income
(``monitoring.IncomeYear``). A member is the roster's ``Person`` (name, ID
number, phone) with a ``Resident`` record: the household they belong to, their
relation to the head, education, health, labour, work, insurance and status.
One person, one record: a villager who is also a cadre or a representative is
the same ``Person``.

Nothing is deleted. A member leaves by a status with a date and reason (迁出,
死亡…); a household closes with a reason (合户, 全户迁出…). 分户, 合户, 迁入,
迁出, 新生 and 死亡 are operations (``operations`` below) that change records
in ways the history keeps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from village_desk.codes import resident_id_birth_date, resident_id_gender, resident_id_problem
from village_desk.errors import FieldError
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.monitoring import (
    DEFAULT_EDUCATION_SUBSIDIES,
    DEFAULT_RAIN_AND_DEW,
    Health,
    HousingLevel,
    IncomeYear,
    Labour,
    MonitoringSettings,
    SchoolStage,
)
from village_desk.roster import Household, Person

# The office's list of household categories (a setting; this is the default).
DEFAULT_CATEGORIES: tuple[str, ...] = (
    "一般户",
    "脱贫户",
    "脱贫不稳定户",
    "边缘易致贫户",
    "突发严重困难户",
    "低保户",
    "特困供养户（分散）",
    "特困供养户（集中）",
    "五保户",
)
# The categories 防返贫监测 watches (domain §5).
MONITORED_CATEGORIES = frozenset({"脱贫不稳定户", "边缘易致贫户", "突发严重困难户"})

RELATIONS = (
    "户主",
    "配偶",
    "子",
    "女",
    "儿媳",
    "女婿",
    "孙子",
    "孙女",
    "外孙子",
    "外孙女",
    "父亲",
    "母亲",
    "公公",
    "婆婆",
    "岳父",
    "岳母",
    "兄弟",
    "姐妹",
    "其他",
)


class ResidentStatus(StrEnum):
    IN = "在籍"
    MOVED_OUT = "迁出"
    DECEASED = "死亡"
    MARRIED_OUT = "出嫁"
    ENLISTED = "参军"
    STUDYING_AWAY = "外出上学（户口迁出）"
    OTHER = "其他原因离开"


class Education(StrEnum):
    NONE = "未上学"
    PRESCHOOL = "学前"
    PRIMARY = "小学"
    JUNIOR = "初中"
    SENIOR = "高中"
    VOCATIONAL = "中专/中职"
    COLLEGE = "大专及以上"


class DisabilityCategory(StrEnum):
    VISION = "视力残疾"
    HEARING = "听力残疾"
    SPEECH = "言语残疾"
    PHYSICAL = "肢体残疾"
    INTELLECTUAL = "智力残疾"
    MENTAL = "精神残疾"
    MULTIPLE = "多重残疾"


@dataclass(frozen=True)
class Resident:
    """A member of a household (the ``Person`` holds name, ID number, gender, ethnicity, phone)."""

    person_id: PersonId
    household_id: HouseholdId
    relation: str = "户主"
    education: Education = Education.NONE
    school_stage: SchoolStage | None = None  # 在校 now, at this stage
    health: Health = Health.HEALTHY
    illness: str = ""  # 大病/慢性病的病种
    disability_category: DisabilityCategory | None = None
    disability_grade: int | None = None  # 1–4 (一级最重)
    disability_card: str = ""  # 残疾证号
    labour: Labour = Labour.ABLE
    work_place: str = ""  # 务工地点
    work_months: int = 0  # 务工月数 (this year)
    medical_insurance: bool = True  # 城乡居民基本医疗保险
    pension_insurance: bool = False  # 城乡居民基本养老保险
    status: ResidentStatus = ResidentStatus.IN
    status_on: dt.date | None = None  # when the status took effect (迁出、死亡…)
    status_reason: str = ""
    joined_on: dt.date | None = None  # 迁入/新生/分户 into this household
    version: int = 0

    @property
    def is_in(self) -> bool:
        return self.status is ResidentStatus.IN


@dataclass(frozen=True)
class Loan:
    kind: str  # 信用贷款 / 扶贫小额信贷 / 其他
    amount: Decimal
    bank: str
    due_on: dt.date | None = None


@dataclass(frozen=True)
class HouseholdFile:
    """The register's file of one household (户号, 户主 and 小组 stay on the roster's ``Household``)."""

    household_id: HouseholdId
    address: str = ""
    phone: str = ""
    category: str = "一般户"
    helper_name: str = ""  # 帮扶责任人
    bank_name: str = ""  # 补贴发放银行
    bank_account: str = ""  # 一卡通账号 (masked on every public notice)
    housing_structure: str = ""  # 砖混、砖木、土木…
    housing_area: Decimal | None = None  # 平方米
    housing_level: HousingLevel | None = None
    housing_appraised_year: int | None = None
    housing_renovated: str = ""  # 维修加固 / 改造新建 and the year
    safe_water: bool | None = None
    land_contracted: Decimal = Decimal(0)  # 承包地 亩
    land_out: Decimal = Decimal(0)  # 流转出 亩
    land_in: Decimal = Decimal(0)  # 流转入 亩
    ewes: int = 0  # 基础母羊
    cows: int = 0  # 基础母牛
    fattening_sheep: int = 0
    fattening_cattle: int = 0
    sheep_sold: int = 0  # 出栏 this year
    cattle_sold: int = 0
    beet_area: Decimal = Decimal(0)  # 甜菜 亩
    other_crops: str = ""  # 玉米 120亩…
    loans: tuple[Loan, ...] = ()
    note: str = ""
    version: int = 0

    @property
    def sheep(self) -> int:
        return self.ewes + self.fattening_sheep

    @property
    def cattle(self) -> int:
        return self.cows + self.fattening_cattle

    @property
    def land_farmed(self) -> Decimal:
        """亩 farmed by the household itself: contracted − transferred out + transferred in."""
        return self.land_contracted - self.land_out + self.land_in


# --- checks ------------------------------------------------------------------------------------------


def id_number_problem(number: str, today: dt.date | None = None) -> str | None:
    """The ID rules of GB 11643 (domain §6): a wrong check character or date is an error.

    (An unknown or retired area code is never an error; ``codes.resident_id_problem``
    does not look at it.)"""
    return resident_id_problem(number, today) if number.strip() else None


def derived_from_id(number: str) -> tuple[str, dt.date] | None:
    """(gender, birth date) read from a valid ID number; None when it is not valid."""
    if not number.strip() or resident_id_problem(number) is not None:
        return None
    birth = resident_id_birth_date(number.strip().upper())
    assert birth is not None
    return resident_id_gender(number.strip().upper()), birth


def resident_problems(resident: Resident) -> list[FieldError]:
    problems: list[FieldError] = []
    if resident.relation not in RELATIONS:
        problems.append(
            FieldError("relation", f"与户主关系“{resident.relation}”不在列表里，请从列表中选择。")
        )
    if resident.health is Health.DISABLED:
        if resident.disability_category is None:
            problems.append(FieldError("disability_category", "请选择残疾类别。"))
        if resident.disability_grade is None or not 1 <= resident.disability_grade <= 4:
            problems.append(FieldError("disability_grade", "残疾等级应为一级到四级。"))
    elif resident.disability_category is not None or resident.disability_card:
        problems.append(
            FieldError("health", "填写了残疾类别或残疾证号，健康状况应选“残疾”；如不是残疾，请清空这两项。")
        )
    if resident.health in (Health.SERIOUS, Health.CHRONIC) and not resident.illness.strip():
        problems.append(FieldError("illness", "请填写所患的病种，例如“尿毒症”“高血压”。"))
    if not 0 <= resident.work_months <= 12:
        problems.append(FieldError("work_months", "务工月数应在0到12之间。"))
    if resident.work_months and not resident.work_place.strip():
        problems.append(FieldError("work_place", "填写了务工月数，请同时填写务工地点。"))
    if not resident.is_in:
        if resident.status_on is None:
            problems.append(FieldError("status_on", f"请填写{resident.status.value}的日期。"))
        if not resident.status_reason.strip() and resident.status is ResidentStatus.OTHER:
            problems.append(FieldError("status_reason", "请写明离开的原因。"))
    return problems


def file_problems(file: HouseholdFile, categories: tuple[str, ...] = DEFAULT_CATEGORIES) -> list[FieldError]:
    problems: list[FieldError] = []
    if file.category not in categories:
        problems.append(FieldError("category", f"户类别“{file.category}”不在设置的类别列表里，请重新选择。"))
    for name, value, label in (
        ("land_contracted", file.land_contracted, "承包地面积"),
        ("land_out", file.land_out, "流转出面积"),
        ("land_in", file.land_in, "流转入面积"),
        ("beet_area", file.beet_area, "甜菜种植面积"),
    ):
        if value < 0:
            problems.append(FieldError(name, f"{label}不能是负数。"))
    if file.land_out > file.land_contracted:
        problems.append(FieldError("land_out", "流转出的面积不能多于承包地面积。"))
    for name, count, label in (
        ("ewes", file.ewes, "基础母羊"),
        ("cows", file.cows, "基础母牛"),
        ("fattening_sheep", file.fattening_sheep, "育肥羊"),
        ("fattening_cattle", file.fattening_cattle, "育肥牛"),
        ("sheep_sold", file.sheep_sold, "羊出栏"),
        ("cattle_sold", file.cattle_sold, "牛出栏"),
    ):
        if count < 0:
            problems.append(FieldError(name, f"{label}的数量不能是负数。"))
    if file.housing_area is not None and file.housing_area <= 0:
        problems.append(FieldError("housing_area", "住房面积应大于0，不知道可以不填。"))
    if file.housing_level is not None and file.housing_appraised_year is None:
        problems.append(FieldError("housing_appraised_year", "填写了房屋安全等级，请同时填写鉴定年份。"))
    if file.bank_account and not file.bank_account.replace(" ", "").isdigit():
        problems.append(FieldError("bank_account", "银行账号只能是数字，请核对。"))
    for loan in file.loans:
        if loan.amount <= 0:
            problems.append(FieldError("loans", f"{loan.kind}的金额应大于0。"))
    return problems


def head_problems(residents: list[Resident]) -> list[str]:
    """A household in the register has exactly one head among its members still in it."""
    heads = [r for r in residents if r.is_in and r.relation == "户主"]
    if not any(r.is_in for r in residents):
        return []
    if not heads:
        return ["这一户没有户主，请指定一位家庭成员为户主。"]
    if len(heads) > 1:
        return ["这一户有不止一位户主，请只保留一位。"]
    return []


# --- operations: each returns the records to save, and the history keeps what they were -----------------


def leave(resident: Resident, status: ResidentStatus, on: dt.date, reason: str) -> Resident:
    """迁出, 死亡, 出嫁…: the member stays on file with the status, date and reason."""
    if status is ResidentStatus.IN:
        raise ValueError("leave() needs a leaving status")
    return replace(resident, status=status, status_on=on, status_reason=reason.strip())


def move_to(resident: Resident, household_id: HouseholdId, relation: str, on: dt.date) -> Resident:
    """分户 or 合户 for one member: the same person, now in ``household_id`` (a member belongs to
    one household at a time; the history shows the old one)."""
    return replace(resident, household_id=household_id, relation=relation, joined_on=on)


# --- income -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeRecord:
    """A household's income of one year as entered (元), one record per household and year."""

    household_id: HouseholdId
    year: int
    wages: Decimal = Decimal(0)  # 工资性收入
    business: Decimal = Decimal(0)  # 经营性收入
    assets: Decimal = Decimal(0)  # 财产性收入
    transfer: Decimal = Decimal(0)  # 转移性收入
    production_costs: Decimal = Decimal(0)  # 生产经营性支出
    medical_costs: Decimal = Decimal(0)  # 自付医疗费用
    note: str = ""
    version: int = 0

    def as_income_year(self) -> IncomeYear:
        return IncomeYear(
            self.year,
            self.wages,
            self.business,
            self.assets,
            self.transfer,
            self.production_costs,
            self.medical_costs,
        )


def income_problems(income: IncomeRecord, today: dt.date) -> list[FieldError]:
    problems: list[FieldError] = []
    if not 2000 <= income.year <= today.year:
        problems.append(FieldError("year", f"年份应在2000年到{today.year}年之间。"))
    for name, label in (
        ("wages", "工资性收入"),
        ("business", "经营性收入"),
        ("assets", "财产性收入"),
        ("transfer", "转移性收入"),
        ("production_costs", "生产经营性支出"),
        ("medical_costs", "自付医疗费用"),
    ):
        value: Decimal = getattr(income, name)
        if value < 0:
            problems.append(FieldError(name, f"{label}不能是负数。"))
        elif value != value.quantize(Decimal("0.01")):
            problems.append(FieldError(name, f"{label}最多到分（两位小数）。"))
    return problems


# --- settings and targets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorTargets:
    """The plan's targets for the home page (each editable in the settings)."""

    sheep_households: int = 15  # 养羊50只以上的户
    sheep_threshold: int = 50
    cattle_households: int = 13  # 养牛20头以上的户
    cattle_threshold: int = 20
    ewes: int = 3000  # 基础母羊
    cows: int = 900  # 基础母牛
    sheep_per_poor_person: Decimal = Decimal(10)  # 脱贫人口人均羊
    cattle_per_poor_person: Decimal = Decimal(2)  # 脱贫人口人均牛
    beet_area: Decimal = Decimal(2000)  # 甜菜 亩


# Categories whose members count as 脱贫人口 / 监测对象 for "per poor person".
POOR_CATEGORIES = frozenset({"脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"})


@dataclass(frozen=True)
class RegisterSettings:
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    targets: IndicatorTargets = field(default_factory=IndicatorTargets)
    visit_interval_days: int = 30  # 监测户 are visited at least monthly
    # The plan's education subsidies (元/人/年) and 雨露计划.
    education_subsidies: tuple[tuple[SchoolStage, Decimal], ...] = DEFAULT_EDUCATION_SUBSIDIES
    rain_and_dew: Decimal = DEFAULT_RAIN_AND_DEW
    version: int = 0


@dataclass(frozen=True)
class Indicators:
    """The plan's livestock and crop figures, computed from the register (households 在册 only)."""

    sheep_households: int
    cattle_households: int
    ewes: int
    cows: int
    sheep: int  # all sheep (基础母羊 + 育肥羊)
    cattle: int
    poor_people: int  # members 在籍 of POOR_CATEGORIES households
    poor_sheep: int  # sheep of those households
    poor_cattle: int
    beet_area: Decimal

    # Rounded 四舍五入 (7.25 → 7.3), as figures are read in reports; not the banker's rounding.
    @property
    def sheep_per_poor_person(self) -> Decimal | None:
        return (
            (Decimal(self.poor_sheep) / self.poor_people).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if self.poor_people
            else None
        )

    @property
    def cattle_per_poor_person(self) -> Decimal | None:
        return (
            (Decimal(self.poor_cattle) / self.poor_people).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if self.poor_people
            else None
        )


# --- the household table -------------------------------------------------------------------------------------


class RegisterColumn(StrEnum):
    """Columns of the 农户档案 table; the value is the header. Every one can be sorted in SQL."""

    NUMBER = "户号"
    GROUP = "村民小组"
    HEAD = "户主"
    CATEGORY = "户类别"
    MEMBERS = "人口"
    PER_PERSON = "人均纯收入"
    RISKS = "风险提示"
    CASE = "监测状态"
    PHONE = "联系电话"
    HELPER = "帮扶责任人"
    SHEEP = "羊（只）"
    CATTLE = "牛（头）"
    LAND = "承包地（亩）"
    BEET = "甜菜（亩）"
    NEXT_VISIT = "应走访日期"
    ADDRESS = "住址"


DEFAULT_COLUMNS: tuple[RegisterColumn, ...] = (
    RegisterColumn.NUMBER,
    RegisterColumn.GROUP,
    RegisterColumn.HEAD,
    RegisterColumn.CATEGORY,
    RegisterColumn.MEMBERS,
    RegisterColumn.PER_PERSON,
    RegisterColumn.RISKS,
    RegisterColumn.CASE,
    RegisterColumn.PHONE,
)


@dataclass(frozen=True)
class RegisterLine:
    """One household as the table shows it: a row of the register index, kept up to date on every save.

    ``search`` holds what the search box looks in: 户号, every member's name
    with its pinyin keys (``pinyin.name_keys``), ID numbers and phones.
    ``risks`` are the ``SignalKind`` values of the household's signals now.
    """

    household_id: HouseholdId
    number: str
    group_id: GroupId | None
    group_name: str
    head_name: str
    category: str
    members: int  # 在籍
    per_person: Decimal | None  # of the latest income year entered
    income_year: int | None
    risks: tuple[str, ...]
    case_status: str  # CaseStatus value of the latest case, or ""
    phone: str
    helper_name: str
    sheep: int
    cattle: int
    land: Decimal
    beet_area: Decimal
    next_visit: dt.date | None  # due date of the next visit, for households under monitoring
    address: str
    closed: bool  # the household is no longer in the register (合户, 全户迁出)
    search: str = ""
    risk_reasons: tuple[str, ...] = ()  # the sentence of each of ``risks``, in the same order
    # The day the line was computed: ages (school, working age) move on, so a line from an
    # earlier day is recomputed (``RegisterService.refresh_lines``).
    computed_on: dt.date | None = None


@dataclass(frozen=True)
class RegisterFilter:
    text: str = ""  # name, pinyin, initials, ID number, phone or 户号 (``pinyin.like_pattern``)
    group_id: GroupId | None = None
    category: str = ""
    at_risk: bool = False  # only households with a risk signal
    risk: str = ""  # only this SignalKind value
    case_status: str = ""  # a CaseStatus value; "open" for any open case
    include_closed: bool = False
    sort: RegisterColumn = RegisterColumn.NUMBER
    descending: bool = False
    offset: int = 0
    limit: int | None = None


OPEN_CASE = "open"


@dataclass(frozen=True)
class RegisterPage:
    total: int  # lines matching the filter
    lines: tuple[RegisterLine, ...]  # the requested slice


# --- history operations ----------------------------------------------------------------------------------------


class HouseholdEvent(StrEnum):
    """Operations on the register that the history names as such (besides field changes)."""

    CREATED = "建档"
    MOVED_IN = "迁入"
    BORN = "新生"
    MEMBER_LEFT = "成员减少"  # 迁出, 死亡, 出嫁… (the status says which)
    SPLIT = "分户"
    MERGED = "合户"
    HEAD_CHANGED = "变更户主"
    CLOSED = "销户"


# --- what the window reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A member as the household window shows it: the roster's person and the register's record."""

    person: Person
    resident: Resident


@dataclass(frozen=True)
class IdCheck:
    """What the window says under an ID number field while the clerk types."""

    problem: str | None  # an error: wrong length, date or check character
    warning: str | None  # only a warning (an unknown area code)
    existing: Person | None  # someone already registered with this number
    existing_household: Household | None  # …and the household they are in, for the link
    gender: str | None = None  # derived, when valid
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class RegisterImport:
    """One household for ``import_households``: ids inside are ignored (new rows are made)."""

    household: Household
    file: HouseholdFile
    members: tuple[Member, ...]
    incomes: tuple[IncomeRecord, ...] = ()
