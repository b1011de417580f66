"""Events billing consumes: registry records (projections), shared-property visits from
dispatch, levies and maintenance-fund uses from deliberation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.funds.visits import charge_visit, record_maintenance_decision
from services.billing.levies.service import bill_levy
from services.billing.projections.models import compound_projection
from services.billing.projections.service import register_projections
from shared.contracts.deliberation import LevyPassed, MaintenanceFundUsePassed
from shared.contracts.dispatch import SharedPropertyVisitCompleted
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.projections import project_compounds

handlers = EventHandlers()
project_compounds(handlers, compound_projection)
register_projections(handlers)


def _when(event: CloudEvent) -> datetime:
    # The event's own time, so a redelivery or a replay books what the first delivery would have.
    # CloudEvents times carry their offset (RFC 3339); the UTC-aware columns refuse any that does not.
    return event.time


@handlers.on(SharedPropertyVisitCompleted)
async def on_visit(session: AsyncSession, event: CloudEvent, data: SharedPropertyVisitCompleted) -> None:
    await charge_visit(session, data, _when(event))


@handlers.on(LevyPassed)
async def on_levy(session: AsyncSession, event: CloudEvent, data: LevyPassed) -> None:
    await bill_levy(session, data, _when(event))


@handlers.on(MaintenanceFundUsePassed)
async def on_maintenance_use(session: AsyncSession, event: CloudEvent, data: MaintenanceFundUsePassed) -> None:
    await record_maintenance_decision(session, data, _when(event))
