"""The embedded mode's transport: a durable log in one SQLite file shared by the process.

It behaves as a one-partition Kafka: publish appends, each consumer group keeps its committed
position, and restarting the process resumes where the groups left off. Dead-letter topics
are ordinary topics here too, so the consumer runner and the replay command need no special
case for embedded mode.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.db import Database
from shared.events.envelope import Message

bus_metadata = MetaData()

bus_log = Table(
    "bus_log",
    bus_metadata,
    Column("offset", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200)),
    Column("value", Text, nullable=False),
    Column("headers", Text, nullable=False),
    Index("ix_bus_log_topic_offset", "topic", "offset"),
)

bus_offsets = Table(
    "bus_offsets",
    bus_metadata,
    Column("group_id", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("group_id", "topic"),
)
# A group's new position on a topic, built once: building the upsert on every commit (its
# `excluded` alias with a proxy of each column) was two thirds of a commit's CPU, and a consumer
# commits after every batch (py-spy over the registry and billing API tests, 4 December 2026).
_upsert = sqlite_insert(bus_offsets).values(
    group_id=bindparam("group_id"), topic=bindparam("topic"), position=bindparam("position")
)
_ADVANCE = _upsert.on_conflict_do_update(
    index_elements=["group_id", "topic"], set_={"position": _upsert.excluded.position}
)


class InProcessTransport:
    """Publish/subscribe over the shared log; one instance serves every app in the process."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self._appended = asyncio.Event()
        self._started = False
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._lock:
            if self._started:
                return
            async with self.db.engine.begin() as conn:
                await conn.run_sync(bus_metadata.create_all)
            self._started = True

    async def stop(self) -> None:
        """The shared log outlives any one app; the process owner disposes of it."""

    async def close(self) -> None:
        await self.db.dispose()
        self._started = False

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Topics exist as soon as something is appended to them."""

    async def ping(self) -> None:
        await self.db.ping()

    async def publish(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        async with self.db.engine.begin() as conn:
            await conn.execute(
                bus_log.insert(),
                [
                    {
                        "topic": m.topic,
                        "key": m.key,
                        "value": m.value.decode(),
                        "headers": json.dumps([[k, v.decode()] for k, v in m.headers], ensure_ascii=False),
                    }
                    for m in messages
                ],
            )
        # Wake every waiting subscription; each re-reads the log past its position.
        self._appended.set()
        self._appended = asyncio.Event()

    def subscribe(self, group: str, topics: Sequence[str]) -> InProcessSubscription:
        return InProcessSubscription(self, group, list(topics))

    def _wait_event(self) -> asyncio.Event:
        return self._appended


class InProcessSubscription:
    """A consumer group's reader of the shared log."""

    def __init__(self, transport: InProcessTransport, group: str, topics: list[str]) -> None:
        self._t = transport
        self.group = group
        self.topics = topics
        self._positions: dict[str, int] = {}
        # The last read found nothing past the group's positions: the lag is none until the
        # next read, so the lag gauge the consumer sets after every fetch need not count the
        # log again (for an idle consumer that count was half of its queries).
        self._caught_up = False
        # Records past this group's position on each of its topics: one query of indexed
        # conditions, built once, instead of a query per topic each time (an idle consumer asks
        # every two seconds, consumer.IDLE_FETCH_MS).
        unread = or_(
            false(),  # no topics: nothing to read (and no empty or_())
            *(and_(bus_log.c.topic == t, bus_log.c.offset > bindparam(f"after_{n}")) for n, t in enumerate(topics)),
        )
        self._read_unread = select(bus_log).where(unread).order_by(bus_log.c.offset).limit(bindparam("max_records"))
        self._count_unread = select(bus_log.c.topic, func.count()).where(unread).group_by(bus_log.c.topic)

    def _after(self) -> dict[str, int]:
        return {f"after_{n}": self._positions[t] for n, t in enumerate(self.topics)}

    async def start(self) -> None:
        await self._t.start()
        async with self._t.db.engine.connect() as conn:
            rows = await conn.execute(
                select(bus_offsets.c.topic, bus_offsets.c.position).where(bus_offsets.c.group_id == self.group)
            )
            stored = {r.topic: r.position for r in rows}
        self._positions = {t: stored.get(t, 0) for t in self.topics}

    async def _read(self, max_records: int) -> list[Message]:
        if not self._positions:  # no topics, or not started
            return []
        async with self._t.db.engine.connect() as conn:
            rows = (await conn.execute(self._read_unread, {**self._after(), "max_records": max_records})).all()
        self._caught_up = not rows
        # In the order they were appended; within a topic that is its offsets' order, as on Kafka.
        return [
            Message(
                topic=r.topic,
                key=r.key,
                value=r.value.encode(),
                headers=tuple((k, v.encode()) for k, v in json.loads(r.headers)),
                partition=0,
                offset=r.offset,
            )
            for r in rows
        ]

    async def fetch(self, max_records: int, timeout_ms: int) -> list[Message]:
        wake = self._t._wait_event()
        records = await self._read(max_records)
        if not records:
            try:
                await asyncio.wait_for(wake.wait(), timeout_ms / 1000)
            except TimeoutError:
                return []
            records = await self._read(max_records)
        # As with Kafka: the next fetch continues after these, whether or not they are committed
        # yet; the group's stored position (where a restart resumes) moves only on commit.
        for m in records:
            self._positions[m.topic] = max(self._positions[m.topic], m.offset)
        return records

    async def commit(self, messages: Sequence[Message]) -> None:
        latest: dict[str, int] = {}
        for m in messages:
            latest[m.topic] = max(latest.get(m.topic, 0), m.offset)
        if not latest:
            return
        async with self._t.db.engine.begin() as conn:
            await conn.execute(
                _ADVANCE, [{"group_id": self.group, "topic": t, "position": p} for t, p in latest.items()]
            )
        for topic, position in latest.items():
            self._positions[topic] = max(self._positions.get(topic, 0), position)

    async def lag(self) -> int:
        return sum((await self.lag_by_topic()).values())

    async def lag_by_topic(self) -> dict[str, int]:
        by_topic = dict.fromkeys(self.topics, 0)
        if not self._positions or self._caught_up:
            return by_topic
        async with self._t.db.engine.connect() as conn:
            rows = await conn.execute(self._count_unread, self._after())
            by_topic.update({topic: int(count) for topic, count in rows})
        return by_topic

    def assignment(self) -> list[tuple[str, int]]:
        return [(t, 0) for t in self.topics]

    async def at_end(self) -> bool:
        if not self._positions:
            return not self.topics
        async with self._t.db.engine.connect() as conn:
            return not (await conn.execute(self._count_unread, self._after())).first()

    async def stop(self) -> None:
        """Positions are committed as records are handled; nothing to leave."""
