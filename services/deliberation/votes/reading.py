"""Reading a vote: the vote with its items, the votes of a proposal, the published tally, turnout,
receipts and their check, and the electoral roll of a building."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    can_read_everything,
    require_reader,
)
from services.deliberation.projections.models import BuildingView, DwellingView
from services.deliberation.proposals.lookup import get as get_proposal
from services.deliberation.votes import domain as d
from services.deliberation.votes import schemas as s
from services.deliberation.votes.chain import ChainedVote
from services.deliberation.votes.integrity import chained_votes
from services.deliberation.votes.lookup import building_numbers, get, vote_items
from services.deliberation.votes.models import Ballot, ElectorDwelling, Vote
from services.deliberation.votes.tally import (
    Choice,
    Matter,
    Outcome,
    Threshold,
    centi_to_area,
)
from shared.auth import Principal, Role
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, NotFound


async def published_tally(session: AsyncSession, vote_id: int) -> s.TallyOut:
    vote = await get(session, vote_id)
    if d.VoteStatus(vote.status) is not d.VoteStatus.closed or vote.outcome is None:
        raise Conflict(
            "表决结束后公布计票结果；进行中请查看参与情况",
            "The tally is published at closing; see turnout meanwhile",
            code=ErrorCode.not_tallied,
        )
    outcome = Outcome(vote.outcome)
    return s.TallyOut(
        vote_id=vote.id,
        outcome=outcome,
        outcome_label=outcome.label,
        tally_hash=vote.tally_hash,
        certified_by=vote.tally_certified_by,
        items=[json.loads(i.result) for i in await vote_items(session, vote.id) if i.result],
    )


async def turnout(session: AsyncSession, vote_id: int) -> s.TurnoutOut:
    """Live turnout per building (no choices), so building heads know whose door to knock on."""
    vote = await get(session, vote_id)
    # A paper sheet awaiting its witness is not yet a vote.
    voted = select(Ballot.person_key).where(Ballot.vote_id == vote.id, Ballot.pending.is_(False)).distinct().subquery()
    ed = ElectorDwelling
    rows = await session.execute(
        select(
            ed.building_id,
            func.count(func.distinct(ed.person_key)),
            func.sum(ed.area_centi),
            func.count(func.distinct(case((voted.c.person_key.is_not(None), ed.person_key)))),
            func.coalesce(func.sum(case((voted.c.person_key.is_not(None), ed.area_centi), else_=0)), 0),
        )
        .select_from(ed)
        .outerjoin(voted, voted.c.person_key == ed.person_key)
        .where(ed.vote_id == vote.id)
        .group_by(ed.building_id)
    )
    numbers = await building_numbers(session, vote.compound_id)
    buildings = [
        s.TurnoutRow(
            building_id=b,
            number=numbers.get(b),
            persons=p,
            voted_persons=vp,
            area_m2=str(centi_to_area(a)),
            voted_area_m2=str(centi_to_area(va)),
        )
        for b, p, a, vp, va in sorted(rows.all())
    ]
    totals = (
        await session.execute(
            select(
                func.count(func.distinct(ed.person_key)),
                func.coalesce(func.sum(ed.area_centi), 0),
                func.count(func.distinct(case((voted.c.person_key.is_not(None), ed.person_key)))),
                func.coalesce(func.sum(case((voted.c.person_key.is_not(None), ed.area_centi), else_=0)), 0),
            )
            .select_from(ed)
            .outerjoin(voted, voted.c.person_key == ed.person_key)
            .where(ed.vote_id == vote.id)
        )
    ).one()
    return s.TurnoutOut(
        vote_id=vote.id,
        status=d.VoteStatus(vote.status),
        persons=totals[0],
        voted_persons=totals[2],
        area_m2=str(centi_to_area(totals[1])),
        voted_area_m2=str(centi_to_area(totals[3])),
        buildings=buildings,
    )


async def receipts(session: AsyncSession, vote_id: int) -> list[s.ReceiptGroup]:
    """After closing: every receipt that counted, grouped by item and by the choice it was
    counted as, as the audit chain has them (not the ballot table, which an edit could change)."""
    vote = await get(session, vote_id)
    if d.VoteStatus(vote.status) is not d.VoteStatus.closed:
        raise Conflict("表决结束后公布收据", "Receipts are published at closing", code=ErrorCode.not_tallied)
    chained = (await chained_votes(session, vote.compound_id, vote.id)).get(vote.id, ChainedVote())
    groups: dict[tuple[int, str], list[str]] = defaultdict(list)
    for (item_id, _), b in chained.ballots.items():
        if not b.pending:
            groups[(item_id, b.choice)].append(b.receipt)
    return [s.ReceiptGroup(item_id=i, choice=Choice(c), receipts=sorted(r)) for (i, c), r in sorted(groups.items())]


async def check_receipt(session: AsyncSession, vote_id: int, receipt: str) -> s.ReceiptCheck:
    """What a receipt was counted as, read from the audit chain; only its holder knows whose it
    is. A ballot cast moments ago and not yet chained is reported from its row, saying so."""
    vote = await get(session, vote_id)
    chained = (await chained_votes(session, vote.compound_id, vote.id)).get(vote.id, ChainedVote())
    standing = chained.by_receipt().get(receipt)
    if standing is not None:
        item_id, b = standing
        return s.ReceiptCheck(
            receipt=receipt,
            vote_id=vote.id,
            item_id=item_id,
            counted_as=Choice(b.choice),
            in_published_tally=d.VoteStatus(vote.status) is d.VoteStatus.closed and not b.pending,
            in_chain=True,
            awaiting_witness=b.pending,
        )
    row = (
        await session.execute(
            select(Ballot.item_id, Ballot.choice).where(
                Ballot.vote_id == vote.id, Ballot.receipt == receipt, Ballot.chained.is_(False)
            )
        )
    ).first()
    if row is None:
        raise NotFound(
            "收据不在本次表决的审计链中（或已因改票而更新）",
            "No ballot of this vote in the audit chain carries that receipt (or it was changed since)",
        )
    return s.ReceiptCheck(
        receipt=receipt,
        vote_id=vote.id,
        item_id=row[0],
        counted_as=Choice(row[1]),
        in_published_tally=False,
        in_chain=False,
    )


async def show(session: AsyncSession, vote: Vote) -> s.VoteOut:
    status = d.VoteStatus(vote.status)
    return s.VoteOut(
        id=vote.id,
        version=vote.version,
        proposal_id=vote.proposal_id,
        compound_id=vote.compound_id,
        status=status,
        status_label=status.label,
        noticed_at=vote.noticed_at,
        opens_at=vote.opens_at,
        closes_at=vote.closes_at,
        extension_days=vote.extension_days,
        extended=vote.extended,
        non_voters_follow_majority=vote.non_voters_follow_majority,
        outcome=Outcome(vote.outcome) if vote.outcome else None,
        closed_at=vote.closed_at,
        tally_hash=vote.tally_hash,
        tally_certified_by=vote.tally_certified_by,
        items=[
            s.VoteItemOut(
                id=i.id,
                position=i.position,
                title=i.title,
                matter=Matter(i.matter),
                matter_label=Matter(i.matter).label,
                threshold=Threshold(i.threshold),
                threshold_label=Threshold(i.threshold).label,
                outcome=Outcome(i.outcome) if i.outcome else None,
            )
            for i in await vote_items(session, vote.id)
        ],
    )


async def of_proposal(session: AsyncSession, proposal_id: int, principal: Principal) -> list[s.VoteOut]:
    """Every owners' vote on the proposal (a notice withdrawn, a vote without quorum, a new one)."""
    proposal = await get_proposal(session, proposal_id)
    await require_reader(session, principal, proposal.compound_id)
    found = await session.scalars(select(Vote).where(Vote.proposal_id == proposal.id).order_by(Vote.id))
    return [await show(session, vote) for vote in found]


async def _require_roll_reader(session: AsyncSession, principal: Principal, vote: Vote, building_id: int) -> None:
    """The building head of that building (they go door to door), or the committees."""
    if await can_read_everything(session, principal, vote.compound_id):
        return
    in_compound = await session.scalar(
        select(BuildingView.building_id).where(
            BuildingView.building_id == building_id, BuildingView.compound_id == vote.compound_id
        )
    )
    if in_compound is not None and principal.has(Role.building_head, "building", building_id):
        return
    raise Forbidden(
        "只有本栋楼栋长及本小区业委会、监委会可查看本栋的表决名册",
        "Only the building head of this building and the compound's committees read its voter roll",
        code=ErrorCode.not_building_head,
    )


async def roll(session: AsyncSession, vote_id: int, building_id: int, principal: Principal) -> s.RollOut:
    """One building's voter roll: each dwelling and whether its voting person has voted (a
    ballot that counts on any item), never the choice."""
    vote = await get(session, vote_id)
    await _require_roll_reader(session, principal, vote, building_id)
    rows = (
        await session.execute(
            select(ElectorDwelling.dwelling_id, ElectorDwelling.person_key, DwellingView.room)
            .outerjoin(DwellingView, DwellingView.dwelling_id == ElectorDwelling.dwelling_id)
            .where(ElectorDwelling.vote_id == vote.id, ElectorDwelling.building_id == building_id)
            .order_by(DwellingView.room, ElectorDwelling.dwelling_id)
        )
    ).all()
    keys = {r[1] for r in rows}
    ballots = (
        await session.execute(
            select(Ballot.person_key, Ballot.pending).where(Ballot.vote_id == vote.id, Ballot.person_key.in_(keys))
        )
    ).all()
    voted = {k for k, pending in ballots if not pending}
    waiting = {k for k, pending in ballots if pending} - voted
    numbers = await building_numbers(session, vote.compound_id)
    return s.RollOut(
        vote_id=vote.id,
        building_id=building_id,
        number=numbers.get(building_id),
        persons=len(keys),
        voted_persons=len(keys & voted),
        dwellings=[
            s.RollDwelling(dwelling_id=d_id, room=room, voted=key in voted, awaiting_witness=key in waiting)
            for d_id, key, room in rows
        ],
    )
