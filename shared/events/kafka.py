"""Kafka transport (aiokafka): plain producer with acks=all, manual-commit consumer groups."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, KafkaError, TopicAlreadyExistsError

from shared.events.envelope import Message
from shared.settings import Settings

log = logging.getLogger("linli.kafka")


class KafkaTransport:
    """Talks to a Kafka-protocol broker. Exactly-once effects come from outbox + inbox, so the
    producer stays plain unless KAFKA_IDEMPOTENCE turns idempotence on for real Kafka."""

    def __init__(self, settings: Settings, client_id: str) -> None:
        self.settings = settings
        self.client_id = client_id
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=self.settings.kafka_idempotence,
            linger_ms=5,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap, client_id=self.client_id)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            wanted = [
                NewTopic(
                    name=t,
                    num_partitions=self.settings.kafka_partitions,
                    replication_factor=self.settings.kafka_replication_factor,
                )
                for t in sorted(set(topics))
                if t not in existing
            ]
            if wanted:
                with contextlib.suppress(TopicAlreadyExistsError):  # another replica was first
                    await admin.create_topics(wanted)
        finally:
            await admin.close()

    async def ping(self) -> None:
        if self._producer is None:
            raise RuntimeError("producer not started")
        ok = await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout=3)
        if ok is None:
            raise RuntimeError("broker did not answer")

    async def publish(self, messages: Sequence[Message]) -> None:
        if self._producer is None:
            raise RuntimeError("producer not started")
        futures = [
            await self._producer.send(
                m.topic, m.value, key=m.key.encode() if m.key is not None else None, headers=list(m.headers)
            )
            for m in messages
        ]
        await asyncio.gather(*futures)

    def subscribe(self, group: str, topics: Sequence[str]) -> KafkaSubscription:
        return KafkaSubscription(self.settings, group, list(topics), self.client_id)


class KafkaSubscription:
    """A member of a consumer group; offsets are committed only after records are handled."""

    def __init__(self, settings: Settings, group: str, topics: list[str], client_id: str) -> None:
        self._settings = settings
        self._group = group
        self._topics = topics
        self._client_id = client_id
        self._consumer_or_none: AIOKafkaConsumer | None = None
        self._handled: dict[TopicPartition, int] = {}

    @property
    def _consumer(self) -> AIOKafkaConsumer:
        if self._consumer_or_none is None:
            raise RuntimeError("subscription not started")
        return self._consumer_or_none

    async def start(self) -> None:
        # Built here, not in __init__: aiokafka binds to the running loop, and apps (with their
        # subscriptions) are created before asyncio.run starts one.
        self._consumer_or_none = AIOKafkaConsumer(
            *self._topics,
            bootstrap_servers=self._settings.kafka_bootstrap,
            group_id=self._group,
            client_id=self._client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self._settings.kafka_fetch_max_wait_ms,
        )
        await self._consumer_or_none.start()

    async def fetch(self, max_records: int, timeout_ms: int) -> list[Message]:
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        out: list[Message] = []
        for tp, records in batches.items():
            out.extend(
                Message(
                    topic=tp.topic,
                    key=r.key.decode() if r.key is not None else None,
                    value=r.value or b"",
                    headers=tuple(r.headers or ()),
                    partition=tp.partition,
                    offset=r.offset,
                )
                for r in records
            )
        return out

    async def commit(self, messages: Sequence[Message]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for m in messages:
            tp = TopicPartition(m.topic, m.partition)
            offsets[tp] = max(offsets.get(tp, 0), m.offset + 1)
        if not offsets:
            return
        self._handled.update(offsets)
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took the partition away; its new owner re-reads and the inbox
            # drops what was already applied.
            log.warning("offset commit failed, records will be re-delivered: %s", exc)

    async def lag(self) -> int:
        return sum((await self.lag_by_topic()).values())

    async def lag_by_topic(self) -> dict[str, int]:
        by_topic: dict[str, int] = {}
        for tp in self._consumer.assignment():
            high = self._consumer.highwater(tp)
            if high is None:
                continue
            by_topic[tp.topic] = by_topic.get(tp.topic, 0) + max(0, high - self._handled.get(tp, high))
        return by_topic

    def assignment(self) -> list[tuple[str, int]]:
        if self._consumer_or_none is None:
            return []
        return sorted((tp.topic, tp.partition) for tp in self._consumer_or_none.assignment())

    async def at_end(self) -> bool:
        assigned = list(self._consumer.assignment())
        if not assigned:
            return False
        try:
            ends = await self._consumer.end_offsets(assigned)
            # position() waits for the group's committed offset when none is known yet.
            positions = [await self._consumer.position(tp) for tp in assigned]
        except KafkaError:  # a rebalance took a partition away meanwhile, or the broker is slow
            return False
        return all(position >= ends[tp] for tp, position in zip(assigned, positions, strict=True))

    async def stop(self) -> None:
        if self._consumer_or_none is not None:
            await self._consumer_or_none.stop()
