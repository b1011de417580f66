"""What casting, changing and entering paper ballots share: who the elector is (in person, by proxy, as
the developer), the choices checked against the items, the ballot rows with their receipts, and the
voting window."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    represents_developer,
)
from services.deliberation.votes import domain as d
from services.deliberation.votes import schemas as s
from services.deliberation.votes.models import Ballot, Elector, ElectorDwelling, Proxy, Vote, VoteItem
from services.deliberation.votes.tally import (
    DEVELOPER_KEY,
    Choice,
)
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.responses import row_with


def not_an_owner_error() -> Forbidden:
    return Forbidden(
        "只有本小区业主可以表决（以表决开始时的产权登记为准）",
        "Only owners of the compound vote (as registered when the vote opened)",
        code=ErrorCode.not_an_owner,
    )


async def elector_key(session: AsyncSession, vote_id: int, person_id: int | None, as_developer: bool = False) -> str:
    """The voting person the caller acts as: their own, or (as the developer's representative,
    when they own nothing here or say so) the developer's."""
    if person_id is None:
        raise not_an_owner_error()
    key = None
    if not as_developer:
        key = await session.scalar(
            select(Elector.person_key).where(Elector.vote_id == vote_id, Elector.person_id == person_id)
        )
    if key is None and await _developer_voice(session, vote_id, person_id):
        return DEVELOPER_KEY
    if key is None:
        raise not_an_owner_error()
    return key


async def _developer_voice(session: AsyncSession, vote_id: int, person_id: int) -> bool:
    """The person represents the developer of the vote's compound, and the developer is on the roll."""
    compound_id = await session.scalar(select(Vote.compound_id).where(Vote.id == vote_id))
    if compound_id is None or not await represents_developer(session, compound_id, person_id):
        return False
    on_roll = await session.scalar(
        select(ElectorDwelling.dwelling_id)
        .where(ElectorDwelling.vote_id == vote_id, ElectorDwelling.person_key == DEVELOPER_KEY)
        .limit(1)
    )
    return on_roll is not None


async def voter_key(
    session: AsyncSession, vote_id: int, principal: Principal, on_behalf_of: int | None, as_developer: bool = False
) -> tuple[str, d.Via, int | None]:
    """Whose ballot this is: the caller's own, or an owner's by a recorded written proxy."""
    if on_behalf_of is None:
        return await elector_key(session, vote_id, principal.person_id, as_developer), d.Via.online, None
    proxy = await session.scalar(
        select(Proxy).where(Proxy.vote_id == vote_id, Proxy.principal_person_id == on_behalf_of)
    )
    if proxy is None or proxy.agent_person_id != principal.person_id:
        raise Forbidden(
            f"没有业主 {on_behalf_of} 给你的书面委托，不能代为投票",
            f"No written proxy from owner {on_behalf_of} names you as agent",
            code=ErrorCode.no_proxy,
        )
    return await elector_key(session, vote_id, on_behalf_of), d.Via.proxy, proxy.id


async def check_choices(session: AsyncSession, vote_id: int, choices: list[s.ChoiceIn]) -> dict[int, Choice]:
    items = set(await session.scalars(select(VoteItem.id).where(VoteItem.vote_id == vote_id)))
    picked: dict[int, Choice] = {}
    for c in choices:
        if c.item_id not in items:
            raise InvalidInput(
                f"表决事项 {c.item_id} 不属于本次表决",
                f"Item {c.item_id} is not on this vote",
                details=[{"field": "item_id", "value": c.item_id}],
            )
        if c.item_id in picked:
            raise InvalidInput(
                "同一事项只能选择一次", "Each item may appear once", details=[{"field": "item_id", "value": c.item_id}]
            )
        picked[c.item_id] = c.choice
    return picked


async def existing_ballots(session: AsyncSession, vote_id: int, key: str) -> dict[int, Ballot]:
    rows = await session.scalars(select(Ballot).where(Ballot.vote_id == vote_id, Ballot.person_key == key))
    return {b.item_id: b for b in rows}


class Issued(NamedTuple):
    """A ballot as written by the cast path (Core insert, no ORM round trip)."""

    item_id: int
    choice: str
    via: str
    version: int
    receipt: str
    nonce: str


async def taken_items(session: AsyncSession, vote_id: int, key: str) -> dict[int, str]:
    """Items this voting person already has a ballot on, with how it was cast."""
    rows = await session.execute(
        select(Ballot.item_id, Ballot.via).where(Ballot.vote_id == vote_id, Ballot.person_key == key)
    )
    return {int(item_id): str(via) for item_id, via in rows}


def ballot_out(b: Ballot | Issued, awaiting_witness: bool | None = None) -> s.BallotOut:
    """The receipt's nonce is shown under the name the voter keeps it by, and a ballot just
    issued (no row read back) is told whether it awaits its witness."""
    pending = bool(b.pending) if isinstance(b, Ballot) else bool(awaiting_witness)
    return s.BallotOut.model_validate(row_with(b, receipt_nonce=b.nonce, awaiting_witness=pending))


async def insert_ballots(
    session: AsyncSession,
    vote_id: int,
    key: str,
    picked: dict[int, Choice],
    at: datetime,
    via: d.Via,
    chained: bool = False,
    **who: int | str | None,
) -> list[Issued]:
    issued = []
    for item_id, choice in picked.items():
        nonce = secrets.token_hex(16)
        receipt = d.receipt(nonce, vote_id, item_id, key, choice.value, 1)
        issued.append(Issued(item_id, choice.value, via.value, 1, receipt, nonce))
    rows = [
        {
            "vote_id": vote_id, "item_id": b.item_id, "person_key": key, "choice": b.choice, "via": b.via,
            "nonce": b.nonce, "receipt": b.receipt, "version": 1, "cast_at": at, "chained": chained, **who,
        }
        for b in issued
    ]  # fmt: skip
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    written = set(
        await session.scalars(dialect.insert(Ballot).values(rows).on_conflict_do_nothing().returning(Ballot.item_id))
    )
    return [b for b in issued if b.item_id in written]


def already_voted_error(existing: dict[int, str], key: str) -> Conflict:
    is_developer = key == DEVELOPER_KEY
    return Conflict(
        "该表决人已就这些事项投过票（同一业主拥有多套房屋只计一人、共有人只推选一人投票）；如需改票请使用改票"
        if not is_developer
        else "开发建设单位未售或未交付房屋合计为一人，已投过票",
        "This voting person already has a ballot on these items (one owner of several dwellings is one person; "
        "co-owners choose one voter); change it instead of casting again",
        code=ErrorCode.already_voted,
        details={"item_ids": sorted(existing), "via": sorted(set(existing.values()))},
    )


async def open_window(session: AsyncSession, vote_id: int, at: datetime) -> int:
    """Check that the vote takes ballots now, holding a share lock on its row until commit:
    ballots run side by side, and closing (which locks the row for update) waits for those in
    flight and is seen by those that come after. Returns the vote's compound."""
    row = (
        await session.execute(
            select(Vote.compound_id, Vote.status, Vote.opens_at, Vote.closes_at)
            .where(Vote.id == vote_id)
            .with_for_update(read=True)
        )
    ).first()
    if row is None:
        raise NotFound(f"表决 {vote_id} 不存在", f"Vote {vote_id} not found", details={"id": vote_id})
    d.check_ballot_window(d.VoteStatus(row[1]), at, row[2], row[3])
    return int(row[0])
