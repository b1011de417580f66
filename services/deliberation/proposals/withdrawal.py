"""The submitter, or the committee, withdraws a matter not yet decided."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
)
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import get
from services.deliberation.proposals.models import (
    Proposal,
)
from services.deliberation.proposals.transition import move
from shared.auth import Principal


async def withdraw(
    session: AsyncSession, proposal_id: int, body: s.WithdrawIn, principal: Principal, at: datetime
) -> Proposal:
    """The submitter, or the committee, withdraws a matter not yet decided."""
    proposal = await get(session, proposal_id)
    if proposal.submitted_by_person_id != principal.person_id:
        await require_committee(session, principal, proposal.compound_id)
    await move(session, proposal, d.Status.withdrawn, principal.person_id, at, body.version, body.reason)
    return proposal
