"""Events dispatch consumes: the registry's places and people it matches and authorises
with, and deliberation's execution tasks, which become orders."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.base import compound_projection
from services.dispatch.orders.intake import open_execution_task
from services.dispatch.projections import service as p
from shared.contracts import registry as c
from shared.contracts.deliberation import ExecutionTaskCreated
from shared.events.consumer import BatchHandler, EventHandlers
from shared.events.envelope import CloudEvent
from shared.projections import project_compounds

handlers = EventHandlers()


def _shared_compound_handler() -> BatchHandler:
    # The shared compound projection's set-based handler, reused so this service's handler can
    # also keep the compound's grid (which the shared table does not hold) beside it.
    scratch = EventHandlers()
    project_compounds(scratch, compound_projection)
    registration = scratch.get(c.CompoundCreated.event_type)
    assert registration is not None
    assert registration.batch_handler is not None
    return registration.batch_handler


_project_shared_compounds = _shared_compound_handler()


_project_compound_areas = p.project_batch(p.COMPOUND, removed=False)


async def _compounds(session: AsyncSession, items: list[tuple[CloudEvent, Any]]) -> None:
    await _project_shared_compounds(session, items)
    await _project_compound_areas(session, items)


handlers.on_batch(c.CompoundCreated)(_compounds)
handlers.on_batch(c.CompoundUpdated)(_compounds)


def _set_based(created: type[Any], updated: type[Any], removed: type[Any], entity: p.Entity) -> None:
    kept = p.project_batch(entity, removed=False)
    handlers.on_batch(created)(kept)
    handlers.on_batch(updated)(kept)
    handlers.on_batch(removed)(p.project_batch(entity, removed=True))


def _twice(created: type[Any], updated: type[Any], removed: type[Any], apply: Any) -> None:
    async def kept(session: AsyncSession, _: CloudEvent, data: Any) -> None:
        await apply(session, data, False)

    async def gone(session: AsyncSession, _: CloudEvent, data: Any) -> None:
        await apply(session, data, True)

    handlers.on(created)(kept)
    handlers.on(updated)(kept)
    handlers.on(removed)(gone)


# What a ledger import floods (places and households) and the people matching asks for: set-based.
_set_based(c.BuildingCreated, c.BuildingUpdated, c.BuildingRemoved, p.BUILDING)
_set_based(c.EntranceCreated, c.EntranceUpdated, c.EntranceRemoved, p.ENTRANCE)
_set_based(c.DwellingCreated, c.DwellingUpdated, c.DwellingRemoved, p.DWELLING)
_set_based(c.HouseholdCreated, c.HouseholdUpdated, c.HouseholdRemoved, p.HOUSEHOLD)
_set_based(c.PartyMemberCreated, c.PartyMemberUpdated, c.PartyMemberRemoved, p.MEMBER)
_set_based(c.CheckInCreated, c.CheckInUpdated, c.CheckInRemoved, p.CHECK_IN)
_set_based(c.GridWorkerCreated, c.GridWorkerUpdated, c.GridWorkerRemoved, p.GRID_WORKER)
_set_based(c.VolunteerCreated, c.VolunteerUpdated, c.VolunteerRemoved, p.VOLUNTEER)
# Pairings replace a set of links each: rare, one event at a time.
_twice(c.PairingCreated, c.PairingUpdated, c.PairingRemoved, p.project_pairing)
_twice(c.CenterHouseholdCreated, c.CenterHouseholdUpdated, c.CenterHouseholdRemoved, p.project_center_household)


@handlers.on(c.PersonErased)
async def _person_erased(session: AsyncSession, _: CloudEvent, data: c.PersonErased) -> None:
    await p.forget_person(session, data)


@handlers.on(ExecutionTaskCreated)
async def _execution_task(session: AsyncSession, event: CloudEvent, data: ExecutionTaskCreated) -> None:
    await open_execution_task(session, data)
