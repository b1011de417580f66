"""The committee classifies the matter (which vote and threshold it needs) and a second member
co-signs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
    require_seat,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.bodies import Body
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.lookup import get, live_vote
from services.deliberation.proposals.models import (
    ClassificationItem,
    Plan,
    Proposal,
)
from services.deliberation.proposals.transition import check_not_held, check_seen
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def classify(
    session: AsyncSession, proposal_id: int, body: s.ClassificationIn, principal: Principal, at: datetime
) -> Proposal:
    """The committee names the art. 278 item and threshold of each vote item before notice;
    once noticed the classification is frozen (a change means cancelling and a new notice)."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    check_seen(proposal, body.version)
    if await live_vote(session, proposal.id) is not None:
        raise Conflict(
            "表决已公告，定性已冻结；如需修改须撤销公告后重新公告",
            "The vote is noticed: its classification is frozen; cancel the notice and give a new one to change it",
            code=ErrorCode.classification_frozen,
        )
    if d.Status(proposal.status) not in (d.Status.awaiting_vote, d.Status.no_quorum):
        raise Conflict(
            "只有待业主表决的议题需要定性",
            "Only a proposal awaiting the owners' vote is classified",
            code=ErrorCode.illegal_transition,
        )
    await check_not_held(session, proposal)
    plan = await session.get(Plan, proposal.id)
    if plan is not None and d.needs_special_matter(
        d.FundingSource(plan.funding_source), [i.matter.threshold for i in body.items]
    ):
        raise InvalidInput(
            "方案由业主出资，属于筹集资金的事项，须至少有一项按「双四分之三」表决"
            "（如「筹集建筑物及其附属设施的维修资金」），不能只定为一般事项",
            "A plan that raises money from the owners needs at least one item voted by the special "
            "(three-quarters) majority, e.g. raise_maintenance_fund; ordinary matters alone do not suffice",
            code=ErrorCode.levy_needs_special_majority,
            details=[{"field": "items", "value": [i.matter.value for i in body.items]}],
        )
    for old in await session.scalars(select(ClassificationItem).where(ClassificationItem.proposal_id == proposal.id)):
        await session.delete(old)
    await session.flush()
    for position, item in enumerate(body.items, start=1):
        session.add(
            ClassificationItem(
                proposal_id=proposal.id,
                position=position,
                title=" ".join(item.title.split()),
                matter=item.matter.value,
                threshold=item.matter.threshold.value,
            )
        )
    proposal.classification_cosigned_by = None
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.classified,
        f"proposal:{proposal.id}",
        principal.person_id,
        {
            "items": [
                {"title": i.title, "matter": i.matter.value, "threshold": i.matter.threshold.value} for i in body.items
            ]
        },
        at,
    )
    return proposal


async def cosign_classification(
    session: AsyncSession, proposal_id: int, body: s.Seen, principal: Principal, at: datetime
) -> Proposal:
    proposal = await get(session, proposal_id)
    await require_seat(session, principal, proposal.compound_id, Body.supervisory_committee)
    check_seen(proposal, body.version)
    items = list(await session.scalars(select(ClassificationItem).where(ClassificationItem.proposal_id == proposal.id)))
    if not items:
        raise Conflict(
            "尚未定性，无可会签", "Nothing to co-sign: the matter is not classified yet", code=ErrorCode.not_classified
        )
    if await live_vote(session, proposal.id) is not None:
        raise Conflict(
            "表决已公告，定性已冻结", "The classification is frozen by the notice", code=ErrorCode.classification_frozen
        )
    proposal.classification_cosigned_by = principal.person_id
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.classification_cosigned,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"items": [i.matter for i in items]},
        at,
    )
    return proposal
