"""Ballots of one compound queue on its audit chain head: the background chainer links the pending ones
in order, so a burst loses none and doubles none."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import Pending, lock_head, record_many
from services.deliberation.votes.models import Ballot, Vote


async def chain_pending(session: AsyncSession, compound_id: int, limit: int = 5_000) -> int:
    """Append the audit entries of the compound's unchained ballots, oldest first, under its
    chain head (so replicas running the chainer never chain a ballot twice)."""
    await lock_head(session, compound_id)
    rows = (
        await session.execute(
            select(
                Ballot.id, Ballot.vote_id, Ballot.item_id, Ballot.person_key, Ballot.choice, Ballot.via,
                Ballot.proxy_id, Ballot.receipt, Ballot.cast_by_person_id, Ballot.cast_at,
            )
            .join(Vote, Vote.id == Ballot.vote_id)
            .where(Vote.compound_id == compound_id, Ballot.chained.is_(False))
            .order_by(Ballot.id)
            .limit(limit)
        )
    ).all()  # fmt: skip
    await record_many(
        session,
        compound_id,
        [
            Pending(
                Action.ballot_cast, f"vote:{vote_id}", actor,
                {"person_key": key, "via": via, "proxy_id": proxy_id,
                 "items": [{"item_id": item_id, "choice": choice, "receipt": receipt}]},
                cast_at,
            )
            for _, vote_id, item_id, key, choice, via, proxy_id, receipt, actor, cast_at in rows
        ],
    )  # fmt: skip
    if rows:
        await session.execute(update(Ballot).where(Ballot.id.in_([r[0] for r in rows])).values(chained=True))
    return len(rows)


async def compounds_with_pending(session: AsyncSession) -> list[int]:
    """Compounds that have ballots not yet in their audit chain (for the chainer)."""
    rows = await session.scalars(
        select(Vote.compound_id).join(Ballot, Ballot.vote_id == Vote.id).where(Ballot.chained.is_(False)).distinct()
    )
    return list(rows)
