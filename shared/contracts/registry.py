"""Events the registry publishes on `registry.events` (key = compound id)."""

from __future__ import annotations

from typing import ClassVar

from shared.events.envelope import EventData


class CompoundFields(EventData):
    """What every consumer needs of a compound."""

    compound_id: int
    name: str
    community_id: int
    kind: str
    management_model: str
    version: int


class CompoundCreated(CompoundFields):
    event_type: ClassVar[str] = "linli.registry.compound.created.v1"


class CompoundUpdated(CompoundFields):
    event_type: ClassVar[str] = "linli.registry.compound.updated.v1"
