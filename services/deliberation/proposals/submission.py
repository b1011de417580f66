"""A proposal comes in: submitted by a resident or staff, or referred from a dispatch order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    compound_community,
    require_member,
    require_party_lead,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.models import (
    Proposal,
)
from services.deliberation.proposals.transition import announce
from shared.auth import Principal
from shared.contracts.dispatch import OrderReferredToDeliberation
from shared.errors import Forbidden, InvalidInput


async def submit(session: AsyncSession, body: s.ProposalCreate, principal: Principal, at: datetime) -> Proposal:
    """A resident or the party organisation puts a matter forward (dispatch's referrals arrive
    as events instead)."""
    await compound_community(session, body.compound_id)
    if body.origin is d.Origin.dispatch:
        raise InvalidInput(
            "派单转入的议题由派单系统自动生成",
            "Proposals from dispatch arrive by event, not by hand",
            details=[{"field": "origin", "value": body.origin.value}],
        )
    if body.origin is d.Origin.committee_review:
        raise InvalidInput(
            "业委会纠错议题由年度测评或业主联名自动提请",
            "Correction proposals come from the yearly evaluation or the owners' request",
            details=[{"field": "origin", "value": body.origin.value}],
        )
    if body.origin is d.Origin.party_org:
        await require_party_lead(session, principal, body.compound_id)
    else:
        await require_member(session, principal, body.compound_id)
    if principal.person_id is None:
        raise Forbidden("须以实名身份提交议题", "A proposal is submitted under a real name")
    proposal = Proposal(
        compound_id=body.compound_id,
        title=" ".join(body.title.split()),
        description=body.description,
        category=body.category,
        origin=body.origin.value,
        submitted_by_person_id=principal.person_id,
        status=d.Status.submitted.value,
    )
    session.add(proposal)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.proposal_submitted,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"title": proposal.title, "origin": proposal.origin},
        at,
    )
    await announce(session, proposal, None)
    return proposal


async def from_referral(session: AsyncSession, data: OrderReferredToDeliberation, at: datetime) -> None:
    """Dispatch's grid worker already triaged the order as minor: it enters the council's
    deliberation at once. One proposal per order, however often the event arrives."""
    known = await session.scalar(select(Proposal.id).where(Proposal.origin_order_id == data.order_id))
    if known is not None:
        return
    proposal = Proposal(
        compound_id=data.compound_id,
        title=data.title[:200],
        description=data.description,
        category=data.category[:40],
        origin=d.Origin.dispatch.value,
        origin_order_id=data.order_id,
        submitted_by_person_id=data.requester_person_id,
        status=d.Status.in_council.value,
        triage=d.Triage.minor.value,
        triage_note=f"派单 {data.order_id} 经网格员分流为小事",
    )
    session.add(proposal)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.proposal_submitted,
        f"proposal:{proposal.id}",
        data.referred_by_person_id,
        {"title": proposal.title, "origin": "dispatch", "order_id": data.order_id},
        at,
    )
    await announce(session, proposal, None)
