"""Events deliberation consumes: registry's places, dwellings, ownerships and memberships
(projections), and dispatch's referrals (a proposal per order)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.base import compound_projection
from services.deliberation.projections.service import register_projections
from services.deliberation.proposals.submission import from_referral
from shared.contracts.dispatch import OrderReferredToDeliberation
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.projections import project_compounds

handlers = EventHandlers()
project_compounds(handlers, compound_projection)
register_projections(handlers)


@handlers.on(OrderReferredToDeliberation)
async def referred(session: AsyncSession, event: CloudEvent, data: OrderReferredToDeliberation) -> None:
    # The referral's own time goes into the audit entry, so a redelivery or a replay records
    # when the grid worker referred it, not when it was read.
    await from_referral(session, data, event.time)
