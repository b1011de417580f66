"""The one interface both transports (Kafka, in-process) implement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from shared.events.envelope import Message


class Subscription(Protocol):
    """A consumer-group member reading some topics."""

    async def start(self) -> None: ...

    async def fetch(self, max_records: int, timeout_ms: int) -> list[Message]:
        """Records after the group's committed position, in order per partition."""

    async def commit(self, messages: Sequence[Message]) -> None:
        """Mark these records (and everything before them per partition) consumed."""

    async def lag(self) -> int:
        """Records not yet consumed by this member (best effort)."""

    async def lag_by_topic(self) -> dict[str, int]:
        """The same, per topic (the consumer-lag metric's `topic` label)."""

    def assignment(self) -> list[tuple[str, int]]:
        """(topic, partition) pairs this member owns now."""

    async def at_end(self) -> bool:
        """This member has fetched every record on the partitions it owns, as of now. On Kafka,
        False until the group has given it partitions."""

    async def stop(self) -> None:
        """Commit nothing more, leave the group."""


class Transport(Protocol):
    """Publishes records durably and hands out subscriptions."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create topics that do not exist yet (never rely on auto-create)."""

    async def publish(self, messages: Sequence[Message]) -> None:
        """Return once every record is durably stored (acks=all); raise otherwise."""

    def subscribe(self, group: str, topics: Sequence[str]) -> Subscription: ...

    async def ping(self) -> None:
        """Raise unless the transport can reach its store or broker."""
