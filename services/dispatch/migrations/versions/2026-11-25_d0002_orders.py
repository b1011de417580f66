"""Dispatch: orders, catalogue, deadlines, feed and projections.

Revision ID: d0002
Revises: d0001
Create Date: 2026-11-25

Orders with their timeline and offers, the category catalogue (default rows inserted here),
SLA deadlines as rows, the live-task feed, and the registry projections dispatch matches and
authorises with.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.dispatch.catalogue.service import default_rows

revision = "d0002"
down_revision = "d0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    categories = op.create_table(
        "categories",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("dispatch_mode", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("shared_property_price_fen", sa.Integer(), nullable=True),
        sa.Column("market_price_fen", sa.Integer(), nullable=True),
        sa.Column("charge_to", sa.String(length=20), nullable=False),
        sa.Column("max_offers", sa.Integer(), nullable=False),
        sa.Column("sla", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_categories")),
    )
    op.create_table(
        "check_ins",
        sa.Column("check_in_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("party_member_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("check_in_id", name=op.f("pk_check_ins")),
    )
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_ins_compound_id"), ["compound_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_ins_party_member_id"), ["party_member_id"], unique=False)

    op.create_table(
        "communities",
        sa.Column("community_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_communities")),
    )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communities_street_id"), ["street_id"], unique=False)

    op.create_table(
        "compound_areas",
        sa.Column("compound_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("compound_id", name=op.f("pk_compound_areas")),
    )
    with op.batch_alter_table("compound_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compound_areas_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_compound_areas_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_compound_areas_street_id"), ["street_id"], unique=False)

    op.create_table(
        "feed_counters",
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("recipient", name=op.f("pk_feed_counters")),
    )
    op.create_table(
        "feed_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_items")),
        sa.UniqueConstraint("recipient", "seq", name=op.f("uq_feed_items_recipient_seq")),
    )
    op.create_table(
        "grid_workers",
        sa.Column("grid_worker_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("grid_ids", sa.JSON(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grid_worker_id", name=op.f("pk_grid_workers")),
    )
    with op.batch_alter_table("grid_workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_workers_person_id"), ["person_id"], unique=False)

    op.create_table(
        "households",
        sa.Column("household_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("dwelling_id", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_households")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_households_compound_id"), ["compound_id"], unique=False)

    op.create_table(
        "member_household_links",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("household_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("party_member_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "household_id", name=op.f("pk_member_household_links")),
    )
    with op.batch_alter_table("member_household_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_household_links_party_member_id"), ["party_member_id"], unique=False
        )

    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("dwelling_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("requester_person_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_person_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("dispatch_mode", sa.String(length=20), nullable=False),
        sa.Column("triage", sa.String(length=20), nullable=True),
        sa.Column("triage_note", sa.JSON(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("assignee_member_id", sa.Integer(), nullable=True),
        sa.Column("assignee_person_id", sa.Integer(), nullable=True),
        sa.Column("offers_made", sa.Integer(), nullable=False),
        sa.Column("escalation_level", sa.String(length=20), nullable=False),
        sa.Column("co_handlers", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.String(length=80), nullable=True),
        sa.Column("sla_breached", sa.Boolean(), nullable=False),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("source_ref", name=op.f("uq_orders_source_ref")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_assignee_member_id"), ["assignee_member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_assignee_person_id"), ["assignee_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_community_id"), ["community_id"], unique=False)
        batch_op.create_index("ix_orders_compound_state", ["compound_id", "state"], unique=False)
        batch_op.create_index("ix_orders_grid_state", ["grid_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_requester_person_id"), ["requester_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_street_id"), ["street_id"], unique=False)

    op.create_table(
        "party_members",
        sa.Column("party_member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("compound_id", sa.Integer(), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("max_open_orders", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("party_member_id", name=op.f("pk_party_members")),
    )
    with op.batch_alter_table("party_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_members_person_id"), ["person_id"], unique=False)

    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_deadlines_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_deadlines_pending",
            ["due_at"],
            unique=False,
            postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
        )

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("party_member_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_offers_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint(
            "order_id", "party_member_id", "round", name=op.f("uq_offers_order_id_party_member_id_round")
        ),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_party_member_id"), ["party_member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_person_id"), ["person_id"], unique=False)

    op.create_table(
        "order_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_entries_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_entries")),
    )
    with op.batch_alter_table("order_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_entries_order_id"), ["order_id"], unique=False)

    op.bulk_insert(categories, default_rows())


def downgrade() -> None:
    with op.batch_alter_table("order_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_entries_order_id"))

    op.drop_table("order_entries")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_person_id"))
        batch_op.drop_index(batch_op.f("ix_offers_party_member_id"))
        batch_op.drop_index(batch_op.f("ix_offers_order_id"))

    op.drop_table("offers")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_deadlines_pending",
            postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_deadlines_order_id"))

    op.drop_table("deadlines")
    with op.batch_alter_table("party_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_members_person_id"))

    op.drop_table("party_members")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_street_id"))
        batch_op.drop_index(batch_op.f("ix_orders_state"))
        batch_op.drop_index(batch_op.f("ix_orders_requester_person_id"))
        batch_op.drop_index(batch_op.f("ix_orders_household_id"))
        batch_op.drop_index("ix_orders_grid_state")
        batch_op.drop_index("ix_orders_compound_state")
        batch_op.drop_index(batch_op.f("ix_orders_community_id"))
        batch_op.drop_index(batch_op.f("ix_orders_category"))
        batch_op.drop_index(batch_op.f("ix_orders_assignee_person_id"))
        batch_op.drop_index(batch_op.f("ix_orders_assignee_member_id"))

    op.drop_table("orders")
    with op.batch_alter_table("member_household_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_household_links_party_member_id"))

    op.drop_table("member_household_links")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_compound_id"))

    op.drop_table("households")
    with op.batch_alter_table("grid_workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_workers_person_id"))

    op.drop_table("grid_workers")
    op.drop_table("feed_items")
    op.drop_table("feed_counters")
    with op.batch_alter_table("compound_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compound_areas_street_id"))
        batch_op.drop_index(batch_op.f("ix_compound_areas_grid_id"))
        batch_op.drop_index(batch_op.f("ix_compound_areas_community_id"))

    op.drop_table("compound_areas")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communities_street_id"))

    op.drop_table("communities")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_ins_party_member_id"))
        batch_op.drop_index(batch_op.f("ix_check_ins_compound_id"))

    op.drop_table("check_ins")
    op.drop_table("categories")
