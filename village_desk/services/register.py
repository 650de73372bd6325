"""农户档案 and 防止返贫动态监测 use cases (issue 5).

Reading needs 查看; every change needs 维护农户档案、会议和评选 (文书, 管理员) and is
one transaction, audited field by field. After every change to a household
(its file, members, income, cases, measures, visits) the service rewrites the
household's line of the register index (``RegisterLine``: what the table shows
and searches, with the risk signals computed now), in the same transaction.

Operations (建档, 迁入, 新生, 成员减少, 分户, 合户, 变更户主, 销户) also write a
log entry naming the operation, so the household's 变更记录 reads as a story.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from village_desk.accounts import Access
from village_desk.audit import AuditEntry
from village_desk.cases import (
    Benefit,
    BenefitId,
    CaseId,
    Measure,
    MeasureId,
    MonitoringCase,
    Visit,
    VisitDue,
    VisitId,
)
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.monitoring import RiskSignal
from village_desk.notices import Notice
from village_desk.register import (
    HouseholdFile,
    IdCheck,
    IncomeRecord,
    Indicators,
    IndicatorTargets,
    Member,
    RegisterFilter,
    RegisterImport,
    RegisterLine,
    RegisterPage,
    RegisterSettings,
    ResidentStatus,
)
from village_desk.roster import Household
from village_desk.services.notices import NoticeService
from village_desk.storage import Storage


@dataclass(frozen=True)
class Dossier:
    """Everything the household window shows, read in one transaction."""

    household: Household
    file: HouseholdFile
    group_name: str
    members: tuple[Member, ...]  # 在籍 first (head first), then those who left, by date
    incomes: tuple[IncomeRecord, ...]  # newest year first
    cases: tuple[MonitoringCase, ...]  # newest first
    measures: tuple[Measure, ...]  # of all its cases, newest first
    visits: tuple[Visit, ...]  # newest first
    benefits: tuple[Benefit, ...]  # newest first
    signals: tuple[RiskSignal, ...]  # now, for the latest income year
    per_person: Decimal | None
    income_year: int | None
    visit_due: VisitDue | None  # when under monitoring and overdue
    benefit_totals: tuple[tuple[int, str, Decimal], ...]  # (year, kind, total), newest year first
    closure_problems: tuple[str, ...]  # for the open case under monitoring; () when none or all rules hold


@dataclass(frozen=True)
class CaseLine:
    """An open case on the 监测预警 page, with what is due next."""

    case: MonitoringCase
    line: RegisterLine
    next_step: str  # “发布识别公示”, “填写乡镇审核和县级审定日期”, “可以申请风险消除”…
    overdue: bool


@dataclass(frozen=True)
class MonitoringOverview:
    at_risk: tuple[
        tuple[RegisterLine, tuple[RiskSignal, ...]], ...
    ]  # households with signals and no open case
    cases: tuple[CaseLine, ...]
    visits_due: tuple[tuple[RegisterLine, VisitDue], ...]


class RegisterService:
    def __init__(
        self,
        storage: Storage,
        access: Access,
        notices: NoticeService,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._storage = storage
        self._access = access
        self._notices = notices
        self._today = today

    # --- settings ------------------------------------------------------------------------------------------
    def settings(self) -> RegisterSettings:
        raise NotImplementedError

    def save_settings(self, settings: RegisterSettings) -> RegisterSettings:
        """Needs 修改本村信息和设置. A changed monitoring line or threshold recomputes every line's signals."""
        raise NotImplementedError

    # --- the table -----------------------------------------------------------------------------------------
    def page(self, query: RegisterFilter) -> RegisterPage:
        raise NotImplementedError

    def indicators(self) -> tuple[Indicators, IndicatorTargets]:
        raise NotImplementedError

    # --- one household -------------------------------------------------------------------------------------
    def dossier(self, household_id: HouseholdId) -> Dossier:
        raise NotImplementedError

    def history(self, household_id: HouseholdId) -> list[AuditEntry]:
        """Every log entry of the household, its file, members, incomes, cases, measures, visits and benefits."""
        raise NotImplementedError

    def check_id_number(self, number: str, person_id: PersonId | None = None) -> IdCheck:
        raise NotImplementedError

    def next_number(self, group_id: GroupId | None) -> str:
        """A free 户号 to suggest for a new household."""
        raise NotImplementedError

    def create_household(
        self,
        household: Household,
        file: HouseholdFile,
        head: Member,
        *,
        moved_in: bool = False,
        on: dt.date | None = None,
    ) -> Dossier:
        """建档 (or 迁入 of a whole household): the household, its file and its head in one transaction."""
        raise NotImplementedError

    def save_household(self, household: Household, file: HouseholdFile) -> Dossier:
        """基本信息, 产业与土地, 住房饮水 and the bank account."""
        raise NotImplementedError

    def add_member(self, household_id: HouseholdId, member: Member, *, born: bool, on: dt.date) -> Dossier:
        """新生 (born=True) or 迁入 of one person; refuses an ID number already in the village."""
        raise NotImplementedError

    def save_member(self, member: Member) -> Dossier:
        raise NotImplementedError

    def member_leaves(
        self,
        person_id: PersonId,
        status: ResidentStatus,
        on: dt.date,
        reason: str,
        new_head: PersonId | None = None,
    ) -> Dossier:
        """迁出, 死亡, 出嫁…; when the head leaves, ``new_head`` (a member still in) takes over."""
        raise NotImplementedError

    def change_head(
        self, household_id: HouseholdId, new_head: PersonId, old_head_relation: str, on: dt.date
    ) -> Dossier:
        raise NotImplementedError

    def split(
        self,
        household_id: HouseholdId,
        members: Sequence[PersonId],
        new_head: PersonId,
        number: str,
        on: dt.date,
        relations: dict[PersonId, str] | None = None,
    ) -> Dossier:
        """分户: the members leave for a new household (same group, file copied from category down); the new dossier."""
        raise NotImplementedError

    def merge(
        self,
        household_id: HouseholdId,
        into: HouseholdId,
        on: dt.date,
        relations: dict[PersonId, str],
    ) -> Dossier:
        """合户: every member of ``household_id`` joins ``into`` with the relation given; the old household closes."""
        raise NotImplementedError

    def close_household(self, household_id: HouseholdId, on: dt.date, reason: str) -> Dossier:
        """全户迁出 (or another reason): every member still in leaves as 迁出, the household closes."""
        raise NotImplementedError

    def save_income(self, income: IncomeRecord) -> Dossier:
        raise NotImplementedError

    # --- monitoring ---------------------------------------------------------------------------------------
    def overview(self) -> MonitoringOverview:
        raise NotImplementedError

    def open_case(self, case: MonitoringCase) -> Dossier:
        """Refused when the household already has an open case; a case after a closed one is a relapse."""
        raise NotImplementedError

    def save_case(self, case: MonitoringCase) -> Dossier:
        """Edit the dates and facts of a case (township review, county approval, stable since…)."""
        raise NotImplementedError

    def reject_case(self, case_id: CaseId, version: int, reason: str) -> Dossier:
        raise NotImplementedError

    def identification_notice(self, case_ids: Sequence[CaseId], year: int) -> Notice:
        """A saved draft of 监测对象识别公示 for the cases (status 已识别), linked to each of them."""
        raise NotImplementedError

    def elimination_problems(self, case_id: CaseId, stable_since: dt.date | None) -> list[str]:
        """Which rule of 风险消除 fails (``monitoring.closure_problems``); empty when all hold."""
        raise NotImplementedError

    def elimination_notice(self, case_ids: Sequence[CaseId], year: int) -> Notice:
        """A saved draft of 风险消除公示; refused (naming the rule) for a case whose rules do not hold."""
        raise NotImplementedError

    def close_case(self, case_id: CaseId, version: int, on: dt.date) -> Dossier:
        """风险消除: only after the elimination notice was issued and its period is over."""
        raise NotImplementedError

    def add_measure(self, measure: Measure) -> Dossier:
        raise NotImplementedError

    def cancel_measure(self, measure_id: MeasureId, version: int, reason: str) -> Dossier:
        raise NotImplementedError

    def add_visit(self, visit: Visit) -> Dossier:
        raise NotImplementedError

    def cancel_visit(self, visit_id: VisitId, version: int, reason: str) -> Dossier:
        raise NotImplementedError

    def add_benefit(self, benefit: Benefit) -> Dossier:
        raise NotImplementedError

    def cancel_benefit(self, benefit_id: BenefitId, version: int, reason: str) -> Dossier:
        raise NotImplementedError

    # --- notices of the register --------------------------------------------------------------------------
    def low_income_notice(self, title: str, monthly_amounts: dict[HouseholdId, Decimal]) -> Notice:
        """A saved draft of the 低保 list (只含 小组, 户主, 保障人数, 月保障金额) of the 低保户 households."""
        raise NotImplementedError

    def roster_notice(self, query: RegisterFilter) -> Notice:
        """A saved draft of the internal 花名册 of the filtered households (prints only as 内部资料)."""
        raise NotImplementedError

    # --- bulk ------------------------------------------------------------------------------------------------
    def import_households(self, households: Sequence[RegisterImport]) -> list[HouseholdId]:
        """Import in one transaction with one log entry (the demo; a county spreadsheet later)."""
        raise NotImplementedError

    def reindex(self) -> int:
        """Recompute every household's line (after a settings change, or on a new day's ages); how many."""
        raise NotImplementedError
