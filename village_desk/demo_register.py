"""The demo village's 农户档案: generated households, then a year of monitoring work through the service.

``register_households`` makes any number of plausible households of 小大歹村
(the same ones for the same size, seed and day): families whose relations and
ages agree, valid ID numbers of the 通辽 area (科尔沁左翼后旗 150522, a few
married in from the neighbouring 旗县), school stages, health, labour, work
away, insurance, housing, water, land, livestock and beet in proportion to the
village plan's targets, loans, and three years of income by its parts, some
under the monitoring line and some dropping sharply. Money is ``Decimal`` to
the 分, computed in integer 分.

``build_demo_register`` imports 400 of them and then does, through the
service as the 文书 would, what a year of 防返贫监测 leaves behind: cases at
every stage with their 公示 issued through the notice engine, measures,
visits (some overdue), closures, a relapse and a case not taken in; benefits
at the plan's amounts; and the operations 分户, 新生, 死亡, 迁出, 合户. The
history then reads like the office's own.

Names, numbers and phones are generated and fictional.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from village_desk.cases import (
    Benefit,
    CaseId,
    CaseSource,
    Measure,
    MeasureKind,
    MonitoringCase,
    Visit,
)
from village_desk.codes import resident_id_birth_date, resident_id_check_char
from village_desk.demo import AREA_CODE, HOUSEHOLDS_PER_GROUP, TERM_START, Names
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.monitoring import (
    DEFAULT_EDUCATION_SUBSIDIES,
    DEFAULT_RAIN_AND_DEW,
    Health,
    HouseholdFacts,
    HousingLevel,
    Labour,
    MemberFacts,
    MonitoringSettings,
    SchoolStage,
    SignalKind,
    risk_signals,
)
from village_desk.notices import Notice, NoticeId
from village_desk.register import (
    DEFAULT_CATEGORIES,
    MONITORED_CATEGORIES,
    POOR_CATEGORIES,
    DisabilityCategory,
    Education,
    HouseholdFile,
    IncomeRecord,
    Loan,
    Member,
    RegisterImport,
    Resident,
    ResidentStatus,
)
from village_desk.roster import Household, Person, Representative, default_term_end
from village_desk.services.notices import NoticeService
from village_desk.services.register import Dossier, RegisterService
from village_desk.services.roster import RosterService

SEED = 63  # chosen so that 400 households sit near the plan's targets (some met, some not)
DEMO_HOUSEHOLDS = 400
# Benefits are paid through the service one by one, which a township-sized demo cannot wait
# for: only for this many households (the demo's whole village).
STORY_HOUSEHOLDS = 400
# Electing a representative checks the person against everyone on the roster: a township-sized
# demo (more households than this) gets none.
MAX_REPRESENTED_HOUSEHOLDS = 2000
# People married in from the neighbouring 旗县 of 通辽: 科左中旗, 科尔沁区, 奈曼旗, 开鲁县.
NEARBY_AREAS = ("150521", "150502", "150525", "150523")

# Shares of the categories other than 一般户 (each at least one household when there are enough).
CATEGORY_SHARES: tuple[tuple[str, int], ...] = (  # per mille
    ("脱贫户", 200),
    ("脱贫不稳定户", 20),
    ("边缘易致贫户", 30),
    ("突发严重困难户", 15),
    ("低保户", 40),
    ("特困供养户（分散）", 12),
    ("特困供养户（集中）", 5),
    ("五保户", 12),
)
ALONE_CATEGORIES = frozenset({"特困供养户（分散）", "特困供养户（集中）", "五保户"})
ASSISTED_CATEGORIES = POOR_CATEGORIES | {"低保户"} | ALONE_CATEGORIES
LOW_INCOME_MONTHLY = Decimal(385)  # 低保 per person per month (元), as the demo notices show
RANGER_QUARTERLY = Decimal(2500)  # 生态护林员, paid by quarter

_CHRONIC = ("高血压", "糖尿病", "冠心病", "慢性支气管炎", "类风湿性关节炎", "腰椎间盘突出", "脑梗后遗症")
_SERIOUS = ("尿毒症", "恶性肿瘤", "急性心肌梗死", "脑出血", "白血病", "重性精神病", "耐多药肺结核")
_WORK_PLACES = (
    "通辽市科尔沁区",
    "甘旗卡镇",
    "呼和浩特市",
    "沈阳市",
    "北京市",
    "大连市",
    "赤峰市",
    "锡林浩特市",
)
_BANKS = ("内蒙古农村商业银行", "科左后旗农村信用合作联社", "中国农业银行")
_GROUP_NUMERALS = "一二三四五六七八九十"


# --- the generator ---------------------------------------------------------------------------------------


@dataclass
class _Draft:
    relation: str
    gender: str
    age: int
    mongol: bool
    takes_surname: bool = False  # the father's (the head's or the husband's) surname


@dataclass
class _Household:
    """Facts the income and the file are drawn from."""

    category: str
    members: list[Member] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)


def register_households(
    n: int, groups: Sequence[GroupId], today: dt.date, seed: int = SEED
) -> list[RegisterImport]:
    """``n`` plausible households over ``groups`` (户号 per group: 01001, 01002…), the same every time.

    The size, seed and day fix the result; ages are counted on ``today`` and
    incomes are of the three years before it.
    """
    if not groups:
        raise ValueError("register_households needs at least one group")
    rng = random.Random(seed)
    gen = _Generator(rng, today)
    categories = _categories(rng, n)
    counts = _per_group(n, len(groups))
    width = max(3, len(str(max(counts))))
    made: list[RegisterImport] = []
    index = 0
    for gi, (group_id, count) in enumerate(zip(groups, counts, strict=True), start=1):
        for k in range(1, count + 1):
            made.append(gen.household(f"{gi:02d}{k:0{width}d}", gi, group_id, categories[index]))
            index += 1
    return made


def _categories(rng: random.Random, n: int) -> list[str]:
    chosen: list[str] = []
    for category, per_mille in CATEGORY_SHARES:
        share = n * per_mille // 1000
        chosen.extend([category] * (max(1, share) if n >= 2 * len(DEFAULT_CATEGORIES) else share))
    chosen = chosen[:n]
    chosen.extend(["一般户"] * (n - len(chosen)))
    rng.shuffle(chosen)
    return chosen


def _per_group(n: int, groups: int) -> list[int]:
    """The demo's 6 groups keep their sizes' proportions; other counts share evenly."""
    weights = list(HOUSEHOLDS_PER_GROUP) if groups == len(HOUSEHOLDS_PER_GROUP) else [1] * groups
    total = sum(weights)
    counts = [n * w // total for w in weights]
    for i in range(n - sum(counts)):
        counts[i % groups] += 1
    return counts


class _Generator:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.names = Names(rng)
        self.used_ids: set[str] = set()
        self.helpers = [self.names.make("男" if i % 3 else "女", i % 4 == 0) for i in range(12)]

    # --- people -------------------------------------------------------------------------------------
    def birth_date(self, age: int) -> dt.date:
        latest = _years_before(self.today, age)
        earliest = _years_before(self.today, age + 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, birth: dt.date, gender: str, married_in: bool) -> str:
        area = self.rng.choice(NEARBY_AREAS) if married_in else AREA_CODE
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == "男" else 0)
            first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3578')}{rng.randrange(10)}{rng.randrange(10**8):08d}"

    def family(self, category: str) -> list[_Draft]:
        """Relations and ages that agree: spouse ±5 years, children 20–38 years younger, …"""
        rng = self.rng
        mongol = rng.random() < 0.3
        if category in ALONE_CATEGORIES:
            gender = "男" if rng.random() < 0.6 else "女"
            head = _Draft("户主", gender, rng.randint(62, 86), mongol)
            members = [head]
            if category == "特困供养户（分散）" and rng.random() < 0.3:
                members.append(_Draft("配偶", _other(gender), _near(rng, head.age, gender), mongol))
            return members
        size = rng.choices((1, 2, 3, 4, 5, 6, 7), (7, 19, 24, 24, 15, 8, 3))[0]
        head_gender = "男" if rng.random() < 0.87 else "女"
        head_age = round(rng.triangular(30, 75, 50))
        head = _Draft("户主", head_gender, head_age, mongol)
        members = [head]
        father = head if head_gender == "男" else None
        if size >= 2 and rng.random() < 0.9:
            spouse_mongol = mongol if rng.random() < 0.8 else not mongol
            spouse = _Draft("配偶", _other(head_gender), _near(rng, head_age, head_gender), spouse_mongol)
            members.append(spouse)
            if head_gender == "女":
                father = spouse
        family_mongol = any(m.mongol for m in members)
        named = father is not None
        # Parents of a younger head live with the family.
        if len(members) < size and head_age <= 48 and rng.random() < 0.4:
            for relation, gender in (("母亲", "女"), ("父亲", "男")):
                if len(members) < size and (relation == "母亲" or rng.random() < 0.5):
                    age = min(head_age + rng.randint(22, 34), 92)
                    members.append(_Draft(relation, gender, age, mongol, gender == "男" == head_gender))
        youngest_parent = min(m.age for m in members if m.relation in ("户主", "配偶"))
        # An older head lives with a married son, his wife and their children.
        if len(members) + 2 <= size and head_age >= 54:
            son_age = youngest_parent - rng.randint(22, 32)
            if son_age >= 22:
                members.append(_Draft("子", "男", son_age, family_mongol, named))
                members.append(_Draft("儿媳", "女", max(20, son_age - rng.randint(-2, 4)), family_mongol))
                age = son_age - rng.randint(22, 32)
                while len(members) < size and age >= 0:
                    gender = rng.choice(("男", "女"))
                    relation = "孙子" if gender == "男" else "孙女"
                    members.append(_Draft(relation, gender, age, family_mongol, named))
                    age -= rng.randint(1, 6)
        child_age = youngest_parent - rng.randint(21, 30)
        while len(members) < size and child_age >= 0:
            gender = rng.choice(("男", "女"))
            members.append(_Draft("子" if gender == "男" else "女", gender, child_age, family_mongol, named))
            child_age -= rng.randint(1, 6)
        return members

    # --- one household ---------------------------------------------------------------------------------
    def household(self, number: str, gi: int, group_id: GroupId, category: str) -> RegisterImport:
        rng = self.rng
        drafts = self.family(category)
        state = _Household(category)
        father_name = ""
        for draft in drafts:
            surname = father_name[0] if draft.takes_surname and father_name else ""
            name = self.names.make(draft.gender, draft.mongol, surname)
            if draft.gender == "男" and draft.relation in ("户主", "配偶"):
                father_name = name
            birth = self.birth_date(draft.age)
            married_in = draft.relation in ("配偶", "儿媳") and rng.random() < 0.25
            adult = 18 <= draft.age <= 72
            person = Person(
                id=None,
                name=name,
                gender=draft.gender,
                ethnicity="蒙古族" if draft.mongol else "汉族",
                id_number=self.id_number(birth, draft.gender, married_in),
                phone=self.phone() if adult and rng.random() < 0.85 else "",
                group_id=group_id,
            )
            state.members.append(Member(person, self.resident(person, draft, category)))
            state.ages.append(draft.age)
        head = state.members[0].person
        file = self.file(number, gi, state)
        incomes = self.incomes(state, file)
        return RegisterImport(
            household=Household(id=None, number=number, head_name=head.name, group_id=group_id),
            file=file,
            members=tuple(state.members),
            incomes=incomes,
        )

    def resident(self, person: Person, draft: _Draft, category: str) -> Resident:
        rng = self.rng
        age = draft.age
        education, stage = self.schooling(age)
        health, illness = Health.HEALTHY, ""
        disability: DisabilityCategory | None = None
        grade: int | None = None
        card = ""
        frail = category in ASSISTED_CATEGORIES - {"脱贫户"}
        roll = rng.random()
        serious = (
            0.006
            + (0.05 if frail else 0)
            + (0.2 if category == "突发严重困难户" and draft.relation == "户主" else 0)
        )
        disabled = 0.012 + (0.06 if frail else 0)
        chronic = 0.3 if age >= 60 else 0.1 if age >= 40 else 0.01
        if age >= 16 and roll < serious:
            health, illness = Health.SERIOUS, rng.choice(_SERIOUS)
        elif roll < serious + disabled:
            health = Health.DISABLED
            disability = rng.choice(list(DisabilityCategory))
            grade = rng.choices((1, 2, 3, 4), (1, 2, 3, 4))[0]
            code = list(DisabilityCategory).index(disability) + 1
            card = f"{person.id_number}{code}{grade}"
        elif roll < serious + disabled + chronic:
            health, illness = Health.CHRONIC, rng.choice(_CHRONIC)
        labour = _labour(rng, age, health, grade, stage is not None)
        work_place, work_months = "", 0
        if labour is Labour.ABLE and 18 <= age <= 55 and stage is None and rng.random() < 0.28:
            work_place, work_months = rng.choice(_WORK_PLACES), rng.randint(3, 11)
        return Resident(
            person_id=PersonId(0),
            household_id=HouseholdId(0),
            relation=draft.relation,
            education=education,
            school_stage=stage,
            health=health,
            illness=illness,
            disability_category=disability,
            disability_grade=grade,
            disability_card=card,
            labour=labour,
            work_place=work_place,
            work_months=work_months,
            medical_insurance=rng.random() >= 0.005,
            pension_insurance=age >= 18 and stage is None and rng.random() < 0.82,
        )

    def schooling(self, age: int) -> tuple[Education, SchoolStage | None]:
        rng = self.rng
        if age < 3:
            return Education.NONE, None
        if age < 6:
            return (
                (Education.PRESCHOOL, SchoolStage.PRESCHOOL) if rng.random() < 0.7 else (Education.NONE, None)
            )
        if age < 12:
            return Education.PRIMARY, SchoolStage.PRIMARY
        if age < 15:
            if rng.random() < 0.015:  # left school early: a gap the signals find
                return Education.PRIMARY, None
            return Education.JUNIOR, SchoolStage.JUNIOR
        if age < 18:
            if rng.random() < 0.2:
                return Education.VOCATIONAL, SchoolStage.VOCATIONAL
            if rng.random() < 0.1:
                return Education.JUNIOR, None
            return Education.SENIOR, SchoolStage.SENIOR
        if age < 22 and rng.random() < 0.4:
            return Education.COLLEGE, SchoolStage.COLLEGE
        if age >= 60:
            pick = rng.choices((Education.NONE, Education.PRIMARY, Education.JUNIOR), (20, 55, 25))[0]
        elif age >= 40:
            pick = rng.choices(
                (Education.PRIMARY, Education.JUNIOR, Education.SENIOR, Education.VOCATIONAL), (30, 55, 12, 3)
            )[0]
        else:
            pick = rng.choices(
                (Education.JUNIOR, Education.SENIOR, Education.VOCATIONAL, Education.COLLEGE),
                (45, 25, 15, 15),
            )[0]
        return pick, None

    def file(self, number: str, gi: int, state: _Household) -> HouseholdFile:
        rng = self.rng
        category = state.category
        alone = category in ALONE_CATEGORIES
        group = _GROUP_NUMERALS[gi - 1] if gi <= len(_GROUP_NUMERALS) else str(gi)
        address = f"小大歹村{group}组{int(number[2:])}号"
        if category == "特困供养户（集中）":
            address = "甘旗卡镇中心敬老院（集中供养）"
        land = Decimal(rng.randint(20, 160)) / 2
        land_out = Decimal(0)
        land_in = Decimal(0)
        if alone or (max(state.ages) >= 70 and rng.random() < 0.6):
            land_out = land
        elif rng.random() < 0.1:
            land_out = (land * Decimal(rng.randint(3, 9)) / 10).quantize(Decimal("0.1"))
        elif rng.random() < 0.08:
            land_in = Decimal(rng.randint(20, 200))
        farmed = land - land_out + land_in
        ewes = fattening_sheep = cows = fattening_cattle = 0
        if not alone and farmed > 0:
            roll = rng.random()
            if roll < 0.045:
                ewes, fattening_sheep = rng.randint(40, 150), rng.randint(20, 150)
            elif roll < 0.46:
                ewes, fattening_sheep = rng.randint(2, 22), rng.randint(0, 15)
            roll = rng.random()
            if roll < 0.04:
                cows, fattening_cattle = rng.randint(12, 40), rng.randint(8, 30)
            elif roll < 0.39:
                cows, fattening_cattle = rng.randint(1, 4), rng.randint(0, 3)
        beet = Decimal(0)
        if farmed >= 20 and rng.random() < 0.16:
            beet = min(farmed, Decimal(rng.randint(10, 80)))
        other = farmed - beet
        crops = f"玉米{_decimal_text(other)}亩" if other > 0 else ""
        loans: list[Loan] = []
        if not alone and rng.random() < 0.06:
            loans.append(
                Loan("信用贷款", Decimal(rng.randint(3, 10) * 10000), rng.choice(_BANKS[:2]), self._due(3))
            )
        if category in POOR_CATEGORIES and rng.random() < 0.15:
            loans.append(Loan("扶贫小额信贷", Decimal(rng.randint(1, 5) * 10000), _BANKS[1], self._due(3)))
        level = rng.choices(
            (HousingLevel.A, HousingLevel.B, HousingLevel.C, HousingLevel.D), (570, 400, 25, 5)
        )[0]
        concentrated = category == "特困供养户（集中）"
        renovated = ""
        if category in ASSISTED_CATEGORIES and not concentrated and rng.random() < 0.25:
            renovated = f"{rng.randint(2017, 2020)}年{rng.choice(('维修加固', '改造新建'))}"
        helper = self.rng.choice(self.helpers) if category in ASSISTED_CATEGORIES else ""
        phones = [m.person.phone for m in state.members if m.person.phone]
        return HouseholdFile(
            household_id=HouseholdId(0),
            address=address,
            phone=phones[0] if phones else "",
            category=category,
            helper_name=helper,
            bank_name=rng.choice(_BANKS),
            bank_account=f"62{rng.randrange(10**17):017d}",
            housing_structure="" if concentrated else rng.choices(("砖混", "砖木", "土木"), (60, 36, 4))[0],
            housing_area=None if concentrated else Decimal(rng.randint(45, 130)),
            housing_level=None if concentrated else level,
            housing_appraised_year=None if concentrated else rng.randint(2019, self.today.year - 1),
            housing_renovated=renovated,
            safe_water=True if concentrated else rng.random() >= 0.006,
            land_contracted=land,
            land_out=land_out,
            land_in=land_in,
            ewes=ewes,
            cows=cows,
            fattening_sheep=fattening_sheep,
            fattening_cattle=fattening_cattle,
            sheep_sold=(ewes * rng.randint(80, 130)) // 100 + fattening_sheep,
            cattle_sold=(cows * rng.randint(40, 80)) // 100 + fattening_cattle,
            beet_area=beet,
            other_crops=crops,
            loans=tuple(loans),
        )

    def _due(self, years: int) -> dt.date:
        return _years_before(self.today, -self.rng.randint(1, years)).replace(day=self.rng.randint(1, 28))

    def incomes(self, state: _Household, file: HouseholdFile) -> tuple[IncomeRecord, ...]:
        """Three years before ``today``, in integer 分: net = per person × size, split into its parts."""
        rng = self.rng
        size = len(state.members)
        latest = _per_person_target(rng, state.category)
        drop = state.category == "突发严重困难户" or rng.random() < 0.02
        serious = sum(1 for m in state.members if m.resident.health is Health.SERIOUS)
        chronic = sum(1 for m in state.members if m.resident.health is Health.CHRONIC)
        workers = sum(1 for m in state.members if m.resident.work_months)
        elderly = sum(1 for age in state.ages if age >= 60)
        records: list[IncomeRecord] = []
        per_person = latest
        for year in range(self.today.year - 1, self.today.year - 4, -1):
            net = per_person * size * 100 + rng.randrange(100)
            transfer = elderly * 180000 + rng.randint(300, 1500) * 100
            if state.category == "低保户":
                transfer += int(LOW_INCOME_MONTHLY) * 12 * size * 100
            elif state.category in ALONE_CATEGORIES:
                transfer += 840000 * size
            transfer = min(transfer, net * 9 // 10)
            assets = min(int(file.land_out * rng.randint(300, 450) * 100), net - transfer)
            rest = net - transfer - assets
            wage_share = rng.randint(50, 90) if workers else rng.randint(5, 30)
            wages = rest * wage_share // 100
            business_net = rest - wages
            costs = business_net * rng.randint(40, 100) // 100
            medical = serious * rng.randint(6000, 30000) * 100 + chronic * rng.randint(300, 3000) * 100
            records.append(
                IncomeRecord(
                    household_id=HouseholdId(0),
                    year=year,
                    wages=_fen(wages),
                    business=_fen(business_net + costs),
                    assets=_fen(assets),
                    transfer=_fen(transfer),
                    production_costs=_fen(costs),
                    medical_costs=_fen(medical),
                )
            )
            # The year before: less by normal growth, or much more before a sharp drop.
            per_person = (
                per_person * 100 // rng.randint(40, 65) if drop else per_person * 100 // rng.randint(102, 109)
            )
            drop = False
        return tuple(reversed(records))


def _per_person_target(rng: random.Random, category: str) -> int:
    """Net income per person (元) of the latest year, by category."""
    if category == "一般户":
        if rng.random() < 0.02:
            return rng.randint(4200, 5900)
        return min(80000, max(6500, round(rng.lognormvariate(9.55, 0.45))))
    if category == "脱贫户":
        return rng.randint(4500, 5900) if rng.random() < 0.04 else rng.randint(7500, 16000)
    ranges = {
        "脱贫不稳定户": (4800, 7800),
        "边缘易致贫户": (5200, 8200),
        "突发严重困难户": (3500, 6500),
        "低保户": (4000, 7500),
    }
    low, high = ranges.get(category, (9000, 12000))
    return rng.randint(low, high)


def _labour(rng: random.Random, age: int, health: Health, grade: int | None, in_school: bool) -> Labour:
    if age < 16 or age >= 75 or in_school:
        return Labour.NONE
    if health is Health.SERIOUS or (health is Health.DISABLED and grade is not None and grade <= 2):
        return Labour.NONE
    if health is Health.DISABLED or (health is Health.CHRONIC and rng.random() < 0.4):
        return Labour.WEAK
    if age >= 65:
        return Labour.ABLE if rng.random() < 0.3 else Labour.WEAK
    return Labour.ABLE


def _other(gender: str) -> str:
    return "女" if gender == "男" else "男"


def _near(rng: random.Random, age: int, head_gender: str) -> int:
    """A spouse's age: a wife up to 5 years younger (or 2 older), a husband the other way round."""
    gap = rng.randint(-2, 5)
    return max(20, age - gap if head_gender == "男" else age + gap)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _fen(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


def _decimal_text(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- a year of work through the service --------------------------------------------------------------------


@dataclass(frozen=True)
class DemoRegister:
    """What ``build_demo_register`` made, for the representatives and the command line's summary."""

    households: tuple[tuple[HouseholdId, RegisterImport], ...]  # as imported
    closed: frozenset[HouseholdId]  # closed by an operation (合户)
    left: frozenset[str]  # ID numbers of members who left (死亡, 迁出) or moved (分户, 合户)
    cases: int
    benefits: int
    notices: int


def build_demo_register(
    register: RegisterService,
    notices: NoticeService,
    groups: Sequence[GroupId],
    today: dt.date,
    households: int = DEMO_HOUSEHOLDS,
) -> DemoRegister:
    """Import ``households`` generated households and do a year of monitoring on them, through the service.

    ``register`` and ``notices`` act as the 文书 (who may keep the register and
    issue notices); ``notices`` needs its renderer, since issuing freezes a PDF.
    The services' own ``today`` must be ``today``. The same data for the same day.
    """
    imports = register_households(households, groups, today)
    work = _Work(register, notices, today, imports)
    return work.run()


@dataclass
class _Plan:
    """Household indexes (into the imports) chosen for each part of the story."""

    closed: list[int] = field(default_factory=list)
    relapse: int | None = None
    eliminating: int | None = None
    monitoring: list[int] = field(default_factory=list)
    publicity: list[int] = field(default_factory=list)
    identified: list[int] = field(default_factory=list)
    rejected: int | None = None


class _Work:
    def __init__(
        self, register: RegisterService, notices: NoticeService, today: dt.date, imports: list[RegisterImport]
    ) -> None:
        self.register = register
        self.notices = notices
        self.today = today
        self.imports = imports
        self.rng = random.Random(SEED + 1)
        self.settings = MonitoringSettings()
        self.year = today.year - 1  # the latest income year
        self.ids: list[HouseholdId] = []
        self.person_ids: dict[str, PersonId] = {}  # ID number → person, filled by ``dossier``
        self.closed: set[HouseholdId] = set()
        self.left: set[str] = set()
        self.case_count = 0
        self.benefit_count = 0
        self.notice_count = 0
        self.used: set[int] = set()

    def days(self, n: int) -> dt.date:
        return self.today - dt.timedelta(days=n)

    def run(self) -> DemoRegister:
        plan = self.plan()
        withheld: IncomeRecord | None = None
        imports = list(self.imports)
        if plan.relapse is not None:
            # The relapse household's latest income is entered after its first case closed.
            item = imports[plan.relapse]
            withheld = next(i for i in item.incomes if i.year == self.year)
            imports[plan.relapse] = replace(
                item, incomes=tuple(i for i in item.incomes if i.year != self.year)
            )
        self.ids = self.register.import_households(imports)
        self.cases(plan, withheld)
        self.benefits()
        self.operations()
        return DemoRegister(
            households=tuple(zip(self.ids, self.imports, strict=True)),
            closed=frozenset(self.closed),
            left=frozenset(self.left),
            cases=self.case_count,
            benefits=self.benefit_count,
            notices=self.notice_count,
        )

    # --- choosing the households ----------------------------------------------------------------------
    def facts(self, item: RegisterImport, year: int | None = None) -> HouseholdFacts:
        members = tuple(
            MemberFacts(
                name=m.person.name,
                birth_date=resident_id_birth_date(m.person.id_number),
                in_school=m.resident.school_stage is not None,
                has_medical_insurance=m.resident.medical_insurance,
                health=m.resident.health,
                labour=m.resident.labour,
            )
            for m in item.members
        )
        incomes = tuple(i.as_income_year() for i in item.incomes if year is None or i.year <= year)
        return HouseholdFacts(
            members=members,
            incomes=incomes,
            housing=item.file.housing_level,
            safe_water=item.file.safe_water,
            as_of=self.today,
        )

    def plan(self) -> _Plan:
        plan = _Plan()
        gaps = {SignalKind.SCHOOL, SignalKind.MEDICAL_INSURANCE, SignalKind.HOUSING, SignalKind.WATER}
        closable: list[int] = []
        at_risk: list[int] = []
        for index, item in enumerate(self.imports):
            category = item.file.category
            if category in ALONE_CATEGORIES or category == "一般户":
                continue
            facts = self.facts(item)
            kinds = {s.kind for s in risk_signals(facts, self.settings, self.year)}
            earlier = self.facts(item, self.year - 1)
            per_person = facts.per_person(self.year)
            before = earlier.per_person(self.year - 1)
            if (
                not kinds & gaps
                and not kinds & {SignalKind.BELOW_LINE, SignalKind.INCOME_DROP}
                and facts.has_working_age_labour(self.settings)
                and per_person is not None
                and per_person >= 6500
                and before is not None
                and before >= 6500
            ):
                closable.append(index)
            elif kinds & {
                SignalKind.BELOW_LINE,
                SignalKind.INCOME_DROP,
                SignalKind.HOUSING,
                SignalKind.WATER,
            }:
                at_risk.append(index)
        # Monitored categories first: they are the ones a case was opened for.
        closable.sort(key=lambda i: self.imports[i].file.category not in MONITORED_CATEGORIES)
        at_risk.sort(key=lambda i: self.imports[i].file.category not in MONITORED_CATEGORIES)
        plan.closed = closable[:2]
        plan.relapse = closable[2] if len(closable) > 2 else None
        plan.eliminating = closable[3] if len(closable) > 3 else None
        plan.monitoring = at_risk[:9]
        plan.publicity = at_risk[9:12]
        plan.identified = at_risk[12:15]
        plan.rejected = closable[4] if len(closable) > 4 else None
        chosen = [*plan.closed, *plan.monitoring, *plan.publicity, *plan.identified]
        self.used.update(chosen)
        self.used.update(i for i in (plan.relapse, plan.eliminating, plan.rejected) if i is not None)
        return plan

    # --- cases ------------------------------------------------------------------------------------------
    def risk_types(self, index: int, dropped: bool = False) -> tuple[str, ...]:
        item = self.imports[index]
        facts = self.facts(item)
        kinds = {s.kind for s in risk_signals(facts, self.settings, self.year)}
        risks: list[str] = []
        health = {m.resident.health for m in item.members}
        if Health.SERIOUS in health or dropped:
            risks.append("因病")
        if Health.DISABLED in health:
            risks.append("因残")
        if SignalKind.SCHOOL in kinds or any(
            m.resident.school_stage in (SchoolStage.SENIOR, SchoolStage.COLLEGE) for m in item.members
        ):
            risks.append("因学")
        if SignalKind.HOUSING in kinds:
            risks.append("住房出现安全问题")
        if SignalKind.WATER in kinds:
            risks.append("饮水安全问题")
        if not facts.has_working_age_labour(self.settings):
            risks.append("缺劳动力")
        if SignalKind.INCOME_DROP in kinds and not risks:
            risks.append(self.rng.choice(("因意外事故", "因产业项目失败", "因务工就业不稳")))
        return tuple(risks or (self.rng.choice(("因务工就业不稳", "因产业项目失败", "其他")),))

    def open_case(
        self, index: int, on: dt.date, source: CaseSource | None = None, relapse_of: CaseId | None = None
    ) -> MonitoringCase:
        risks = self.risk_types(index, dropped=relapse_of is not None)
        item = self.imports[index]
        situation = _situation(item, risks, self.year)
        case = MonitoringCase(
            id=None,
            household_id=self.ids[index],
            source=source or self.rng.choice(list(CaseSource)),
            risk_types=risks,
            identified_on=on,
            situation=situation,
            relapse_of=relapse_of,
        )
        dossier = self.register.open_case(case)
        self.case_count += 1
        return dossier.cases[0]

    def current(self, case: MonitoringCase) -> MonitoringCase:
        dossier = self.register.dossier(case.household_id)
        return next(c for c in dossier.cases if c.id == case.id)

    def issue(self, draft: Notice, on: dt.date, take_down: bool = True) -> Notice:
        """Date the register's draft, issue and post it; take it down once its period is over."""
        length = (draft.period_end - draft.period_start) if draft.period_start and draft.period_end else None
        dated = replace(
            draft,
            issue_date=on,
            period_start=on if length is not None else draft.period_start,
            period_end=on + length if length is not None else draft.period_end,
        )
        saved = self.notices.save_draft(dated)
        assert saved.id is not None
        done = self.notices.issue(saved.id, saved.version)
        assert done.id is not None
        done = self.notices.record_posting(done.id, done.version, on)
        end = done.period_end or on
        if take_down and end < self.today:
            done = self.notices.take_down(
                NoticeId(done.id or saved.id), done.version, end + dt.timedelta(days=1)
            )
        self.notice_count += 1
        return done

    def identify(self, indexes: Sequence[int], on: dt.date) -> list[MonitoringCase]:
        """Open cases on ``on`` and issue their 识别公示 a week later (when that day has come)."""
        cases = [self.open_case(i, on) for i in indexes]
        notice_on = min(on + dt.timedelta(days=6), self.today)
        ids = [c.id for c in cases if c.id is not None]
        draft = self.register.identification_notice(ids, notice_on.year)
        notice = self.issue(draft, notice_on)
        return [replace(self.current(c), identification_notice_id=notice.id) for c in cases]

    def approve(self, case: MonitoringCase, notice_end: dt.date) -> MonitoringCase:
        reviewed = notice_end + dt.timedelta(days=self.rng.randint(2, 5))
        approved = reviewed + dt.timedelta(days=self.rng.randint(5, 12))
        self.register.save_case(
            replace(self.current(case), township_reviewed_on=reviewed, county_approved_on=approved)
        )
        return self.current(case)

    def measures(self, case: MonitoringCase, start: dt.date) -> None:
        assert case.id is not None
        options = _measures_for(case.risk_types)
        count = min(len(options), self.rng.randint(1, 3))
        for k, (kind, what, amount) in enumerate(options[:count]):
            on = min(start + dt.timedelta(days=7 + 20 * k), self.today)
            self.register.add_measure(
                Measure(id=None, case_id=case.id, kind=kind, what=what, started_on=on, amount=amount)
            )

    def visits(self, case: MonitoringCase, start: dt.date, overdue: bool = False) -> None:
        """A visit about every month from ``start``, the last few only; ``overdue``: the last one long ago."""
        last = self.days(self.rng.randint(50, 75) if overdue else self.rng.randint(3, 25))
        dates = [last - dt.timedelta(days=30 * k + self.rng.randint(0, 5)) for k in (2, 1, 0)]
        dates = [d for d in dates if d > start]
        visitor = self.imports[self.ids.index(case.household_id)].file.helper_name or "村“两委”干部"
        for k, on in enumerate(dates):
            self.register.add_visit(
                Visit(
                    id=None,
                    household_id=case.household_id,
                    visited_on=on,
                    visitor=visitor,
                    found=_visit_finding(case.risk_types, k == len(dates) - 1, self.rng),
                    next_on=on + dt.timedelta(days=30),
                )
            )

    def cases(self, plan: _Plan, withheld: IncomeRecord | None) -> None:
        """The cases in the order the office met them, so the notices' numbers run with the calendar."""
        # Identified in batches over the last 14 months, each batch publicised a week later.
        first = [*plan.closed, *([plan.relapse] if plan.relapse is not None else [])]
        eliminating = [plan.eliminating] if plan.eliminating is not None else []
        rejected = [plan.rejected] if plan.rejected is not None else []
        batches: tuple[tuple[int, list[int], list[int]], ...] = (
            (420, first, []),
            (330, [*plan.monitoring[0:3], *eliminating], []),
            (200, plan.monitoring[3:6], []),
            (75, plan.monitoring[6:9], rejected),
        )
        closing: list[MonitoringCase] = []
        publicising: MonitoringCase | None = None
        for back, indexes, refused in batches:
            if not indexes and not refused:
                continue
            start = self.days(back)
            cases = self.identify([*indexes, *refused], start)
            for k, identified in enumerate(cases):
                assert identified.id is not None
                if k >= len(indexes):
                    self.register.reject_case(
                        identified.id,
                        self.current(identified).version,
                        "经入户核实，家庭有稳定务工收入，人均纯收入高于监测线，乡镇审核不予纳入。",
                    )
                    continue
                case = self.approve(identified, start + dt.timedelta(days=12))
                assert case.county_approved_on is not None
                self.measures(case, case.county_approved_on)
                self.visits(case, case.county_approved_on, overdue=k == 1 and back in (200, 75))
                if back == 420:
                    closing.append(self.stable(case, 300))
                elif eliminating and k == len(indexes) - 1 and back == 330:
                    publicising = self.stable(case, 220)
        # Two (and the one that came back) eliminated last month, after their 公示.
        if closing:
            draft = self.register.elimination_notice(
                [c.id for c in closing if c.id is not None], self.days(45).year
            )
            self.issue(draft, self.days(45))
            for case in closing:
                assert case.id is not None
                self.register.close_case(case.id, self.current(case).version, self.days(35))
        # The relapse: this year's income, entered now, fell sharply.
        recent = [self.open_case(i, self.days(8)) for i in plan.publicity]
        if plan.relapse is not None and withheld is not None and closing:
            index = plan.relapse
            self.register.save_income(replace(_dropped(withheld, self.rng), household_id=self.ids[index]))
            old = next(c for c in closing if c.household_id == self.ids[index])
            recent.append(self.open_case(index, self.days(9), CaseSource.SURVEY, relapse_of=old.id))
        # Under 公示 now: three new ones and the relapse; and one 风险消除.
        if recent:
            draft = self.register.identification_notice(
                [c.id for c in recent if c.id is not None], self.today.year
            )
            self.issue(draft, self.days(2))
        if publicising is not None:
            assert publicising.id is not None
            self.issue(self.register.elimination_notice([publicising.id], self.days(2).year), self.days(2))
        # Waiting for their 公示.
        for k, index in enumerate(plan.identified):
            self.open_case(index, self.days(3 + 4 * k))

    def stable(self, case: MonitoringCase, days: int) -> MonitoringCase:
        """Income above the line for ``days`` days now (the clerk checked it)."""
        self.register.save_case(replace(self.current(case), stable_since=self.days(days)))
        return self.current(case)

    # --- benefits ---------------------------------------------------------------------------------------
    def dossier(self, index: int) -> Dossier:
        dossier = self.register.dossier(self.ids[index])
        for member in dossier.members:
            if member.person.id is not None:
                self.person_ids[member.person.id_number] = member.person.id
        return dossier

    def pay(self, index: int, kind: str, on: dt.date, amount: Decimal, source: str, person: str = "") -> None:
        if on > self.today:
            return
        self.register.add_benefit(
            Benefit(
                id=None,
                household_id=self.ids[index],
                kind=kind,
                paid_on=on,
                amount=amount.quantize(Decimal("0.01")),
                source=source,
                person_id=self.person_ids.get(person) if person else None,
            )
        )
        self.benefit_count += 1

    def benefits(self) -> None:
        today = self.today
        school_year = today.year if today >= dt.date(today.year, 9, 15) else today.year - 1
        subsidies = dict(DEFAULT_EDUCATION_SUBSIDIES)
        months = _last_months(today, 3)
        rangers = 0
        # Through the service one payment at a time, so only the first households' (a township-sized
        # demo would otherwise take hours to pay; its other households have their files and incomes).
        for index, item in enumerate(self.imports[:STORY_HOUSEHOLDS]):
            category = item.file.category
            if category not in ASSISTED_CATEGORIES:
                continue
            students = [
                m
                for m in item.members
                if m.resident.school_stage in subsidies or m.resident.school_stage is SchoolStage.VOCATIONAL
            ]
            low_income = category == "低保户"
            alone = category in ALONE_CATEGORIES
            ranger = (
                rangers < 2
                and category == "脱贫户"
                and any(m.resident.labour is Labour.ABLE and not m.resident.work_months for m in item.members)
            )
            if not (students or low_income or alone or ranger):
                continue
            self.dossier(index)
            for m in students:
                stage = m.resident.school_stage
                assert stage is not None
                if stage is SchoolStage.VOCATIONAL:
                    self.pay(
                        index,
                        "雨露计划",
                        dt.date(school_year, 10, 20),
                        DEFAULT_RAIN_AND_DEW,
                        "旗乡村振兴局",
                        m.person.id_number,
                    )
                else:
                    self.pay(
                        index,
                        "教育补助",
                        dt.date(school_year, 9, 25),
                        subsidies[stage],
                        "旗教育局",
                        m.person.id_number,
                    )
            size = len(item.members)
            for month in months:
                if low_income:
                    self.pay(index, "低保金", month.replace(day=10), LOW_INCOME_MONTHLY * size, "旗民政局")
            if alone:
                for month in months:
                    self.pay(index, "特困供养金", month.replace(day=10), Decimal(700) * size, "旗民政局")
            if ranger:
                rangers += 1
                worker = next(
                    m for m in item.members if m.resident.labour is Labour.ABLE and not m.resident.work_months
                )
                for quarter_end in _last_quarters(today, 3):
                    self.pay(
                        index,
                        "护林员工资",
                        quarter_end,
                        RANGER_QUARTERLY,
                        "旗林业和草原局",
                        worker.person.id_number,
                    )
            if item.file.land_contracted > 0 and category in POOR_CATEGORIES and index % 3 == 0:
                amount = item.file.land_contracted * Decimal("12.75")
                self.pay(
                    index,
                    "生态补偿",
                    dt.date(today.year - 1, 12, 10),
                    amount,
                    "旗林业和草原局（草原生态保护补助奖励）",
                )

    # --- operations -------------------------------------------------------------------------------------
    def free(self, test: Callable[[RegisterImport], bool]) -> int | None:
        index = next((i for i, item in enumerate(self.imports) if i not in self.used and test(item)), None)
        if index is not None:
            self.used.add(index)
        return index

    def operations(self) -> None:
        born_on = self.days(40)
        split = self.free(
            lambda h: h.file.category == "一般户" and any(m.resident.relation == "儿媳" for m in h.members)
        )
        if split is not None:
            dossier = self.dossier(split)
            item = self.imports[split]
            # The married son (made just before his wife) leaves with her and their children.
            wife = next(k for k, m in enumerate(item.members) if m.resident.relation == "儿媳")
            son = item.members[wife - 1]
            moving = {"儿媳": "配偶", "孙子": "子", "孙女": "女"}
            members = [son, *(m for m in item.members if m.resident.relation in moving)]
            ids = [self.person_ids[m.person.id_number] for m in members]
            relations = {
                self.person_ids[m.person.id_number]: moving[m.resident.relation] for m in members[1:]
            }
            number = self.register.next_number(dossier.household.group_id)
            self.register.split(
                self.ids[split], ids, self.person_ids[son.person.id_number], number, self.days(150), relations
            )
            self.left.update(m.person.id_number for m in members)
        young = self.free(
            lambda h: (
                len(h.members) <= 4
                and h.file.category == "一般户"
                and any(
                    m.resident.relation == "配偶"
                    and m.person.gender == "女"
                    and 24 <= _age(m, self.today) <= 34
                    for m in h.members
                )
            )
        )
        if young is not None:
            item = self.imports[young]
            head = item.members[0]
            gender = "男" if self.rng.random() < 0.5 else "女"
            first17 = f"{AREA_CODE}{born_on:%Y%m%d}{self.rng.randrange(0, 500) * 2 + (gender == '男'):03d}"
            surname = head.person.name[0] if head.person.gender == "男" else ""
            name = Names(self.rng).make(gender, head.person.ethnicity == "蒙古族", surname)
            baby = Person(
                id=None,
                name=name,
                gender=gender,
                ethnicity=head.person.ethnicity,
                id_number=first17 + resident_id_check_char(first17),
                group_id=head.person.group_id,
            )
            resident = Resident(
                person_id=PersonId(0),
                household_id=self.ids[young],
                relation="子" if gender == "男" else "女",
                labour=Labour.NONE,
                joined_on=born_on,
            )
            self.register.add_member(self.ids[young], Member(baby, resident), born=True, on=born_on)

        def elderly(m: Member) -> bool:
            return m.resident.relation != "户主" and _age(m, self.today) >= 72

        old = self.free(lambda h: any(elderly(m) for m in h.members))
        if old is not None:
            self.dossier(old)
            member = max(
                (m for m in self.imports[old].members if elderly(m)), key=lambda m: _age(m, self.today)
            )
            self.register.member_leaves(
                self.person_ids[member.person.id_number], ResidentStatus.DECEASED, self.days(90), "病故"
            )
            self.left.add(member.person.id_number)
        away = self.free(
            lambda h: any(
                m.resident.relation in ("子", "女")
                and 23 <= _age(m, self.today) <= 30
                and m.resident.school_stage is None
                for m in h.members
            )
        )
        if away is not None:
            self.dossier(away)
            member = next(
                m
                for m in self.imports[away].members
                if m.resident.relation in ("子", "女")
                and 23 <= _age(m, self.today) <= 30
                and m.resident.school_stage is None
            )
            self.register.member_leaves(
                self.person_ids[member.person.id_number],
                ResidentStatus.MOVED_OUT,
                self.days(120),
                "在通辽市区购房落户",
            )
            self.left.add(member.person.id_number)
        alone = self.free(
            lambda h: (
                len(h.members) == 1
                and h.file.category in ("一般户", "脱贫户")
                and _age(h.members[0], self.today) >= 60
            )
        )
        if alone is not None:
            item = self.imports[alone]
            parent = item.members[0]
            into = self.free(
                lambda h: (
                    h.household.group_id == item.household.group_id
                    and h.file.category in ("一般户", "脱贫户")
                    and 35 <= _age(h.members[0], self.today) <= min(55, _age(parent, self.today) - 20)
                    and not any(m.resident.relation in ("父亲", "母亲") for m in h.members)
                )
            )
            if into is not None:
                self.dossier(alone)
                relation = "父亲" if parent.person.gender == "男" else "母亲"
                self.register.merge(
                    self.ids[alone],
                    self.ids[into],
                    self.days(60),
                    {self.person_ids[parent.person.id_number]: relation},
                )
                self.closed.add(self.ids[alone])
                self.left.add(parent.person.id_number)


def elect_demo_representatives(roster: RosterService, made: DemoRegister) -> int:
    """村民代表 of the demo register, about one per 9 households of a group, chosen among their members;
    women at least a third. None for a demo of more than ``MAX_REPRESENTED_HOUSEHOLDS``
    households (a township's scale, for trying the register's speed). How many were elected."""
    if len(made.households) > MAX_REPRESENTED_HOUSEHOLDS:
        return 0
    rng = random.Random(SEED + 2)
    people = {p.id_number: p for p in roster.people()}
    by_group: dict[GroupId, list[tuple[HouseholdId, RegisterImport]]] = {}
    for household_id, item in made.households:
        if household_id in made.closed or item.household.group_id is None:
            continue
        by_group.setdefault(item.household.group_id, []).append((household_id, item))
    elected = 0
    for gi, (group_id, items) in enumerate(by_group.items(), start=1):
        chunks = [items[i : i + 9] for i in range(0, len(items), 9)]
        if len(chunks) > 1 and len(chunks[-1]) < 5:
            chunks[-2].extend(chunks.pop())
        for ci, chunk in enumerate(chunks):
            gender = "女" if (gi + ci) % 2 == 0 else "男"
            candidates = [
                m.person.id_number
                for _, item in chunk
                for m in item.members
                if m.person.id_number not in made.left and 30 <= _age(m, TERM_START) <= 66
            ]
            preferred = [n for n in candidates if people[n].gender == gender] or candidates
            if not preferred:
                continue
            person = people[rng.choice(preferred)]
            roster.elect_representative(
                person,
                Representative(
                    id=None,
                    person_id=PersonId(0),
                    group_id=group_id,
                    term_start=TERM_START,
                    term_end=default_term_end(TERM_START),
                    households=tuple(h for h, _ in chunk),
                ),
            )
            elected += 1
    return elected


def _age(member: Member, day: dt.date) -> int:
    birth = resident_id_birth_date(member.person.id_number)
    assert birth is not None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _situation(item: RegisterImport, risks: Sequence[str], year: int) -> str:
    income = next((i for i in item.incomes if i.year == year), None)
    size = len(item.members)
    parts = [f"家庭人口{size}人"]
    if income is not None:
        per_person = (income.as_income_year().net / size).quantize(Decimal(1))
        parts.append(f"{year}年人均纯收入约{per_person}元")
    ill = [m for m in item.members if m.resident.health in (Health.SERIOUS, Health.DISABLED)]
    for m in ill[:2]:
        what = m.resident.illness or (m.resident.disability_category or "残疾")
        parts.append(
            f"{m.resident.relation}患{what}" if m.resident.illness else f"{m.resident.relation}{what}"
        )
    return "，".join(parts) + f"；风险类型：{'、'.join(risks)}。"


def _measures_for(risks: Sequence[str]) -> list[tuple[MeasureKind, str, Decimal | None]]:
    options: list[tuple[MeasureKind, str, Decimal | None]] = []
    if "因病" in risks:
        options.append((MeasureKind.HEALTH, "落实大病保险和医疗救助，住院费用报销比例提高到90%左右", None))
    if "因残" in risks:
        options.append((MeasureKind.SAFETY_NET, "申请残疾人两项补贴", Decimal(1200)))
    if "因学" in risks:
        options.append((MeasureKind.EDUCATION, "落实教育资助，协调学校减免住宿费", Decimal(1000)))
    if "住房出现安全问题" in risks:
        options.append((MeasureKind.HOUSING, "C级危房维修加固", Decimal(15000)))
    if "饮水安全问题" in risks:
        options.append((MeasureKind.WATER, "接通自来水入户", Decimal(1800)))
    if "缺劳动力" in risks:
        options.append((MeasureKind.SAFETY_NET, "纳入农村低保", None))
    options.extend(
        (
            (MeasureKind.INDUSTRY, "发放基础母羊5只，发展庭院养殖", Decimal(6000)),
            (MeasureKind.EMPLOYMENT, "安排村级公益岗位（保洁员）", Decimal(6000)),
            (MeasureKind.FINANCE, "办理扶贫小额信贷3万元，发展肉牛养殖", Decimal(30000)),
        )
    )
    return options


def _visit_finding(risks: Sequence[str], latest: bool, rng: random.Random) -> str:
    if "因病" in risks:
        text = "患者病情稳定，按时服药复查，医疗费用已按政策报销。"
    elif "住房出现安全问题" in risks:
        text = "危房维修加固已开工，家人暂住偏房，安全无虞。"
    elif "因学" in risks:
        text = "孩子在校就读正常，教育资助已到位。"
    else:
        text = "家庭生产生活正常，牛羊存栏稳定，务工收入按月到账。"
    if latest:
        text += rng.choice(
            ("下次重点了解秋收和出栏收入。", "提醒按时缴纳明年医保。", "已宣传防返贫监测政策和申报渠道。")
        )
    return text


def _dropped(income: IncomeRecord, rng: random.Random) -> IncomeRecord:
    """The relapse: this year's income well below the year before, and a large medical bill."""
    share = Decimal(rng.randint(35, 50)) / 100

    def cut(value: Decimal) -> Decimal:
        return (value * share).quantize(Decimal("0.01"))

    return replace(
        income,
        wages=cut(income.wages),
        business=cut(income.business),
        production_costs=cut(income.production_costs),
        medical_costs=Decimal(rng.randint(15000, 30000)),
        note="户主突发脑出血住院治疗，务工中断",
    )


def _last_months(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months up to this one, oldest first."""
    months: list[dt.date] = []
    month = today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def _last_quarters(today: dt.date, count: int) -> list[dt.date]:
    """The last days of the ``count`` quarters ended before ``today``, oldest first."""
    ends: list[dt.date] = []
    quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    for _ in range(count):
        end = quarter_start - dt.timedelta(days=1)
        ends.append(end)
        quarter_start = dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return list(reversed(ends))
