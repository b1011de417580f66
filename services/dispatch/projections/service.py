"""Keeping the registry projections in step, set-based: a run of events upserts each row once
(shared/events/projection.py) when its version is newer than the one held, so redelivered or
late events change nothing. Pairings and center households (rare) stay one event at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.projections.models import (
    BuildingView,
    CheckInView,
    CompoundArea,
    DwellingView,
    EntranceView,
    GridWorkerView,
    HouseholdView,
    MemberHouseholdLink,
    MemberView,
    VolunteerView,
)
from shared.contracts import registry as c
from shared.events.envelope import CloudEvent
from shared.events.projection import upsert_newest

Row = dict[str, Any]
Entity = tuple[Table, str, Callable[[Any, bool], Row]]
"""(the table, its key, the row an event's data gives, removed or not: without the version)"""


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def project_batch(entity: Entity, removed: bool) -> Callable[[AsyncSession, list[tuple[CloudEvent, Any]]], Any]:
    """The set-based handler for one entity's created/updated (removed=False) or removed events:
    the newest version of each row in the run, then one multi-row upsert. A row is replaced by a
    newer version, or by a removal carrying the version it removed; a late event changes nothing."""
    table, key, to_row = entity
    has_removed = "removed" in table.c

    async def apply(session: AsyncSession, items: list[tuple[CloudEvent, Any]]) -> None:
        latest: dict[int, Row] = {}
        for _, data in items:
            row = {**to_row(data, removed), "version": data.version}
            held = latest.get(row[key])
            if held is None or row["version"] > held["version"] or (row["version"] == held["version"] and removed):
                latest[row[key]] = row

        def replace_when(t: Table, new: Any) -> ColumnElement[bool]:
            if has_removed:
                return or_(t.c.version < new.version, and_(t.c.version == new.version, new.removed))
            newer: ColumnElement[bool] = t.c.version < new.version
            return newer

        await upsert_newest(session, table, key, list(latest.values()), replace_when=replace_when)

    return apply


COMPOUND: Entity = (
    _table(CompoundArea),
    "compound_id",
    lambda d, _: {
        "compound_id": d.compound_id,
        "name": d.name,
        "community_id": d.community_id,
        "street_id": d.street_id,
        "grid_id": d.grid_id,
    },
)
HOUSEHOLD: Entity = (
    _table(HouseholdView),
    "household_id",
    lambda d, removed: {
        "household_id": d.household_id,
        "dwelling_id": d.dwelling_id,
        "compound_id": d.compound_id,
        "removed": removed,
    },
)
MEMBER: Entity = (
    _table(MemberView),
    "party_member_id",
    lambda d, removed: {
        "party_member_id": d.party_member_id,
        "person_id": d.person_id,
        "name": d.name,
        "ledger": d.ledger,
        "household_id": d.household_id,
        "compound_id": d.compound_id,
        "skills": list(d.skills),
        "on_duty": d.on_duty,
        "max_open_orders": d.max_open_orders,
        "removed": removed,
    },
)
# A volunteer who stepped back (removed) is kept, inactive: matching asks only active ones.
VOLUNTEER: Entity = (
    _table(VolunteerView),
    "volunteer_id",
    lambda d, removed: {
        "volunteer_id": d.volunteer_id,
        "person_id": d.person_id,
        "name": d.name,
        "compound_id": d.compound_id,
        "household_id": d.household_id,
        "skills": list(d.skills),
        "team_names": list(d.team_names),
        "active": d.active and not removed,
    },
)
CHECK_IN: Entity = (
    _table(CheckInView),
    "check_in_id",
    lambda d, removed: {
        "check_in_id": d.check_in_id,
        "party_member_id": d.party_member_id,
        "compound_id": d.compound_id,
        "active": d.active and not removed,
    },
)
GRID_WORKER: Entity = (
    _table(GridWorkerView),
    "grid_worker_id",
    lambda d, removed: {
        "grid_worker_id": d.grid_worker_id,
        "person_id": d.person_id,
        "name": d.name,
        "grid_ids": list(d.grid_ids),
        "removed": removed,
    },
)
BUILDING: Entity = (
    _table(BuildingView),
    "building_id",
    lambda d, removed: {
        "building_id": d.building_id,
        "compound_id": d.compound_id,
        "number": d.number,
        "removed": removed,
    },
)
ENTRANCE: Entity = (
    _table(EntranceView),
    "entrance_id",
    lambda d, removed: {
        "entrance_id": d.entrance_id,
        "building_id": d.building_id,
        "number": d.number,
        "removed": removed,
    },
)
DWELLING: Entity = (
    _table(DwellingView),
    "dwelling_id",
    lambda d, removed: {
        "dwelling_id": d.dwelling_id,
        "building_id": d.building_id,
        "entrance_id": d.entrance_id,
        "compound_id": d.compound_id,
        "room": d.room,
        "removed": removed,
    },
)


async def _replace_links(
    session: AsyncSession, source: str, version: int, member_id: int | None, household_ids: list[int]
) -> None:
    held = (
        await session.scalars(select(MemberHouseholdLink.version).where(MemberHouseholdLink.source == source))
    ).first()
    if held is not None and (version < held or (version == held and household_ids)):
        return
    await session.execute(delete(MemberHouseholdLink).where(MemberHouseholdLink.source == source))
    if member_id is not None:
        session.add_all(
            MemberHouseholdLink(source=source, household_id=h, party_member_id=member_id, version=version)
            for h in sorted(set(household_ids))
        )
    await session.flush()


async def project_pairing(session: AsyncSession, data: c.PairingFields, removed: bool) -> None:
    """Only member → household pairings matter for matching; a removed one drops its link."""
    households = [data.household_id] if data.household_id is not None and not removed else []
    await _replace_links(session, f"pairing:{data.pairing_id}", data.version, data.party_member_id, households)


async def project_center_household(session: AsyncSession, data: c.CenterHouseholdFields, removed: bool) -> None:
    """A center household's member is paired with each mentored household (1+N 帮带)."""
    households = [] if removed else list(data.mentored_household_ids)
    await _replace_links(session, f"center:{data.center_household_id}", data.version, data.party_member_id, households)


async def forget_person(session: AsyncSession, data: c.PersonErased) -> None:
    """The person was erased in the registry: blank the name kept for them (as a party member,
    as a grid worker, as a volunteer). Ids, skills and points stay, so orders and the points history stay
    whole; the version is left alone, so a newer event still applies."""
    for model in (MemberView, GridWorkerView, VolunteerView):
        await session.execute(update(model).where(model.person_id == data.person_id).values(name=""))
