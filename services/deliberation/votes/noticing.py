"""Giving notice of an owners' vote (at least 15 days ahead, the co-signed classification frozen into
its items) and withdrawing the notice before it opens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.proposals import domain as pd
from services.deliberation.proposals.lookup import get as get_proposal
from services.deliberation.proposals.models import ClassificationItem
from services.deliberation.proposals.transition import move as move_proposal
from services.deliberation.votes import domain as d
from services.deliberation.votes import schemas as s
from services.deliberation.votes.lookup import flush_vote, get
from services.deliberation.votes.models import Vote, VoteItem
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.locking import check_version


async def notice(session: AsyncSession, proposal_id: int, body: s.NoticeIn, principal: Principal, at: datetime) -> Vote:
    """The committee gives notice of the owners' vote: the co-signed classification is frozen
    into the vote's items, with the schedule and the extension rule."""
    proposal = await get_proposal(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    if proposal.classification_cosigned_by is None:
        raise Conflict(
            "表决事项的定性须经监委会会签后才能公告",
            "The classification must be co-signed by the supervisory committee before notice",
            code=ErrorCode.classification_not_cosigned,
        )
    opens_at, closes_at = body.opens_at, body.closes_at
    d.check_schedule(at, opens_at, closes_at, body.extension_days)
    await move_proposal(session, proposal, pd.Status.voting, principal.person_id, at, body.version, "发布表决公告")
    vote = Vote(
        proposal_id=proposal.id,
        compound_id=proposal.compound_id,
        status=d.VoteStatus.noticed.value,
        noticed_at=at,
        opens_at=opens_at,
        closes_at=closes_at,
        extension_days=body.extension_days,
        extended=False,
        non_voters_follow_majority=body.non_voters_follow_majority,
        noticed_by_person_id=principal.person_id or 0,
    )
    session.add(vote)
    await session.flush()
    classification = await session.scalars(
        select(ClassificationItem)
        .where(ClassificationItem.proposal_id == proposal.id)
        .order_by(ClassificationItem.position)
    )
    frozen = []
    for c in classification:
        session.add(
            VoteItem(vote_id=vote.id, position=c.position, title=c.title, matter=c.matter, threshold=c.threshold)
        )
        frozen.append({"title": c.title, "matter": c.matter, "threshold": c.threshold})
    await session.flush()
    await record(
        session,
        vote.compound_id,
        Action.vote_noticed,
        f"vote:{vote.id}",
        principal.person_id,
        {
            "proposal_id": proposal.id,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "extension_days": body.extension_days,
            "non_voters_follow_majority": body.non_voters_follow_majority,
            "items": frozen,
        },
        at,
    )
    return vote


async def cancel(session: AsyncSession, vote_id: int, body: s.CancelIn, principal: Principal, at: datetime) -> Vote:
    """Withdraw a notice before the vote opens (e.g. to change the classification); the
    proposal goes back to await a new notice."""
    vote = await get(session, vote_id)
    await require_committee(session, principal, vote.compound_id)
    check_version("表决", "The vote", vote.version, body.version)
    d.VOTE_MACHINE.check(d.VoteStatus(vote.status), d.VoteStatus.cancelled)
    vote.status = d.VoteStatus.cancelled.value
    await flush_vote(session)
    proposal = await get_proposal(session, vote.proposal_id)
    await move_proposal(session, proposal, pd.Status.awaiting_vote, principal.person_id, at, note=body.reason)
    return vote
