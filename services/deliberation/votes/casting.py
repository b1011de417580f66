"""Ballots online: an owner casts (in person or by written proxy), changes them until the vote closes
and reads their own with the receipts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import lock_chain, record
from services.deliberation.votes import domain as d
from services.deliberation.votes import schemas as s
from services.deliberation.votes.ballots import (
    already_voted_error,
    ballot_out,
    check_choices,
    elector_key,
    existing_ballots,
    insert_ballots,
    open_window,
    taken_items,
    voter_key,
)
from services.deliberation.votes.chaining import chain_pending
from services.deliberation.votes.lookup import get
from services.deliberation.votes.models import ElectorDwelling
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden


async def cast(
    session: AsyncSession, vote_id: int, body: s.BallotsIn, principal: Principal, at: datetime
) -> list[s.BallotOut]:
    """Cast the caller's ballot (or an owner's, by written proxy) on one or more items. The
    unique (item, voting person) key refuses a second ballot even from a concurrent request;
    the chainer appends the audit entry moments later (closing chains whatever is left)."""
    await open_window(session, vote_id, at)
    key, via, proxy_id = await voter_key(session, vote_id, principal, body.on_behalf_of_person_id, body.as_developer)
    if body.dwelling_id is not None:
        owned_key = await session.scalar(
            select(ElectorDwelling.person_key).where(
                ElectorDwelling.vote_id == vote_id, ElectorDwelling.dwelling_id == body.dwelling_id
            )
        )
        if owned_key != key:
            raise Forbidden(
                f"房屋 {body.dwelling_id} 不在你（或委托人）的名下",
                f"Dwelling {body.dwelling_id} is not the voter's",
                code=ErrorCode.not_your_dwelling,
            )
    picked = await check_choices(session, vote_id, body.choices)
    clash = {i: v for i, v in (await taken_items(session, vote_id, key)).items() if i in picked}
    if clash:
        raise already_voted_error(clash, key)
    ballots = await insert_ballots(
        session, vote_id, key, picked, at, via, cast_by_person_id=principal.person_id, proxy_id=proxy_id
    )
    if len(ballots) < len(picked):  # a concurrent request for the same person won the race
        raise already_voted_error(dict.fromkeys(picked, via.value), key)
    return [ballot_out(b) for b in ballots]


async def change(
    session: AsyncSession, vote_id: int, body: s.BallotsIn, principal: Principal, at: datetime
) -> list[s.BallotOut]:
    """Change one's ballot until closing; each change gets a new receipt."""
    vote = await get(session, vote_id)
    await open_window(session, vote.id, at)
    # The original ballot's entry goes into the chain before the change's.
    await chain_pending(session, vote.compound_id)
    reserved = await lock_chain(session, vote.compound_id)
    key, via, proxy_id = await voter_key(session, vote.id, principal, body.on_behalf_of_person_id, body.as_developer)
    picked = await check_choices(session, vote.id, body.choices)
    existing = await existing_ballots(session, vote.id, key)
    missing = sorted(set(picked) - set(existing))
    if missing:
        raise Conflict(
            "这些事项尚未投票，请先投票",
            "There is no ballot to change on these items; cast one first",
            code=ErrorCode.no_ballot,
            details={"item_ids": missing},
        )
    changed = []
    for item_id, choice in picked.items():
        b = existing[item_id]
        b.choice, b.version, b.changed_at = choice.value, b.version + 1, at
        b.via, b.cast_by_person_id, b.proxy_id = via.value, principal.person_id, proxy_id
        b.pending = False  # the owner's own change replaces a sheet awaiting its witness
        b.receipt = d.receipt(b.nonce, vote.id, item_id, key, choice.value, b.version)
        changed.append(b)
    await session.flush()
    await record(
        session,
        vote.compound_id,
        Action.ballot_changed,
        f"vote:{vote.id}",
        principal.person_id,
        {
            "person_key": key,
            "via": via.value,
            "items": [
                {"item_id": b.item_id, "choice": b.choice, "version": b.version, "receipt": b.receipt} for b in changed
            ],
        },
        at,
        reserved,
    )
    return [ballot_out(b) for b in changed]


async def mine(session: AsyncSession, vote_id: int, principal: Principal) -> list[s.BallotOut]:
    vote = await get(session, vote_id)
    key = await elector_key(session, vote.id, principal.person_id)
    return [ballot_out(b) for b in (await existing_ballots(session, vote.id, key)).values()]
