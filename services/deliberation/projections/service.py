"""Set-based projection of registry entities: one multi-row upsert (and a delete for removals)
per run of events, so importing a compound of 20,000 dwellings does not cost 20,000 round trips."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.base import Base
from services.deliberation.projections.models import (
    BuildingView,
    CourtyardView,
    DwellingView,
    EntranceView,
    HouseholdView,
    MembershipView,
    OwnershipView,
)
from services.deliberation.votes.tally import area_to_centi
from shared.contracts import registry as r
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent, EventData
from shared.events.projection import upsert_newest

Row = dict[str, Any]


def _project(
    handlers: EventHandlers, fields: type[EventData], model: type[Base], key: str, to_row: Callable[[Any], Row]
) -> None:
    table: Table = model.__table__  # type: ignore[assignment]
    key_col = table.c[key]

    async def apply(session: AsyncSession, items: list[tuple[CloudEvent, Any]]) -> None:
        # The newest version of each entity in the run wins; an older event arriving late
        # changes nothing, and a removal deletes the row (one delete, one multi-row upsert).
        latest: dict[int, tuple[bool, Any]] = {}
        for event, data in items:
            ident = getattr(data, key)
            seen = latest.get(ident)
            if seen is None or data.version >= seen[1].version:
                latest[ident] = (event.type.endswith(".removed.v1"), data)
        removed = [k for k, (gone, _) in latest.items() if gone]
        if removed:
            await session.execute(delete(table).where(key_col.in_(removed)))
        await upsert_newest(session, table, key, [to_row(data) for gone, data in latest.values() if not gone])

    for contract in r.LIFECYCLE[fields]:
        handlers.on_batch(contract)(apply)


def register_projections(handlers: EventHandlers) -> None:
    """Keep courtyards, buildings, entrances, dwellings, households, ownerships and memberships in step."""
    _project(
        handlers,
        r.CourtyardFields,
        CourtyardView,
        "courtyard_id",
        lambda d: {"courtyard_id": d.courtyard_id, "compound_id": d.compound_id, "name": d.name, "version": d.version},
    )
    _project(
        handlers,
        r.BuildingFields,
        BuildingView,
        "building_id",
        lambda d: {
            "building_id": d.building_id,
            "compound_id": d.compound_id,
            "courtyard_id": d.courtyard_id,
            "number": d.number,
            "version": d.version,
        },
    )
    _project(
        handlers,
        r.EntranceFields,
        EntranceView,
        "entrance_id",
        lambda d: {
            "entrance_id": d.entrance_id,
            "building_id": d.building_id,
            "compound_id": d.compound_id,
            "number": d.number,
            "version": d.version,
        },
    )
    _project(
        handlers,
        r.DwellingFields,
        DwellingView,
        "dwelling_id",
        lambda d: {
            "dwelling_id": d.dwelling_id,
            "entrance_id": d.entrance_id,
            "building_id": d.building_id,
            "compound_id": d.compound_id,
            "room": d.room,
            "exclusive_area_centi": area_to_centi(d.exclusive_area_m2),
            "sale_status": d.sale_status,
            "delivered": d.delivered,
            "version": d.version,
        },
    )
    _project(
        handlers,
        r.HouseholdFields,
        HouseholdView,
        "household_id",
        lambda d: {"household_id": d.household_id, "compound_id": d.compound_id, "version": d.version},
    )
    _project(
        handlers,
        r.OwnershipFields,
        OwnershipView,
        "ownership_id",
        lambda d: {
            "ownership_id": d.ownership_id,
            "dwelling_id": d.dwelling_id,
            "compound_id": d.compound_id,
            "person_id": d.person_id,
            "share_bp": d.share_bp,
            "since": d.since,
            "until": d.until,
            "version": d.version,
        },
    )
    _project(
        handlers,
        r.MembershipFields,
        MembershipView,
        "membership_id",
        lambda d: {
            "membership_id": d.membership_id,
            "person_id": d.person_id,
            "body": d.body,
            "compound_id": d.compound_id,
            "role": d.role,
            "active": d.active,
            "version": d.version,
        },
    )
