"""The first schema: village profile, groups, people, posts, party members,
households, representatives (with their households) and kinships.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Written by hand against ``db/models.py``; the drift test keeps them equal.
Enums are VARCHAR(20) holding the Chinese values; the types here are frozen
copies, not imports of the models (a migration must not change when the
models do).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_ENUM = sa.String(length=20)


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "village_profile",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        *(
            _text(name)
            for name in (
                "name",
                "kind",
                "township",
                "township_kind",
                "county",
                "county_kind",
                "city",
                "city_kind",
                "org_name",
                "uscc",
                "address",
                "supervision_phone",
                "complaint_phone",
                "seal_committee",
                "seal_party",
                "seal_org",
                "seal_supervision",
            )
        ),
        _version(),
        sa.CheckConstraint("id = 1", name=op.f("ck_village_profile_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_profile")),
    )

    op.create_table(
        "village_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _text("name"),
        _text("leader_name"),
        _text("note"),
        _text("closed_reason"),
        _version(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_groups")),
    )
    op.create_index(op.f("ix_village_groups_number"), "village_groups", ["number"])

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("name"),
        _text("gender"),
        _text("ethnicity"),
        _text("id_number"),
        _text("phone"),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("knows_accounting", sa.Boolean(), nullable=False),
        _text("note"),
        _version(),
        sa.ForeignKeyConstraint(
            ["group_id"], ["village_groups.id"], name=op.f("fk_people_group_id_village_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_name"), "people", ["name"])
    op.create_index(op.f("ix_people_id_number"), "people", ["id_number"])
    op.create_index(op.f("ix_people_group_id"), "people", ["group_id"])

    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("body", _ENUM, nullable=False),
        _text("role"),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        _text("left_reason"),
        _version(),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_posts_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_index(op.f("ix_posts_person_id"), "posts", ["person_id"])
    op.create_index(op.f("ix_posts_body"), "posts", ["body"])

    op.create_table(
        "party_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", _ENUM, nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        _text("left_reason"),
        _version(),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_party_members_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_members")),
    )
    op.create_index(op.f("ix_party_members_person_id"), "party_members", ["person_id"])

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("number"),
        _text("head_name"),
        sa.Column("group_id", sa.Integer(), nullable=True),
        _text("closed_reason"),
        _version(),
        sa.ForeignKeyConstraint(
            ["group_id"], ["village_groups.id"], name=op.f("fk_households_group_id_village_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    op.create_index(op.f("ix_households_number"), "households", ["number"])
    op.create_index(op.f("ix_households_group_id"), "households", ["group_id"])

    op.create_table(
        "representatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        _text("left_reason"),
        _version(),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_representatives_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["village_groups.id"], name=op.f("fk_representatives_group_id_village_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representatives")),
    )
    op.create_index(op.f("ix_representatives_person_id"), "representatives", ["person_id"])
    op.create_index(op.f("ix_representatives_group_id"), "representatives", ["group_id"])

    op.create_table(
        "representative_households",
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["representative_id"],
            ["representatives.id"],
            name=op.f("fk_representative_households_representative_id_representatives"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_representative_households_household_id_households"),
        ),
        sa.PrimaryKeyConstraint(
            "representative_id", "household_id", name=op.f("pk_representative_households")
        ),
    )
    op.create_index(
        op.f("ix_representative_households_household_id"), "representative_households", ["household_id"]
    )

    op.create_table(
        "kinships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_a_id", sa.Integer(), nullable=False),
        sa.Column("person_b_id", sa.Integer(), nullable=False),
        sa.Column("kind", _ENUM, nullable=False),
        _text("ended_reason"),
        _version(),
        sa.ForeignKeyConstraint(["person_a_id"], ["people.id"], name=op.f("fk_kinships_person_a_id_people")),
        sa.ForeignKeyConstraint(["person_b_id"], ["people.id"], name=op.f("fk_kinships_person_b_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kinships")),
    )
    op.create_index(op.f("ix_kinships_person_a_id"), "kinships", ["person_a_id"])
    op.create_index(op.f("ix_kinships_person_b_id"), "kinships", ["person_b_id"])


def downgrade() -> None:
    for table in (
        "kinships",
        "representative_households",
        "representatives",
        "households",
        "party_members",
        "posts",
        "people",
        "village_groups",
        "village_profile",
    ):
        op.drop_table(table)
