"""``SqlStorage``: the ``Storage`` protocol of the core over SQLAlchemy.

One ``transaction()`` is one Session and one database transaction: commit on a
clean exit, rollback on any exception. Errors the core raises (validation,
conflicts, not found) pass through unchanged; database failures become
``StorageError`` (``db.errors``); bugs stay bugs.

``SqlTransaction`` maps rows to the frozen records of ``village_desk`` and
back; no ORM object leaves it. Saving a record with ``id=None`` inserts it at
version 1; saving one with an id updates it only if the stored version is the
record's, and bumps it (the UPDATE itself also says ``WHERE version = …``, so
a writer in another process between our read and our write is caught too).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db import notice_body, register_body
from db.engine import WRITE_LOCK
from db.errors import is_database_failure, to_storage_error
from db.ledger_store import LedgerStore
from db.models import (
    AuditEntryRow,
    AuditHeadRow,
    Base,
    BenefitRow,
    HouseholdFileRow,
    HouseholdRow,
    IncomeRow,
    KinshipRow,
    LedgerBookRow,
    LedgerVoucherRow,
    MeasureRow,
    MonitoringCaseRow,
    NoticeCounterRow,
    NoticeFeedbackRow,
    NoticePdfRow,
    NoticePhotoRow,
    NoticeRow,
    NoticeSettingsRow,
    OfficeSettingsRow,
    PartyMemberRow,
    PersonRow,
    PostRow,
    RecordRow,
    RegisterIndexRow,
    RegisterSettingsRow,
    RepresentativeHouseholdRow,
    RepresentativeRow,
    ResidentRow,
    UserRow,
    VersionedRow,
    VillageGroupRow,
    VillageProfileRow,
    VisitRow,
)
from db.sql_helpers import CENT as _CENT
from db.sql_helpers import LIKE_ESCAPE as _LIKE_ESCAPE
from db.sql_helpers import NOT_FOUND as _NOT_FOUND
from db.sql_helpers import as_date as _as_date
from db.sql_helpers import escape_like as _escape_like
from db.sql_helpers import insert_for as _insert_for
from db.sql_helpers import is_unique_violation as _is_unique_violation
from db.sql_helpers import money as _money
from village_desk.accounts import Actor, Role, User
from village_desk.audit import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    AuditFilter,
    ChainHead,
    FieldChange,
    audit_text,
    changes_between,
    entry_hash,
)
from village_desk.cases import (
    OPEN_STATUSES,
    Benefit,
    BenefitId,
    CaseId,
    Measure,
    MeasureId,
    MonitoringCase,
    Visit,
    VisitId,
)
from village_desk.codes import normalize_code
from village_desk.errors import ConflictError, NotFoundError, ValidationError, VillageDeskError
from village_desk.ids import (
    GroupId,
    HouseholdId,
    KinshipId,
    PartyMemberId,
    PersonId,
    PostId,
    RepresentativeId,
    UserId,
)
from village_desk.notices import (
    Notice,
    NoticeCategory,
    NoticeFeedback,
    NoticeFeedbackId,
    NoticeFilter,
    NoticeId,
    NoticePhoto,
    NoticePhotoId,
    NoticeSettings,
    NoticeStatus,
    NoticeSummary,
)
from village_desk.office import OfficeSettings
from village_desk.pinyin import LIKE_ESCAPE, like_pattern, normalize_query
from village_desk.register import (
    OPEN_CASE,
    HouseholdFile,
    IncomeRecord,
    Indicators,
    RegisterColumn,
    RegisterFilter,
    RegisterImport,
    RegisterLine,
    RegisterPage,
    RegisterSettings,
    Resident,
    ResidentStatus,
)
from village_desk.roster import Household, Kinship, PartyMember, Person, Post, Representative
from village_desk.village import VillageGroup, VillageProfile

_PROFILE_ID = 1
_SETTINGS_ID = 1
_HEAD_ID = 1
_Row = TypeVar("_Row", bound=VersionedRow)
_Record = TypeVar("_Record", bound=RecordRow)
Clock = Callable[[], dt.datetime]

# Fields whose first filling closes a record (the audit action is then 撤销, not 修改).
_CLOSING_FIELDS = (
    "closed_reason",
    "left_reason",
    "ended_reason",
    "left_on",
    "cancelled_reason",
    "rejected_reason",
    "void_reason",
    "disabled_reason",
)
# User fields that are login state, not account content: audited as 登录/登录失败 entries.
_LOGIN_STATE = ("password_hash", "failed_logins", "last_failed_at")
# Labels whose every change is audited as 修改设置.
_SETTINGS_LABELS = ("设置", "公示设置", "防返贫设置")
# Record types of the notice engine, as the log and the messages name them.
_NOTICE = "公示公告"
_PHOTO = "张贴照片"
# What an issued notice may never change (its lifecycle dates and the superseded link may).
_FROZEN_NOTICE_FIELDS = (
    "category",
    "kind",
    "title",
    "body",
    "attachments",
    "period_start",
    "period_end",
    "period_unit",
    "objection",
    "show_phones",
    "issuer",
    "issue_date",
    "seal",
    "letterhead",
    "paper",
    "number",
    "year",
    "seq",
    "pdf_sha256",
)
_FEEDBACK = "公示意见"
_ISSUED_STATUSES = (NoticeStatus.ISSUED, NoticeStatus.POSTED, NoticeStatus.TAKEN_DOWN)

# What a backup preview counts: label → table.
COUNTED: dict[str, type[Base]] = {
    "村民小组": VillageGroupRow,
    "人员": PersonRow,
    "职务": PostRow,
    "党员": PartyMemberRow,
    "农户": HouseholdRow,
    "村民代表": RepresentativeRow,
    "亲属关系": KinshipRow,
    "用户": UserRow,
    "公示公告": NoticeRow,
    "张贴照片": NoticePhotoRow,
    "公示意见": NoticeFeedbackRow,
    "农户档案": HouseholdFileRow,
    "家庭成员": ResidentRow,
    "收入": IncomeRow,
    "监测对象": MonitoringCaseRow,
    "帮扶措施": MeasureRow,
    "走访记录": VisitRow,
    "补助发放": BenefitRow,
    "账套": LedgerBookRow,
    "记账凭证": LedgerVoucherRow,
    "操作日志": AuditEntryRow,
}


class SqlStorage:
    """Storage in a SQLite file or a PostgreSQL database (``db.open_storage`` makes one)."""

    def __init__(self, engine: Engine, location: str, clock: Clock = dt.datetime.now) -> None:
        self._engine = engine
        # Writers on SQLite take the write lock as they begin: two writers queue (busy
        # timeout) instead of the second failing when its snapshot went stale, e.g. two
        # clerks issuing notices at once each get the next number.
        self._writer_engine = engine.execution_options(**{WRITE_LOCK: True})
        self._location = location
        self._clock = clock

    @property
    def location(self) -> str:
        """The SQLite file path, or ``PostgreSQL host:port/dbname`` (no password)."""
        return self._location

    @property
    def engine(self) -> Engine:
        """For ``db`` itself (backups, import/export) and its tests; never for the UI."""
        return self._engine

    @contextmanager
    def transaction(self, actor: Actor | None = None) -> Iterator[SqlTransaction]:
        """One unit of work by ``actor`` (``None``: read only); database failures become ``StorageError``."""
        try:
            engine = self._engine if actor is None else self._writer_engine
            with Session(engine, expire_on_commit=False) as session, session.begin():
                yield SqlTransaction(session, actor, self._clock)
        except VillageDeskError:
            raise
        except Exception as exc:
            if is_database_failure(exc):
                raise to_storage_error(exc) from exc
            raise

    def close(self) -> None:
        """Close every connection (on SQLite this also folds the WAL back into the file)."""
        self._engine.dispose()


class SqlTransaction(LedgerStore):
    """The ``Transaction`` protocol inside one Session. Records in, records out.

    The ledger's methods (集体财务) come from ``db.ledger_store.LedgerStore``.
    """

    def __init__(self, session: Session, actor: Actor | None = None, clock: Clock = dt.datetime.now) -> None:
        self._session = session
        self._actor = actor
        self._clock = clock
        self._head: AuditHeadRow | None = None
        self._head_locked = False

    @property
    def actor(self) -> Actor | None:
        return self._actor

    # --- village profile --------------------------------------------------------
    def get_profile(self) -> VillageProfile | None:
        row = self._session.get(VillageProfileRow, _PROFILE_ID)
        return _profile(row) if row is not None else None

    def save_profile(self, profile: VillageProfile) -> VillageProfile:
        values = _profile_values(profile)
        label = "本村信息"
        if profile.version == 0:
            self._lock_head()
            if self._session.get(VillageProfileRow, _PROFILE_ID) is not None:
                raise ConflictError(self._changed_by_others(label, _PROFILE_ID))
            row = VillageProfileRow(id=_PROFILE_ID, version=1, **values)
            self._session.add(row)
            self._flush(label)
            self._audit_save(label, _PROFILE_ID, profile.name, {}, _texts(values))
        else:
            row = self._update(
                VillageProfileRow, _PROFILE_ID, profile.version, values, label, summary=profile.name
            )
        return _profile(row)

    # --- groups -------------------------------------------------------------------------
    def list_groups(self) -> list[VillageGroup]:
        return [_group(r) for r in self._all(VillageGroupRow)]

    def get_group(self, group_id: GroupId) -> VillageGroup:
        return _group(self._get(VillageGroupRow, group_id, "村民小组"))

    def save_group(self, group: VillageGroup) -> VillageGroup:
        values = {
            "number": group.number,
            "name": group.name,
            "leader_name": group.leader_name,
            "note": group.note,
            "closed_reason": group.closed_reason,
        }
        return _group(
            self._save(VillageGroupRow, group.id, group.version, values, "村民小组", summary=group.name)
        )

    # --- people ---------------------------------------------------------------------------
    def list_people(self) -> list[Person]:
        return [
            _person(r) for r in self._plain(sa.select(*PersonRow.__table__.columns).order_by(PersonRow.id))
        ]

    def get_person(self, person_id: PersonId) -> Person:
        return _person(self._get(PersonRow, person_id, "人员"))

    def save_person(self, person: Person) -> Person:
        values = _person_values(person)
        saved = _person(self._save(PersonRow, person.id, person.version, values, "人员", summary=person.name))
        if person.id is not None:
            # A name or phone changed from the roster: the household's line (its search text) is out of
            # date. Marking it so lets ``stale_register_lines`` find it; the register service rewrites its
            # own lines at once anyway.
            households = sa.select(ResidentRow.household_id).where(ResidentRow.person_id == person.id)
            self._session.execute(
                sa.update(_INDEX).where(_INDEX.c.household_id.in_(households)).values(computed_on=None)
            )
        return saved

    # --- posts ------------------------------------------------------------------------------
    def list_posts(self) -> list[Post]:
        return [_post(r) for r in self._all(PostRow)]

    def save_post(self, post: Post) -> Post:
        values = {
            "person_id": post.person_id,
            "body": post.body,
            "role": post.role,
            "term_start": post.term_start,
            "term_end": post.term_end,
            "left_on": post.left_on,
            "left_reason": post.left_reason,
        }
        summary = f"{self._person_name(post.person_id)} {post.body}{post.role}"
        return _post(self._save(PostRow, post.id, post.version, values, "职务", summary=summary))

    # --- party members ----------------------------------------------------------------------
    def list_party_members(self) -> list[PartyMember]:
        return [_party_member(r) for r in self._all(PartyMemberRow)]

    def save_party_member(self, member: PartyMember) -> PartyMember:
        values = {
            "person_id": member.person_id,
            "status": member.status,
            "joined_on": member.joined_on,
            "left_on": member.left_on,
            "left_reason": member.left_reason,
        }
        summary = self._person_name(member.person_id)
        return _party_member(
            self._save(PartyMemberRow, member.id, member.version, values, "党员", summary=summary)
        )

    # --- households ---------------------------------------------------------------------------
    def list_households(self) -> list[Household]:
        return [_household(r) for r in self._all(HouseholdRow)]

    def save_household(self, household: Household) -> Household:
        values = {
            "number": household.number,
            "head_name": household.head_name,
            "group_id": household.group_id,
            "closed_reason": household.closed_reason,
        }
        summary = f"{household.number} {household.head_name}"
        return _household(
            self._save(HouseholdRow, household.id, household.version, values, "农户", summary=summary)
        )

    # --- representatives ------------------------------------------------------------------------
    def list_representatives(self) -> list[Representative]:
        return [_representative(r) for r in self._all(RepresentativeRow)]

    def save_representative(self, rep: Representative) -> Representative:
        if len(set(rep.households)) != len(rep.households):
            # The rules refuse this before saving (representative_problems); reaching here is a bug.
            raise ValueError(f"a household listed twice for representative {rep.id}: {rep.households}")
        values = {
            "person_id": rep.person_id,
            "group_id": rep.group_id,
            "term_start": rep.term_start,
            "term_end": rep.term_end,
            "left_on": rep.left_on,
            "left_reason": rep.left_reason,
        }

        def set_households(row: RepresentativeRow) -> None:
            # Keep the link rows that stay (same primary key), renumber, add the new ones;
            # links to households no longer listed are removed with the old list.
            existing = {link.household_id: link for link in row.household_links}
            links = []
            for position, household_id in enumerate(rep.households):
                link = existing.get(household_id) or RepresentativeHouseholdRow(household_id=household_id)
                link.position = position
                links.append(link)
            row.household_links = links

        row = self._save(
            RepresentativeRow,
            rep.id,
            rep.version,
            values,
            "村民代表",
            set_households,
            summary=self._person_name(rep.person_id),
            extra_texts=(
                lambda r: {"households": "、".join(str(link.household_id) for link in r.household_links)}
            ),
        )
        return _representative(row)

    # --- kinships -------------------------------------------------------------------------------
    def list_kinships(self) -> list[Kinship]:
        return [_kinship(r) for r in self._all(KinshipRow)]

    def save_kinship(self, kinship: Kinship) -> Kinship:
        values = {
            "person_a_id": kinship.person_a,
            "person_b_id": kinship.person_b,
            "kind": kinship.kind,
            "ended_reason": kinship.ended_reason,
        }
        summary = (
            f"{self._person_name(kinship.person_a)}—{self._person_name(kinship.person_b)} {kinship.kind}"
        )
        return _kinship(
            self._save(KinshipRow, kinship.id, kinship.version, values, "亲属关系", summary=summary)
        )

    # --- users -----------------------------------------------------------------------------------
    def list_users(self) -> list[User]:
        return [_user(r) for r in self._all(UserRow)]

    def get_user(self, user_id: UserId) -> User:
        return _user(self._get(UserRow, user_id, "用户"))

    def save_user(self, user: User) -> User:
        """Account fields are audited field by field; a new password only as “changed”; login
        counters not at all (the service writes 登录/登录失败 entries for them)."""
        values: dict[str, Any] = {
            "username": user.username,
            "display_name": user.display_name,
            "roles": ",".join(role.value for role in user.roles),
            "password_hash": user.password_hash,
            "must_change_password": user.must_change_password,
            "failed_logins": user.failed_logins,
            "last_failed_at": user.last_failed_at,
            "closed_reason": user.closed_reason,
        }
        old_hash = self._get(UserRow, user.id, "用户").password_hash if user.id is not None else ""
        row = self._save(
            UserRow,
            user.id,
            user.version,
            values,
            "用户",
            summary=f"{user.display_name}（{user.username}）",
            hidden=_LOGIN_STATE,
            # Never the hash itself: only that the password was set or changed.
            extra_texts=lambda r: {"password": "（已设置）" if r.password_hash != old_hash else ""},
        )
        return _user(row)

    # --- office settings ----------------------------------------------------------------------------
    def get_settings(self) -> OfficeSettings:
        row = self._session.get(OfficeSettingsRow, _SETTINGS_ID)
        if row is None:
            return OfficeSettings()
        return OfficeSettings(
            idle_lock_minutes=row.idle_lock_minutes, backup_dir=row.backup_dir, version=row.version
        )

    def save_settings(self, settings: OfficeSettings) -> OfficeSettings:
        values: dict[str, Any] = {
            "idle_lock_minutes": settings.idle_lock_minutes,
            "backup_dir": settings.backup_dir,
        }
        label = "设置"
        if settings.version == 0:
            self._lock_head()
            if self._session.get(OfficeSettingsRow, _SETTINGS_ID) is not None:
                raise ConflictError(self._changed_by_others(label, _SETTINGS_ID))
            row = OfficeSettingsRow(id=_SETTINGS_ID, version=1, **values)
            self._session.add(row)
            self._flush(label)
            self._append(AuditAction.SETTINGS, label, _SETTINGS_ID, "", changes_between({}, _texts(values)))
        else:
            row = self._update(OfficeSettingsRow, _SETTINGS_ID, settings.version, values, label)
        return OfficeSettings(
            idle_lock_minutes=row.idle_lock_minutes, backup_dir=row.backup_dir, version=row.version
        )

    # --- notices (公示公告) ---------------------------------------------------------------------------
    def get_notice_settings(self) -> NoticeSettings:
        row = self._session.get(NoticeSettingsRow, _SETTINGS_ID)
        return _notice_settings(row) if row is not None else NoticeSettings()

    def save_notice_settings(self, settings: NoticeSettings) -> NoticeSettings:
        """Audited as 修改设置, each setting in words (``低保7天``), never as JSON."""
        values: dict[str, Any] = {
            "number_formats": notice_body.pairs_to_json(settings.number_formats),
            "period_rules": notice_body.rules_to_json(settings.period_rules),
            "cadences": notice_body.pairs_to_json(settings.cadences),
            "grace_days": settings.grace_days,
            "holidays": notice_body.dates_to_json(settings.holidays),
            "extra_workdays": notice_body.dates_to_json(settings.extra_workdays),
            "objection": settings.objection,
            "fonts": notice_body.pairs_to_json(settings.fonts),
        }
        hidden = tuple(name for name in values if name not in ("grace_days", "objection"))
        label = "公示设置"
        if settings.version == 0:
            self._lock_head()
            if self._session.get(NoticeSettingsRow, _SETTINGS_ID) is not None:
                raise ConflictError(self._changed_by_others(label, _SETTINGS_ID))
            row = NoticeSettingsRow(id=_SETTINGS_ID, version=1, **values)
            self._session.add(row)
            self._flush(label)
            texts = _texts(values, hidden) | _notice_settings_texts(row)
            self._append(AuditAction.SETTINGS, label, _SETTINGS_ID, "", changes_between({}, texts))
        else:
            row = self._update(
                NoticeSettingsRow,
                _SETTINGS_ID,
                settings.version,
                values,
                label,
                hidden=hidden,
                extra_texts=_notice_settings_texts,
            )
        return _notice_settings(row)

    def list_notices(self, query: NoticeFilter) -> list[NoticeSummary]:
        photos = (
            sa.select(sa.func.count())
            .where(NoticePhotoRow.notice_id == NoticeRow.id)
            .correlate(NoticeRow)
            .scalar_subquery()
        )
        open_feedback = (
            sa.select(sa.func.count())
            .where(NoticeFeedbackRow.notice_id == NoticeRow.id, NoticeFeedbackRow.answer == "")
            .correlate(NoticeRow)
            .scalar_subquery()
        )
        statement = sa.select(
            NoticeRow.id,
            NoticeRow.category,
            NoticeRow.kind,
            NoticeRow.title,
            NoticeRow.status,
            NoticeRow.number,
            NoticeRow.issue_date,
            NoticeRow.period_start,
            NoticeRow.period_end,
            NoticeRow.posted_on,
            NoticeRow.taken_down_on,
            NoticeRow.superseded_by_id,
            NoticeRow.supersedes_id,
            NoticeRow.pdf_sha256,
            NoticeRow.source,
            photos.label("photos"),
            open_feedback.label("feedback_open"),
            NoticeRow.version,
        )
        if query.category is not None:
            statement = statement.where(NoticeRow.category == query.category)
        if query.status is not None:
            statement = statement.where(NoticeRow.status == query.status)
        if query.year is not None:
            # Issued notices by the year of their number; drafts and cancelled ones by creation.
            start = dt.datetime(query.year, 1, 1)
            end = dt.datetime(query.year + 1, 1, 1)
            statement = statement.where(
                sa.or_(
                    NoticeRow.year == query.year,
                    sa.and_(
                        NoticeRow.year.is_(None), NoticeRow.created_at >= start, NoticeRow.created_at < end
                    ),
                )
            )
        text = query.text.strip()
        if text:
            pattern = f"%{_escape_like(text)}%"
            statement = statement.where(
                sa.or_(
                    NoticeRow.title.ilike(pattern, escape=_LIKE_ESCAPE),
                    NoticeRow.number.ilike(pattern, escape=_LIKE_ESCAPE),
                )
            )
        newest = sa.func.coalesce(NoticeRow.issued_at, NoticeRow.created_at)
        statement = statement.order_by(newest.desc(), NoticeRow.id.desc())
        return [
            NoticeSummary(
                id=NoticeId(r.id),
                category=r.category,
                kind=r.kind,
                title=r.title,
                status=r.status,
                number=r.number,
                issue_date=r.issue_date,
                period_start=r.period_start,
                period_end=r.period_end,
                posted_on=r.posted_on,
                taken_down_on=r.taken_down_on,
                superseded_by=_notice_id(r.superseded_by_id),
                supersedes=_notice_id(r.supersedes_id),
                pdf_sha256=r.pdf_sha256,
                source=r.source,
                photos=r.photos or 0,
                feedback_open=r.feedback_open or 0,
                version=r.version,
            )
            for r in self._session.execute(statement)
        ]

    def get_notice(self, notice_id: NoticeId) -> Notice:
        return _notice(self._get(NoticeRow, notice_id, _NOTICE))

    def save_notice(self, notice: Notice) -> Notice:
        """Versioned and audited like every record; the body as one field, 正文, in words.

        Storage does not judge the lifecycle (the service does): it keeps what it is given.
        """
        values: dict[str, Any] = {
            "category": notice.category,
            "kind": notice.kind,
            "title": notice.title,
            "body": notice_body.body_to_json(notice.body),
            "attachments": notice_body.strings_to_json(notice.attachments),
            "period_start": notice.period_start,
            "period_end": notice.period_end,
            "period_unit": notice.period_unit,
            "period_rule": notice.period_rule,
            "objection": notice.objection,
            "show_phones": notice.show_phones,
            "issuer": notice.issuer,
            "issue_date": notice.issue_date,
            "seal": notice.seal,
            "letterhead": notice.letterhead,
            "paper": notice.paper,
            "source": notice.source,
            "status": notice.status,
            "number": notice.number,
            "year": notice.year,
            "seq": notice.seq,
            "issued_at": notice.issued_at,
            "issued_by": notice.issued_by,
            "pdf_sha256": notice.pdf_sha256,
            "posted_on": notice.posted_on,
            "taken_down_on": notice.taken_down_on,
            "supersedes_id": notice.supersedes,
            "superseded_by_id": notice.superseded_by,
            "cancelled_reason": notice.cancelled_reason,
        }

        if notice.id is not None:
            stored = self._get(NoticeRow, notice.id, _NOTICE)
            if stored.status in _ISSUED_STATUSES:
                # Defence in depth beside the service's rules: an issued notice's content is frozen.
                frozen = [name for name in _FROZEN_NOTICE_FIELDS if getattr(stored, name) != values[name]]
                if frozen:
                    raise ValidationError.single(
                        "status",
                        f"“{stored.title}”已经发布（{stored.number}），内容已定稿，不能再修改。"
                        "如有错误，请用“更正”新建一份更正公告。",
                    )

        def stamp_creation(row: NoticeRow) -> None:
            if row.created_at is None:
                row.created_at = self._clock().replace(microsecond=0)

        summary = f"{notice.number} {notice.title}" if notice.number else notice.title
        try:
            row = self._save(
                NoticeRow,
                notice.id,
                notice.version,
                values,
                _NOTICE,
                stamp_creation,
                summary=summary,
                hidden=("kind", "body", "attachments"),
                extra_texts=_notice_texts,
            )
        except sa.exc.IntegrityError as exc:
            if notice.number and _is_unique_violation(exc):
                raise ConflictError(
                    f"编号“{notice.number}”已经被另一份公示公告用了，这一份没有发布。请刷新后重新发布。"
                ) from exc
            raise
        return _notice(row)

    def next_notice_seq(self, category: NoticeCategory, year: int) -> int:
        """Under the audit head (every writer's first lock) and the counter row's own lock.

        The counter is only written here, in the issuing transaction: a
        rollback gives the number back, a commit uses it.
        """
        self._lock_head()
        key = (NoticeCounterRow.category == category, NoticeCounterRow.year == year)
        statement = sa.select(NoticeCounterRow).where(*key).with_for_update()
        counter = self._session.scalars(statement).one_or_none()
        if counter is None:
            # As with the audit head: a second first issuer waits for the first, then inserts nothing.
            insert = _insert_for(self._session)
            self._session.execute(
                insert(NoticeCounterRow)
                .values(category=category.value, year=year, last_seq=0)
                .on_conflict_do_nothing(index_elements=["category", "year"])
            )
            counter = self._session.scalars(statement.execution_options(populate_existing=True)).one()
        counter.last_seq += 1
        self._session.flush()
        return counter.last_seq

    def store_notice_pdf(self, notice_id: NoticeId, pdf: bytes) -> None:
        self._lock_head()
        notice = self._get(NoticeRow, notice_id, _NOTICE)
        if self._session.get(NoticePdfRow, notice_id) is not None:
            raise ConflictError(
                f"“{notice.title}”（{notice.number}）的PDF已经存档，存档的PDF不能替换。"
                "如内容有误，请用“更正”新建一份更正公告。"
            )
        self._session.add(NoticePdfRow(notice_id=notice_id, data=pdf))
        self._session.flush()

    def notice_pdf(self, notice_id: NoticeId) -> bytes | None:
        data: bytes | None = self._session.scalar(
            sa.select(NoticePdfRow.data).where(NoticePdfRow.notice_id == notice_id)
        )
        return bytes(data) if data is not None else None

    def notice_issue_dates(self) -> list[tuple[NoticeCategory, dt.date]]:
        statement = (
            sa.select(NoticeRow.category, NoticeRow.issue_date)
            .where(NoticeRow.status.in_(_ISSUED_STATUSES), NoticeRow.issue_date.is_not(None))
            .order_by(NoticeRow.issue_date, NoticeRow.id)
        )
        return [(category, day) for category, day in self._session.execute(statement) if day is not None]

    def first_notice_date(self) -> dt.date | None:
        created, issued = self._session.execute(
            sa.select(sa.func.min(NoticeRow.created_at), sa.func.min(NoticeRow.issue_date))
        ).one()
        days = [d for d in (_as_date(created), _as_date(issued)) if d is not None]
        return min(days) if days else None

    def list_notice_photos(self, notice_id: NoticeId) -> list[NoticePhoto]:
        statement = sa.select(NoticePhotoRow).where(NoticePhotoRow.notice_id == notice_id)
        return [_notice_photo(r) for r in self._session.scalars(statement.order_by(NoticePhotoRow.id))]

    def add_notice_photo(self, photo: NoticePhoto, data: bytes) -> NoticePhoto:
        if photo.id is not None:
            raise ValueError(f"a board photo is only ever added, not changed: {photo.id}")
        notice = self._get(NoticeRow, photo.notice_id, _NOTICE)
        values: dict[str, Any] = {
            "notice_id": photo.notice_id,
            "filename": photo.filename,
            "taken_on": photo.taken_on,
            "note": photo.note,
            "added_by": photo.added_by,
            "size": len(data),
            "data": data,
        }
        summary = f"{notice.number or notice.title} {photo.filename}"
        row = self._save(NoticePhotoRow, None, 0, values, _PHOTO, summary=summary, hidden=("data",))
        return _notice_photo(row)

    def notice_photo_data(self, photo_id: NoticePhotoId) -> bytes:
        data: bytes | None = self._session.scalar(
            sa.select(NoticePhotoRow.data).where(NoticePhotoRow.id == photo_id)
        )
        if data is None:
            raise NotFoundError(_NOT_FOUND.format(label=_PHOTO))
        return bytes(data)

    def list_notice_feedback(self, notice_id: NoticeId) -> list[NoticeFeedback]:
        statement = (
            sa.select(NoticeFeedbackRow)
            .where(NoticeFeedbackRow.notice_id == notice_id)
            .order_by(NoticeFeedbackRow.received_on, NoticeFeedbackRow.id)
        )
        return [_notice_feedback(r) for r in self._session.scalars(statement)]

    def save_notice_feedback(self, feedback: NoticeFeedback) -> NoticeFeedback:
        notice = self._get(NoticeRow, feedback.notice_id, _NOTICE)
        values: dict[str, Any] = {
            "notice_id": feedback.notice_id,
            "received_on": feedback.received_on,
            "kind": feedback.kind,
            "from_whom": feedback.from_whom,
            "content": feedback.content,
            "answer": feedback.answer,
            "answered_on": feedback.answered_on,
            "answered_by": feedback.answered_by,
        }
        who = feedback.from_whom or "匿名"
        summary = f"{notice.number or notice.title} {who}{feedback.kind.value}"
        row = self._save(NoticeFeedbackRow, feedback.id, feedback.version, values, _FEEDBACK, summary=summary)
        return _notice_feedback(row)

    # --- the register (农户档案) and 防返贫监测 -----------------------------------------------------------
    def get_register_settings(self) -> RegisterSettings:
        row = self._session.get(RegisterSettingsRow, _SETTINGS_ID)
        return _register_settings(row) if row is not None else RegisterSettings()

    def save_register_settings(self, settings: RegisterSettings) -> RegisterSettings:
        """Audited as 修改设置, each setting in words (``2021年6000元``), never as JSON."""
        values: dict[str, Any] = {
            "categories": register_body.strings_to_json(settings.categories),
            "monitoring": register_body.monitoring_to_json(settings.monitoring),
            "targets": register_body.targets_to_json(settings.targets),
            "visit_interval_days": settings.visit_interval_days,
            "education_subsidies": register_body.subsidies_to_json(settings.education_subsidies),
            "rain_and_dew": _money(settings.rain_and_dew, "rain_and_dew", "雨露计划补助"),
        }
        hidden = ("categories", "monitoring", "targets", "education_subsidies")
        if settings.version == 0:
            self._refuse_existing(RegisterSettingsRow, _SETTINGS_ID, _REGISTER_SETTINGS)
            row = RegisterSettingsRow(id=_SETTINGS_ID, version=1, **values)
            self._session.add(row)
            self._flush(_REGISTER_SETTINGS)
            texts = _texts(values, hidden) | _register_settings_texts(row)
            self._append(
                AuditAction.SETTINGS, _REGISTER_SETTINGS, _SETTINGS_ID, "", changes_between({}, texts)
            )
        else:
            row = self._update(
                RegisterSettingsRow,
                _SETTINGS_ID,
                settings.version,
                values,
                _REGISTER_SETTINGS,
                hidden=hidden,
                extra_texts=_register_settings_texts,
            )
        return _register_settings(row)

    def get_household(self, household_id: HouseholdId) -> Household:
        return _household(self._get(HouseholdRow, household_id, "农户"))

    def find_people_by_id_number(self, number: str) -> list[Person]:
        """By the index on ``people.id_number``: the forms a stored number can have, never a scan."""
        normalized = normalize_code(number)
        if not normalized:
            return []
        forms = {normalized, normalized.lower(), number.strip()}
        statement = sa.select(PersonRow).where(PersonRow.id_number.in_(sorted(forms))).order_by(PersonRow.id)
        return [_person(r) for r in self._session.scalars(statement)]

    def get_household_file(self, household_id: HouseholdId) -> HouseholdFile | None:
        row = self._session.get(HouseholdFileRow, household_id)
        return _household_file(row) if row is not None else None

    def save_household_file(self, file: HouseholdFile) -> HouseholdFile:
        household = self._get(HouseholdRow, file.household_id, "农户")
        values = {"household_id": file.household_id, **_file_values(file)}
        if file.version == 0:
            self._refuse_existing(HouseholdFileRow, file.household_id, _FILE)
        row = self._save(
            HouseholdFileRow,
            None if file.version == 0 else file.household_id,
            file.version,
            values,
            _FILE,
            summary=_household_summary(household),
            hidden=("household_id", "category", "loans"),
            extra_texts=_file_texts,
            record_id=file.household_id,
        )
        return _household_file(row)

    def list_household_files(self) -> list[HouseholdFile]:
        statement = sa.select(*HouseholdFileRow.__table__.columns).order_by(HouseholdFileRow.household_id)
        return [_household_file(r) for r in self._plain(statement)]

    def list_residents(self, household_id: HouseholdId | None = None) -> list[Resident]:
        """In the order the people were registered (their ids): a member who moved in comes by theirs."""
        statement = sa.select(*ResidentRow.__table__.columns).order_by(ResidentRow.person_id)
        if household_id is not None:
            statement = statement.where(ResidentRow.household_id == household_id)
        return [_resident(r) for r in self._plain(statement)]

    def get_resident(self, person_id: PersonId) -> Resident | None:
        row = self._session.get(ResidentRow, person_id)
        return _resident(row) if row is not None else None

    def save_resident(self, resident: Resident) -> Resident:
        """Logged under the person's id; a move to another household shows both households by 户号."""
        person = self._get(PersonRow, resident.person_id, "人员")
        household = self._get(HouseholdRow, resident.household_id, "农户")
        values: dict[str, Any] = {
            "person_id": resident.person_id,
            "household_id": resident.household_id,
            **_resident_values(resident),
        }
        if resident.version == 0:
            self._refuse_existing(ResidentRow, resident.person_id, _RESIDENT)

        def texts(row: ResidentRow) -> dict[str, str]:
            return {
                "household": self._household_label(row.household_id),
                "joined_household_on": audit_text(row.joined_on),
            }

        row = self._save(
            ResidentRow,
            None if resident.version == 0 else resident.person_id,
            resident.version,
            values,
            _RESIDENT,
            summary=f"{person.name}（{household.number}户）",
            hidden=("person_id", "household_id", "joined_on"),
            extra_texts=texts,
            record_id=resident.person_id,
        )
        return _resident(row)

    def list_incomes(self, household_id: HouseholdId | None = None) -> list[IncomeRecord]:
        """By household, then year."""
        statement = sa.select(*IncomeRow.__table__.columns).order_by(IncomeRow.household_id, IncomeRow.year)
        if household_id is not None:
            statement = statement.where(IncomeRow.household_id == household_id)
        return [_income(r) for r in self._plain(statement)]

    def save_income(self, income: IncomeRecord) -> IncomeRecord:
        """Logged under the household's id (one household, many years: the summary names the year)."""
        household = self._get(HouseholdRow, income.household_id, "农户")
        values: dict[str, Any] = {
            "household_id": income.household_id,
            "year": income.year,
            **{name: _money(getattr(income, name), name, label) for name, label in _INCOME_PARTS},
            "note": income.note,
        }
        self._lock_head()
        statement = sa.select(IncomeRow.id).where(
            IncomeRow.household_id == income.household_id, IncomeRow.year == income.year
        )
        row_id = self._session.scalar(statement)
        if income.version == 0 and row_id is not None:
            raise ConflictError(self._changed_by_others(_INCOME, income.household_id))
        if income.version != 0 and row_id is None:
            raise NotFoundError(_NOT_FOUND.format(label=_INCOME))
        row = self._save(
            IncomeRow,
            row_id,
            income.version,
            values,
            _INCOME,
            summary=f"{_household_summary(household)} {income.year}年",
            hidden=("household_id",),
            record_id=income.household_id,
        )
        return _income(row)

    def list_cases(self, household_id: HouseholdId | None = None) -> list[MonitoringCase]:
        statement = sa.select(MonitoringCaseRow).order_by(MonitoringCaseRow.id)
        if household_id is not None:
            statement = statement.where(MonitoringCaseRow.household_id == household_id)
        return [_case(r) for r in self._session.scalars(statement)]

    def get_case(self, case_id: CaseId) -> MonitoringCase:
        return _case(self._get(MonitoringCaseRow, case_id, _CASE))

    def save_case(self, case: MonitoringCase) -> MonitoringCase:
        household = self._get(HouseholdRow, case.household_id, "农户")
        values: dict[str, Any] = {
            "household_id": case.household_id,
            "source": case.source,
            "risk_types": _RISK_SEPARATOR.join(case.risk_types),
            "identified_on": case.identified_on,
            "situation": case.situation,
            "identification_notice_id": case.identification_notice_id,
            "township_reviewed_on": case.township_reviewed_on,
            "county_approved_on": case.county_approved_on,
            "rejected_reason": case.rejected_reason,
            "stable_since": case.stable_since,
            "elimination_notice_id": case.elimination_notice_id,
            "eliminated_on": case.eliminated_on,
            "relapse_of_id": case.relapse_of,
        }

        def notices(row: MonitoringCaseRow) -> dict[str, str]:
            return {
                "identification_notice": self._notice_label(row.identification_notice_id),
                "elimination_notice": self._notice_label(row.elimination_notice_id),
            }

        row = self._save(
            MonitoringCaseRow,
            case.id,
            case.version,
            values,
            _CASE,
            summary=_household_summary(household),
            hidden=("household_id", "identification_notice_id", "elimination_notice_id"),
            extra_texts=notices,
        )
        return _case(row)

    def list_measures(self, household_id: HouseholdId | None = None) -> list[Measure]:
        statement = sa.select(MeasureRow).order_by(MeasureRow.id)
        if household_id is not None:
            statement = statement.join(MonitoringCaseRow, MonitoringCaseRow.id == MeasureRow.case_id).where(
                MonitoringCaseRow.household_id == household_id
            )
        return [_measure(r) for r in self._session.scalars(statement)]

    def get_measure(self, measure_id: MeasureId) -> Measure:
        return _measure(self._get(MeasureRow, measure_id, _MEASURE))

    def save_measure(self, measure: Measure) -> Measure:
        case = self._get(MonitoringCaseRow, measure.case_id, _CASE)
        household = self._get(HouseholdRow, case.household_id, "农户")
        values: dict[str, Any] = {
            "case_id": measure.case_id,
            "kind": measure.kind,
            "what": measure.what,
            "started_on": measure.started_on,
            "amount": _money(measure.amount, "amount", "金额") if measure.amount is not None else None,
            "cancelled_reason": measure.cancelled_reason,
        }
        row = self._save(
            MeasureRow,
            measure.id,
            measure.version,
            values,
            _MEASURE,
            summary=f"{_household_summary(household)} {measure.kind.value}",
            hidden=("case_id",),
        )
        return _measure(row)

    def list_visits(self, household_id: HouseholdId | None = None) -> list[Visit]:
        statement = sa.select(VisitRow).order_by(VisitRow.id)
        if household_id is not None:
            statement = statement.where(VisitRow.household_id == household_id)
        return [_visit(r) for r in self._session.scalars(statement)]

    def get_visit(self, visit_id: VisitId) -> Visit:
        return _visit(self._get(VisitRow, visit_id, _VISIT))

    def save_visit(self, visit: Visit) -> Visit:
        household = self._get(HouseholdRow, visit.household_id, "农户")
        values: dict[str, Any] = {
            "household_id": visit.household_id,
            "visited_on": visit.visited_on,
            "visitor": visit.visitor,
            "found": visit.found,
            "next_on": visit.next_on,
            "cancelled_reason": visit.cancelled_reason,
        }
        row = self._save(
            VisitRow,
            visit.id,
            visit.version,
            values,
            _VISIT,
            summary=f"{_household_summary(household)} {visit.visited_on.isoformat()}",
            hidden=("household_id",),
        )
        return _visit(row)

    def list_benefits(self, household_id: HouseholdId | None = None) -> list[Benefit]:
        statement = sa.select(BenefitRow).order_by(BenefitRow.id)
        if household_id is not None:
            statement = statement.where(BenefitRow.household_id == household_id)
        return [_benefit(r) for r in self._session.scalars(statement)]

    def get_benefit(self, benefit_id: BenefitId) -> Benefit:
        return _benefit(self._get(BenefitRow, benefit_id, _BENEFIT))

    def save_benefit(self, benefit: Benefit) -> Benefit:
        household = self._get(HouseholdRow, benefit.household_id, "农户")
        values: dict[str, Any] = {
            "household_id": benefit.household_id,
            "kind": benefit.kind,
            "paid_on": benefit.paid_on,
            "amount": _money(benefit.amount, "amount", "发放金额"),
            "source": benefit.source,
            "person_id": benefit.person_id,
            "note": benefit.note,
            "cancelled_reason": benefit.cancelled_reason,
        }
        row = self._save(
            BenefitRow,
            benefit.id,
            benefit.version,
            values,
            _BENEFIT,
            summary=f"{_household_summary(household)} {benefit.kind} {values['amount']}元",
            hidden=("household_id", "person_id"),
            extra_texts=lambda r: {
                "person": self._person_name(PersonId(r.person_id) if r.person_id else None)
            },
        )
        return _benefit(row)

    # --- the register's index --------------------------------------------------------------------------
    def put_register_lines(self, lines: Sequence[RegisterLine]) -> None:
        """One upsert for all the lines (executemany); derived data, so no log entry."""
        self._lock_head()  # a writer like any other: the same lock order, and never without an actor
        if not lines:
            return
        table = _INDEX
        statement = _insert_for(self._session)(table)
        statement = statement.on_conflict_do_update(
            index_elements=["household_id"],
            set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != "household_id"},
        )
        self._session.execute(statement, [_line_values(line) for line in lines])

    def get_register_line(self, household_id: HouseholdId) -> RegisterLine | None:
        table = _INDEX
        row = self._session.execute(sa.select(table).where(table.c.household_id == household_id)).first()
        return _register_line(row) if row is not None else None

    def stale_register_lines(self, before: dt.date, limit: int) -> list[HouseholdId]:
        # Also households with no line at all: those entered on the roster before the register existed.
        table = _INDEX
        households = HouseholdRow.__table__
        statement = (
            sa.select(households.c.id)
            .outerjoin(table, table.c.household_id == households.c.id)
            .where(
                households.c.closed_reason == "",
                sa.or_(table.c.computed_on.is_(None), table.c.computed_on < before),
            )
            .order_by(households.c.id)
            .limit(limit)
        )
        return [HouseholdId(i) for i in self._session.scalars(statement)]

    def register_page(self, query: RegisterFilter) -> RegisterPage:
        """One COUNT and one SELECT … ORDER BY … LIMIT over the index (ties by 户号, then id)."""
        table = _INDEX
        conditions = _register_conditions(table, query)
        total = self._session.scalar(sa.select(sa.func.count()).select_from(table).where(*conditions)) or 0
        statement = sa.select(table).where(*conditions)
        number = table.c.number_key
        if query.sort is RegisterColumn.GROUP:
            groups = VillageGroupRow.__table__
            statement = statement.outerjoin(groups, groups.c.id == table.c.group_id)
            key: sa.ColumnElement[Any] = groups.c.number
        elif query.sort is RegisterColumn.RISKS:
            key = sa.func.length(table.c.risks)  # the more signals, the longer
        else:
            key = table.c[_SORT_COLUMNS[query.sort]]
        first = key.desc() if query.descending else key.asc()
        if query.sort in _NULLABLE_SORTS:
            first = first.nulls_last()  # both backends alike: a household without the value goes last
        if query.sort is RegisterColumn.NUMBER:
            order = [first, table.c.household_id.desc() if query.descending else table.c.household_id]
        elif query.sort is RegisterColumn.RISKS:
            order = [
                first,
                table.c.risks.desc() if query.descending else table.c.risks,
                number,
                table.c.household_id,
            ]
        else:
            order = [first, number, table.c.household_id]
        statement = statement.order_by(*order)
        if query.offset:
            statement = statement.offset(query.offset)
        if query.limit is not None:
            statement = statement.limit(query.limit)
        lines = tuple(_register_line(row) for row in self._session.execute(statement))
        return RegisterPage(total=total, lines=lines)

    def register_indicators(
        self, sheep_threshold: int, cattle_threshold: int, poor: frozenset[str]
    ) -> Indicators:
        """Over the files of households not closed (the roster's 撤销原因 empty), in two queries."""
        f = HouseholdFileRow
        sheep = f.ewes + f.fattening_sheep
        cattle = f.cows + f.fattening_cattle
        is_poor = f.category.in_(sorted(poor))
        still_in = sa.and_(HouseholdRow.id == f.household_id, HouseholdRow.closed_reason == "")

        def total(value: Any) -> sa.ColumnElement[Any]:
            return sa.func.coalesce(sa.func.sum(value), 0)

        sums = self._session.execute(
            sa.select(
                total(sa.case((sheep >= sheep_threshold, 1), else_=0)),
                total(sa.case((cattle >= cattle_threshold, 1), else_=0)),
                total(f.ewes),
                total(f.cows),
                total(sheep),
                total(cattle),
                total(sa.case((is_poor, sheep), else_=0)),
                total(sa.case((is_poor, cattle), else_=0)),
                sa.func.sum(f.beet_area),  # typed: comes back as Decimal (None when no rows)
            )
            .select_from(f)
            .join(HouseholdRow, still_in)
        ).one()
        poor_people = self._session.scalar(
            sa.select(sa.func.count())
            .select_from(ResidentRow)
            .join(f, f.household_id == ResidentRow.household_id)
            .join(HouseholdRow, still_in)
            .where(ResidentRow.status == ResidentStatus.IN, is_poor)
        )
        return Indicators(
            sheep_households=int(sums[0]),
            cattle_households=int(sums[1]),
            ewes=int(sums[2]),
            cows=int(sums[3]),
            sheep=int(sums[4]),
            cattle=int(sums[5]),
            poor_people=int(poor_people or 0),
            poor_sheep=int(sums[6]),
            poor_cattle=int(sums[7]),
            beet_area=sums[8] if sums[8] is not None else Decimal("0.00"),
        )

    def record_history(self, records: Sequence[tuple[str, int]]) -> list[AuditEntry]:
        """By the (record type, record id) index, a few hundred ids per query."""
        ids_by_type: dict[str, set[int]] = {}
        for record_type, record_id in records:
            ids_by_type.setdefault(record_type, set()).add(record_id)
        rows: dict[int, AuditEntryRow] = {}
        for record_type, ids in ids_by_type.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), _HISTORY_CHUNK):
                statement = sa.select(AuditEntryRow).where(
                    AuditEntryRow.record_type == record_type,
                    AuditEntryRow.record_id.in_(ordered[start : start + _HISTORY_CHUNK]),
                )
                rows.update((row.seq, row) for row in self._session.scalars(statement))
        return [_audit_entry(rows[seq]) for seq in sorted(rows, reverse=True)]

    def import_households(self, households: Sequence[RegisterImport]) -> list[HouseholdId]:
        """Bulk INSERTs (no per-row log, no ORM objects), then one 导入 entry."""
        self._lock_head()
        if not households:
            return []
        session = self._session
        household_ids = _insert_with_new_ids(
            session,
            HouseholdRow,
            [
                {
                    "number": h.household.number,
                    "head_name": h.household.head_name,
                    "group_id": h.household.group_id,
                    "closed_reason": h.household.closed_reason,
                    "version": 1,
                }
                for h in households
            ],
        )
        people = [member.person for h in households for member in h.members]
        person_ids = iter(
            _insert_with_new_ids(
                session,
                PersonRow,
                [{**_person_values(p), "version": 1} for p in people],
            )
        )
        residents: list[dict[str, Any]] = []
        files: list[dict[str, Any]] = []
        incomes: list[dict[str, Any]] = []
        for household_id, item in zip(household_ids, households, strict=True):
            files.append({**_file_values(item.file), "household_id": household_id, "version": 1})
            for member in item.members:
                resident = _resident_values(member.resident)
                residents.append(
                    {**resident, "person_id": next(person_ids), "household_id": household_id, "version": 1}
                )
            for income in item.incomes:
                incomes.append(
                    {
                        "household_id": household_id,
                        "year": income.year,
                        **{name: _money(getattr(income, name), name, label) for name, label in _INCOME_PARTS},
                        "note": income.note,
                        "version": 1,
                    }
                )
        for model, rows in ((HouseholdFileRow, files), (ResidentRow, residents), (IncomeRow, incomes)):
            if rows:
                session.execute(sa.insert(Base.metadata.tables[model.__tablename__]), rows)
        self._append(
            AuditAction.IMPORT,
            _FILE,
            None,
            f"导入农户档案 {len(households)} 户 {len(people)} 人",
            (),
        )
        return [HouseholdId(i) for i in household_ids]

    def _refuse_existing(self, model: type[VersionedRow], key: int, label: str) -> None:
        """A keyed record saved as new (version 0) while one is already stored: someone was first."""
        self._lock_head()
        if self._session.get(model, key) is not None:
            raise ConflictError(self._changed_by_others(label, key))

    def _household_label(self, household_id: int) -> str:
        row = self._session.get(HouseholdRow, household_id)
        return _household_summary(row) if row is not None else str(household_id)

    def _notice_label(self, notice_id: int | None) -> str:
        if notice_id is None:
            return ""
        row = self._session.get(NoticeRow, notice_id)
        if row is None:
            return str(notice_id)
        return f"{row.number} {row.title}" if row.number else row.title

    # --- the audit trail --------------------------------------------------------------------------------
    def record_event(
        self,
        action: AuditAction,
        record_type: str,
        record_id: int | None = None,
        summary: str = "",
        changes: tuple[FieldChange, ...] = (),
    ) -> AuditEntry:
        self._lock_head()
        return _audit_entry(self._append(action, record_type, record_id, summary, changes))

    def audit_entries(self, query: AuditFilter, limit: int | None = None) -> list[AuditEntry]:
        statement = sa.select(AuditEntryRow).order_by(AuditEntryRow.seq.desc())
        if query.username is not None:
            statement = statement.where(AuditEntryRow.username == query.username)
        if query.date_from is not None:
            statement = statement.where(AuditEntryRow.at >= query.date_from.isoformat())
        if query.date_to is not None:
            statement = statement.where(AuditEntryRow.at < (query.date_to + dt.timedelta(days=1)).isoformat())
        if query.record_type is not None:
            statement = statement.where(AuditEntryRow.record_type == query.record_type)
        if query.action is not None:
            statement = statement.where(AuditEntryRow.action == query.action.value)
        if query.record_id is not None:
            statement = statement.where(AuditEntryRow.record_id == query.record_id)
        if limit is not None:
            statement = statement.limit(limit)
        return [_audit_entry(row) for row in self._session.scalars(statement)]

    def audit_chain(self) -> Iterator[AuditEntry]:
        statement = sa.select(AuditEntryRow).order_by(AuditEntryRow.seq).execution_options(yield_per=2000)
        rows = self._session.scalars(statement)
        try:
            for row in rows:
                yield _audit_entry(row)
        finally:
            # verify stops at the first problem: close PostgreSQL's server-side cursor all the same.
            rows.close()

    def audit_head(self) -> ChainHead | None:
        row = self._session.get(AuditHeadRow, _HEAD_ID)
        return ChainHead(row.seq, row.hash) if row is not None else None

    def audit_users(self) -> list[tuple[str, str]]:
        last = sa.func.max(AuditEntryRow.seq)
        statement = (
            sa.select(AuditEntryRow.username, AuditEntryRow.user_name)
            .group_by(AuditEntryRow.username, AuditEntryRow.user_name)
            .order_by(last)
        )
        return [(username, name) for username, name in self._session.execute(statement)]

    def record_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for label, model in COUNTED.items():
            counts[label] = self._session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        return counts

    def _lock_head(self) -> None:
        """Take the audit head before touching any record row.

        Every writer takes this one row first (``SELECT … FOR UPDATE`` on
        PostgreSQL), so writers queue in one order and cannot deadlock, and
        the entry numbers have no gaps or twins. The very first writer makes
        the row (number 0, the genesis hash) so that there is one to queue on.
        """
        if self._actor is None:
            raise RuntimeError("a write in a transaction without an actor: pass the acting user")
        if not self._head_locked:
            statement = sa.select(AuditHeadRow).where(AuditHeadRow.id == _HEAD_ID).with_for_update()
            self._head = self._session.scalars(statement).one_or_none()
            if self._head is None:
                self._create_head()
                self._head = self._session.scalars(statement).one()
            self._head_locked = True

    def _create_head(self) -> None:
        # Two first writers may both find no head: one inserts it, the other waits for that
        # transaction and inserts nothing (no unique-key failure), then locks the committed row.
        insert = _insert_for(self._session)
        statement = insert(AuditHeadRow).values(id=_HEAD_ID, seq=0, hash=GENESIS_HASH)
        self._session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))

    def _append(
        self,
        action: AuditAction,
        record_type: str,
        record_id: int | None,
        summary: str,
        changes: tuple[FieldChange, ...],
    ) -> AuditEntryRow:
        actor = self._actor
        assert actor is not None and self._head_locked  # _lock_head ran first
        seq = self._head.seq + 1 if self._head is not None else 1
        prev_hash = self._head.hash if self._head is not None else GENESIS_HASH
        at = self._clock().replace(microsecond=0)
        digest = entry_hash(
            seq,
            at,
            actor.user_id,
            actor.username,
            actor.display_name,
            action,
            record_type,
            record_id,
            summary,
            changes,
            prev_hash,
        )
        row = AuditEntryRow(
            seq=seq,
            at=at.strftime("%Y-%m-%d %H:%M:%S"),
            user_id=actor.user_id,
            username=actor.username,
            user_name=actor.display_name,
            action=action.value,
            record_type=record_type,
            record_id=record_id,
            summary=summary,
            changes=json.dumps([[c.field, c.old, c.new] for c in changes], ensure_ascii=False),
            prev_hash=prev_hash,
            hash=digest,
        )
        self._session.add(row)
        if self._head is None:
            self._head = AuditHeadRow(id=_HEAD_ID, seq=seq, hash=digest)
            self._session.add(self._head)
        else:
            self._head.seq = seq
            self._head.hash = digest
        self._session.flush()
        return row

    def _audit_save(
        self, label: str, row_id: int, summary: str, old: dict[str, str], new: dict[str, str]
    ) -> None:
        changes = changes_between(old, new)  # a new record: its filled-in fields
        if old and not changes:
            return  # saved unchanged: nothing happened worth a line
        if not old:
            action = AuditAction.CREATE
        elif label in _SETTINGS_LABELS:
            action = AuditAction.SETTINGS
        elif any(not old.get(f) and new.get(f) for f in _CLOSING_FIELDS):
            action = AuditAction.CLOSE
        else:
            action = AuditAction.UPDATE
        self._append(action, label, row_id, summary, changes)

    def _person_name(self, person_id: PersonId | None) -> str:
        if person_id is None:
            return ""
        row = self._session.get(PersonRow, person_id)
        return row.name if row is not None else ""

    def _changed_by_others(self, label: str, row_id: int) -> str:
        """The conflict message, naming who changed the record last and when, if the log knows."""
        statement = (
            sa.select(AuditEntryRow)
            .where(AuditEntryRow.record_type == label, AuditEntryRow.record_id == row_id)
            .order_by(AuditEntryRow.seq.desc())
            .limit(1)
        )
        last = self._session.scalars(statement).first()
        if last is None:
            return _CHANGED_BY_OTHERS.format(label=label)
        return _CHANGED_BY.format(label=label, who=last.user_name, when=last.at[:16])

    # --- the machinery ------------------------------------------------------------------------------
    def _all(self, model: type[_Record]) -> list[_Record]:
        return list(self._session.scalars(sa.select(model).order_by(model.id)))

    def _plain(self, statement: sa.Select[Any]) -> list[Any]:
        """Rows of a select of a table's columns, read without the ORM (bulk reads: several times faster).

        Each row answers ``row.column`` as the mapped object would, so the same ``_record(row)``
        functions map both; they must only read columns.
        """
        return list(self._session.execute(statement))

    def _get(self, model: type[_Row], row_id: int, label: str) -> _Row:
        row = self._session.get(model, row_id)
        if row is None:
            raise NotFoundError(_NOT_FOUND.format(label=label))
        return row

    def _save(
        self,
        model: type[_Row],
        row_id: int | None,
        version: int,
        values: dict[str, Any],
        label: str,
        extra: Callable[[_Row], None] | None = None,
        *,
        summary: str = "",
        hidden: tuple[str, ...] = (),
        extra_texts: Callable[[_Row], dict[str, str]] | None = None,
        record_id: int | None = None,
    ) -> _Row:
        """Insert (``row_id`` None) or update; ``record_id`` is the id the log files it under
        (default: the row's own key; a household's file, say, goes under the household's id)."""
        if row_id is None:
            self._lock_head()
            row = model(version=1, **values)
            if extra is not None:
                extra(row)
            self._session.add(row)
            self._flush(label)
            new = _texts(values, hidden) | (extra_texts(row) if extra_texts else {})
            identity = sa.inspect(row).identity
            assert identity is not None  # flushed
            key = record_id if record_id is not None else int(identity[0])
            self._audit_save(label, key, summary, {}, new)
            return row
        return self._update(
            model,
            row_id,
            version,
            values,
            label,
            extra,
            summary=summary,
            hidden=hidden,
            extra_texts=extra_texts,
            record_id=record_id,
        )

    def _update(
        self,
        model: type[_Row],
        row_id: int,
        version: int,
        values: dict[str, Any],
        label: str,
        extra: Callable[[_Row], None] | None = None,
        *,
        summary: str = "",
        hidden: tuple[str, ...] = (),
        extra_texts: Callable[[_Row], dict[str, str]] | None = None,
        record_id: int | None = None,
    ) -> _Row:
        self._lock_head()
        row = self._get(model, row_id, label)
        logged_id = record_id if record_id is not None else row_id
        if row.version != version:
            raise ConflictError(self._changed_by_others(label, logged_id))
        old = {name: audit_text(getattr(row, name)) for name in values if name not in hidden}
        if extra_texts is not None:
            old |= extra_texts(row)
        for name, value in values.items():
            setattr(row, name, value)
        if extra is not None:
            extra(row)
        # Always a new version, even when nothing changed: the contract says every save bumps it.
        row.version = version + 1
        self._flush(label)
        new = _texts(values, hidden) | (extra_texts(row) if extra_texts else {})
        self._audit_save(label, logged_id, summary, old, new)
        return row

    def _flush(self, label: str) -> None:
        try:
            self._session.flush()
        except StaleDataError as exc:  # the UPDATE … WHERE version = … matched nothing
            raise ConflictError(_CHANGED_BY_OTHERS.format(label=label)) from exc


_CHANGED_BY_OTHERS = "这条{label}记录已被别人修改过，您的更改没有保存。请关闭后重新打开这条记录，再修改。"
_CHANGED_BY = (
    "这条{label}记录已被{who}在{when}修改过，您这次的修改没有保存。"
    "您填写的内容仍在窗口中：请把需要的内容记下来，关闭窗口后重新打开这条记录，再改一次。"
)


# --- rows → records ---------------------------------------------------------------------------------
def _texts(values: dict[str, Any], hidden: tuple[str, ...] = ()) -> dict[str, str]:
    return {name: audit_text(value) for name, value in values.items() if name not in hidden}


def _user(row: UserRow) -> User:
    return User(
        id=UserId(row.id),
        username=row.username,
        display_name=row.display_name,
        roles=tuple(Role(name) for name in row.roles.split(",") if name),
        password_hash=row.password_hash,
        must_change_password=row.must_change_password,
        failed_logins=row.failed_logins,
        last_failed_at=row.last_failed_at,
        closed_reason=row.closed_reason,
        version=row.version,
    )


def _audit_entry(row: AuditEntryRow) -> AuditEntry:
    # A row edited by hand may hold anything: read what can be read; the hash check reports it.
    try:
        at = dt.datetime.strptime(row.at, "%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        at = dt.datetime(1, 1, 1)
    try:
        changes = tuple(FieldChange(str(f), str(o), str(n)) for f, o, n in json.loads(row.changes))
    except (TypeError, ValueError):
        changes = (FieldChange("?", "", str(row.changes)),)
    return AuditEntry(
        seq=row.seq,
        at=at,
        user_id=UserId(row.user_id) if row.user_id is not None else None,
        username=row.username,
        user_name=row.user_name,
        action=row.action,
        record_type=row.record_type,
        record_id=row.record_id,
        summary=row.summary,
        changes=changes,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _profile_values(profile: VillageProfile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "kind": profile.kind,
        "township": profile.township,
        "township_kind": profile.township_kind,
        "county": profile.county,
        "county_kind": profile.county_kind,
        "city": profile.city,
        "city_kind": profile.city_kind,
        "org_name": profile.org_name,
        "uscc": profile.uscc,
        "address": profile.address,
        "supervision_phone": profile.supervision_phone,
        "complaint_phone": profile.complaint_phone,
        "seal_committee": profile.seal_committee,
        "seal_party": profile.seal_party,
        "seal_org": profile.seal_org,
        "seal_supervision": profile.seal_supervision,
    }


def _profile(row: VillageProfileRow) -> VillageProfile:
    return VillageProfile(
        name=row.name,
        kind=row.kind,
        township=row.township,
        township_kind=row.township_kind,
        county=row.county,
        county_kind=row.county_kind,
        city=row.city,
        city_kind=row.city_kind,
        org_name=row.org_name,
        uscc=row.uscc,
        address=row.address,
        supervision_phone=row.supervision_phone,
        complaint_phone=row.complaint_phone,
        seal_committee=row.seal_committee,
        seal_party=row.seal_party,
        seal_org=row.seal_org,
        seal_supervision=row.seal_supervision,
        version=row.version,
    )


def _group(row: VillageGroupRow) -> VillageGroup:
    return VillageGroup(
        id=GroupId(row.id),
        number=row.number,
        name=row.name,
        leader_name=row.leader_name,
        note=row.note,
        closed_reason=row.closed_reason,
        version=row.version,
    )


def _person(row: PersonRow) -> Person:
    return Person(
        id=PersonId(row.id),
        name=row.name,
        gender=row.gender,
        ethnicity=row.ethnicity,
        id_number=row.id_number,
        phone=row.phone,
        group_id=GroupId(row.group_id) if row.group_id is not None else None,
        knows_accounting=row.knows_accounting,
        note=row.note,
        version=row.version,
    )


def _post(row: PostRow) -> Post:
    return Post(
        id=PostId(row.id),
        person_id=PersonId(row.person_id),
        body=row.body,
        role=row.role,
        term_start=row.term_start,
        term_end=row.term_end,
        left_on=row.left_on,
        left_reason=row.left_reason,
        version=row.version,
    )


def _party_member(row: PartyMemberRow) -> PartyMember:
    return PartyMember(
        id=PartyMemberId(row.id),
        person_id=PersonId(row.person_id),
        status=row.status,
        joined_on=row.joined_on,
        left_on=row.left_on,
        left_reason=row.left_reason,
        version=row.version,
    )


def _household(row: HouseholdRow) -> Household:
    return Household(
        id=HouseholdId(row.id),
        number=row.number,
        head_name=row.head_name,
        group_id=GroupId(row.group_id) if row.group_id is not None else None,
        closed_reason=row.closed_reason,
        version=row.version,
    )


def _representative(row: RepresentativeRow) -> Representative:
    return Representative(
        id=RepresentativeId(row.id),
        person_id=PersonId(row.person_id),
        group_id=GroupId(row.group_id) if row.group_id is not None else None,
        term_start=row.term_start,
        term_end=row.term_end,
        households=tuple(HouseholdId(link.household_id) for link in row.household_links),
        left_on=row.left_on,
        left_reason=row.left_reason,
        version=row.version,
    )


def _kinship(row: KinshipRow) -> Kinship:
    return Kinship(
        id=KinshipId(row.id),
        person_a=PersonId(row.person_a_id),
        person_b=PersonId(row.person_b_id),
        kind=row.kind,
        ended_reason=row.ended_reason,
        version=row.version,
    )


# --- notices ------------------------------------------------------------------------------------------


def _notice_id(value: int | None) -> NoticeId | None:
    return NoticeId(value) if value is not None else None


def _notice(row: NoticeRow) -> Notice:
    return Notice(
        id=NoticeId(row.id),
        category=row.category,
        kind=row.kind,
        title=row.title,
        body=notice_body.body_from_json(row.body),
        attachments=notice_body.strings_from_json(row.attachments),
        period_start=row.period_start,
        period_end=row.period_end,
        period_unit=row.period_unit,
        period_rule=row.period_rule,
        objection=row.objection,
        show_phones=row.show_phones,
        issuer=row.issuer,
        issue_date=row.issue_date,
        seal=row.seal,
        letterhead=row.letterhead,
        paper=row.paper,
        source=row.source,
        status=row.status,
        number=row.number,
        year=row.year,
        seq=row.seq,
        issued_at=row.issued_at,
        issued_by=row.issued_by,
        pdf_sha256=row.pdf_sha256,
        posted_on=row.posted_on,
        taken_down_on=row.taken_down_on,
        supersedes=_notice_id(row.supersedes_id),
        superseded_by=_notice_id(row.superseded_by_id),
        cancelled_reason=row.cancelled_reason,
        version=row.version,
    )


def _notice_texts(row: NoticeRow) -> dict[str, str]:
    """The notice fields the log shows under their own names: 种类, 正文 (in words), 附件."""
    return {
        "notice_kind": audit_text(row.kind),
        "body_text": notice_body.body_audit_text(notice_body.body_from_json(row.body)),
        "attachments": "、".join(notice_body.strings_from_json(row.attachments)),
    }


def _notice_photo(row: NoticePhotoRow) -> NoticePhoto:
    return NoticePhoto(
        id=NoticePhotoId(row.id),
        notice_id=NoticeId(row.notice_id),
        filename=row.filename,
        taken_on=row.taken_on,
        note=row.note,
        added_by=row.added_by,
        size=row.size,
    )


def _notice_feedback(row: NoticeFeedbackRow) -> NoticeFeedback:
    return NoticeFeedback(
        id=NoticeFeedbackId(row.id),
        notice_id=NoticeId(row.notice_id),
        received_on=row.received_on,
        kind=row.kind,
        from_whom=row.from_whom,
        content=row.content,
        answer=row.answer,
        answered_on=row.answered_on,
        answered_by=row.answered_by,
        version=row.version,
    )


def _notice_settings(row: NoticeSettingsRow) -> NoticeSettings:
    return NoticeSettings(
        number_formats=notice_body.category_pairs_from_json(row.number_formats),
        period_rules=notice_body.rules_from_json(row.period_rules),
        cadences=notice_body.cadences_from_json(row.cadences),
        grace_days=row.grace_days,
        holidays=notice_body.dates_from_json(row.holidays),
        extra_workdays=notice_body.dates_from_json(row.extra_workdays),
        objection=row.objection,
        fonts=notice_body.fonts_from_json(row.fonts),
        version=row.version,
    )


def _notice_settings_texts(row: NoticeSettingsRow) -> dict[str, str]:
    """The settings kept as JSON, as the log shows them: ``村务：{类别}{种类}〔{年}〕{号}号``, ``低保7天``."""
    settings = _notice_settings(row)
    return {
        "number_formats": "；".join(f"{c.value}：{fmt}" for c, fmt in settings.number_formats),
        "period_rules": "、".join(f"{r.name}{r.days}{r.unit.value}" for r in settings.period_rules),
        "cadences": "、".join(f"{c.value}{cadence.value}" for c, cadence in settings.cadences),
        "holidays": audit_text(settings.holidays),
        "extra_workdays": audit_text(settings.extra_workdays),
        "fonts": "；".join(f"{role.value}：{path}" for role, path in settings.fonts if path),
    }


# --- the register (农户档案) and 防返贫监测 ---------------------------------------------------------------
# Record types, as the log and the messages name them.
_FILE = "农户档案"
_RESIDENT = "家庭成员"
_INCOME = "收入"
_CASE = "监测对象"
_MEASURE = "帮扶措施"
_VISIT = "走访记录"
_BENEFIT = "补助发放"
_REGISTER_SETTINGS = "防返贫设置"
_INDEX = Base.metadata.tables[RegisterIndexRow.__tablename__]
_HISTORY_CHUNK = 500  # ids per IN (…): well under every backend's limit on bound parameters
_RISK_SEPARATOR = "、"
_INCOME_PARTS = (
    ("wages", "工资性收入"),
    ("business", "经营性收入"),
    ("assets", "财产性收入"),
    ("transfer", "转移性收入"),
    ("production_costs", "生产经营性支出"),
    ("medical_costs", "自付医疗费用"),
)
# The index column each table column sorts by (GROUP and RISKS have their own rule).
_SORT_COLUMNS: dict[RegisterColumn, str] = {
    RegisterColumn.NUMBER: "number_key",
    RegisterColumn.HEAD: "head_name",
    RegisterColumn.CATEGORY: "category",
    RegisterColumn.MEMBERS: "members",
    RegisterColumn.PER_PERSON: "per_person",
    RegisterColumn.CASE: "case_status",
    RegisterColumn.PHONE: "phone",
    RegisterColumn.HELPER: "helper_name",
    RegisterColumn.SHEEP: "sheep",
    RegisterColumn.CATTLE: "cattle",
    RegisterColumn.LAND: "land",
    RegisterColumn.BEET: "beet_area",
    RegisterColumn.NEXT_VISIT: "next_visit",
    RegisterColumn.ADDRESS: "address",
}
_NULLABLE_SORTS = frozenset({RegisterColumn.GROUP, RegisterColumn.PER_PERSON, RegisterColumn.NEXT_VISIT})


def _area(value: Decimal) -> Decimal:
    """An area to the hundredth (of a 亩 or a square metre), as stored."""
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _household_summary(row: HouseholdRow) -> str:
    return f"{row.number} {row.head_name}"


def _person_values(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "id_number": person.id_number,
        "phone": person.phone,
        "group_id": person.group_id,
        "knows_accounting": person.knows_accounting,
        "note": person.note,
    }


def _insert_with_new_ids(session: Session, model: type[RecordRow], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in bulk under ids taken first; the ids in the order of ``rows``.

    Taking the ids first (PostgreSQL: from the column's sequence; SQLite: after
    the highest, under the write lock every writer holds) lets the rows go in
    as a plain executemany, several times faster than INSERT … RETURNING in
    input order on PostgreSQL.
    """
    if not rows:
        return []
    table = Base.metadata.tables[model.__tablename__]
    if session.get_bind().dialect.name == "postgresql":
        statement = sa.text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        ids = [int(i) for i in session.scalars(statement, {"table": table.name, "n": len(rows)})]
    else:
        last = session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))) or 0
        ids = list(range(last + 1, last + 1 + len(rows)))
    session.execute(sa.insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def _file_values(file: HouseholdFile) -> dict[str, Any]:
    return {
        "address": file.address,
        "phone": file.phone,
        "category": file.category,
        "helper_name": file.helper_name,
        "bank_name": file.bank_name,
        "bank_account": file.bank_account,
        "housing_structure": file.housing_structure,
        "housing_area": _area(file.housing_area) if file.housing_area is not None else None,
        "housing_level": file.housing_level,
        "housing_appraised_year": file.housing_appraised_year,
        "housing_renovated": file.housing_renovated,
        "safe_water": file.safe_water,
        "land_contracted": _area(file.land_contracted),
        "land_out": _area(file.land_out),
        "land_in": _area(file.land_in),
        "ewes": file.ewes,
        "cows": file.cows,
        "fattening_sheep": file.fattening_sheep,
        "fattening_cattle": file.fattening_cattle,
        "sheep_sold": file.sheep_sold,
        "cattle_sold": file.cattle_sold,
        "beet_area": _area(file.beet_area),
        "other_crops": file.other_crops,
        "loans": register_body.loans_to_json(file.loans),
        "note": file.note,
    }


def _file_texts(row: HouseholdFileRow) -> dict[str, str]:
    return {
        "household_category": row.category,
        "loans": register_body.loans_text(register_body.loans_from_json(row.loans)),
    }


def _household_file(row: HouseholdFileRow) -> HouseholdFile:
    return HouseholdFile(
        household_id=HouseholdId(row.household_id),
        address=row.address,
        phone=row.phone,
        category=row.category,
        helper_name=row.helper_name,
        bank_name=row.bank_name,
        bank_account=row.bank_account,
        housing_structure=row.housing_structure,
        housing_area=row.housing_area,
        housing_level=row.housing_level,
        housing_appraised_year=row.housing_appraised_year,
        housing_renovated=row.housing_renovated,
        safe_water=row.safe_water,
        land_contracted=row.land_contracted,
        land_out=row.land_out,
        land_in=row.land_in,
        ewes=row.ewes,
        cows=row.cows,
        fattening_sheep=row.fattening_sheep,
        fattening_cattle=row.fattening_cattle,
        sheep_sold=row.sheep_sold,
        cattle_sold=row.cattle_sold,
        beet_area=row.beet_area,
        other_crops=row.other_crops,
        loans=register_body.loans_from_json(row.loans),
        note=row.note,
        version=row.version,
    )


def _resident_values(resident: Resident) -> dict[str, Any]:
    return {
        "relation": resident.relation,
        "education": resident.education,
        "school_stage": resident.school_stage,
        "health": resident.health,
        "illness": resident.illness,
        "disability_category": resident.disability_category,
        "disability_grade": resident.disability_grade,
        "disability_card": resident.disability_card,
        "labour": resident.labour,
        "work_place": resident.work_place,
        "work_months": resident.work_months,
        "medical_insurance": resident.medical_insurance,
        "pension_insurance": resident.pension_insurance,
        "status": resident.status,
        "status_on": resident.status_on,
        "status_reason": resident.status_reason,
        "joined_on": resident.joined_on,
    }


def _resident(row: ResidentRow) -> Resident:
    return Resident(
        person_id=PersonId(row.person_id),
        household_id=HouseholdId(row.household_id),
        relation=row.relation,
        education=row.education,
        school_stage=row.school_stage,
        health=row.health,
        illness=row.illness,
        disability_category=row.disability_category,
        disability_grade=row.disability_grade,
        disability_card=row.disability_card,
        labour=row.labour,
        work_place=row.work_place,
        work_months=row.work_months,
        medical_insurance=row.medical_insurance,
        pension_insurance=row.pension_insurance,
        status=row.status,
        status_on=row.status_on,
        status_reason=row.status_reason,
        joined_on=row.joined_on,
        version=row.version,
    )


def _income(row: IncomeRow) -> IncomeRecord:
    return IncomeRecord(
        household_id=HouseholdId(row.household_id),
        year=row.year,
        wages=row.wages,
        business=row.business,
        assets=row.assets,
        transfer=row.transfer,
        production_costs=row.production_costs,
        medical_costs=row.medical_costs,
        note=row.note,
        version=row.version,
    )


def _case(row: MonitoringCaseRow) -> MonitoringCase:
    return MonitoringCase(
        id=CaseId(row.id),
        household_id=HouseholdId(row.household_id),
        source=row.source,
        risk_types=tuple(row.risk_types.split(_RISK_SEPARATOR)) if row.risk_types else (),
        identified_on=row.identified_on,
        situation=row.situation,
        identification_notice_id=_notice_id(row.identification_notice_id),
        township_reviewed_on=row.township_reviewed_on,
        county_approved_on=row.county_approved_on,
        rejected_reason=row.rejected_reason,
        stable_since=row.stable_since,
        elimination_notice_id=_notice_id(row.elimination_notice_id),
        eliminated_on=row.eliminated_on,
        relapse_of=CaseId(row.relapse_of_id) if row.relapse_of_id is not None else None,
        version=row.version,
    )


def _measure(row: MeasureRow) -> Measure:
    return Measure(
        id=MeasureId(row.id),
        case_id=CaseId(row.case_id),
        kind=row.kind,
        what=row.what,
        started_on=row.started_on,
        amount=row.amount,
        cancelled_reason=row.cancelled_reason,
        version=row.version,
    )


def _visit(row: VisitRow) -> Visit:
    return Visit(
        id=VisitId(row.id),
        household_id=HouseholdId(row.household_id),
        visited_on=row.visited_on,
        visitor=row.visitor,
        found=row.found,
        next_on=row.next_on,
        cancelled_reason=row.cancelled_reason,
        version=row.version,
    )


def _benefit(row: BenefitRow) -> Benefit:
    return Benefit(
        id=BenefitId(row.id),
        household_id=HouseholdId(row.household_id),
        kind=row.kind,
        paid_on=row.paid_on,
        amount=row.amount,
        source=row.source,
        person_id=PersonId(row.person_id) if row.person_id is not None else None,
        note=row.note,
        cancelled_reason=row.cancelled_reason,
        version=row.version,
    )


def _register_settings(row: RegisterSettingsRow) -> RegisterSettings:
    return RegisterSettings(
        categories=register_body.strings_from_json(row.categories),
        monitoring=register_body.monitoring_from_json(row.monitoring),
        targets=register_body.targets_from_json(row.targets),
        visit_interval_days=row.visit_interval_days,
        education_subsidies=register_body.subsidies_from_json(row.education_subsidies),
        rain_and_dew=row.rain_and_dew,
        version=row.version,
    )


def _register_settings_texts(row: RegisterSettingsRow) -> dict[str, str]:
    """The settings kept as JSON, as the log shows them: ``2021年6000元``, ``小学1800元``, ``6—15``."""
    settings = _register_settings(row)
    monitoring = settings.monitoring
    texts = {
        "categories": "、".join(settings.categories),
        "monitoring_lines": "、".join(f"{year}年{line}元" for year, line in monitoring.lines),
        "watch_level": audit_text(monitoring.watch_level),
        "drop_share": audit_text(monitoring.drop_share),
        "medical_share": audit_text(monitoring.medical_share),
        "medical_amount": audit_text(monitoring.medical_amount),
        "school_ages": "{}—{}周岁".format(*monitoring.school_ages),
        "working_ages": "{}—{}周岁".format(*monitoring.working_ages),
        "stable_months": audit_text(monitoring.stable_months),
        "min_months_in_monitoring": audit_text(monitoring.min_months_in_monitoring),
    }
    for field in dataclasses.fields(settings.targets):
        texts[f"target_{field.name}"] = audit_text(getattr(settings.targets, field.name))
    texts["education_subsidies"] = "、".join(
        f"{stage.value}{amount}元" for stage, amount in settings.education_subsidies
    )
    return texts


def _line_values(line: RegisterLine) -> dict[str, Any]:
    return {
        "household_id": line.household_id,
        "number": line.number,
        "number_key": register_body.number_key(line.number),
        "group_id": line.group_id,
        "group_name": line.group_name,
        "head_name": line.head_name,
        "category": line.category,
        "members": line.members,
        "per_person": _area(line.per_person) if line.per_person is not None else None,
        "income_year": line.income_year,
        "risks": f",{','.join(line.risks)}," if line.risks else "",
        "case_status": line.case_status,
        "phone": line.phone,
        "helper_name": line.helper_name,
        "sheep": line.sheep,
        "cattle": line.cattle,
        "land": _area(line.land),
        "beet_area": _area(line.beet_area),
        "next_visit": line.next_visit,
        "address": line.address,
        "closed": line.closed,
        "search": line.search,
        "risk_reasons": "\n".join(line.risk_reasons),
        "computed_on": line.computed_on,
    }


def _register_line(row: sa.Row[Any]) -> RegisterLine:
    r = row._mapping
    return RegisterLine(
        household_id=HouseholdId(r["household_id"]),
        number=r["number"],
        group_id=GroupId(r["group_id"]) if r["group_id"] is not None else None,
        group_name=r["group_name"],
        head_name=r["head_name"],
        category=r["category"],
        members=r["members"],
        per_person=r["per_person"],
        income_year=r["income_year"],
        risks=tuple(r["risks"].strip(",").split(",")) if r["risks"] else (),
        case_status=r["case_status"],
        phone=r["phone"],
        helper_name=r["helper_name"],
        sheep=r["sheep"],
        cattle=r["cattle"],
        land=r["land"],
        beet_area=r["beet_area"],
        next_visit=r["next_visit"],
        address=r["address"],
        closed=r["closed"],
        search=r["search"],
        risk_reasons=tuple(r["risk_reasons"].split("\n")) if r["risk_reasons"] else (),
        computed_on=r["computed_on"],
    )


def _register_conditions(table: sa.Table, query: RegisterFilter) -> list[sa.ColumnElement[bool]]:
    """The WHERE of ``register_page``: every filter the clerk set, all of them at once."""
    conditions: list[sa.ColumnElement[bool]] = []
    if not query.include_closed:
        conditions.append(table.c.closed.is_(False))
    if normalize_query(query.text):
        conditions.append(table.c.search.like(like_pattern(query.text), escape=LIKE_ESCAPE))
    if query.group_id is not None:
        conditions.append(table.c.group_id == query.group_id)
    if query.category:
        conditions.append(table.c.category == query.category)
    if query.at_risk:
        conditions.append(table.c.risks != "")
    if query.risk:
        conditions.append(table.c.risks.like(f"%,{_escape_like(query.risk)},%", escape=LIKE_ESCAPE))
    if query.case_status == OPEN_CASE:
        conditions.append(table.c.case_status.in_(sorted(s.value for s in OPEN_STATUSES)))
    elif query.case_status:
        conditions.append(table.c.case_status == query.case_status)
    return conditions
