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
from village_desk.ledger import AccountClass, AuxKind, Correction, Origin, Side, VoucherStatus
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
        AccountClass: _enum_column_type(AccountClass),
        Side: _enum_column_type(Side),
        AuxKind: _enum_column_type(AuxKind),
        VoucherStatus: _enum_column_type(VoucherStatus),
        Correction: _enum_column_type(Correction),
        Origin: _enum_column_type(Origin),
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


# --- the collective's books (集体财务) ----------------------------------------------------------------------


class LedgerBookRow(RecordRow):
    """A book (账套). ``voucher_types`` and ``grants`` are JSON text (``db.ledger_store``); the start and
    the last closed month are (year, month) pairs, the closed month NULL until the first close."""

    __tablename__ = "ledger_book"

    name: Mapped[str]
    code: Mapped[str] = mapped_column(unique=True)
    start_year: Mapped[int]
    start_month: Mapped[int]
    voucher_types: Mapped[str] = mapped_column(sa.Text())
    closed_year: Mapped[int | None]
    closed_month: Mapped[int | None]
    grants: Mapped[str] = mapped_column(sa.Text())
    cashier_name: Mapped[str]
    income_target: Mapped[Decimal] = mapped_column(Hundredths())
    lines_per_form: Mapped[int]
    closed_reason: Mapped[str]


class LedgerAccountRow(RecordRow):
    """A 会计科目 of a book; ``code`` unique within the book (also the book's index)."""

    __tablename__ = "ledger_account"
    __table_args__ = (sa.UniqueConstraint("book_id", "code"),)

    book_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_book.id"))
    code: Mapped[str]
    name: Mapped[str]
    account_class: Mapped[AccountClass]
    side: Mapped[Side]
    aux: Mapped[AuxKind]
    disabled_reason: Mapped[str]


class LedgerAuxItemRow(RecordRow):
    """A 往来单位/个人 or 项目 of a book (辅助核算)."""

    __tablename__ = "ledger_aux_item"
    __table_args__ = (sa.Index("ix_ledger_aux_item_book_kind", "book_id", "kind", "code"),)

    book_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_book.id"))
    kind: Mapped[AuxKind]
    code: Mapped[str]
    name: Mapped[str]
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("households.id"))
    note: Mapped[str]
    disabled_reason: Mapped[str]


class LedgerOpeningRow(Base):
    """A leaf account's (and item's) opening balance in 分, debit positive.

    Part of the book's opening sheet, replaced as a whole (``replace_openings``,
    logged as one 变动 entry): no version of its own.
    """

    __tablename__ = "ledger_opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_book.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_account.id"), index=True)
    aux_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_aux_item.id"))
    amount: Mapped[Decimal] = mapped_column(Hundredths())


class LedgerVoucherRow(RecordRow):
    """A 记账凭证. Numbers are unique per book, month and type (NULL before numbering never collides);
    the unique index in (book, year, month, type, number) order also serves the voucher list and
    ``next_voucher_number``. ``summary`` (the first line's 摘要) and ``amount`` (the debit total)
    are kept for the list."""

    __tablename__ = "ledger_voucher"
    __table_args__ = (
        sa.UniqueConstraint("book_id", "year", "month", "type_code", "number"),
        sa.Index("ix_ledger_voucher_book_date", "book_id", "date"),
    )

    book_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_book.id"))
    type_code: Mapped[str]
    year: Mapped[int]
    month: Mapped[int]
    number: Mapped[int | None]
    date: Mapped[dt.date]
    attachments: Mapped[int]
    status: Mapped[VoucherStatus]
    summary: Mapped[str]
    amount: Mapped[Decimal] = mapped_column(Hundredths())
    prepared_by: Mapped[str]
    prepared_by_id: Mapped[int | None]
    reviewed_by: Mapped[str]
    reviewed_by_id: Mapped[int | None]
    reviewed_at: Mapped[dt.datetime | None]
    posted_by: Mapped[str]
    posted_at: Mapped[dt.datetime | None]
    void_reason: Mapped[str]
    correction: Mapped[Correction]
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_voucher.id"), index=True)
    origin: Mapped[Origin]


class LedgerVoucherLineRow(Base):
    """A line of a voucher, in 分; part of the voucher's record (rewritten under its version check).

    ``book_id``, ``date``, ``type_code``, ``number`` and ``status`` are the voucher's, copied so that
    a book of account (明细账, 日记账) reads one index: (account, status, date, type, number, line), which
    also holds the amounts, so running balances and sums over a range never visit the table.
    """

    __tablename__ = "ledger_voucher_line"
    __table_args__ = (
        sa.UniqueConstraint("voucher_id", "line_no"),
        sa.Index(
            "ix_ledger_voucher_line_account",
            "account_id",
            "status",
            "date",
            "type_code",
            "number",
            "line_no",
            "debit",
            "credit",
        ),
        sa.Index("ix_ledger_voucher_line_aux", "aux_id", "status", "date"),
        sa.Index("ix_ledger_voucher_line_book_summary", "book_id", "summary"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_voucher.id"))
    line_no: Mapped[int]
    summary: Mapped[str]
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_account.id"))
    aux_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_aux_item.id"))
    debit: Mapped[Decimal] = mapped_column(Hundredths())
    credit: Mapped[Decimal] = mapped_column(Hundredths())
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_book.id"))
    date: Mapped[dt.date]
    type_code: Mapped[str]
    number: Mapped[int | None]
    status: Mapped[VoucherStatus]


class LedgerMonthTotalRow(Base):
    """Posted debits and credits of a leaf account in one month, in 分 (derived data: added to when a
    voucher is posted, never by hand); ``closing``: of year-end closing vouchers."""

    __tablename__ = "ledger_month_total"
    __table_args__ = (sa.Index("ix_ledger_month_total_book_period", "book_id", "year", "month"),)

    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ledger_account.id"), primary_key=True, autoincrement=False
    )
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    closing: Mapped[bool] = mapped_column(primary_key=True, autoincrement=False)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_book.id"))
    debit: Mapped[Decimal] = mapped_column(Hundredths())
    credit: Mapped[Decimal] = mapped_column(Hundredths())


class LedgerVoucherFileRow(RecordRow):
    """A scanned 原始凭证 kept with a voucher; ``data`` is loaded only when asked for."""

    __tablename__ = "ledger_voucher_file"

    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_voucher.id"), index=True)
    filename: Mapped[str]
    size: Mapped[int]
    added_by: Mapped[str]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary(), deferred=True)


class LedgerBankLineRow(RecordRow):
    """A line of the bank's statement (对账单), in 分; matched to a voucher line (voucher, line number)."""

    __tablename__ = "ledger_bank_line"
    __table_args__ = (sa.Index("ix_ledger_bank_line_account_date", "account_id", "date"),)

    book_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_book.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_account.id"))
    date: Mapped[dt.date]
    summary: Mapped[str]
    deposit: Mapped[Decimal] = mapped_column(Hundredths())
    withdrawal: Mapped[Decimal] = mapped_column(Hundredths())
    reference: Mapped[str]
    matched_voucher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_voucher.id"))
    matched_line: Mapped[int | None]
