"""Tables: one per record type of the core, plus the representative↔household link.

Rows never leave ``db``: ``db.storage`` maps them to the frozen records of
``village_desk``. Column names follow the record fields (a foreign key gets an
``_id`` suffix). Every record table carries ``version`` for optimistic
concurrency: an UPDATE matches the version the record was read with and sets
the next one (SQLAlchemy's ``version_id_col``, the counter kept by us so that
every save bumps it). Nothing is deleted: records close with a reason.

Enums are stored as their Chinese values (``村民委员会``, ``预备党员``, ``配偶``)
in plain VARCHAR columns, so the file reads well in any SQLite browser and a
new member needs no schema change. Constraint names come from
``NAMING_CONVENTION`` so that migrations (SQLite batch mode) can name them.

A change here needs a migration in ``db/migrations/versions``; the drift test
compares the two.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from village_desk.cases import CaseSource, MeasureKind
from village_desk.monitoring import Health, HousingLevel, Labour, SchoolStage
from village_desk.notices import (
    FeedbackKind,
    NoticeCategory,
    NoticeKind,
    NoticeStatus,
    PaperChoice,
    PeriodUnit,
    SealPosition,
)
from village_desk.register import DisabilityCategory, Education, ResidentStatus
from village_desk.roster import Body, KinshipKind, PartyStatus

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ENUM_LENGTH = 20


def _enum_column_type(enum_class: type[enum.StrEnum]) -> sa.Enum:
    # The Chinese value, not the member name, goes into the column; no CHECK constraint,
    # so a later version may add members without rebuilding SQLite tables.
    return sa.Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=ENUM_LENGTH,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        str: sa.String(),
        dt.date: sa.Date(),
        Body: _enum_column_type(Body),
        PartyStatus: _enum_column_type(PartyStatus),
        KinshipKind: _enum_column_type(KinshipKind),
        NoticeCategory: _enum_column_type(NoticeCategory),
        NoticeKind: _enum_column_type(NoticeKind),
        NoticeStatus: _enum_column_type(NoticeStatus),
        PeriodUnit: _enum_column_type(PeriodUnit),
        SealPosition: _enum_column_type(SealPosition),
        PaperChoice: _enum_column_type(PaperChoice),
        FeedbackKind: _enum_column_type(FeedbackKind),
        Education: _enum_column_type(Education),
        SchoolStage: _enum_column_type(SchoolStage),
        Health: _enum_column_type(Health),
        DisabilityCategory: _enum_column_type(DisabilityCategory),
        Labour: _enum_column_type(Labour),
        ResidentStatus: _enum_column_type(ResidentStatus),
        HousingLevel: _enum_column_type(HousingLevel),
        CaseSource: _enum_column_type(CaseSource),
        MeasureKind: _enum_column_type(MeasureKind),
    }


class Hundredths(sa.types.TypeDecorator[Decimal]):
    """A ``Decimal`` kept as an integer count of hundredths: money in 分, areas in 1/100 亩 or m².

    Exact on both backends (no float, no ``Numeric`` on SQLite); reads back
    with two decimal places (``Decimal("1200.00")``). A value with a finer
    part is a bug of the caller (storage quantizes or refuses first).
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: sa.Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(2)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has a part finer than a hundredth")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-2)


class VersionedRow(Base):
    """What every record table has: the ``version`` checked on UPDATE (the key is the table's own)."""

    __abstract__ = True

    version: Mapped[int] = mapped_column(nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class RecordRow(VersionedRow):
    """A record with an integer ``id`` of its own."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)


class VillageProfileRow(RecordRow):
    """本村信息: exactly one row, ``id`` 1."""

    __tablename__ = "village_profile"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, sort_order=-1)
    name: Mapped[str]
    kind: Mapped[str]
    township: Mapped[str]
    township_kind: Mapped[str]
    county: Mapped[str]
    county_kind: Mapped[str]
    city: Mapped[str]
    city_kind: Mapped[str]
    org_name: Mapped[str]
    uscc: Mapped[str]
    address: Mapped[str]
    supervision_phone: Mapped[str]
    complaint_phone: Mapped[str]
    seal_committee: Mapped[str]
    seal_party: Mapped[str]
    seal_org: Mapped[str]
    seal_supervision: Mapped[str]


class VillageGroupRow(RecordRow):
    """村民小组. Numbers are not unique: a closed group's number may be given again."""

    __tablename__ = "village_groups"

    number: Mapped[int] = mapped_column(index=True)
    name: Mapped[str]
    leader_name: Mapped[str]
    note: Mapped[str]
    closed_reason: Mapped[str]


class PersonRow(RecordRow):
    __tablename__ = "people"

    name: Mapped[str] = mapped_column(index=True)
    gender: Mapped[str]
    ethnicity: Mapped[str]
    # Not unique: empty for many people; the service refuses a duplicate number.
    id_number: Mapped[str] = mapped_column(index=True)
    phone: Mapped[str]
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village_groups.id"), index=True)
    knows_accounting: Mapped[bool]
    note: Mapped[str]


class PostRow(RecordRow):
    """A post in 村党组织, 村民委员会 or 村务监督委员会 over a term."""

    __tablename__ = "posts"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    body: Mapped[Body] = mapped_column(index=True)
    role: Mapped[str]
    term_start: Mapped[dt.date]
    term_end: Mapped[dt.date | None]
    left_on: Mapped[dt.date | None]
    left_reason: Mapped[str]


class PartyMemberRow(RecordRow):
    __tablename__ = "party_members"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    status: Mapped[PartyStatus]
    joined_on: Mapped[dt.date]
    left_on: Mapped[dt.date | None]
    left_reason: Mapped[str]


class HouseholdRow(RecordRow):
    __tablename__ = "households"

    number: Mapped[str] = mapped_column(index=True)
    head_name: Mapped[str]
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village_groups.id"), index=True)
    closed_reason: Mapped[str]


class RepresentativeRow(RecordRow):
    """村民代表 over a term; the households they represent are in ``household_links``."""

    __tablename__ = "representatives"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village_groups.id"), index=True)
    term_start: Mapped[dt.date]
    term_end: Mapped[dt.date | None]
    left_on: Mapped[dt.date | None]
    left_reason: Mapped[str]

    household_links: Mapped[list[RepresentativeHouseholdRow]] = relationship(
        order_by="RepresentativeHouseholdRow.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class RepresentativeHouseholdRow(Base):
    """Which households a representative represents, in the order they were listed.

    Part of the representative's record: it has no version of its own, it is
    rewritten (under the representative's version check) when the
    representative is saved.
    """

    __tablename__ = "representative_households"

    representative_id: Mapped[int] = mapped_column(sa.ForeignKey("representatives.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), primary_key=True, index=True)
    position: Mapped[int]


class KinshipRow(RecordRow):
    """A declared close-relative tie between two people."""

    __tablename__ = "kinships"

    person_a_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    person_b_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    kind: Mapped[KinshipKind]
    ended_reason: Mapped[str]


class UserRow(RecordRow):
    """A login account. ``roles`` holds the Chinese role names joined by ``,``."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(unique=True)
    display_name: Mapped[str]
    roles: Mapped[str]
    password_hash: Mapped[str]
    must_change_password: Mapped[bool]
    failed_logins: Mapped[int]
    last_failed_at: Mapped[dt.datetime | None]
    closed_reason: Mapped[str]


class OfficeSettingsRow(RecordRow):
    """Settings kept with the data: exactly one row, ``id`` 1."""

    __tablename__ = "office_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, sort_order=-1)
    idle_lock_minutes: Mapped[int]
    backup_dir: Mapped[str]


class AuditEntryRow(Base):
    """One entry of the audit trail. Never updated or deleted; ``seq`` is given, not generated.

    ``at`` is text (``YYYY-MM-DD HH:MM:SS``, local time) and ``changes`` JSON
    text, exactly what the hash was computed over, so both backends read back
    the same characters.
    """

    __tablename__ = "audit_log"
    # A record's history (the 变更记录 of a household) looks entries up by type and id.
    __table_args__ = (sa.Index("ix_audit_log_record", "record_type", "record_id"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(sa.String(19), index=True)
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(index=True)
    user_name: Mapped[str]
    action: Mapped[str] = mapped_column(sa.String(ENUM_LENGTH))
    record_type: Mapped[str] = mapped_column(index=True)
    record_id: Mapped[int | None]
    summary: Mapped[str]
    changes: Mapped[str] = mapped_column(sa.Text())
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditHeadRow(Base):
    """The number and hash of the last audit entry: one row, locked by each writer in turn."""

    __tablename__ = "audit_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))


# --- public notices (公示公告) -----------------------------------------------------------------------------


class NoticeRow(RecordRow):
    """A notice, draft or issued. ``body`` is JSON (``db.notice_body``), ``attachments`` a JSON list.

    ``created_at`` dates a draft for the year filter; an issued notice is
    filed under ``year``. ``(category, year, seq)`` is unique: drafts have no
    number (NULLs never collide), so the constraint is the last guard against
    two issued notices with one number.
    """

    __tablename__ = "notices"
    __table_args__ = (sa.UniqueConstraint("category", "year", "seq"),)

    category: Mapped[NoticeCategory] = mapped_column(index=True)
    kind: Mapped[NoticeKind]
    title: Mapped[str]
    body: Mapped[str] = mapped_column(sa.Text())
    attachments: Mapped[str] = mapped_column(sa.Text())
    period_start: Mapped[dt.date | None]
    period_end: Mapped[dt.date | None]
    period_unit: Mapped[PeriodUnit]
    period_rule: Mapped[str]
    objection: Mapped[str] = mapped_column(sa.Text())
    show_phones: Mapped[bool]
    issuer: Mapped[str]
    issue_date: Mapped[dt.date | None]
    seal: Mapped[SealPosition]
    letterhead: Mapped[bool]
    paper: Mapped[PaperChoice]
    source: Mapped[str]
    status: Mapped[NoticeStatus] = mapped_column(index=True)
    number: Mapped[str]
    year: Mapped[int | None] = mapped_column(index=True)
    seq: Mapped[int | None]
    issued_at: Mapped[dt.datetime | None]
    issued_by: Mapped[str]
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    posted_on: Mapped[dt.date | None]
    taken_down_on: Mapped[dt.date | None]
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"))
    cancelled_reason: Mapped[str]
    created_at: Mapped[dt.datetime] = mapped_column(index=True)


class NoticePdfRow(Base):
    """The PDF of an issued notice, exactly as issued: written once, never updated."""

    __tablename__ = "notice_pdfs"

    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary())


class NoticePhotoRow(RecordRow):
    """A photo of a notice on the board; ``data`` is loaded only when asked for."""

    __tablename__ = "notice_photos"

    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    filename: Mapped[str]
    taken_on: Mapped[dt.date | None]
    note: Mapped[str]
    added_by: Mapped[str]
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary(), deferred=True)


class NoticeFeedbackRow(RecordRow):
    """An objection or enquiry about a notice, and the answer given."""

    __tablename__ = "notice_feedback"

    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    received_on: Mapped[dt.date]
    kind: Mapped[FeedbackKind]
    from_whom: Mapped[str]
    content: Mapped[str] = mapped_column(sa.Text())
    answer: Mapped[str] = mapped_column(sa.Text())
    answered_on: Mapped[dt.date | None]
    answered_by: Mapped[str]


class NoticeCounterRow(Base):
    """The last number given per category and year; locked by each issuer in turn."""

    __tablename__ = "notice_counters"

    category: Mapped[NoticeCategory] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int]


class NoticeSettingsRow(RecordRow):
    """Settings of the notice engine: exactly one row, ``id`` 1; the tuples as JSON text."""

    __tablename__ = "notice_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, sort_order=-1)
    number_formats: Mapped[str] = mapped_column(sa.Text())
    period_rules: Mapped[str] = mapped_column(sa.Text())
    cadences: Mapped[str] = mapped_column(sa.Text())
    grace_days: Mapped[int]
    holidays: Mapped[str] = mapped_column(sa.Text())
    extra_workdays: Mapped[str] = mapped_column(sa.Text())
    objection: Mapped[str] = mapped_column(sa.Text())
    fonts: Mapped[str] = mapped_column(sa.Text())


# --- the register (农户档案) and 防止返贫动态监测 ------------------------------------------------------------


class HouseholdFileRow(VersionedRow):
    """The register's file of a household: one per household, keyed by it.

    Areas are hundredths (亩, m²); ``loans`` a JSON list (``[{"kind", "amount", "bank", "due_on"}]``).
    """

    __tablename__ = "household_files"

    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("households.id"), primary_key=True, autoincrement=False
    )
    address: Mapped[str]
    phone: Mapped[str]
    category: Mapped[str] = mapped_column(index=True)
    helper_name: Mapped[str]
    bank_name: Mapped[str]
    bank_account: Mapped[str]
    housing_structure: Mapped[str]
    housing_area: Mapped[Decimal | None] = mapped_column(Hundredths())
    housing_level: Mapped[HousingLevel | None]
    housing_appraised_year: Mapped[int | None]
    housing_renovated: Mapped[str]
    safe_water: Mapped[bool | None]
    land_contracted: Mapped[Decimal] = mapped_column(Hundredths())
    land_out: Mapped[Decimal] = mapped_column(Hundredths())
    land_in: Mapped[Decimal] = mapped_column(Hundredths())
    ewes: Mapped[int]
    cows: Mapped[int]
    fattening_sheep: Mapped[int]
    fattening_cattle: Mapped[int]
    sheep_sold: Mapped[int]
    cattle_sold: Mapped[int]
    beet_area: Mapped[Decimal] = mapped_column(Hundredths())
    other_crops: Mapped[str]
    loans: Mapped[str] = mapped_column(sa.Text())
    note: Mapped[str] = mapped_column(sa.Text())


class ResidentRow(VersionedRow):
    """A person's membership of a household: one per person (the household it is in now)."""

    __tablename__ = "residents"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), primary_key=True, autoincrement=False)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), index=True)
    relation: Mapped[str]
    education: Mapped[Education]
    school_stage: Mapped[SchoolStage | None]
    health: Mapped[Health]
    illness: Mapped[str]
    disability_category: Mapped[DisabilityCategory | None]
    disability_grade: Mapped[int | None]
    disability_card: Mapped[str]
    labour: Mapped[Labour]
    work_place: Mapped[str]
    work_months: Mapped[int]
    medical_insurance: Mapped[bool]
    pension_insurance: Mapped[bool]
    status: Mapped[ResidentStatus] = mapped_column(index=True)
    status_on: Mapped[dt.date | None]
    status_reason: Mapped[str]
    joined_on: Mapped[dt.date | None]


class IncomeRow(RecordRow):
    """A household's income of one year, in 分; one row per household and year."""

    __tablename__ = "incomes"
    __table_args__ = (sa.UniqueConstraint("household_id", "year"),)  # also the household's index

    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"))
    year: Mapped[int]
    wages: Mapped[Decimal] = mapped_column(Hundredths())
    business: Mapped[Decimal] = mapped_column(Hundredths())
    assets: Mapped[Decimal] = mapped_column(Hundredths())
    transfer: Mapped[Decimal] = mapped_column(Hundredths())
    production_costs: Mapped[Decimal] = mapped_column(Hundredths())
    medical_costs: Mapped[Decimal] = mapped_column(Hundredths())
    note: Mapped[str]


class MonitoringCaseRow(RecordRow):
    """A 防返贫监测 case; ``risk_types`` the chosen types joined by ``、``. Its status derives from its dates."""

    __tablename__ = "monitoring_cases"

    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), index=True)
    source: Mapped[CaseSource]
    risk_types: Mapped[str]
    identified_on: Mapped[dt.date]
    situation: Mapped[str] = mapped_column(sa.Text())
    identification_notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"))
    township_reviewed_on: Mapped[dt.date | None]
    county_approved_on: Mapped[dt.date | None]
    rejected_reason: Mapped[str]
    stable_since: Mapped[dt.date | None]
    elimination_notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"))
    eliminated_on: Mapped[dt.date | None]
    relapse_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("monitoring_cases.id"))


class MeasureRow(RecordRow):
    """A 帮扶措施 of a case; ``amount`` in 分, NULL when it is not money."""

    __tablename__ = "measures"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("monitoring_cases.id"), index=True)
    kind: Mapped[MeasureKind]
    what: Mapped[str] = mapped_column(sa.Text())
    started_on: Mapped[dt.date]
    amount: Mapped[Decimal | None] = mapped_column(Hundredths())
    cancelled_reason: Mapped[str]


class VisitRow(RecordRow):
    """A 走访记录 of a household."""

    __tablename__ = "visits"

    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), index=True)
    visited_on: Mapped[dt.date]
    visitor: Mapped[str]
    found: Mapped[str] = mapped_column(sa.Text())
    next_on: Mapped[dt.date | None]
    cancelled_reason: Mapped[str]


class BenefitRow(RecordRow):
    """Money paid to a household or one of its members, in 分."""

    __tablename__ = "benefits"

    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), index=True)
    kind: Mapped[str]
    paid_on: Mapped[dt.date]
    amount: Mapped[Decimal] = mapped_column(Hundredths())
    source: Mapped[str]
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    note: Mapped[str]
    cancelled_reason: Mapped[str]


class RegisterSettingsRow(RecordRow):
    """Settings of the register and the monitoring: exactly one row, ``id`` 1; the groups as JSON text."""

    __tablename__ = "register_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, sort_order=-1)
    categories: Mapped[str] = mapped_column(sa.Text())
    monitoring: Mapped[str] = mapped_column(sa.Text())
    targets: Mapped[str] = mapped_column(sa.Text())
    visit_interval_days: Mapped[int]
    education_subsidies: Mapped[str] = mapped_column(sa.Text())
    rain_and_dew: Mapped[Decimal] = mapped_column(Hundredths())


class RegisterIndexRow(Base):
    """The register's index: one line per household as the table shows and searches it (derived data).

    Rewritten by the service after every change to a household; not a record
    (no version, not audited). ``number_key`` sorts 户号 naturally (2 before
    10) in any collation: it holds only the characters 0-9 and a-f.
    ``risks`` is ``,kind,kind,`` (empty when none), so one kind is found
    with ``LIKE '%,kind,%'``.
    """

    __tablename__ = "register_index"
    __table_args__ = (sa.Index("ix_register_index_closed_number_key", "closed", "number_key"),)

    household_id: Mapped[int] = mapped_column(
        sa.ForeignKey("households.id"), primary_key=True, autoincrement=False
    )
    number: Mapped[str]
    number_key: Mapped[str] = mapped_column(index=True)
    group_id: Mapped[int | None] = mapped_column(index=True)
    group_name: Mapped[str]
    head_name: Mapped[str]
    category: Mapped[str] = mapped_column(index=True)
    members: Mapped[int]
    per_person: Mapped[Decimal | None] = mapped_column(Hundredths())
    income_year: Mapped[int | None]
    risks: Mapped[str]
    case_status: Mapped[str] = mapped_column(sa.String(ENUM_LENGTH), index=True)
    phone: Mapped[str]
    helper_name: Mapped[str]
    sheep: Mapped[int]
    cattle: Mapped[int]
    land: Mapped[Decimal] = mapped_column(Hundredths())
    beet_area: Mapped[Decimal] = mapped_column(Hundredths())
    next_visit: Mapped[dt.date | None]
    address: Mapped[str]
    closed: Mapped[bool]
    search: Mapped[str] = mapped_column(sa.Text())
    risk_reasons: Mapped[str] = mapped_column(sa.Text())  # one sentence per line, in the order of ``risks``
    computed_on: Mapped[dt.date | None] = mapped_column(index=True)
