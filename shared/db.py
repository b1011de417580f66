"""Async SQLAlchemy engines and sessions for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, event, exc, func, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.types import TypeDecorator

from shared.clock import SESSION_KEY, Clock

# Stable constraint names, so migrations can refer to them (Alembic's advice).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always UTC-aware in Python, on PostgreSQL and SQLite alike.

    SQLite keeps no zone: it stores the wall time it is given and hands back a naive
    datetime, which then fails to compare with the aware clock (the payment re-query crashed
    on it). Converting to UTC on the way in keeps stored values comparable as text on SQLite;
    a naive value is refused rather than guessed at, because nobody knows which zone it meant.
    The DDL is DateTime(timezone=True), so existing migrations need no change."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"a naive or non-datetime timestamp cannot be stored: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # Naive only from SQLite, where everything written through this type is UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_metadata() -> MetaData:
    """A MetaData with Linli's naming convention; each service has its own."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the relay's writes; the busy timeout makes writers wait
    # for each other instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    """An engine for the URL; SQLite files get WAL, a busy timeout and their folder created."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    return engine


# A pooled connection that has lain idle this long is pinged before it is handed out.
IDLE_PING_SECONDS = 1.0
_IDLE_SINCE = "linli_idle_since"


def _ping_when_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's `pool_pre_ping`, but only for a connection idle for `IDLE_PING_SECONDS`:
    the asyncpg dialect's ping is three round trips (BEGIN, an empty query, ROLLBACK), and
    every request, relay round and stream poll checks a connection out, so pinging each one
    cost a busy service three round trips per checkout (bench/README.md, bench/dispatch). A
    connection used a moment ago is as good as a pinged one; one that lay idle (the database
    restarted, a firewall dropped the idle socket) is pinged, and when the ping fails the
    pool is invalidated and a new connection is made, as pre-ping does."""
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return  # a new connection, or one in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # As pre-ping does: every connection older than this one is suspect too.
            raise exc.InvalidatePoolError() from error


class Database:
    """One service's engine and session factory."""

    def __init__(self, url: str, pool_size: int = 10, clock: Clock | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self.clock = clock or Clock()
        # Every session carries the service's clock, so a use case deep in a service reads
        # "now" and "today" from the same place the request and the tickers do.
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, class_=AsyncSession, info={SESSION_KEY: self.clock}
        )

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


# Tables every service database has (outbox, inbox, idempotency keys); each service's
# Alembic history creates them beside its own tables.
plumbing_metadata = new_metadata()


class Versioned:
    """id, optimistic-lock version and timestamps: the columns every stateful record of every
    service has (registry entities, deliberation's proposals and votes)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now(), onupdate=func.now())

    # UPDATE … WHERE version = :seen, so two concurrent edits cannot both win.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


@event.listens_for(Session, "before_flush")
def _stamp_with_the_platform_clock(session: Session, _context: Any, _instances: Any) -> None:
    """A record's created_at and updated_at come from the service's clock, as every other time
    does: the database's now() (the column default, kept for rows written outside a service
    session) is the machine's calendar, which a moved clock (tests, rehearsals) does not move."""
    clock = session.info.get(SESSION_KEY)
    if not isinstance(clock, Clock):
        return
    now = clock()
    for record in session.new:
        if isinstance(record, Versioned):
            record.created_at = record.created_at or now
            record.updated_at = record.updated_at or now
    for record in session.dirty:
        if isinstance(record, Versioned) and session.is_modified(record, include_collections=False):
            record.updated_at = now
