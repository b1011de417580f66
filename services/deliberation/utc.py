"""Times read back from SQLite come without their zone; every stored time is UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The moment with its UTC zone (naive values from SQLite are UTC by construction)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
