"""The register (农户档案) and 防止返贫动态监测: files, residents, incomes, cases, measures, visits, benefits.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10

Written by hand against ``db/models.py``; the drift test keeps them equal.
Only new tables and indexes: a database from 0003 has households and people
but no files or residents yet (the register starts empty beside the roster),
its settings row appears with the first save of the register settings, and
the index fills as the service writes lines. Money and areas are integer
hundredths (分, 1/100 亩); the audit log gains an index on (record type,
record id) for a household's history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_ENUM = sa.String(length=20)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=False)


def _long_text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=False)


def _enum(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, _ENUM, nullable=nullable)


def _date(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.Date(), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _hundredths(name: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def _household_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["household_id"], ["households.id"], name=op.f(f"fk_{table}_household_id_households")
    )


def upgrade() -> None:
    op.create_table(
        "household_files",
        sa.Column("household_id", sa.Integer(), autoincrement=False, nullable=False),
        _text("address"),
        _text("phone"),
        _text("category"),
        _text("helper_name"),
        _text("bank_name"),
        _text("bank_account"),
        _text("housing_structure"),
        _hundredths("housing_area", nullable=True),
        _enum("housing_level", nullable=True),
        _int("housing_appraised_year", nullable=True),
        _text("housing_renovated"),
        sa.Column("safe_water", sa.Boolean(), nullable=True),
        _hundredths("land_contracted"),
        _hundredths("land_out"),
        _hundredths("land_in"),
        _int("ewes"),
        _int("cows"),
        _int("fattening_sheep"),
        _int("fattening_cattle"),
        _int("sheep_sold"),
        _int("cattle_sold"),
        _hundredths("beet_area"),
        _text("other_crops"),
        _long_text("loans"),
        _long_text("note"),
        _version(),
        _household_fk("household_files"),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_household_files")),
    )
    op.create_index(op.f("ix_household_files_category"), "household_files", ["category"])

    op.create_table(
        "residents",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        _int("household_id"),
        _text("relation"),
        _enum("education"),
        _enum("school_stage", nullable=True),
        _enum("health"),
        _text("illness"),
        _enum("disability_category", nullable=True),
        _int("disability_grade", nullable=True),
        _text("disability_card"),
        _enum("labour"),
        _text("work_place"),
        _int("work_months"),
        sa.Column("medical_insurance", sa.Boolean(), nullable=False),
        sa.Column("pension_insurance", sa.Boolean(), nullable=False),
        _enum("status"),
        _date("status_on"),
        _text("status_reason"),
        _date("joined_on"),
        _version(),
        _household_fk("residents"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_residents_person_id_people")),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_residents")),
    )
    op.create_index(op.f("ix_residents_household_id"), "residents", ["household_id"])
    op.create_index(op.f("ix_residents_status"), "residents", ["status"])

    op.create_table(
        "incomes",
        sa.Column("id", sa.Integer(), nullable=False),
        _int("household_id"),
        _int("year"),
        _hundredths("wages"),
        _hundredths("business"),
        _hundredths("assets"),
        _hundredths("transfer"),
        _hundredths("production_costs"),
        _hundredths("medical_costs"),
        _text("note"),
        _version(),
        _household_fk("incomes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incomes")),
        sa.UniqueConstraint("household_id", "year", name=op.f("uq_incomes_household_id")),
    )

    op.create_table(
        "monitoring_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        _int("household_id"),
        _enum("source"),
        _text("risk_types"),
        _date("identified_on", nullable=False),
        _long_text("situation"),
        _int("identification_notice_id", nullable=True),
        _date("township_reviewed_on"),
        _date("county_approved_on"),
        _text("rejected_reason"),
        _date("stable_since"),
        _int("elimination_notice_id", nullable=True),
        _date("eliminated_on"),
        _int("relapse_of_id", nullable=True),
        _version(),
        _household_fk("monitoring_cases"),
        sa.ForeignKeyConstraint(
            ["identification_notice_id"],
            ["notices.id"],
            name=op.f("fk_monitoring_cases_identification_notice_id_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["elimination_notice_id"],
            ["notices.id"],
            name=op.f("fk_monitoring_cases_elimination_notice_id_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["relapse_of_id"],
            ["monitoring_cases.id"],
            name=op.f("fk_monitoring_cases_relapse_of_id_monitoring_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_cases")),
    )
    op.create_index(op.f("ix_monitoring_cases_household_id"), "monitoring_cases", ["household_id"])

    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        _int("case_id"),
        _enum("kind"),
        _long_text("what"),
        _date("started_on", nullable=False),
        _hundredths("amount", nullable=True),
        _text("cancelled_reason"),
        _version(),
        sa.ForeignKeyConstraint(
            ["case_id"], ["monitoring_cases.id"], name=op.f("fk_measures_case_id_monitoring_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    op.create_index(op.f("ix_measures_case_id"), "measures", ["case_id"])

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        _int("household_id"),
        _date("visited_on", nullable=False),
        _text("visitor"),
        _long_text("found"),
        _date("next_on"),
        _text("cancelled_reason"),
        _version(),
        _household_fk("visits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(op.f("ix_visits_household_id"), "visits", ["household_id"])

    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        _int("household_id"),
        _text("kind"),
        _date("paid_on", nullable=False),
        _hundredths("amount"),
        _text("source"),
        _int("person_id", nullable=True),
        _text("note"),
        _text("cancelled_reason"),
        _version(),
        _household_fk("benefits"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_benefits_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefits")),
    )
    op.create_index(op.f("ix_benefits_household_id"), "benefits", ["household_id"])

    op.create_table(
        "register_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _long_text("categories"),
        _long_text("monitoring"),
        _long_text("targets"),
        _int("visit_interval_days"),
        _long_text("education_subsidies"),
        _hundredths("rain_and_dew"),
        _version(),
        sa.CheckConstraint("id = 1", name=op.f("ck_register_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_settings")),
    )

    op.create_table(
        "register_index",
        sa.Column("household_id", sa.Integer(), autoincrement=False, nullable=False),
        _text("number"),
        _text("number_key"),
        _int("group_id", nullable=True),
        _text("group_name"),
        _text("head_name"),
        _text("category"),
        _int("members"),
        _hundredths("per_person", nullable=True),
        _int("income_year", nullable=True),
        _text("risks"),
        _enum("case_status"),
        _text("phone"),
        _text("helper_name"),
        _int("sheep"),
        _int("cattle"),
        _hundredths("land"),
        _hundredths("beet_area"),
        _date("next_visit"),
        _text("address"),
        sa.Column("closed", sa.Boolean(), nullable=False),
        _long_text("search"),
        _long_text("risk_reasons"),
        _date("computed_on"),
        _household_fk("register_index"),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_register_index")),
    )
    op.create_index(op.f("ix_register_index_number_key"), "register_index", ["number_key"])
    op.create_index("ix_register_index_closed_number_key", "register_index", ["closed", "number_key"])
    op.create_index(op.f("ix_register_index_group_id"), "register_index", ["group_id"])
    op.create_index(op.f("ix_register_index_category"), "register_index", ["category"])
    op.create_index(op.f("ix_register_index_case_status"), "register_index", ["case_status"])
    op.create_index(op.f("ix_register_index_computed_on"), "register_index", ["computed_on"])

    op.create_index("ix_audit_log_record", "audit_log", ["record_type", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_record", table_name="audit_log")
    for table in (
        "register_index",
        "register_settings",
        "benefits",
        "visits",
        "measures",
        "monitoring_cases",
        "incomes",
        "residents",
        "household_files",
    ):
        op.drop_table(table)
