"""Paper ballots: entered sheet by sheet by one committee member, witnessed by another, and the list of
sheets."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    can_read_everything,
    members_of,
    require_committee,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import lock_chain, record
from services.deliberation.bodies import COMMITTEE_BODIES, Body
from services.deliberation.projections.models import DwellingView
from services.deliberation.votes import domain as d
from services.deliberation.votes import schemas as s
from services.deliberation.votes.ballots import (
    already_voted_error,
    ballot_out,
    check_choices,
    insert_ballots,
    open_window,
    taken_items,
)
from services.deliberation.votes.lookup import building_numbers, get
from services.deliberation.votes.models import Ballot, ElectorDwelling, Vote
from services.deliberation.votes.tally import (
    Choice,
)
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


async def enter_paper(
    session: AsyncSession, vote_id: int, body: s.PaperBallotIn, principal: Principal, at: datetime
) -> list[s.BallotOut]:
    """A committee member enters a paper ballot for a dwelling's voting person, with a second
    person witnessing; it counts like any ballot and clashes like any ballot."""
    vote = await get(session, vote_id)
    await require_committee(session, principal, vote.compound_id)
    eligible = await members_of(session, vote.compound_id, (*COMMITTEE_BODIES, Body.supervisory_committee))
    d.check_witness(principal.person_id, body.witness_person_id, body.witness_person_id in eligible)
    key = await session.scalar(
        select(ElectorDwelling.person_key).where(
            ElectorDwelling.vote_id == vote.id, ElectorDwelling.dwelling_id == body.dwelling_id
        )
    )
    if key is None:
        raise InvalidInput(
            f"房屋 {body.dwelling_id} 不在本次表决的表决人名册中",
            f"Dwelling {body.dwelling_id} is not on this vote's roll",
            details=[{"field": "dwelling_id", "value": body.dwelling_id}],
        )
    picked = await check_choices(session, vote.id, body.choices)
    await open_window(session, vote.id, at)
    reserved = await lock_chain(session, vote.compound_id)
    clash = {i: v for i, v in (await taken_items(session, vote.id, key)).items() if i in picked}
    if clash:
        raise already_voted_error(clash, key)
    if await session.scalar(select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.sheet_no == body.sheet_no)):
        raise Conflict(
            f"选票编号 {body.sheet_no} 已录入过",
            f"Sheet {body.sheet_no} has already been entered in this vote",
            code=ErrorCode.sheet_exists,
            details={"sheet_no": body.sheet_no},
        )
    ballots = await insert_ballots(
        session,
        vote.id,
        key,
        picked,
        at,
        d.Via.paper,
        True,
        entered_by_person_id=principal.person_id,
        witness_person_id=body.witness_person_id,
        sheet_no=body.sheet_no,
        pending=True,
    )
    await record(
        session,
        vote.compound_id,
        Action.paper_ballot_entered,
        f"vote:{vote.id}",
        principal.person_id,
        {
            "person_key": key,
            "dwelling_id": body.dwelling_id,
            "sheet_no": body.sheet_no,
            "witness": body.witness_person_id,
            "pending": True,
            "items": [{"item_id": b.item_id, "choice": b.choice, "receipt": b.receipt} for b in ballots],
        },
        at,
        reserved,
    )
    return [ballot_out(b, awaiting_witness=True) for b in ballots]


async def _sheet(session: AsyncSession, vote: Vote, sheet_no: str, principal: Principal) -> list[Ballot]:
    """The pending ballots of a paper sheet, for the witness it names and nobody else."""
    rows = list(
        await session.scalars(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.sheet_no == sheet_no).order_by(Ballot.item_id)
        )
    )
    if not rows:
        raise NotFound(
            f"本次表决没有编号为 {sheet_no} 的纸质选票",
            f"No paper sheet {sheet_no} in this vote",
            details={"sheet_no": sheet_no},
        )
    if any(b.witness_person_id != principal.person_id for b in rows):
        raise Forbidden(
            "只有选票上登记的见证人本人可以确认或拒绝",
            "Only the witness named on the sheet may confirm or refuse it, with their own login",
            code=ErrorCode.not_the_witness,
        )
    eligible = await members_of(session, vote.compound_id, (*COMMITTEE_BODIES, Body.supervisory_committee))
    if principal.person_id not in eligible:
        raise Forbidden(
            "见证人须为本小区业委会或监委会成员",
            "The witness must sit on the compound's committee or supervisory committee",
            code=ErrorCode.witness_not_eligible,
        )
    if not any(b.pending for b in rows):
        raise Conflict("这张纸质选票已确认", "This paper sheet is already confirmed", code=ErrorCode.already_confirmed)
    return rows


async def witness_paper(
    session: AsyncSession, vote_id: int, sheet_no: str, body: s.WitnessIn, principal: Principal, at: datetime
) -> list[s.BallotOut]:
    """The witness named on a paper sheet confirms it with their own login (then it counts), or
    refuses it (then it is as if never entered, and the owner's place is free again)."""
    vote = await get(session, vote_id)
    await open_window(session, vote.id, at)
    reserved = await lock_chain(session, vote.compound_id)
    rows = await _sheet(session, vote, sheet_no, principal)
    key = rows[0].person_key
    entry = {"person_key": key, "sheet_no": sheet_no, "items": [b.item_id for b in rows]}
    if body.confirm:
        for b in rows:
            b.pending, b.witnessed_at = False, at
        await session.flush()
        await record(
            session, vote.compound_id, Action.paper_ballot_confirmed, f"vote:{vote.id}", principal.person_id,
            entry, at, reserved,
        )  # fmt: skip
        return [ballot_out(b) for b in rows]
    reason = " ".join((body.reason or "").split())
    if len(reason) < 2:
        raise InvalidInput(
            "不予确认须写明理由", "Refusing a sheet needs a reason", details=[{"field": "reason", "value": body.reason}]
        )
    for b in rows:
        await session.delete(b)
    await session.flush()
    await record(
        session, vote.compound_id, Action.paper_ballot_refused, f"vote:{vote.id}", principal.person_id,
        {**entry, "reason": reason}, at, reserved,
    )  # fmt: skip
    return []


async def paper_sheets(session: AsyncSession, vote_id: int, principal: Principal) -> list[s.PaperSheetOut]:
    """The paper ballots entered in the vote, sheet by sheet, for the supervisory committee."""
    vote = await get(session, vote_id)
    if not await can_read_everything(session, principal, vote.compound_id):
        raise Forbidden(
            "只有本小区监委会、业委会可查看纸质选票登记",
            "Only the compound's supervisory committee and committee read the paper ballots",
            code=ErrorCode.not_a_member,
        )
    rows = list(
        await session.scalars(
            select(Ballot)
            .where(Ballot.vote_id == vote.id, Ballot.via == d.Via.paper.value, Ballot.sheet_no.is_not(None))
            .order_by(Ballot.id)
        )
    )
    numbers = await building_numbers(session, vote.compound_id)
    places = (
        await session.execute(
            select(
                ElectorDwelling.person_key, ElectorDwelling.dwelling_id, ElectorDwelling.building_id, DwellingView.room
            )
            .outerjoin(DwellingView, DwellingView.dwelling_id == ElectorDwelling.dwelling_id)
            .where(ElectorDwelling.vote_id == vote.id, ElectorDwelling.person_key.in_({b.person_key for b in rows}))
            .order_by(ElectorDwelling.dwelling_id)
        )
    ).all()
    dwellings: dict[str, list[s.SheetDwelling]] = defaultdict(list)
    for key, dwelling_id, building, room in places:
        dwellings[key].append(
            s.SheetDwelling(dwelling_id=dwelling_id, building_number=numbers.get(building), room=room)
        )
    sheets: dict[str, list[Ballot]] = defaultdict(list)
    for b in rows:
        sheets[str(b.sheet_no)].append(b)
    return [
        s.PaperSheetOut(
            sheet_no=sheet_no,
            dwellings=dwellings.get(bs[0].person_key, []),
            entered_by_person_id=bs[0].entered_by_person_id,
            witness_person_id=bs[0].witness_person_id,
            entered_at=bs[0].cast_at,
            awaiting_witness=any(b.pending for b in bs),
            witnessed_at=bs[0].witnessed_at,
            choices=[s.ChoiceIn(item_id=b.item_id, choice=Choice(b.choice)) for b in bs],
        )
        for sheet_no, bs in sheets.items()
    ]
