"""防止返贫动态监测: the rules, over a snapshot of a household's facts (../shared/domain §5).

The register (issue 5) keeps households, members, income, housing and water;
this module only *reads* a ``HouseholdFacts`` snapshot built from them, so its
rules are pure and table-tested:

- ``risk_signals``: why a household may need watching, each signal with its
  reason in a sentence (income under the year's monitoring line or the plan's
  5000 元 watch level, a 三保障 or drinking-water gap, a sharp income drop, large
  medical spending, serious illness or disability with no assistance);
- ``closure_problems``: which rule stops a monitoring case from being closed
  (风险消除) — income stably above the line for at least half a year, at least
  one assistance measure, not a household without working-age labour, the
  三保障 and water secure.

Every threshold is a setting (``MonitoringSettings``) with the plan's or the
national value as its default; the monitoring line is entered per year.
Money is ``Decimal`` throughout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# --- settings -------------------------------------------------------------------------------------

# 6000 元/人/年 was the national monitoring line in 2021; provinces set theirs each year since.
DEFAULT_MONITORING_LINE = Decimal(6000)
# The village plan also watches households under 5000 元 per person.
DEFAULT_WATCH_LEVEL = Decimal(5000)


@dataclass(frozen=True)
class MonitoringSettings:
    """Thresholds of the rules, each editable in the settings (the defaults are the plan's or national)."""

    # year → the province's monitoring line (元/人/年); a year not entered uses the latest earlier one.
    lines: tuple[tuple[int, Decimal], ...] = ((2021, DEFAULT_MONITORING_LINE),)
    watch_level: Decimal = DEFAULT_WATCH_LEVEL
    # Income per person falling by more than this share from last year is a signal.
    drop_share: Decimal = Decimal("0.3")
    # Medical costs paid by the household in a year above this share of its net income are a signal.
    medical_share: Decimal = Decimal("0.3")
    # And above this amount in any case.
    medical_amount: Decimal = Decimal(10000)
    # Compulsory education ages (both included).
    school_ages: tuple[int, int] = (6, 15)
    # Working age for "has labour" (both included).
    working_ages: tuple[int, int] = (16, 64)
    # 风险消除: income stably above the line for at least this many months.
    stable_months: int = 6
    # 风险消除: at least this long in monitoring, normally.
    min_months_in_monitoring: int = 6

    def line_for(self, year: int) -> Decimal:
        """The monitoring line of ``year``: its own, else the latest earlier one, else the 2021 default."""
        earlier = [(y, value) for y, value in self.lines if y <= year]
        if not earlier:
            return DEFAULT_MONITORING_LINE
        return max(earlier)[1]


# --- the snapshot ----------------------------------------------------------------------------------------


class Health(StrEnum):
    HEALTHY = "健康"
    CHRONIC = "长期慢性病"
    SERIOUS = "大病"
    DISABLED = "残疾"


class Labour(StrEnum):
    ABLE = "有劳动能力"
    WEAK = "弱劳动力"
    NONE = "无劳动能力"


class HousingLevel(StrEnum):
    """房屋安全等级: A, B safe; C 局部危房; D 整幢危房."""

    A = "A级"
    B = "B级"
    C = "C级"
    D = "D级"


@dataclass(frozen=True)
class MemberFacts:
    """What the rules need of one member still in the household (在籍)."""

    name: str
    birth_date: dt.date | None
    in_school: bool = False  # 在校 (any stage)
    has_medical_insurance: bool = True
    health: Health = Health.HEALTHY
    labour: Labour = Labour.ABLE

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


@dataclass(frozen=True)
class IncomeYear:
    """A year's income of the household (元), by its parts, and what production cost."""

    year: int
    wages: Decimal = Decimal(0)  # 工资性收入
    business: Decimal = Decimal(0)  # 经营性收入
    assets: Decimal = Decimal(0)  # 财产性收入 (rent, dividends, land transfer fees)
    transfer: Decimal = Decimal(0)  # 转移性收入
    production_costs: Decimal = Decimal(0)  # 生产经营性支出
    medical_costs: Decimal = Decimal(0)  # 自付医疗费用

    @property
    def net(self) -> Decimal:
        """家庭纯收入 = the four parts − production costs."""
        return self.wages + self.business + self.assets + self.transfer - self.production_costs


@dataclass(frozen=True)
class HouseholdFacts:
    """A household as the rules see it on ``as_of``."""

    members: tuple[MemberFacts, ...]
    incomes: tuple[IncomeYear, ...] = ()
    housing: HousingLevel | None = None
    safe_water: bool | None = None  # None: not checked yet
    assistance_count: int = 0  # assistance measures recorded (帮扶措施)
    # Months in a row, up to ``as_of``, with income per person above the line (kept by the case).
    months_above_line: int = 0
    as_of: dt.date = field(default_factory=dt.date.today)

    @property
    def size(self) -> int:
        return len(self.members)

    def income(self, year: int) -> IncomeYear | None:
        return next((i for i in self.incomes if i.year == year), None)

    def per_person(self, year: int) -> Decimal | None:
        """Net income per member (元, to the 分), or None when the year is not entered or nobody lives here."""
        income = self.income(year)
        if income is None or not self.members:
            return None
        return (income.net / self.size).quantize(Decimal("0.01"))

    def has_working_age_labour(self, settings: MonitoringSettings) -> bool:
        low, high = settings.working_ages
        for member in self.members:
            age = member.age_on(self.as_of)
            if age is not None and low <= age <= high and member.labour is not Labour.NONE:
                return True
        return False


# --- risk signals ------------------------------------------------------------------------------------------


class SignalKind(StrEnum):
    BELOW_LINE = "收入低于监测线"
    BELOW_WATCH = "收入低于关注线"
    INCOME_DROP = "收入大幅下降"
    SCHOOL = "义务教育有缺口"
    MEDICAL_INSURANCE = "未参加医保"
    HOUSING = "住房不安全"
    WATER = "饮水不安全"
    MEDICAL_COSTS = "医疗支出大"
    ILLNESS_UNASSISTED = "重病或残疾无帮扶"


@dataclass(frozen=True)
class RiskSignal:
    kind: SignalKind
    reason: str  # a complete sentence naming the figures and people


def risk_signals(facts: HouseholdFacts, settings: MonitoringSettings, year: int) -> list[RiskSignal]:
    """Every signal for ``facts`` with its reason; ``year`` is the income year looked at."""
    signals: list[RiskSignal] = []
    per_person = facts.per_person(year)
    line = settings.line_for(year)
    if per_person is not None:
        if per_person < line:
            signals.append(
                RiskSignal(
                    SignalKind.BELOW_LINE,
                    f"{year}年人均纯收入{_yuan(per_person)}元，低于当年监测线{_yuan(line)}元。",
                )
            )
        elif per_person < settings.watch_level:
            signals.append(
                RiskSignal(
                    SignalKind.BELOW_WATCH,
                    f"{year}年人均纯收入{_yuan(per_person)}元，低于本村关注线{_yuan(settings.watch_level)}元。",
                )
            )
        before = facts.per_person(year - 1)
        if before is not None and before > 0 and per_person < before * (1 - settings.drop_share):
            share = ((before - per_person) / before * 100).quantize(Decimal(1))
            signals.append(
                RiskSignal(
                    SignalKind.INCOME_DROP,
                    f"{year}年人均纯收入{_yuan(per_person)}元，比上年{_yuan(before)}元下降{share}%。",
                )
            )
    low, high = settings.school_ages
    out_of_school = [
        m.name
        for m in facts.members
        if (age := m.age_on(facts.as_of)) is not None and low <= age <= high and not m.in_school
    ]
    if out_of_school:
        signals.append(
            RiskSignal(
                SignalKind.SCHOOL,
                f"{'、'.join(out_of_school)}在{low}到{high}周岁义务教育年龄，没有登记在校。",
            )
        )
    uninsured = [m.name for m in facts.members if not m.has_medical_insurance]
    if uninsured:
        signals.append(
            RiskSignal(SignalKind.MEDICAL_INSURANCE, f"{'、'.join(uninsured)}没有参加基本医疗保险。")
        )
    if facts.housing in (HousingLevel.C, HousingLevel.D):
        signals.append(
            RiskSignal(SignalKind.HOUSING, f"住房鉴定为{facts.housing.value}危房，住房安全没有保障。")
        )
    if facts.safe_water is False:
        signals.append(RiskSignal(SignalKind.WATER, "饮水安全没有保障。"))
    income = facts.income(year)
    if income is not None and income.medical_costs > 0:
        net = income.net
        heavy = income.medical_costs >= settings.medical_amount or (
            net > 0 and income.medical_costs > net * settings.medical_share
        )
        if heavy:
            signals.append(
                RiskSignal(
                    SignalKind.MEDICAL_COSTS,
                    f"{year}年自付医疗费用{_yuan(income.medical_costs)}元，家庭纯收入{_yuan(net)}元。",
                )
            )
    ill = [m.name for m in facts.members if m.health in (Health.SERIOUS, Health.DISABLED)]
    if ill and facts.assistance_count == 0:
        signals.append(
            RiskSignal(
                SignalKind.ILLNESS_UNASSISTED,
                f"{'、'.join(ill)}患大病或有残疾，还没有登记任何帮扶措施。",
            )
        )
    return signals


# --- closing a case (风险消除) ----------------------------------------------------------------------------


def closure_problems(
    facts: HouseholdFacts,
    settings: MonitoringSettings,
    year: int,
    identified_on: dt.date,
) -> list[str]:
    """Why the risk cannot be declared eliminated yet; empty when every rule holds.

    Each problem names the rule and the figure, so the clerk knows what is missing.
    """
    problems: list[str] = []
    per_person = facts.per_person(year)
    line = settings.line_for(year)
    if per_person is None:
        problems.append(f"还没有登记{year}年的收入，无法判断收入是否稳定超过监测线。")
    elif per_person < line:
        problems.append(f"{year}年人均纯收入{_yuan(per_person)}元，仍低于监测线{_yuan(line)}元。")
    if facts.months_above_line < settings.stable_months:
        problems.append(
            f"收入稳定超过监测线需要至少{settings.stable_months}个月，现在是{facts.months_above_line}个月。"
        )
    months = _months_between(identified_on, facts.as_of)
    if months < settings.min_months_in_monitoring:
        problems.append(
            f"纳入监测一般要满{settings.min_months_in_monitoring}个月才能消除风险，现在是{months}个月。"
        )
    if facts.assistance_count < 1:
        problems.append("还没有登记任何帮扶措施，至少要落实一项。")
    if not facts.has_working_age_labour(settings):
        problems.append(
            "家里没有劳动年龄内有劳动能力的人，这样的户不标注风险消除，应继续监测或纳入兜底保障。"
        )
    gaps = [
        s.reason
        for s in risk_signals(facts, settings, year)
        if s.kind in (SignalKind.SCHOOL, SignalKind.MEDICAL_INSURANCE, SignalKind.HOUSING, SignalKind.WATER)
    ]
    problems.extend(f"“三保障”和饮水安全还有缺口：{gap}" for gap in gaps)
    return problems


def _months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when end is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


# --- education subsidies of the plan -------------------------------------------------------------------


class SchoolStage(StrEnum):
    PRESCHOOL = "学前"
    PRIMARY = "小学"
    JUNIOR = "初中"
    SENIOR = "高中"
    VOCATIONAL = "中职"
    COLLEGE = "大学"


# Per student per year (元), as the village plan lists them; 雨露计划 1500 元 once.
DEFAULT_EDUCATION_SUBSIDIES: tuple[tuple[SchoolStage, Decimal], ...] = (
    (SchoolStage.PRIMARY, Decimal(1800)),
    (SchoolStage.JUNIOR, Decimal(2000)),
    (SchoolStage.SENIOR, Decimal(2400)),
    (SchoolStage.COLLEGE, Decimal(10000)),
)
DEFAULT_RAIN_AND_DEW = Decimal(1500)


def education_subsidy(
    stage: SchoolStage, table: Sequence[tuple[SchoolStage, Decimal]] = DEFAULT_EDUCATION_SUBSIDIES
) -> Decimal:
    """The plan's yearly subsidy for a student at ``stage`` (0 for a stage it does not cover)."""
    return dict(table).get(stage, Decimal(0))


def _yuan(amount: Decimal) -> str:
    """12,345.60 → 12345.6 style without float: two decimals, trailing zeros of the fraction dropped."""
    text = f"{amount.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
