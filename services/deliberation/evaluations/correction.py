"""A low rating or the owners' request opens a correction or recall proposal on the 131 path
(民法典 art. 278 item 3: electing the committee or replacing its members). It starts where any
proposal starts, with the party organisation's triage (党组织引领下的纠错和退出机制)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.proposals import domain as pd
from services.deliberation.proposals.models import Proposal
from services.deliberation.proposals.transition import announce


async def open_correction(
    session: AsyncSession, compound_id: int, title: str, description: str, reason: dict[str, object], at: datetime
) -> Proposal:
    proposal = Proposal(
        compound_id=compound_id,
        title=title,
        description=description,
        category="committee_correction",
        origin=pd.Origin.committee_review.value,
        submitted_by_person_id=None,
        status=pd.Status.submitted.value,
    )
    session.add(proposal)
    await session.flush()
    await record(
        session,
        compound_id,
        Action.proposal_submitted,
        f"proposal:{proposal.id}",
        None,
        {"title": proposal.title, "origin": proposal.origin, **reason},
        at,
    )
    await announce(session, proposal, None)
    return proposal
