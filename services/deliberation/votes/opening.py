"""Opening a vote: the electorate is fixed from the owners of the day, by the committee or by the
ticker when the notice period ends."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import lock_chain, record
from services.deliberation.projections.models import DwellingView, OwnershipView
from services.deliberation.proposals.lookup import get as get_proposal
from services.deliberation.votes import domain as d
from services.deliberation.votes.lookup import flush_vote, get
from services.deliberation.votes.models import Elector, ElectorDwelling, Vote
from services.deliberation.votes.tally import (
    DwellingRecord,
    build_electorate,
)
from shared.auth import Principal
from shared.contracts.deliberation import VoteOpened
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.events.outbox import emit


async def owners_now(session: AsyncSession, compound_id: int, today: date) -> dict[int, set[int]]:
    """Dwelling id → the persons who own it today, from the ownership projection."""
    rows = await session.execute(
        select(OwnershipView.dwelling_id, OwnershipView.person_id).where(
            OwnershipView.compound_id == compound_id,
            (OwnershipView.since.is_(None)) | (OwnershipView.since <= today),
            (OwnershipView.until.is_(None)) | (OwnershipView.until > today),
        )
    )
    owners: dict[int, set[int]] = defaultdict(set)
    for dwelling_id, person_id in rows.all():
        owners[dwelling_id].add(person_id)
    return owners


async def open_vote(session: AsyncSession, vote: Vote, actor: int | None, at: datetime) -> Vote:
    """Open at the announced time and fix the electorate: every dwelling of the compound with
    its exclusive area and its voting person, as the register stands today. The chain head
    serialises it with the vote clock, so a vote opens once."""
    await session.execute(select(Vote.id).where(Vote.id == vote.id).with_for_update())
    reserved = await lock_chain(session, vote.compound_id)
    await session.refresh(vote)
    d.check_can_open(d.VoteStatus(vote.status), at, vote.opens_at)
    owners = await owners_now(session, vote.compound_id, at.date())
    dwellings = await session.execute(
        select(
            DwellingView.dwelling_id,
            DwellingView.building_id,
            DwellingView.exclusive_area_centi,
            DwellingView.sale_status,
            DwellingView.delivered,
        ).where(DwellingView.compound_id == vote.compound_id)
    )
    records = [
        DwellingRecord(
            dwelling_id,
            building_id,
            area,
            frozenset(owners.get(dwelling_id, ())),
            developer_held=sale_status == "unsold" or not delivered,
        )
        for dwelling_id, building_id, area, sale_status, delivered in dwellings.all()
    ]
    if not records:
        raise Conflict(
            "本小区尚无房屋信息，无法确定表决人",
            "No dwellings are known for this compound",
            code=ErrorCode.no_electorate,
        )
    persons = build_electorate(records)
    await session.execute(
        insert(ElectorDwelling),
        [
            {
                "vote_id": vote.id,
                "dwelling_id": dw.dwelling_id,
                "building_id": dw.building_id,
                "area_centi": dw.area_centi,
                "person_key": p.key,
            }
            for p in persons
            for dw in p.dwellings
        ],
    )
    electors = [{"vote_id": vote.id, "person_id": pid, "person_key": p.key} for p in persons for pid in p.person_ids]
    if electors:
        await session.execute(insert(Elector), electors)
    vote.status = d.VoteStatus.open.value
    await flush_vote(session)
    await record(
        session,
        vote.compound_id,
        Action.vote_opened,
        f"vote:{vote.id}",
        actor,
        {"dwellings": len(records), "persons": len(persons), "area_centi": sum(r.area_centi for r in records)},
        at,
        reserved,
    )
    # The registry tells the owners (issue 15).
    proposal = await get_proposal(session, vote.proposal_id)
    await emit(
        session,
        VoteOpened(
            vote_id=vote.id,
            proposal_id=proposal.id,
            compound_id=vote.compound_id,
            title=proposal.title,
            closes_at=vote.closes_at.isoformat(),
        ),
        subject=vote.id,
        key=vote.compound_id,
    )
    return vote


async def open_by_committee(session: AsyncSession, vote_id: int, principal: Principal, at: datetime) -> Vote:
    vote = await get(session, vote_id)
    await require_committee(session, principal, vote.compound_id)
    return await open_vote(session, vote, principal.person_id, at)
