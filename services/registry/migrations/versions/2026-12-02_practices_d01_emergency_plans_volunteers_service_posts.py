"""emergency plans and mobilisation, volunteers and their teams, service posts

Revision ID: practices_d01
Revises: phone01_household_visits
Create Date: 2026-12-02 17:18:57.009866

Issue 16: emergency plans (应急动员预案) with posts, call lists, activations, roll calls and
their timeline; residents volunteering their skills in teams (特长户, 红邻服务队); service
posts claimed by in-service party members (设岗定责), one at a time per member.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "practices_d01"
down_revision = "phone01_household_visits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "emergency_plans",
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("incident_kind", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("guidance", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_emergency_plans_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_plans")),
        sa.UniqueConstraint("compound_id", "incident_kind", name=op.f("uq_emergency_plans_compound_id_incident_kind")),
    )
    with op.batch_alter_table("emergency_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_plans_compound_id"), ["compound_id"], unique=False)

    op.create_table(
        "service_posts",
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("duty", sa.String(length=500), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(["compound_id"], ["compounds.id"], name=op.f("fk_service_posts_compound_id_compounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_posts")),
        sa.UniqueConstraint("compound_id", "name", name=op.f("uq_service_posts_compound_id_name")),
    )
    with op.batch_alter_table("service_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_posts_compound_id"), ["compound_id"], unique=False)

    op.create_table(
        "volunteer_teams",
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("focus", sa.String(length=500), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_volunteer_teams_compound_id_compounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_teams")),
        sa.UniqueConstraint("compound_id", "name", name=op.f("uq_volunteer_teams_compound_id_name")),
    )
    with op.batch_alter_table("volunteer_teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_teams_compound_id"), ["compound_id"], unique=False)

    op.create_table(
        "emergency_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["emergency_plans.id"], name=op.f("fk_emergency_posts_plan_id_emergency_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_posts")),
        sa.UniqueConstraint("plan_id", "name", name=op.f("uq_emergency_posts_plan_id_name")),
    )
    with op.batch_alter_table("emergency_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_posts_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "emergency_activations",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("incident_kind", sa.String(length=30), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("situation", sa.String(length=1000), nullable=False),
        sa.Column("activated_by_person_id", sa.Integer(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.String(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["activated_by_person_id"],
            ["people.id"],
            name=op.f("fk_emergency_activations_activated_by_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["compound_id"], ["compounds.id"], name=op.f("fk_emergency_activations_compound_id_compounds")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["emergency_plans.id"], name=op.f("fk_emergency_activations_plan_id_emergency_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_activations")),
    )
    with op.batch_alter_table("emergency_activations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_activations_compound_id"), ["compound_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_emergency_activations_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "emergency_callees",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_emergency_callees_person_id_people")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["emergency_plans.id"], name=op.f("fk_emergency_callees_plan_id_emergency_plans")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["emergency_posts.id"], name=op.f("fk_emergency_callees_post_id_emergency_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_callees")),
        sa.UniqueConstraint("plan_id", "person_id", name=op.f("uq_emergency_callees_plan_id_person_id")),
    )
    with op.batch_alter_table("emergency_callees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_callees_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_emergency_callees_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_emergency_callees_post_id"), ["post_id"], unique=False)

    op.create_table(
        "volunteers",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(["compound_id"], ["compounds.id"], name=op.f("fk_volunteers_compound_id_compounds")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_volunteers_household_id_households")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_volunteers_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteers")),
        sa.UniqueConstraint("person_id", name=op.f("uq_volunteers_person_id")),
    )
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteers_compound_id"), ["compound_id"], unique=False)

    op.create_table(
        "emergency_roll_calls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("activation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("at_post_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["emergency_activations.id"],
            name=op.f("fk_emergency_roll_calls_activation_id_emergency_activations"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_emergency_roll_calls_person_id_people")),
        sa.ForeignKeyConstraint(
            ["post_id"], ["emergency_posts.id"], name=op.f("fk_emergency_roll_calls_post_id_emergency_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_roll_calls")),
        sa.UniqueConstraint("activation_id", "person_id", name=op.f("uq_emergency_roll_calls_activation_id_person_id")),
    )
    with op.batch_alter_table("emergency_roll_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_roll_calls_activation_id"), ["activation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_emergency_roll_calls_person_id"), ["person_id"], unique=False)

    op.create_table(
        "emergency_timeline",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("activation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["emergency_activations.id"],
            name=op.f("fk_emergency_timeline_activation_id_emergency_activations"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_person_id"], ["people.id"], name=op.f("fk_emergency_timeline_actor_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_timeline")),
    )
    with op.batch_alter_table("emergency_timeline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_timeline_activation_id"), ["activation_id"], unique=False)

    op.create_table(
        "service_post_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("party_member_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_member_id"], ["party_members.id"], name=op.f("fk_service_post_claims_party_member_id_party_members")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["service_posts.id"], name=op.f("fk_service_post_claims_post_id_service_posts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_post_claims")),
    )
    with op.batch_alter_table("service_post_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_post_claims_party_member_id"), ["party_member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_post_claims_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            "ux_service_post_claims_one_per_member",
            ["party_member_id"],
            unique=True,
            postgresql_where=sa.text("released_at IS NULL"),
            sqlite_where=sa.text("released_at IS NULL"),
        )

    op.create_table(
        "volunteer_team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["volunteer_teams.id"], name=op.f("fk_volunteer_team_members_team_id_volunteer_teams")
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["volunteers.id"], name=op.f("fk_volunteer_team_members_volunteer_id_volunteers")
        ),
        sa.PrimaryKeyConstraint("team_id", "volunteer_id", name=op.f("pk_volunteer_team_members")),
    )
    with op.batch_alter_table("volunteer_team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_volunteer_team_members_volunteer_id"), ["volunteer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("volunteer_team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_team_members_volunteer_id"))

    op.drop_table("volunteer_team_members")
    with op.batch_alter_table("service_post_claims", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_service_post_claims_one_per_member",
            postgresql_where=sa.text("released_at IS NULL"),
            sqlite_where=sa.text("released_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_service_post_claims_post_id"))
        batch_op.drop_index(batch_op.f("ix_service_post_claims_party_member_id"))

    op.drop_table("service_post_claims")
    with op.batch_alter_table("emergency_timeline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_timeline_activation_id"))

    op.drop_table("emergency_timeline")
    with op.batch_alter_table("emergency_roll_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_roll_calls_person_id"))
        batch_op.drop_index(batch_op.f("ix_emergency_roll_calls_activation_id"))

    op.drop_table("emergency_roll_calls")
    with op.batch_alter_table("volunteers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteers_compound_id"))

    op.drop_table("volunteers")
    with op.batch_alter_table("emergency_callees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_callees_post_id"))
        batch_op.drop_index(batch_op.f("ix_emergency_callees_plan_id"))
        batch_op.drop_index(batch_op.f("ix_emergency_callees_person_id"))

    op.drop_table("emergency_callees")
    with op.batch_alter_table("emergency_activations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_activations_plan_id"))
        batch_op.drop_index(batch_op.f("ix_emergency_activations_compound_id"))

    op.drop_table("emergency_activations")
    with op.batch_alter_table("emergency_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_posts_plan_id"))

    op.drop_table("emergency_posts")
    with op.batch_alter_table("volunteer_teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_teams_compound_id"))

    op.drop_table("volunteer_teams")
    with op.batch_alter_table("service_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_posts_compound_id"))

    op.drop_table("service_posts")
    with op.batch_alter_table("emergency_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_plans_compound_id"))

    op.drop_table("emergency_plans")
