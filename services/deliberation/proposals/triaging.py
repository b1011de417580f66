"""The party lead triages a proposal; the council resolves whether to do it after hearing residents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_party_lead,
    require_seat,
)
from services.deliberation.bodies import Body
from services.deliberation.meetings.models import Meeting
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import get
from services.deliberation.proposals.models import (
    Proposal,
)
from services.deliberation.proposals.transition import move
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict


async def triage(
    session: AsyncSession, proposal_id: int, body: s.TriageIn, principal: Principal, at: datetime
) -> Proposal:
    proposal = await get(session, proposal_id)
    await require_party_lead(session, principal, proposal.compound_id)
    proposal.triage = body.triage.value
    proposal.triage_note = body.note
    await move(session, proposal, d.triage_target(body.triage), principal.person_id, at, body.version, body.note)
    return proposal


async def resolve_in_council(
    session: AsyncSession, proposal_id: int, body: s.CouncilResolutionIn, principal: Principal, at: datetime
) -> Proposal:
    """The council decides whether to do it, after hearing residents in a meeting."""
    proposal = await get(session, proposal_id)
    await require_seat(session, principal, proposal.compound_id, Body.council)
    held = await session.scalar(
        select(func.count()).where(
            Meeting.proposal_id == proposal.id, Meeting.kind.in_(["opinion", "topic_discussion"])
        )
    )
    if not held:
        raise Conflict(
            "议事会须先召开群众意见会或议题讨论会，再作决定",
            "The council resolves after an opinion meeting or a topic discussion",
            code=ErrorCode.no_council_meeting,
        )
    proposal.council_resolution = body.resolution.value
    proposal.council_note = body.note
    proposal.council_rounds += 1
    await move(session, proposal, d.council_target(body.resolution), principal.person_id, at, body.version, body.note)
    return proposal
