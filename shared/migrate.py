"""Alembic, one history per service (services/<name>/migrations), run programmatically."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from shared import idempotency  # noqa: F401
from shared.db import is_sqlite, make_engine, plumbing_metadata
from shared.events import inbox, outbox  # noqa: F401  (their tables join plumbing_metadata)
from shared.observability import logging_as

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
FILE_TEMPLATE = "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s"


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", FILE_TEMPLATE)
    return cfg


def upgrade_head(service: str, url: str) -> None:
    """Migrate one service's database to the newest revision (blocking; from async code use
    asyncio.to_thread). SQLite files get their folder created first."""
    make_engine(url)  # creates the SQLite folder; the engine itself is not kept
    with logging_as(service):  # Alembic's lines say whose database they migrate
        command.upgrade(alembic_config(service, url), "head")


def run_env(service_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    target = [service_metadata, plumbing_metadata]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, target))


async def _run_online(url: str, target: list[MetaData]) -> None:
    engine = async_engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    async with engine.connect() as conn:
        await conn.run_sync(_migrate, target, is_sqlite(url))
    await engine.dispose()


def _migrate(conn: Connection, target: list[MetaData], sqlite: bool) -> None:
    if not sqlite:
        # Replicas starting together: one migrates, the others wait and then find nothing to do.
        conn.execute(text("SELECT pg_advisory_lock(727170)"))
        conn.commit()
    context.configure(connection=conn, target_metadata=target, render_as_batch=sqlite, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    if not sqlite:
        conn.execute(text("SELECT pg_advisory_unlock(727170)"))
        conn.commit()


def create_plumbing_tables_v1() -> None:
    """Outbox, inbox and idempotency keys as first created (frozen: later changes get their
    own migration in each service)."""
    from alembic import op

    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "outbox",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200)),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["id"],
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("caller", sa.String(100), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("caller", "key", name="pk_idempotency_keys"),
    )


def create_compound_projection_v1() -> None:
    """The compound read model as first created (frozen)."""
    from alembic import op

    op.create_table(
        "compound_projection",
        sa.Column("compound_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("community_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("management_model", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("projected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("compound_id", name="pk_compound_projection"),
    )


def add_compound_places_v2() -> None:
    """The compound read model learns its street and grid, so street admins and grid workers
    can be scoped to their own compounds (frozen). Rows projected before it stay NULL until
    the compound's next event."""
    from alembic import op

    with op.batch_alter_table("compound_projection") as batch:
        batch.add_column(sa.Column("street_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("grid_id", sa.Integer, nullable=True))
