"""Typed event contracts, one module per producing service. Consumers import these, never
the producer's code."""

from shared.contracts.registry import LIFECYCLE, CompoundCreated, CompoundUpdated
from shared.events.envelope import EventData

ALL_CONTRACTS: tuple[type[EventData], ...] = tuple(t for types in LIFECYCLE.values() for t in types)

__all__ = ["ALL_CONTRACTS", "LIFECYCLE", "CompoundCreated", "CompoundUpdated"]
