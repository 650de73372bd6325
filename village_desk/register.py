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
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from village_desk.codes import resident_id_birth_date, resident_id_gender, resident_id_problem
from village_desk.errors import FieldError
from village_desk.ids import HouseholdId, PersonId
from village_desk.monitoring import Health, HousingLevel, Labour, SchoolStage

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
