"""Typed event contracts, one module per producing service. Consumers import these, never
the producer's code."""

from shared.contracts.registry import CompoundCreated, CompoundUpdated
from shared.events.envelope import EventData

ALL_CONTRACTS: tuple[type[EventData], ...] = (CompoundCreated, CompoundUpdated)

__all__ = ["ALL_CONTRACTS", "CompoundCreated", "CompoundUpdated"]
