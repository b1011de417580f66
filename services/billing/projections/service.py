"""Set-based handlers keeping billing's read models in step with registry events: a run of
created/updated/removed events costs one multi-row upsert (shared/events/projection.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.projections.domain import area_hundredths, day_number
from services.billing.projections.models import (
    building_projection,
    community_projection,
    dwelling_projection,
    household_projection,
    ownership_projection,
    person_projection,
)
from shared.contracts import registry as r
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent, EventData
from shared.events.projection import newest, not_newer, upsert_newest

Row = dict[str, Any]


def _project(
    handlers: EventHandlers,
    table: Table,
    key: str,
    fields: type[EventData],
    to_row: Callable[[Any], Row],
    *,
    removable: bool,
) -> None:
    created, updated, removed = r.LIFECYCLE[fields]

    def batch(active: bool) -> Callable[[AsyncSession, list[tuple[CloudEvent, Any]]], Any]:
        async def apply(session: AsyncSession, items: list[tuple[CloudEvent, Any]]) -> None:
            # Versions only move forward: the newest event of a run wins, a late one is dropped
            # (the same version again is applied again: a removal carries the version it removed).
            rows = []
            for _, data in items:
                row = to_row(data)
                if removable:
                    row["active"] = active
                rows.append(row)
            await upsert_newest(session, table, key, newest(rows, key), replace_when=not_newer())

        return apply

    handlers.on_batch(created)(batch(True))
    handlers.on_batch(updated)(batch(True))
    if removable:
        handlers.on_batch(removed)(batch(False))


def _day(value: Any) -> int | None:
    return None if value is None else day_number(value)


def register_projections(handlers: EventHandlers) -> None:
    """Communities (for street-wide bill runs), buildings, dwellings, households, ownerships."""
    _project(
        handlers,
        community_projection,
        "community_id",
        r.CommunityFields,
        lambda d: {"community_id": d.community_id, "street_id": d.street_id, "version": d.version},
        removable=False,
    )
    _project(
        handlers,
        building_projection,
        "building_id",
        r.BuildingFields,
        lambda d: {
            "building_id": d.building_id,
            "compound_id": d.compound_id,
            "number": d.number,
            "structure": d.structure,
            "version": d.version,
        },
        removable=True,
    )
    _project(
        handlers,
        dwelling_projection,
        "dwelling_id",
        r.DwellingFields,
        lambda d: {
            "dwelling_id": d.dwelling_id,
            "compound_id": d.compound_id,
            "building_id": d.building_id,
            "room": d.room,
            "area_c": area_hundredths(d.area_m2),
            "exclusive_area_c": area_hundredths(d.exclusive_area_m2),
            "usage": d.usage,
            "sale_status": d.sale_status,
            "delivered": d.delivered,
            "version": d.version,
        },
        removable=True,
    )
    _project(
        handlers,
        household_projection,
        "household_id",
        r.HouseholdFields,
        lambda d: {
            "household_id": d.household_id,
            "dwelling_id": d.dwelling_id,
            "compound_id": d.compound_id,
            "version": d.version,
        },
        removable=True,
    )
    _project(
        handlers,
        ownership_projection,
        "ownership_id",
        r.OwnershipFields,
        lambda d: {
            "ownership_id": d.ownership_id,
            "dwelling_id": d.dwelling_id,
            "compound_id": d.compound_id,
            "person_id": d.person_id,
            "share_bp": d.share_bp,
            "since_day": _day(d.since),
            "until_day": _day(d.until),
            "version": d.version,
        },
        removable=True,
    )
    _project(
        handlers,
        person_projection,
        "person_id",
        r.ResidentFields,
        lambda d: {"person_id": d.person_id, "masked_name": d.masked_name, "version": d.version},
        removable=True,
    )
    handlers.on(r.PersonErased)(forget_person)


async def forget_person(session: AsyncSession, _: CloudEvent, data: r.PersonErased) -> None:
    """An erased resident's masked name leaves the arrears list too (docs/personal-data.md)."""
    await session.execute(
        update(person_projection).where(person_projection.c.person_id == data.person_id).values(masked_name="")
    )
