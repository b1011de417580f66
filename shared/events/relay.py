"""The outbox relay: publishes unsent outbox rows with acks=all, then marks them sent.

A crash between the two only re-sends (consumers' inboxes drop the repeat). Rows are claimed
with FOR UPDATE SKIP LOCKED on PostgreSQL, never by "highest id seen", because ids can commit
out of order. On PostgreSQL one replica at a time relays a service's outbox (an advisory lock),
which keeps each compound's events in commit order on the topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, select, text, update

from shared.db import Database
from shared.events.outbox import outbox, row_to_message
from shared.events.transport import Transport
from shared.failpoints import crash_point
from shared.observability import Metrics

log = logging.getLogger("linli.relay")


class Relay:
    """Moves one service's outbox onto its topic."""

    def __init__(
        self,
        service: str,
        db: Database,
        transport: Transport,
        metrics: Metrics,
        batch_size: int = 500,
        poll_interval_ms: int = 200,
    ) -> None:
        self.service = service
        self.db = db
        self.transport = transport
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_interval = poll_interval_ms / 1000
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._lock_key = zlib.crc32(f"linli.relay.{service}".encode())

    def wake(self) -> None:
        """Called after a commit that wrote outbox rows, so they go out without waiting a poll."""
        self._wakeup.set()

    async def run(self) -> None:
        failures = 0
        while not self._stopping:
            # Cleared before reading the outbox: a commit that wakes us while we publish must
            # not be forgotten, or its event waits a whole poll interval.
            self._wakeup.clear()
            try:
                published = await self.publish_once()
                failures = 0
            except Exception as exc:
                failures += 1
                self.metrics.relay_errors.inc()
                delay = min(5.0, 0.1 * 2 ** min(failures, 6))
                log.warning("relay publish failed (attempt %d), retrying in %.1fs: %s", failures, delay, exc)
                await asyncio.sleep(delay)
                continue
            if published >= self.batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def publish_once(self) -> int:
        """Publish one batch of unsent rows; returns how many were published."""
        if self.db.is_sqlite:
            return await self._publish_sqlite()
        return await self._publish_postgres()

    async def _publish_postgres(self) -> int:
        async with self.db.sessionmaker() as session, session.begin():
            got_lock = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": self._lock_key})
            if not got_lock:
                return 0  # another replica is relaying this outbox
            # Claim and mark in one statement; the mark commits only after the broker has acked,
            # so a crash or a failed publish leaves the rows unsent (to be sent again).
            claimed = (
                select(outbox.c.id)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            marked = (
                update(outbox)
                .where(outbox.c.id.in_(claimed))
                .values(sent_at=datetime.now(UTC))
                .returning(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.type, outbox.c.headers, outbox.c.value)
            )
            rows = sorted((await session.execute(marked)).all(), key=lambda r: r.id)
            if not rows:
                return 0
            await self.transport.publish([row_to_message(r) for r in rows])
            crash_point("relay.after_publish")
        self._count(rows)
        return len(rows)

    async def _publish_sqlite(self) -> int:
        # SQLite has no FOR UPDATE and cannot upgrade a read snapshot to a write after another
        # writer committed, so read and mark in two short transactions; embedded mode runs
        # exactly one relay per service, so nobody else claims these rows in between.
        async with self.db.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(outbox).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id).limit(self.batch_size)
                )
            ).all()
        if not rows:
            return 0
        await self.transport.publish([row_to_message(r) for r in rows])
        crash_point("relay.after_publish")
        async with self.db.sessionmaker() as session, session.begin():
            await session.execute(
                update(outbox).where(outbox.c.id.in_([r.id for r in rows])).values(sent_at=datetime.now(UTC))
            )
        self._count(rows)
        return len(rows)

    def _count(self, rows: Sequence[Row[Any]]) -> None:
        for event_type, n in Counter(r.type for r in rows).items():
            self.metrics.relay_published.labels(event_type).inc(n)

    async def backlog(self) -> int:
        """Unsent rows, for /metrics."""
        async with self.db.sessionmaker() as session:
            count = await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))
        return int(count or 0)
