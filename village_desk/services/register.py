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
import gc
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal

from village_desk.accounts import Access, Permission
from village_desk.audit import AuditAction, AuditEntry
from village_desk.cases import (
    OPEN_STATUSES,
    Benefit,
    BenefitId,
    CaseId,
    CaseStatus,
    Measure,
    MeasureId,
    MonitoringCase,
    Visit,
    VisitDue,
    VisitId,
    benefit_problems,
    benefit_totals,
    case_problems,
    measure_problems,
    visit_due,
    visit_problems,
)
from village_desk.codes import normalize_code
from village_desk.errors import FieldError, NotFoundError, ValidationError
from village_desk.ids import GroupId, HouseholdId, PersonId
from village_desk.monitoring import Health, RiskSignal, SignalKind, closure_problems, risk_signals
from village_desk.notices import Notice, NoticeCategory, NoticeId, NoticeKind, NoticeStatus, chinese_date
from village_desk.register import (
    OPEN_CASE,
    POOR_CATEGORIES,
    RELATIONS,
    HouseholdEvent,
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
    Resident,
    ResidentStatus,
    derived_from_id,
    file_problems,
    head_problems,
    id_number_problem,
    income_problems,
    leave,
    move_to,
    resident_problems,
)
from village_desk.register_index import (
    assistance_count,
    case_next_step,
    case_visits,
    current_case,
    household_facts,
    id_number_warning,
    latest_income_year,
    members_in,
    register_line,
)
from village_desk.register_notices import (
    ELIMINATION_RULE,
    IDENTIFICATION_RULE,
    LOW_INCOME_RULE,
    LowIncomeHousehold,
    MonitoredHousehold,
    RosterMember,
    elimination_publicity,
    identification_publicity,
    internal_roster,
    low_income_publicity,
)
from village_desk.roster import Household, Person, person_problems
from village_desk.services.notices import NoticeService
from village_desk.storage import Storage, Transaction
from village_desk.village import chinese_number


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


# Stands for a household or person not saved yet while checking the records that will point at them.
_NEW_HOUSEHOLD = HouseholdId(-1)
# Up to this many households are read one by one; more, when they are a good part of the village,
# by reading every table at once.
BULK_FROM = 20
HOUSEHOLD = "农户"
LOW_INCOME_CATEGORY = "低保户"
HEAD = "户主"
# How many problems of an import are listed (the rest are counted).
MAX_IMPORT_ERRORS = 30


@dataclass(frozen=True)
class _Snapshot:
    """A household's records as read, for its line and its dossier."""

    household: Household
    file: HouseholdFile
    group_name: str
    members: tuple[Member, ...]  # every member record of the household, in insertion order
    incomes: tuple[IncomeRecord, ...]
    cases: tuple[MonitoringCase, ...]
    measures: tuple[Measure, ...]
    visits: tuple[Visit, ...]
    benefits: tuple[Benefit, ...]

    @property
    def id(self) -> HouseholdId:
        assert self.household.id is not None
        return self.household.id

    @property
    def inside(self) -> list[Member]:
        return members_in(self.id, self.members)

    @property
    def label(self) -> str:
        """0312户（户主张三）, for messages."""
        return f"{self.household.number}户（户主{self.household.head_name}）"

    def assistance(self) -> int:
        return assistance_count(self.measures, sum(1 for b in self.benefits if not b.cancelled_reason))

    def case_measures(self, case: MonitoringCase) -> list[Measure]:
        return [m for m in self.measures if m.case_id == case.id and not m.cancelled_reason]


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

    def _reading(self) -> AbstractContextManager[Transaction]:
        self._access.require(Permission.VIEW)
        return self._storage.transaction()

    def _writing(self) -> AbstractContextManager[Transaction]:
        return self._storage.transaction(self._access.require(Permission.EDIT_RECORDS))

    # --- settings ------------------------------------------------------------------------------------------
    def settings(self) -> RegisterSettings:
        with self._reading() as tx:
            return tx.get_register_settings()

    def save_settings(self, settings: RegisterSettings) -> RegisterSettings:
        """Needs 修改本村信息和设置. A changed monitoring line or threshold recomputes every line's signals."""
        actor = self._access.require(Permission.EDIT_SETTINGS)
        errors = settings_problems(settings)
        with self._storage.transaction(actor) as tx:
            old = tx.get_register_settings()
            for category in old.categories:
                if category not in settings.categories:
                    used = tx.register_page(
                        RegisterFilter(category=category, include_closed=True, limit=0)
                    ).total
                    if used:
                        errors.append(
                            FieldError(
                                "categories",
                                f"户类别“{category}”还有{used}户在用，不能删除；请先把这些户改为其他类别。",
                            )
                        )
            if errors:
                raise ValidationError(errors)
            saved = tx.save_register_settings(settings)
            if (old.monitoring, old.categories, old.visit_interval_days) != (
                saved.monitoring,
                saved.categories,
                saved.visit_interval_days,
            ):
                self._reindex(tx, saved)
            return saved

    # --- the table -----------------------------------------------------------------------------------------
    def page(self, query: RegisterFilter) -> RegisterPage:
        with self._reading() as tx:
            return tx.register_page(query)

    def indicators(self) -> tuple[Indicators, IndicatorTargets]:
        with self._reading() as tx:
            targets = tx.get_register_settings().targets
            figures = tx.register_indicators(
                targets.sheep_threshold, targets.cattle_threshold, POOR_CATEGORIES
            )
        return figures, targets

    # --- one household -------------------------------------------------------------------------------------
    def dossier(self, household_id: HouseholdId) -> Dossier:
        with self._reading() as tx:
            return self._dossier(tx, household_id)

    def history(self, household_id: HouseholdId) -> list[AuditEntry]:
        """Every log entry of the household, its file, members, incomes, cases, measures, visits and benefits."""
        with self._reading() as tx:
            snap = self._load(tx, household_id)
            records: list[tuple[str, int]] = [(HOUSEHOLD, household_id), ("农户档案", household_id)]
            for member in snap.members:
                records += [("家庭成员", member.resident.person_id), ("人员", member.resident.person_id)]
            records.append(("收入", household_id))  # every year of it is logged under the household
            records += [("监测对象", c.id) for c in snap.cases if c.id is not None]
            records += [("帮扶措施", m.id) for m in snap.measures if m.id is not None]
            records += [("走访记录", v.id) for v in snap.visits if v.id is not None]
            records += [("补助发放", b.id) for b in snap.benefits if b.id is not None]
            return tx.record_history(records)

    def check_id_number(self, number: str, person_id: PersonId | None = None) -> IdCheck:
        number = normalize_code(number)
        if not number:
            return IdCheck(None, None, None, None)
        problem = id_number_problem(number, self._today())
        derived = derived_from_id(number) if problem is None else None
        existing: Person | None = None
        household: Household | None = None
        if problem is None:
            with self._reading() as tx:
                others = [p for p in tx.find_people_by_id_number(number) if p.id != person_id]
                if others:
                    existing = others[0]
                    household = self._household_of(tx, existing)
        return IdCheck(
            problem=problem,
            warning=id_number_warning(number) if problem is None else None,
            existing=existing,
            existing_household=household,
            gender=derived[0] if derived else None,
            birth_date=derived[1] if derived else None,
        )

    def next_number(self, group_id: GroupId | None) -> str:
        """A free 户号 to suggest for a new household."""
        with self._reading() as tx:
            return self._next_number(tx, group_id)

    def create_household(
        self,
        household: Household,
        file: HouseholdFile,
        head: Member,
        *,
        moved_in: bool = False,
        on: dt.date | None = None,
    ) -> Dossier:
        """建档 (or 迁入 of a whole household): the household, its file and its head in one transaction.

        An empty 户号 gets the next free one of the group. The head's relation is 户主.
        """
        if household.id is not None:
            raise ValueError("create_household() makes a new household; use save_household() to edit one")
        on = on or self._today()
        with self._writing() as tx:
            settings = tx.get_register_settings()
            number = household.number.strip() or self._next_number(tx, household.group_id)
            person = _person_ready(head.person, household.group_id)
            resident = replace(
                head.resident,
                household_id=_NEW_HOUSEHOLD,
                relation=HEAD,
                status=ResidentStatus.IN,
                status_on=None,
                status_reason="",
                joined_on=on,
            )
            errors = self._number_errors(tx, number, None)
            errors += file_problems(replace(file, household_id=_NEW_HOUSEHOLD), settings.categories)
            errors += self._date_errors(on)
            errors += self._member_errors(tx, person, resident)
            if errors:
                raise ValidationError(errors)
            saved = tx.save_household(
                replace(household, number=number, head_name=person.name, closed_reason="")
            )
            assert saved.id is not None
            tx.save_household_file(replace(file, household_id=saved.id, version=0))
            saved_person = tx.save_person(person)
            assert saved_person.id is not None
            tx.save_resident(
                replace(
                    resident,
                    person_id=saved_person.id,
                    household_id=saved.id,
                    version=_resident_version(tx, saved_person.id),
                )
            )
            event = HouseholdEvent.MOVED_IN if moved_in else HouseholdEvent.CREATED
            self._event(tx, saved.id, f"{event.value}：{number}户，户主{person.name}（{_day(on)}）")
            return self._refreshed(tx, saved.id)

    def save_household(self, household: Household, file: HouseholdFile) -> Dossier:
        """基本信息, 产业与土地, 住房饮水 and the bank account.

        The head's name follows the members (户主 among them); a closed household stays closed.
        Moving the household to another group moves its members' group too.
        """
        if household.id is None:
            raise ValueError("save_household() edits a household; use create_household() for a new one")
        with self._writing() as tx:
            settings = tx.get_register_settings()
            current = tx.get_household(household.id)
            number = household.number.strip()
            file = replace(file, household_id=household.id)
            errors = self._number_errors(tx, number, household.id)
            errors += file_problems(file, settings.categories)
            if errors:
                raise ValidationError(errors)
            members = self._members(tx, household.id)
            head = _head_of(members_in(household.id, members))
            tx.save_household(
                replace(
                    household,
                    number=number,
                    head_name=head.person.name if head is not None else household.head_name.strip(),
                    closed_reason=current.closed_reason,
                )
            )
            tx.save_household_file(file)
            if household.group_id != current.group_id:
                for member in members_in(household.id, members):
                    tx.save_person(replace(member.person, group_id=household.group_id))
            return self._refreshed(tx, household.id)

    def add_member(self, household_id: HouseholdId, member: Member, *, born: bool, on: dt.date) -> Dossier:
        """新生 (born=True) or 迁入 of one person; refuses an ID number already in the village.

        ``member.person`` may be someone already registered (``id`` set: a cadre from the
        roster, or a former member coming back) as long as they are in no household now.
        """
        with self._writing() as tx:
            household = tx.get_household(household_id)
            person = _person_ready(member.person, household.group_id)
            existing = tx.get_resident(person.id) if person.id is not None else None
            resident = replace(
                member.resident,
                household_id=household_id,
                status=ResidentStatus.IN,
                status_on=None,
                status_reason="",
                joined_on=on,
                version=existing.version if existing is not None else 0,
            )
            errors = self._open_errors(household) + self._date_errors(on)
            if existing is not None and existing.is_in and existing.household_id == household_id:
                errors.append(FieldError("person", f"{person.name}已经是本户的成员了。"))
            else:
                errors += self._member_errors(tx, person, resident)
            others = [
                m.resident for m in self._members(tx, household_id) if m.resident.person_id != person.id
            ]
            errors += _head_errors([*others, resident])
            if errors:
                raise ValidationError(errors)
            saved_person = tx.save_person(person)
            assert saved_person.id is not None
            tx.save_resident(replace(resident, person_id=saved_person.id))
            event = HouseholdEvent.BORN if born else HouseholdEvent.MOVED_IN
            self._event(tx, household_id, f"{event.value}：{person.name}（{resident.relation}，{_day(on)}）")
            self._sync_head(tx, household_id)
            return self._refreshed(tx, household_id)

    def save_member(self, member: Member) -> Dossier:
        """Edit a member's person and record. Moving to another household is 分户/合户; leaving is
        ``member_leaves`` (a member who left may still have the date and reason corrected)."""
        person_id = member.person.id
        if person_id is None:
            raise ValueError("save_member() edits a member; use add_member() for a new one")
        with self._writing() as tx:
            stored = tx.get_resident(person_id)
            if stored is None:
                raise NotFoundError("找不到这位家庭成员，可能已被他人修改，请刷新后重试。")
            household = tx.get_household(stored.household_id)
            person = _person_ready(member.person, household.group_id)
            resident = replace(member.resident, person_id=person_id)
            errors: list[FieldError] = []
            if resident.household_id != stored.household_id:
                errors.append(
                    FieldError("household_id", "调整成员所在的户请用“分户”或“合户”办理，不能直接修改。")
                )
            if resident.status != stored.status:
                errors.append(
                    FieldError(
                        "status",
                        "成员迁出、死亡等请用“成员减少”办理；已减少的成员重新回来请用“迁入”办理。",
                    )
                )
            errors += self._member_errors(tx, person, resident)
            others = [
                m.resident
                for m in self._members(tx, stored.household_id)
                if m.resident.person_id != person_id
            ]
            errors += _head_errors([*others, resident])
            if errors:
                raise ValidationError(errors)
            tx.save_person(person)
            tx.save_resident(resident)
            self._sync_head(tx, stored.household_id)
            return self._refreshed(tx, stored.household_id)

    def member_leaves(
        self,
        person_id: PersonId,
        status: ResidentStatus,
        on: dt.date,
        reason: str,
        new_head: PersonId | None = None,
    ) -> Dossier:
        """迁出, 死亡, 出嫁…; when the head leaves, ``new_head`` (a member still in) takes over.

        When the last member leaves, the household closes.
        """
        with self._writing() as tx:
            resident = tx.get_resident(person_id)
            if resident is None:
                raise NotFoundError("找不到这位家庭成员，可能已被他人修改，请刷新后重试。")
            person = tx.get_person(person_id)
            household_id = resident.household_id
            household = tx.get_household(household_id)
            inside = members_in(household_id, self._members(tx, household_id))
            remaining = [m for m in inside if m.person.id != person_id]
            errors = self._date_errors(on)
            if not resident.is_in:
                errors.append(FieldError("status", f"{person.name}已经{resident.status.value}，不在本户了。"))
            if status is ResidentStatus.IN:
                errors.append(FieldError("status", "请选择成员减少的原因，例如“迁出”“死亡”。"))
                left = resident
            else:
                left = leave(resident, status, on, reason)
                errors += resident_problems(left)
            if resident.joined_on is not None and on < resident.joined_on:
                errors.append(FieldError("status_on", f"日期不能早于{person.name}加入本户的日期。"))
            successor: Member | None = None
            if resident.relation == HEAD and remaining:
                successor = next((m for m in remaining if m.person.id == new_head), None)
                if new_head is None:
                    errors.append(
                        FieldError("new_head", f"{person.name}是户主，请指定一位家庭成员接任户主。")
                    )
                elif successor is None:
                    errors.append(FieldError("new_head", "接任户主的应是本户现有的其他成员，请重新选择。"))
            elif new_head is not None:
                errors.append(FieldError("new_head", f"{person.name}不是户主，不需要指定新户主。"))
            if errors:
                raise ValidationError(list(dict.fromkeys(errors)))
            tx.save_resident(left)
            text = f"{HouseholdEvent.MEMBER_LEFT.value}：{person.name}{status.value}（{_day(on)}"
            self._event(
                tx, household_id, text + (f"，{left.status_reason}）" if left.status_reason else "）")
            )
            if successor is not None:
                tx.save_resident(replace(successor.resident, relation=HEAD))
                self._event(
                    tx,
                    household_id,
                    f"{HouseholdEvent.HEAD_CHANGED.value}：{person.name} → {successor.person.name}（{_day(on)}）",
                )
                self._sync_head(tx, household_id)
            if not remaining:
                closed_reason = f"户内已无在籍成员（{person.name}{status.value}）"
                tx.save_household(replace(household, closed_reason=closed_reason))
                self._event(tx, household_id, f"{HouseholdEvent.CLOSED.value}：{closed_reason}（{_day(on)}）")
            return self._refreshed(tx, household_id)

    def change_head(
        self, household_id: HouseholdId, new_head: PersonId, old_head_relation: str, on: dt.date
    ) -> Dossier:
        """变更户主: ``new_head`` becomes 户主, the old head takes ``old_head_relation``."""
        with self._writing() as tx:
            household = tx.get_household(household_id)
            inside = members_in(household_id, self._members(tx, household_id))
            successor = next((m for m in inside if m.person.id == new_head), None)
            old = _head_of(inside)
            errors = self._open_errors(household) + self._date_errors(on)
            if successor is None:
                errors.append(FieldError("new_head", "新户主应是本户现有的成员，请重新选择。"))
            elif old is not None and old.person.id == new_head:
                errors.append(FieldError("new_head", f"{successor.person.name}已经是户主了。"))
            if old is not None and (old_head_relation not in RELATIONS or old_head_relation == HEAD):
                errors.append(
                    FieldError("relation", f"请为原户主{old.person.name}选择与新户主的关系（不能再是户主）。")
                )
            if errors:
                raise ValidationError(errors)
            assert successor is not None
            if old is not None:
                tx.save_resident(replace(old.resident, relation=old_head_relation))
            tx.save_resident(replace(successor.resident, relation=HEAD))
            was = f"{old.person.name}（改为{old_head_relation}）" if old is not None else "（无）"
            self._event(
                tx,
                household_id,
                f"{HouseholdEvent.HEAD_CHANGED.value}：{was} → {successor.person.name}（{_day(on)}）",
            )
            self._sync_head(tx, household_id)
            return self._refreshed(tx, household_id)

    def split(
        self,
        household_id: HouseholdId,
        members: Sequence[PersonId],
        new_head: PersonId,
        number: str,
        on: dt.date,
        relations: dict[PersonId, str] | None = None,
    ) -> Dossier:
        """分户: the members leave for a new household (same group; its file starts with the old one's
        category, address and 帮扶责任人, the rest empty); the new dossier.

        ``relations``: each moving member's relation to the new head (the new head is 户主).
        The old head stays (change the head first to split them off).
        """
        relations = relations or {}
        with self._writing() as tx:
            settings = tx.get_register_settings()
            source = tx.get_household(household_id)
            source_file = tx.get_household_file(household_id) or HouseholdFile(household_id)
            inside = members_in(household_id, self._members(tx, household_id))
            by_id = {m.person.id: m for m in inside}
            number = number.strip() or self._next_number(tx, source.group_id)
            errors = self._open_errors(source) + self._date_errors(on) + self._number_errors(tx, number, None)
            moving = list(dict.fromkeys(members))
            if not moving:
                errors.append(FieldError("members", "请选择要分出去的家庭成员。"))
            for person_id in moving:
                if person_id not in by_id:
                    errors.append(FieldError("members", "分出的成员应是本户现有的成员，请重新选择。"))
                elif by_id[person_id].resident.relation == HEAD:
                    name = by_id[person_id].person.name
                    errors.append(
                        FieldError("members", f"{name}是本户户主，不能分出；如需分出，请先变更户主。")
                    )
            if new_head not in moving:
                errors.append(FieldError("new_head", "新户主应是分出的成员之一，请重新选择。"))
            if moving and len(moving) >= len(inside):
                errors.append(FieldError("members", "分户后原户不能没有成员。"))
            new_relations: dict[PersonId, str] = {}
            for person_id in moving:
                if person_id == new_head or person_id not in by_id:
                    continue
                relation = relations.get(person_id, "")
                if relation not in RELATIONS or relation == HEAD:
                    errors.append(
                        FieldError("relations", f"请选择{by_id[person_id].person.name}与新户主的关系。")
                    )
                new_relations[person_id] = relation
            if errors:
                raise ValidationError(list(dict.fromkeys(errors)))
            head = by_id[new_head]
            created = tx.save_household(
                Household(id=None, number=number, head_name=head.person.name, group_id=source.group_id)
            )
            assert created.id is not None
            new_file = HouseholdFile(
                created.id,
                address=source_file.address,
                category=source_file.category,
                helper_name=source_file.helper_name,
            )
            file_errors = file_problems(new_file, settings.categories)
            if file_errors:
                raise ValidationError(file_errors)
            tx.save_household_file(new_file)
            for person_id in moving:
                relation = HEAD if person_id == new_head else new_relations[person_id]
                tx.save_resident(move_to(by_id[person_id].resident, created.id, relation, on))
            names = "、".join(by_id[p].person.name for p in moving)
            self._event(
                tx,
                household_id,
                f"{HouseholdEvent.SPLIT.value}：{names}分出，另立{number}户（户主{head.person.name}，{_day(on)}）",
            )
            self._event(
                tx,
                created.id,
                f"{HouseholdEvent.SPLIT.value}：由{source.number}户（户主{source.head_name}）分出，"
                f"{names}（{_day(on)}）",
            )
            self._put_lines(tx, [household_id])
            return self._refreshed(tx, created.id)

    def merge(
        self,
        household_id: HouseholdId,
        into: HouseholdId,
        on: dt.date,
        relations: dict[PersonId, str],
    ) -> Dossier:
        """合户: every member of ``household_id`` joins ``into`` with the relation given; the old household closes."""
        with self._writing() as tx:
            source = tx.get_household(household_id)
            target = tx.get_household(into)
            errors = self._date_errors(on)
            if household_id == into:
                errors.append(FieldError("into", "请选择另一户作为合并到的户。"))
            errors += self._open_errors(source) + self._open_errors(target)
            errors += _running_case_errors(source, tx.list_cases(household_id), "合户")
            moving = members_in(household_id, self._members(tx, household_id))
            if not moving:
                errors.append(FieldError("members", f"{source.number}户没有在籍成员，不需要合户。"))
            for member in moving:
                assert member.person.id is not None
                relation = relations.get(member.person.id, "")
                if relation not in RELATIONS or relation == HEAD:
                    errors.append(
                        FieldError(
                            "relations",
                            f"请选择{member.person.name}与{target.number}户户主{target.head_name}的关系。",
                        )
                    )
            if errors:
                raise ValidationError(list(dict.fromkeys(errors)))
            for member in moving:
                assert member.person.id is not None
                tx.save_resident(move_to(member.resident, into, relations[member.person.id], on))
                if member.person.group_id != target.group_id:
                    tx.save_person(replace(member.person, group_id=target.group_id))
            reason = f"合户到{target.number}户"
            tx.save_household(replace(source, closed_reason=reason))
            names = "、".join(m.person.name for m in moving)
            self._event(
                tx,
                household_id,
                f"{HouseholdEvent.MERGED.value}：{names}并入{target.number}户（户主{target.head_name}），"
                f"本户销户（{_day(on)}）",
            )
            self._event(
                tx,
                into,
                f"{HouseholdEvent.MERGED.value}：{source.number}户（户主{source.head_name}）的{names}并入本户"
                f"（{_day(on)}）",
            )
            self._put_lines(tx, [household_id])
            return self._refreshed(tx, into)

    def close_household(self, household_id: HouseholdId, on: dt.date, reason: str) -> Dossier:
        """全户迁出 (or another reason): every member still in leaves as 迁出, the household closes."""
        reason = reason.strip()
        with self._writing() as tx:
            household = tx.get_household(household_id)
            errors = self._open_errors(household) + self._date_errors(on)
            errors += _running_case_errors(household, tx.list_cases(household_id), "销户")
            if not reason:
                errors.append(FieldError("closed_reason", "请填写销户原因，例如“全户迁往通辽市”。"))
            if errors:
                raise ValidationError(errors)
            inside = members_in(household_id, self._members(tx, household_id))
            for member in inside:
                tx.save_resident(leave(member.resident, ResidentStatus.MOVED_OUT, on, reason))
            tx.save_household(replace(household, closed_reason=reason))
            names = "、".join(m.person.name for m in inside)
            moved = f"，{names}迁出" if names else ""
            self._event(tx, household_id, f"{HouseholdEvent.CLOSED.value}：{reason}{moved}（{_day(on)}）")
            return self._refreshed(tx, household_id)

    def save_income(self, income: IncomeRecord) -> Dossier:
        """A year's income: new (``version`` 0) or corrected; one record per household and year."""
        with self._writing() as tx:
            tx.get_household(income.household_id)
            errors = income_problems(income, self._today())
            if income.version == 0 and any(
                i.year == income.year for i in tx.list_incomes(income.household_id)
            ):
                errors.append(
                    FieldError("year", f"{income.year}年的收入已经登记过了，请在收入列表里修改那一年。")
                )
            if errors:
                raise ValidationError(errors)
            tx.save_income(replace(income, note=income.note.strip()))
            return self._refreshed(tx, income.household_id)

    # --- monitoring ---------------------------------------------------------------------------------------
    def overview(self) -> MonitoringOverview:
        """The 监测预警 page: households with signals and no open case (with the signals), open cases
        with their next step, and overdue visits. Reads only the listed households' records."""
        today = self._today()
        with self._reading() as tx:
            settings = tx.get_register_settings()
            risky = [
                line
                for line in tx.register_page(RegisterFilter(at_risk=True)).lines
                if line.case_status not in OPEN_STATUSES
            ]
            open_lines = list(tx.register_page(RegisterFilter(case_status=OPEN_CASE)).lines)
            # The signals of households without a case come from their lines (kept with their reasons),
            # so a township's thousands of them cost one query; only open cases read their records.
            at_risk = [(line, _line_signals(line)) for line in risky]
            snaps = self._snapshots(tx, [line.household_id for line in open_lines])
            cases: list[CaseLine] = []
            due: list[tuple[RegisterLine, VisitDue]] = []
            for line in open_lines:
                snap = snaps[line.household_id]
                case = current_case(snap.cases)
                if case is None or not case.is_open:
                    continue  # the index is behind the records; reindex() catches up
                visit = visit_due(
                    snap.id,
                    case_visits(case, snap.visits),
                    case.identified_on,
                    today,
                    settings.visit_interval_days,
                )
                step = case_next_step(
                    case,
                    self._notice(tx, case.identification_notice_id),
                    self._notice(tx, case.elimination_notice_id),
                    len(snap.case_measures(case)),
                    self._closure(snap, case, case.stable_since, settings, today),
                    today,
                )
                cases.append(CaseLine(case, line, step, visit is not None))
                if visit is not None:
                    due.append((line, visit))
        due.sort(key=lambda item: -item[1].days_overdue)
        return MonitoringOverview(tuple(at_risk), tuple(cases), tuple(due))

    def open_case(self, case: MonitoringCase) -> Dossier:
        """Refused when the household already has an open case; a case after a closed one is a relapse."""
        if case.id is not None:
            raise ValueError("open_case() makes a new case; use save_case() to edit one")
        today = self._today()
        with self._writing() as tx:
            household = tx.get_household(case.household_id)
            earlier = tx.list_cases(case.household_id)
            closed = [c for c in earlier if c.status is CaseStatus.CLOSED]
            last_closed = max(
                closed, key=lambda c: (c.eliminated_on or c.identified_on, c.id or 0), default=None
            )
            case = replace(
                case,
                situation=case.situation.strip(),
                identification_notice_id=None,
                elimination_notice_id=None,
                eliminated_on=None,
                rejected_reason="",
                relapse_of=last_closed.id if last_closed is not None else None,
                version=0,
            )
            errors = self._open_errors(household) + case_problems(case, today)
            running = next((c for c in earlier if c.is_open), None)
            if running is not None:
                errors.append(
                    FieldError(
                        "household_id",
                        f"{household.number}户（户主{household.head_name}）已经有一个正在进行的监测"
                        f"（{running.status.value}，{_day(running.identified_on)}识别），不能重复识别；"
                        "请在那条监测记录上继续办理。",
                    )
                )
            if errors:
                raise ValidationError(errors)
            tx.save_case(case)
            if last_closed is not None:
                self._event(
                    tx,
                    case.household_id,
                    f"返贫风险：再次纳入监测识别（上次于{_day(last_closed.eliminated_on or today)}风险消除），"
                    f"风险类型{'、'.join(case.risk_types)}",
                )
            return self._refreshed(tx, case.household_id)

    def save_case(self, case: MonitoringCase) -> Dossier:
        """Edit the dates and facts of a case (township review, county approval, stable since…).

        The links to notices, the closure and a rejection are set by their own operations;
        the county approval date only after the identification notice's period is over.
        """
        if case.id is None:
            raise ValueError("save_case() edits a case; use open_case() for a new one")
        today = self._today()
        with self._writing() as tx:
            stored = tx.get_case(case.id)
            case = replace(
                case,
                household_id=stored.household_id,
                situation=case.situation.strip(),
                identification_notice_id=stored.identification_notice_id,
                elimination_notice_id=stored.elimination_notice_id,
                eliminated_on=stored.eliminated_on,
                rejected_reason=stored.rejected_reason,
                relapse_of=stored.relapse_of,
            )
            errors = case_problems(case, today)
            if not stored.is_open:
                errors.append(
                    FieldError("status", f"这条监测记录已经是“{stored.status.value}”，不能再修改。")
                )
            if case.county_approved_on is not None and case.county_approved_on != stored.county_approved_on:
                errors += self._approval_errors(tx, case, today)
            if errors:
                raise ValidationError(list(dict.fromkeys(errors)))
            tx.save_case(case)
            return self._refreshed(tx, case.household_id)

    def reject_case(self, case_id: CaseId, version: int, reason: str) -> Dossier:
        """未纳入: the county did not approve (or the verification found no risk), with the reason."""
        reason = reason.strip()
        with self._writing() as tx:
            stored = tx.get_case(case_id)
            rejected = replace(stored, version=version, rejected_reason=reason)
            errors = case_problems(rejected, self._today())
            if not reason:
                errors.append(FieldError("rejected_reason", "请填写未纳入监测的原因。"))
            if not stored.is_open:
                errors.append(
                    FieldError("status", f"这条监测记录已经是“{stored.status.value}”，不能再标为未纳入。")
                )
            if errors:
                raise ValidationError(list(dict.fromkeys(errors)))
            tx.save_case(rejected)
            return self._refreshed(tx, stored.household_id)

    def identification_notice(self, case_ids: Sequence[CaseId], year: int) -> Notice:
        """A saved draft of 监测对象识别公示 for the cases (status 已识别), linked to each of them.

        Two transactions: ``NoticeService.save_draft`` saves the draft in its own, then the
        cases are linked in a second one. Should the second fail, a draft without links is
        left: harmless, and visible in the notice list (cancel it or generate again).
        """
        self._require_notice_rights()
        with self._reading() as tx:
            rows: list[tuple[str, str, MonitoredHousehold]] = []
            errors: list[FieldError] = []
            for case, snap in self._cases_for_notice(tx, case_ids):
                if not self._linkable(tx, case, identification=True):
                    errors.append(
                        FieldError(
                            "cases",
                            f"{snap.label}的监测记录是“{case.status.value}”，只有“已识别”的才能生成识别公示。",
                        )
                    )
                rows.append((snap.group_name, snap.household.number, _monitored(snap, case)))
            if errors:
                raise ValidationError(errors)
            ranks = _group_ranks(tx)
        rows.sort(key=lambda row: (ranks.get(row[0], 0), row[0], _number_key(row[1])))
        draft = self._notices.new_draft(
            NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, period_rule=IDENTIFICATION_RULE
        )
        saved = self._notices.save_draft(identification_publicity(draft, year, [r[2] for r in rows]))
        assert saved.id is not None
        self._link(case_ids, saved.id, identification=True)
        return saved

    def elimination_problems(self, case_id: CaseId, stable_since: dt.date | None) -> list[str]:
        """Which rule of 风险消除 fails (``monitoring.closure_problems``); empty when all hold."""
        today = self._today()
        with self._reading() as tx:
            case = tx.get_case(case_id)
            snap = self._load(tx, case.household_id)
            settings = tx.get_register_settings()
        problems = []
        if case.status is not CaseStatus.MONITORING:
            problems.append(
                f"这条监测记录是“{case.status.value}”，要在县级审定纳入监测之后（监测帮扶中）才能申请风险消除。"
            )
        return problems + self._closure(snap, case, stable_since, settings, today)

    def elimination_notice(self, case_ids: Sequence[CaseId], year: int) -> Notice:
        """A saved draft of 风险消除公示; refused (naming the rule) for a case whose rules do not hold.

        Saved and linked in two transactions, as ``identification_notice``.
        """
        self._require_notice_rights()
        today = self._today()
        with self._reading() as tx:
            settings = tx.get_register_settings()
            rows: list[tuple[str, str, MonitoredHousehold]] = []
            errors: list[FieldError] = []
            for case, snap in self._cases_for_notice(tx, case_ids):
                if not self._linkable(tx, case, identification=False):
                    errors.append(
                        FieldError(
                            "cases",
                            f"{snap.label}的监测记录是“{case.status.value}”，"
                            "只有“监测帮扶中”的才能生成风险消除公示。",
                        )
                    )
                    continue
                problems = self._closure(snap, case, case.stable_since, settings, today)
                if problems:
                    errors.append(FieldError("cases", f"{snap.label}还不能标注风险消除：{''.join(problems)}"))
                measures = tuple(dict.fromkeys(m.kind.value for m in snap.case_measures(case)))
                rows.append((snap.group_name, snap.household.number, _monitored(snap, case, measures)))
            if errors:
                raise ValidationError(errors)
            ranks = _group_ranks(tx)
        rows.sort(key=lambda row: (ranks.get(row[0], 0), row[0], _number_key(row[1])))
        draft = self._notices.new_draft(
            NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, period_rule=ELIMINATION_RULE
        )
        saved = self._notices.save_draft(elimination_publicity(draft, year, [r[2] for r in rows]))
        assert saved.id is not None
        self._link(case_ids, saved.id, identification=False)
        return saved

    def close_case(self, case_id: CaseId, version: int, on: dt.date) -> Dossier:
        """风险消除: only after the elimination notice was issued and its period is over."""
        today = self._today()
        with self._writing() as tx:
            stored = tx.get_case(case_id)
            closed = replace(stored, version=version, eliminated_on=on)
            errors = self._date_errors(on)
            if stored.status is not CaseStatus.ELIMINATION_PUBLICITY:
                errors.append(
                    FieldError(
                        "eliminated_on",
                        f"这条监测记录是“{stored.status.value}”，要先发布风险消除公示，公示期满后才能标注风险消除。",
                    )
                )
            else:
                errors += self._period_errors(
                    tx,
                    stored.elimination_notice_id,
                    on,
                    today,
                    "风险消除公示",
                    "标注风险消除",
                    "eliminated_on",
                )
                errors += case_problems(closed, today)
            if errors:
                raise ValidationError(list(dict.fromkeys(errors)))
            tx.save_case(closed)
            return self._refreshed(tx, stored.household_id)

    def add_measure(self, measure: Measure) -> Dossier:
        if measure.id is not None:
            raise ValueError("add_measure() records a new measure")
        with self._writing() as tx:
            case = tx.get_case(measure.case_id)
            measure = replace(measure, what=measure.what.strip(), cancelled_reason="", version=0)
            errors = measure_problems(measure)
            if not case.is_open:
                errors.append(
                    FieldError("case_id", f"这条监测记录已经是“{case.status.value}”，不能再登记帮扶措施。")
                )
            if measure.started_on < case.identified_on:
                errors.append(FieldError("started_on", "帮扶措施的开始日期不能早于识别日期。"))
            if errors:
                raise ValidationError(errors)
            tx.save_measure(measure)
            return self._refreshed(tx, case.household_id)

    def cancel_measure(self, measure_id: MeasureId, version: int, reason: str) -> Dossier:
        with self._writing() as tx:
            measure = tx.get_measure(measure_id)
            _check_cancel(measure.cancelled_reason, reason, "帮扶措施")
            tx.save_measure(replace(measure, version=version, cancelled_reason=reason.strip()))
            return self._refreshed(tx, tx.get_case(measure.case_id).household_id)

    def add_visit(self, visit: Visit) -> Dossier:
        if visit.id is not None:
            raise ValueError("add_visit() records a new visit")
        with self._writing() as tx:
            household = tx.get_household(visit.household_id)
            visit = replace(
                visit,
                visitor=visit.visitor.strip(),
                found=visit.found.strip(),
                cancelled_reason="",
                version=0,
            )
            errors = visit_problems(visit, self._today())
            if household.closed_reason:
                errors += self._open_errors(household)
            if errors:
                raise ValidationError(errors)
            tx.save_visit(visit)
            return self._refreshed(tx, visit.household_id)

    def cancel_visit(self, visit_id: VisitId, version: int, reason: str) -> Dossier:
        with self._writing() as tx:
            visit = tx.get_visit(visit_id)
            _check_cancel(visit.cancelled_reason, reason, "走访记录")
            tx.save_visit(replace(visit, version=version, cancelled_reason=reason.strip()))
            return self._refreshed(tx, visit.household_id)

    def add_benefit(self, benefit: Benefit) -> Dossier:
        if benefit.id is not None:
            raise ValueError("add_benefit() records a new payment")
        with self._writing() as tx:
            tx.get_household(benefit.household_id)
            benefit = replace(
                benefit,
                source=benefit.source.strip(),
                note=benefit.note.strip(),
                cancelled_reason="",
                version=0,
            )
            errors = benefit_problems(benefit)
            if benefit.paid_on > self._today():
                errors.append(FieldError("paid_on", "发放日期不能晚于今天。"))
            if benefit.person_id is not None:
                resident = tx.get_resident(benefit.person_id)
                if resident is None or resident.household_id != benefit.household_id:
                    errors.append(FieldError("person_id", "领取人应是本户的成员，请重新选择。"))
            if errors:
                raise ValidationError(errors)
            tx.save_benefit(benefit)
            return self._refreshed(tx, benefit.household_id)

    def cancel_benefit(self, benefit_id: BenefitId, version: int, reason: str) -> Dossier:
        with self._writing() as tx:
            benefit = tx.get_benefit(benefit_id)
            _check_cancel(benefit.cancelled_reason, reason, "补助发放记录")
            tx.save_benefit(replace(benefit, version=version, cancelled_reason=reason.strip()))
            return self._refreshed(tx, benefit.household_id)

    # --- notices of the register --------------------------------------------------------------------------
    def low_income_notice(self, title: str, monthly_amounts: dict[HouseholdId, Decimal]) -> Notice:
        """A saved draft of the 低保 list (只含 小组, 户主, 保障人数, 月保障金额) of the 低保户 households.

        Every 低保户 needs its amount; an amount for a household that is not a 低保户 is refused.
        """
        self._access.require(Permission.ISSUE_NOTICES)
        with self._reading() as tx:
            lines = tx.register_page(RegisterFilter(category=LOW_INCOME_CATEGORY)).lines
            ranks = _group_ranks(tx)
        errors: list[FieldError] = []
        if not lines:
            errors.append(FieldError("households", "档案里没有“低保户”类别的农户，无法生成低保名单公示。"))
        ids = {line.household_id for line in lines}
        missing = [
            f"{line.number}户（户主{line.head_name}）"
            for line in lines
            if line.household_id not in monthly_amounts
        ]
        if missing:
            errors.append(FieldError("amounts", f"请填写{'、'.join(missing)}的月保障金额。"))
        if any(h not in ids for h in monthly_amounts):
            errors.append(FieldError("amounts", "名单里有不是“低保户”的农户，请先在农户档案里核对户类别。"))
        for line in lines:
            amount = monthly_amounts.get(line.household_id)
            if amount is not None and (amount <= 0 or amount != amount.quantize(Decimal("0.01"))):
                errors.append(
                    FieldError("amounts", f"{line.number}户的月保障金额应大于0，最多到分（两位小数）。")
                )
        if errors:
            raise ValidationError(errors)
        ordered = sorted(
            lines, key=lambda line: (ranks.get(line.group_name, 0), line.group_name, _number_key(line.number))
        )
        households = [
            LowIncomeHousehold(
                line.group_name, line.head_name, line.members, monthly_amounts[line.household_id]
            )
            for line in ordered
        ]
        draft = self._notices.new_draft(
            NoticeCategory.VILLAGE, NoticeKind.PUBLICITY, period_rule=LOW_INCOME_RULE
        )
        return self._notices.save_draft(low_income_publicity(draft, title.strip(), households))

    def roster_notice(self, query: RegisterFilter) -> Notice:
        """A saved draft of the internal 花名册 of the filtered households (prints only as 内部资料)."""
        self._access.require(Permission.ISSUE_NOTICES)
        with self._reading() as tx:
            lines = tx.register_page(replace(query, offset=0, limit=None)).lines
            snaps = self._snapshots(tx, [line.household_id for line in lines])
            profile = tx.get_profile()
        if not lines:
            raise ValidationError.single("households", "没有符合筛选条件的农户，花名册是空的。")
        members: list[RosterMember] = []
        for line in lines:
            snap = snaps[line.household_id]
            for member in _ordered_members(snap):
                if not member.resident.is_in:
                    continue
                members.append(
                    RosterMember(
                        group=snap.group_name,
                        household_number=snap.household.number,
                        name=member.person.name,
                        relation=member.resident.relation,
                        id_number=member.person.id_number,
                        phone=member.person.phone,
                        health=_health_text(member.resident),
                        category=snap.file.category,
                    )
                )
        village = profile.full_name if profile is not None and profile.name else ""
        draft = self._notices.new_draft(NoticeCategory.VILLAGE, NoticeKind.PUBLICITY)
        return self._notices.save_draft(internal_roster(draft, f"{village}农户花名册", members))

    # --- bulk ------------------------------------------------------------------------------------------------
    def import_households(self, households: Sequence[RegisterImport]) -> list[HouseholdId]:
        """Import in one transaction with one log entry (the demo; a county spreadsheet later).

        Every household is checked first (户号, file, members, heads, ID numbers: also against
        each other and the village); one problem refuses the whole import.
        """
        today = self._today()
        with _without_gc(), self._writing() as tx:
            settings = tx.get_register_settings()
            prepared = [_import_ready(item) for item in households]
            errors = self._import_errors(tx, prepared, settings, today)
            if errors:
                if len(errors) > MAX_IMPORT_ERRORS:
                    more = len(errors) - MAX_IMPORT_ERRORS
                    errors = [
                        *errors[:MAX_IMPORT_ERRORS],
                        FieldError("households", f"另外还有{more}处问题。"),
                    ]
                raise ValidationError(errors)
            ids = tx.import_households(prepared)
            groups = {g.id: g.name for g in tx.list_groups()}
            lines = []
            for household_id, item in zip(ids, prepared, strict=True):
                # Computed on the prepared records (their members point at _NEW_HOUSEHOLD), then
                # given the new id: one copy per household rather than one per member.
                group = item.household.group_id
                line = register_line(
                    replace(item.household, id=_NEW_HOUSEHOLD),
                    item.file,
                    groups.get(group, "") if group is not None else "",
                    item.members,
                    item.incomes,
                    (),
                    (),
                    settings,
                    today,
                )
                lines.append(replace(line, household_id=household_id))
            tx.put_register_lines(lines)
            return ids

    def reindex(self) -> int:
        """Recompute every household's line (after a settings change, or on a new day's ages); how many.

        Needs 维护农户档案 or 修改本村信息和设置 (the lines are derived data).
        """
        actor = self._access.actor
        if actor is None or not actor.can(Permission.EDIT_SETTINGS):
            actor = self._access.require(Permission.EDIT_RECORDS)
        with self._storage.transaction(actor) as tx:
            return self._reindex(tx, tx.get_register_settings())

    def refresh_lines(self, batch: int = 1000) -> int:
        """Recompute up to ``batch`` lines computed before today; how many (0 when all are current).

        Ages move on (a child reaches school age, a member leaves working age), so
        the window calls this in batches after sign-in until it returns 0; other
        work queues between batches. Derived data only: any signed-in user may
        run it, no record changes and nothing is logged.
        """
        actor = self._access.require(Permission.VIEW)
        today = self._today()
        with self._storage.transaction(actor) as tx:
            stale = tx.stale_register_lines(today, batch)
            if not stale:
                return 0
            settings = tx.get_register_settings()
            with _without_gc():
                snaps = self._snapshots(tx, stale)
                tx.put_register_lines([self._line(snap, settings, today) for snap in snaps.values()])
            return len(stale)

    # --- reading records ---------------------------------------------------------------------------------------
    def _members(self, tx: Transaction, household_id: HouseholdId) -> list[Member]:
        return [Member(tx.get_person(r.person_id), r) for r in tx.list_residents(household_id)]

    def _group_name(self, tx: Transaction, group_id: GroupId | None) -> str:
        return tx.get_group(group_id).name if group_id is not None else ""

    def _load(self, tx: Transaction, household_id: HouseholdId) -> _Snapshot:
        """One household's records, read one table at a time."""
        household = tx.get_household(household_id)
        return _Snapshot(
            household=household,
            file=tx.get_household_file(household_id) or HouseholdFile(household_id),
            group_name=self._group_name(tx, household.group_id),
            members=tuple(self._members(tx, household_id)),
            incomes=tuple(tx.list_incomes(household_id)),
            cases=tuple(tx.list_cases(household_id)),
            measures=tuple(tx.list_measures(household_id)),
            visits=tuple(tx.list_visits(household_id)),
            benefits=tuple(tx.list_benefits(household_id)),
        )

    def _load_all(
        self, tx: Transaction, only: set[HouseholdId] | None = None
    ) -> dict[HouseholdId, _Snapshot]:
        """Every household's records (or those of ``only``), each table read once."""

        def wanted(household_id: HouseholdId) -> bool:
            return only is None or household_id in only

        groups = {g.id: g.name for g in tx.list_groups()}
        files = {f.household_id: f for f in tx.list_household_files() if wanted(f.household_id)}
        people = {p.id: p for p in tx.list_people()}
        members: dict[HouseholdId, list[Member]] = defaultdict(list)
        for resident in tx.list_residents():
            if wanted(resident.household_id):
                members[resident.household_id].append(Member(people[resident.person_id], resident))
        incomes: dict[HouseholdId, list[IncomeRecord]] = defaultdict(list)
        for income in tx.list_incomes():
            if wanted(income.household_id):
                incomes[income.household_id].append(income)
        cases: dict[HouseholdId, list[MonitoringCase]] = defaultdict(list)
        case_household: dict[CaseId, HouseholdId] = {}
        for case in tx.list_cases():
            assert case.id is not None
            case_household[case.id] = case.household_id
            if wanted(case.household_id):
                cases[case.household_id].append(case)
        measures: dict[HouseholdId, list[Measure]] = defaultdict(list)
        for measure in tx.list_measures():
            owner = case_household[measure.case_id]
            if wanted(owner):
                measures[owner].append(measure)
        visits: dict[HouseholdId, list[Visit]] = defaultdict(list)
        for visit in tx.list_visits():
            if wanted(visit.household_id):
                visits[visit.household_id].append(visit)
        benefits: dict[HouseholdId, list[Benefit]] = defaultdict(list)
        for benefit in tx.list_benefits():
            if wanted(benefit.household_id):
                benefits[benefit.household_id].append(benefit)
        snaps: dict[HouseholdId, _Snapshot] = {}
        for household in tx.list_households():
            household_id = household.id
            assert household_id is not None
            if not wanted(household_id):
                continue
            snaps[household_id] = _Snapshot(
                household=household,
                file=files.get(household_id) or HouseholdFile(household_id),
                group_name=groups.get(household.group_id, "") if household.group_id is not None else "",
                members=tuple(members[household_id]),
                incomes=tuple(incomes[household_id]),
                cases=tuple(cases[household_id]),
                measures=tuple(measures[household_id]),
                visits=tuple(visits[household_id]),
                benefits=tuple(benefits[household_id]),
            )
        return snaps

    def _snapshots(
        self, tx: Transaction, household_ids: Sequence[HouseholdId]
    ) -> dict[HouseholdId, _Snapshot]:
        """The records of these households: one by one when they are few, every table at once when many."""
        wanted = set(household_ids)
        if len(wanted) <= BULK_FROM:
            return {household_id: self._load(tx, household_id) for household_id in wanted}
        # One by one costs about twenty times a household's share of reading every table.
        everyone = tx.register_page(RegisterFilter(include_closed=True, limit=0)).total
        if len(wanted) * 20 > everyone:
            with _without_gc():
                return self._load_all(tx, wanted)
        return {household_id: self._load(tx, household_id) for household_id in wanted}

    def _household_of(self, tx: Transaction, person: Person) -> Household | None:
        """The household a person is (or was last) a member of."""
        if person.id is None:
            return None
        resident = tx.get_resident(person.id)
        return tx.get_household(resident.household_id) if resident is not None else None

    def _notice(self, tx: Transaction, notice_id: NoticeId | None) -> Notice | None:
        """The linked notice, or the correction that superseded it (which runs its own period)."""
        if notice_id is None:
            return None
        notice = tx.get_notice(notice_id)
        seen = {notice_id}
        while notice.superseded_by is not None and notice.superseded_by not in seen:
            seen.add(notice.superseded_by)
            notice = tx.get_notice(notice.superseded_by)
        return notice

    # --- what is derived ---------------------------------------------------------------------------------------
    def _line(self, snap: _Snapshot, settings: RegisterSettings, today: dt.date) -> RegisterLine:
        return register_line(
            snap.household,
            snap.file,
            snap.group_name,
            snap.members,
            snap.incomes,
            snap.cases,
            snap.visits,
            settings,
            today,
            snap.assistance(),
        )

    def _signals(self, snap: _Snapshot, settings: RegisterSettings, today: dt.date) -> list[RiskSignal]:
        if snap.household.closed_reason:
            return []
        case = current_case(snap.cases)
        facts = household_facts(
            snap.inside,
            snap.incomes,
            snap.file,
            snap.assistance(),
            case.stable_since if case is not None else None,
            today,
        )
        year = latest_income_year(snap.incomes)
        return risk_signals(facts, settings.monitoring, year if year is not None else today.year)

    def _closure(
        self,
        snap: _Snapshot,
        case: MonitoringCase,
        stable_since: dt.date | None,
        settings: RegisterSettings,
        today: dt.date,
    ) -> list[str]:
        """The 风险消除 rules that fail for ``case``: its own measures count, income up to the latest year."""
        facts = household_facts(
            snap.inside, snap.incomes, snap.file, len(snap.case_measures(case)), stable_since, today
        )
        year = latest_income_year(snap.incomes)
        return closure_problems(
            facts, settings.monitoring, year if year is not None else today.year, case.identified_on
        )

    def _dossier(self, tx: Transaction, household_id: HouseholdId) -> Dossier:
        today = self._today()
        settings = tx.get_register_settings()
        snap = self._load(tx, household_id)
        case = current_case(snap.cases)
        year = latest_income_year(snap.incomes)
        inside = snap.inside
        facts = household_facts(inside, snap.incomes, snap.file, snap.assistance(), None, today)
        due = None
        closure: list[str] = []
        if case is not None and case.is_open and not snap.household.closed_reason:
            due = visit_due(
                household_id,
                case_visits(case, snap.visits),
                case.identified_on,
                today,
                settings.visit_interval_days,
            )
            if case.status is CaseStatus.MONITORING:
                closure = self._closure(snap, case, case.stable_since, settings, today)
        totals = benefit_totals(snap.benefits)
        return Dossier(
            household=snap.household,
            file=snap.file,
            group_name=snap.group_name,
            members=tuple(_ordered_members(snap)),
            incomes=tuple(sorted(snap.incomes, key=lambda i: -i.year)),
            cases=tuple(sorted(snap.cases, key=lambda c: (c.identified_on, c.id or 0), reverse=True)),
            measures=tuple(sorted(snap.measures, key=lambda m: (m.started_on, m.id or 0), reverse=True)),
            visits=tuple(sorted(snap.visits, key=lambda v: (v.visited_on, v.id or 0), reverse=True)),
            benefits=tuple(sorted(snap.benefits, key=lambda b: (b.paid_on, b.id or 0), reverse=True)),
            signals=tuple(self._signals(snap, settings, today)),
            per_person=facts.per_person(year) if year is not None else None,
            income_year=year,
            visit_due=due,
            benefit_totals=tuple(
                (y, kind, total)
                for (y, kind), total in sorted(totals.items(), key=lambda t: (-t[0][0], t[0][1]))
            ),
            closure_problems=tuple(closure),
        )

    # --- writing ---------------------------------------------------------------------------------------------
    def _put_lines(self, tx: Transaction, household_ids: Sequence[HouseholdId]) -> None:
        settings = tx.get_register_settings()
        today = self._today()
        tx.put_register_lines([self._line(self._load(tx, h), settings, today) for h in household_ids])

    def _refreshed(self, tx: Transaction, household_id: HouseholdId) -> Dossier:
        """Rewrite the household's index line and read its dossier, in the writing transaction."""
        self._put_lines(tx, [household_id])
        return self._dossier(tx, household_id)

    def _reindex(self, tx: Transaction, settings: RegisterSettings) -> int:
        today = self._today()
        with _without_gc():
            lines = [self._line(snap, settings, today) for snap in self._load_all(tx).values()]
            tx.put_register_lines(lines)
        return len(lines)

    def _event(self, tx: Transaction, household_id: HouseholdId, summary: str) -> None:
        tx.record_event(AuditAction.CHANGE, HOUSEHOLD, household_id, summary=summary)

    def _sync_head(self, tx: Transaction, household_id: HouseholdId) -> None:
        """Keep ``households.head_name`` the name of the head among the members in."""
        household = tx.get_household(household_id)
        head = _head_of(members_in(household_id, self._members(tx, household_id)))
        if head is not None and head.person.name != household.head_name:
            tx.save_household(replace(household, head_name=head.person.name))

    def _link(self, case_ids: Sequence[CaseId], notice_id: NoticeId, *, identification: bool) -> None:
        with self._writing() as tx:
            touched: list[HouseholdId] = []
            for case_id in dict.fromkeys(case_ids):
                case = tx.get_case(case_id)
                if identification:
                    tx.save_case(replace(case, identification_notice_id=notice_id))
                else:
                    tx.save_case(replace(case, elimination_notice_id=notice_id))
                touched.append(case.household_id)
            self._put_lines(tx, list(dict.fromkeys(touched)))

    def _require_notice_rights(self) -> None:
        self._access.require(Permission.EDIT_RECORDS)
        self._access.require(Permission.ISSUE_NOTICES)

    # --- checks -------------------------------------------------------------------------------------------------
    def _next_number(self, tx: Transaction, group_id: GroupId | None) -> str:
        households = tx.list_households()
        taken = {h.number for h in households}
        numeric = [h.number for h in households if h.number.isdigit()]
        in_group = [h.number for h in households if h.group_id == group_id and h.number.isdigit()]
        if in_group:
            best = max(in_group, key=int)
            width, n = len(best), int(best) + 1
        elif group_id is not None:
            width, n = 5, tx.get_group(group_id).number * 1000 + 1  # 第三组: 03001
        elif numeric:
            best = max(numeric, key=int)
            width, n = len(best), int(best) + 1
        else:
            width, n = 4, 1
        while f"{n:0{width}d}" in taken:
            n += 1
        return f"{n:0{width}d}"

    def _number_errors(
        self, tx: Transaction, number: str, household_id: HouseholdId | None
    ) -> list[FieldError]:
        if not number:
            return [FieldError("number", "请填写户号。")]
        for other in tx.list_households():
            if other.id != household_id and other.number == number:
                closed = "（已销户）" if other.closed_reason else ""
                return [FieldError("number", f"户号{number}已被{other.head_name}户{closed}使用，请换一个。")]
        return []

    def _date_errors(self, on: dt.date) -> list[FieldError]:
        if on > self._today():
            return [FieldError("on", "办理日期不能晚于今天，请检查日期。")]
        return []

    def _open_errors(self, household: Household) -> list[FieldError]:
        if household.closed_reason:
            return [
                FieldError(
                    "household_id",
                    f"{household.number}户已经销户（{household.closed_reason}），不能再办理这项业务。",
                )
            ]
        return []

    def _member_errors(self, tx: Transaction, person: Person, resident: Resident) -> list[FieldError]:
        """The person's and the record's problems, an ID number already registered, and the rule
        that a member belongs to one household at a time."""
        errors = person_problems(person, self._today()) + resident_problems(resident)
        if person.id_number and id_number_problem(person.id_number, self._today()) is None:
            for other in tx.find_people_by_id_number(person.id_number):
                if other.id != person.id:
                    errors.append(FieldError("id_number", self._duplicate_text(tx, other)))
                    break
        if person.id is not None:
            current = tx.get_resident(person.id)
            if current is not None and current.is_in and current.household_id != resident.household_id:
                household = tx.get_household(current.household_id)
                group = self._group_name(tx, household.group_id)
                errors.append(
                    FieldError(
                        "person",
                        f"{person.name}现在是{group}{household.number}户的成员，一个人同一时间只能在一户；"
                        "如需调整，请用“分户”或“合户”办理。",
                    )
                )
        return errors

    def _duplicate_text(self, tx: Transaction, other: Person) -> str:
        household = self._household_of(tx, other)
        if household is None:
            return (
                f"身份证号码与名册中已登记的{other.name}相同。同一个人只登记一次，"
                "如是同一人，请直接从名册中选择此人。"
            )
        group = self._group_name(tx, household.group_id)
        return (
            f"身份证号码与{group} {household.number} 户的{other.name}相同。同一个人只登记一次，"
            "请核对号码；如是同一人，请到那一户办理，不要重复登记。"
        )

    def _approval_errors(self, tx: Transaction, case: MonitoringCase, today: dt.date) -> list[FieldError]:
        """县级审定 only after the identification notice was issued and its period ended."""
        assert case.county_approved_on is not None
        if case.identification_notice_id is None:
            return [
                FieldError(
                    "county_approved_on",
                    "还没有生成识别公示。请先生成并发布识别公示，公示期满后再填写县级审定日期。",
                )
            ]
        return self._period_errors(
            tx,
            case.identification_notice_id,
            case.county_approved_on,
            today,
            "识别公示",
            "填写县级审定日期",
            "county_approved_on",
        )

    def _period_errors(
        self,
        tx: Transaction,
        notice_id: NoticeId | None,
        on: dt.date,
        today: dt.date,
        what: str,
        then: str,
        field: str,
    ) -> list[FieldError]:
        notice = self._notice(tx, notice_id)
        if notice is None or not notice.is_issued:
            return [FieldError(field, f"{what}还没有发布。请先发布{what}，公示期满后才能{then}。")]
        end = notice.period_end
        if end is not None and today <= end:
            return [FieldError(field, f"{what}到{_day(end)}才期满，期满后才能{then}。")]
        if end is not None and on <= end:
            return [FieldError(field, f"日期应在{what}期满（{_day(end)}）之后。")]
        return []

    def _cases_for_notice(
        self, tx: Transaction, case_ids: Sequence[CaseId]
    ) -> list[tuple[MonitoringCase, _Snapshot]]:
        if not case_ids:
            raise ValidationError.single("cases", "请至少选择一户监测对象。")
        found = []
        for case_id in dict.fromkeys(case_ids):
            case = tx.get_case(case_id)
            found.append((case, self._load(tx, case.household_id)))
        return found

    def _linkable(self, tx: Transaction, case: MonitoringCase, *, identification: bool) -> bool:
        """The case is at this step (已识别 / 监测帮扶中), or the notice of this step it links
        was cancelled (the notice can then be generated again)."""
        if identification:
            linked, before = case.identification_notice_id, replace(case, identification_notice_id=None)
            step = CaseStatus.IDENTIFIED
        else:
            linked, before = case.elimination_notice_id, replace(case, elimination_notice_id=None)
            step = CaseStatus.MONITORING
        if case.status is step:
            return True
        notice = self._notice(tx, linked)
        return notice is not None and notice.status is NoticeStatus.CANCELLED and before.status is step

    def _import_errors(
        self,
        tx: Transaction,
        items: Sequence[RegisterImport],
        settings: RegisterSettings,
        today: dt.date,
    ) -> list[FieldError]:
        errors: list[FieldError] = []
        numbers = {h.number for h in tx.list_households()}
        id_numbers = {p.id_number for p in tx.list_people() if p.id_number}
        groups = {g.id for g in tx.list_groups()}
        for n, item in enumerate(items, start=1):
            where = f"第{n}户（{item.household.number or '无户号'} {item.household.head_name}）"
            problems: list[str] = []
            if not item.household.number:
                problems.append("没有户号。")
            elif item.household.number in numbers:
                problems.append(f"户号{item.household.number}已被使用。")
            numbers.add(item.household.number)
            if item.household.group_id is not None and item.household.group_id not in groups:
                problems.append("所属村民小组不存在。")
            problems += [e.message for e in file_problems(item.file, settings.categories)]
            problems += head_problems([m.resident for m in item.members])
            if not any(m.resident.is_in for m in item.members):
                problems.append("没有在籍的家庭成员。")
            for member in item.members:
                person = member.person
                problems += [f"{person.name}：{e.message}" for e in person_problems(person, today)]
                problems += [f"{person.name}：{e.message}" for e in resident_problems(member.resident)]
                if person.id_number:
                    if person.id_number in id_numbers:
                        problems.append(f"{person.name}的身份证号码{person.id_number}已登记过。")
                    id_numbers.add(person.id_number)
            for income in item.incomes:
                problems += [f"{income.year}年收入：{e.message}" for e in income_problems(income, today)]
            errors += [FieldError("households", f"{where}{p}") for p in problems]
        return errors


@contextmanager
def _without_gc() -> Iterator[None]:
    """Bulk work over a township makes hundreds of thousands of records and rows, none of them
    cyclic garbage: the cyclic collector would walk them again and again (it doubles the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- small rules --------------------------------------------------------------------------------------------


def settings_problems(settings: RegisterSettings) -> list[FieldError]:
    """What is wrong with the register's settings (the saved categories in use are checked apart)."""
    errors: list[FieldError] = []
    categories = [c.strip() for c in settings.categories]
    if not categories or any(not c for c in categories):
        errors.append(FieldError("categories", "户类别不能为空，请至少保留一个类别，且每个类别都要有名称。"))
    if len(set(categories)) != len(categories):
        errors.append(FieldError("categories", "户类别有重复，请删去重复的类别。"))
    monitoring = settings.monitoring
    years = [year for year, _ in monitoring.lines]
    if len(set(years)) != len(years):
        errors.append(FieldError("lines", "同一年份的监测线只能填一个。"))
    for year, amount in monitoring.lines:
        if not 2000 <= year <= 2100:
            errors.append(FieldError("lines", f"监测线的年份“{year}”不对，请填写四位年份。"))
        if amount <= 0:
            errors.append(FieldError("lines", f"{year}年的监测线应大于0元。"))
    if monitoring.watch_level <= 0:
        errors.append(FieldError("watch_level", "关注线应大于0元。"))
    for name, share, label in (
        ("drop_share", monitoring.drop_share, "收入下降比例"),
        ("medical_share", monitoring.medical_share, "医疗支出占收入的比例"),
    ):
        if not 0 < share < 1:
            errors.append(FieldError(name, f"{label}应在0到1之间（例如0.3表示30%）。"))
    if monitoring.medical_amount < 0:
        errors.append(FieldError("medical_amount", "医疗支出金额不能是负数。"))
    for name, (low, high), label in (
        ("school_ages", monitoring.school_ages, "义务教育年龄"),
        ("working_ages", monitoring.working_ages, "劳动年龄"),
    ):
        if not 0 <= low <= high <= 120:
            errors.append(FieldError(name, f"{label}的起止岁数不对，请检查。"))
    if monitoring.stable_months < 0 or monitoring.min_months_in_monitoring < 0:
        errors.append(FieldError("stable_months", "月数不能是负数。"))
    if not 1 <= settings.visit_interval_days <= 366:
        errors.append(FieldError("visit_interval_days", "走访间隔应在1到366天之间。"))
    targets = settings.targets
    if any(
        value < 0
        for value in (
            targets.sheep_households,
            targets.sheep_threshold,
            targets.cattle_households,
            targets.cattle_threshold,
            targets.ewes,
            targets.cows,
            targets.sheep_per_poor_person,
            targets.cattle_per_poor_person,
            targets.beet_area,
        )
    ):
        errors.append(FieldError("targets", "发展目标不能是负数。"))
    if any(amount < 0 for _, amount in settings.education_subsidies) or settings.rain_and_dew < 0:
        errors.append(FieldError("education_subsidies", "补助标准不能是负数。"))
    return errors


def _person_ready(person: Person, group_id: GroupId | None) -> Person:
    """Trimmed, the ID number upper-case, the gender read from a valid ID number (it wins), in the group."""
    id_number = normalize_code(person.id_number)
    derived = derived_from_id(id_number)
    gender = derived[0] if derived is not None else person.gender
    name, phone = person.name.strip(), person.phone.strip()
    if (name, id_number, phone, gender, group_id) == (
        person.name,
        person.id_number,
        person.phone,
        person.gender,
        person.group_id,
    ):
        return person  # already clean (an import of tens of thousands: no copy)
    return replace(person, name=name, id_number=id_number, phone=phone, gender=gender, group_id=group_id)


def _import_ready(item: RegisterImport) -> RegisterImport:
    """Cleaned as ``_person_ready`` cleans a member; every member in the new household (its id to come)."""
    members = tuple(
        Member(
            _person_ready(m.person, item.household.group_id),
            m.resident
            if m.resident.household_id == _NEW_HOUSEHOLD
            else replace(m.resident, household_id=_NEW_HOUSEHOLD),
        )
        for m in item.members
    )
    head = _head_of([m for m in members if m.resident.is_in])
    household = replace(
        item.household,
        number=item.household.number.strip(),
        head_name=head.person.name if head is not None else item.household.head_name.strip(),
    )
    return replace(item, household=household, members=members)


def _resident_version(tx: Transaction, person_id: PersonId) -> int:
    existing = tx.get_resident(person_id)
    return existing.version if existing is not None else 0


def _head_of(members: Sequence[Member]) -> Member | None:
    return next((m for m in members if m.resident.is_in and m.resident.relation == HEAD), None)


def _head_errors(residents: list[Resident]) -> list[FieldError]:
    return [FieldError("relation", problem) for problem in head_problems(residents)]


def _ordered_members(snap: _Snapshot) -> list[Member]:
    """在籍 first (head first), then those who left, by the date they left."""
    inside = snap.inside
    inside.sort(key=lambda m: m.resident.relation != HEAD)  # stable: insertion order otherwise
    gone = [m for m in snap.members if not m.resident.is_in and m.resident.household_id == snap.id]
    gone.sort(key=lambda m: m.resident.status_on or dt.date.min)
    return inside + gone


def _monitored(snap: _Snapshot, case: MonitoringCase, measures: tuple[str, ...] = ()) -> MonitoredHousehold:
    return MonitoredHousehold(
        group=snap.group_name,
        head_name=snap.household.head_name,
        size=len(snap.inside),
        risks=case.risk_types,
        identified_on=case.identified_on,
        measures=measures,
    )


def _health_text(resident: Resident) -> str:
    """健康 / 大病（尿毒症）/ 残疾（肢体残疾二级）… for the internal roster."""
    if resident.health is Health.DISABLED:
        grade = f"{chinese_number(resident.disability_grade)}级" if resident.disability_grade else ""
        category = resident.disability_category.value if resident.disability_category else ""
        return f"残疾（{category}{grade}）"
    if resident.illness:
        return f"{resident.health.value}（{resident.illness}）"
    return resident.health.value


def _check_cancel(already: str, reason: str, what: str) -> None:
    if already:
        raise ValidationError.single("cancelled_reason", f"这条{what}已经作废（{already}），不需要再作废。")
    if not reason.strip():
        raise ValidationError.single("cancelled_reason", f"请填写作废这条{what}的原因，例如“登记有误”。")


def _number_key(number: str) -> tuple[int, int, str]:
    """户号 in natural order: 2 before 10."""
    return (0, int(number), "") if number.isdigit() else (1, 0, number)


def _day(day: dt.date) -> str:
    return chinese_date(day)


def _line_signals(line: RegisterLine) -> tuple[RiskSignal, ...]:
    """The signals an index line keeps: each kind with its reason."""
    return tuple(
        RiskSignal(SignalKind(kind), reason)
        for kind, reason in zip(line.risks, line.risk_reasons, strict=True)
    )


def _running_case_errors(
    household: Household, cases: Sequence[MonitoringCase], operation: str
) -> list[FieldError]:
    """A household closing (合户, 销户) must not leave a monitoring case running on a closed household."""
    running = next((c for c in cases if c.is_open), None)
    if running is None:
        return []
    return [
        FieldError(
            "case",
            f"{household.number}户（户主{household.head_name}）还是防返贫监测对象（{running.status.value}），"
            f"不能{operation}。请先在“监测”页办完风险消除或标为未纳入，再{operation}。",
        )
    ]


def _group_ranks(tx: Transaction) -> dict[str, int]:
    """Group name → its number, so lists go 第一, 第二 … 第十一 rather than in character order."""
    return {group.name: group.number for group in tx.list_groups()}
