"""Use cases of an owners' vote: notice, open (fixing the electorate), ballots online, by
proxy and on paper, changes until closing, turnout, close with the tally, certification,
receipts. Ballots of one compound queue on its audit chain head, so a burst loses none and
doubles none."""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from services.deliberation.access import (
    can_read_everything,
    members_of,
    represents_developer,
    require_committee,
    require_reader,
    require_seat,
)
from services.deliberation.audit.domain import Action, canonical
from services.deliberation.audit.service import Pending, lock_chain, lock_head, record, record_many
from services.deliberation.bodies import COMMITTEE_BODIES, Body
from services.deliberation.projections.models import BuildingView, DwellingView, OwnershipView
from services.deliberation.proposals import domain as pd
from services.deliberation.proposals import service as proposals
from services.deliberation.proposals.models import ClassificationItem, Plan, Proposal
from services.deliberation.votes import domain as d
from services.deliberation.votes import schemas as s
from services.deliberation.votes.chain import ChainedVote
from services.deliberation.votes.integrity import chained_votes, first_disagreement
from services.deliberation.votes.models import Ballot, Elector, ElectorDwelling, Proxy, Vote, VoteItem
from services.deliberation.votes.publish import item_body
from services.deliberation.votes.tally import (
    DEVELOPER_KEY,
    Choice,
    DwellingRecord,
    ItemTally,
    Matter,
    Outcome,
    Threshold,
    VotingPerson,
    build_electorate,
    centi_to_area,
    tally_item,
)
from shared.auth import Principal, Role
from shared.contracts.deliberation import LevyPassed, MaintenanceFundUsePassed, VoteOpened, VoteTallied
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.outbox import emit


async def get(session: AsyncSession, vote_id: int) -> Vote:
    vote = await session.get(Vote, vote_id)
    if vote is None:
        raise NotFound(f"表决 {vote_id} 不存在", f"Vote {vote_id} not found", details={"id": vote_id})
    return vote


async def _items(session: AsyncSession, vote_id: int) -> list[VoteItem]:
    return list(await session.scalars(select(VoteItem).where(VoteItem.vote_id == vote_id).order_by(VoteItem.position)))


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError:
        raise Conflict(
            "表决已被同时更新，请刷新后重试", "The vote was changed concurrently", code="stale_version"
        ) from None


async def notice(session: AsyncSession, proposal_id: int, body: s.NoticeIn, principal: Principal, at: datetime) -> Vote:
    """The committee gives notice of the owners' vote: the co-signed classification is frozen
    into the vote's items, with the schedule and the extension rule."""
    proposal = await proposals.get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    if proposal.classification_cosigned_by is None:
        raise Conflict(
            "表决事项的定性须经监委会会签后才能公告",
            "The classification must be co-signed by the supervisory committee before notice",
            code="classification_not_cosigned",
        )
    opens_at, closes_at = body.opens_at, body.closes_at
    d.check_schedule(at, opens_at, closes_at, body.extension_days)
    await proposals.move(session, proposal, pd.Status.voting, principal.person_id, at, body.version, "发布表决公告")
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
    if vote.version != body.version:
        raise Conflict("表决已被更新，请刷新", "Stale vote version", code="stale_version")
    d.check_transition(d.VoteStatus(vote.status), d.VoteStatus.cancelled)
    vote.status = d.VoteStatus.cancelled.value
    await _flush(session)
    proposal = await proposals.get(session, vote.proposal_id)
    await proposals.move(session, proposal, pd.Status.awaiting_vote, principal.person_id, at, note=body.reason)
    return vote


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
            "本小区尚无房屋信息，无法确定表决人", "No dwellings are known for this compound", code="no_electorate"
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
    await _flush(session)
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
    proposal = await proposals.get(session, vote.proposal_id)
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


def _not_an_owner() -> Forbidden:
    return Forbidden(
        "只有本小区业主可以表决（以表决开始时的产权登记为准）",
        "Only owners of the compound vote (as registered when the vote opened)",
        code="not_an_owner",
    )


async def _elector_key(session: AsyncSession, vote_id: int, person_id: int | None, as_developer: bool = False) -> str:
    """The voting person the caller acts as: their own, or (as the developer's representative,
    when they own nothing here or say so) the developer's."""
    if person_id is None:
        raise _not_an_owner()
    key = None
    if not as_developer:
        key = await session.scalar(
            select(Elector.person_key).where(Elector.vote_id == vote_id, Elector.person_id == person_id)
        )
    if key is None and await _developer_voice(session, vote_id, person_id):
        return DEVELOPER_KEY
    if key is None:
        raise _not_an_owner()
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


async def _voter(
    session: AsyncSession, vote_id: int, principal: Principal, on_behalf_of: int | None, as_developer: bool = False
) -> tuple[str, d.Via, int | None]:
    """Whose ballot this is: the caller's own, or an owner's by a recorded written proxy."""
    if on_behalf_of is None:
        return await _elector_key(session, vote_id, principal.person_id, as_developer), d.Via.online, None
    proxy = await session.scalar(
        select(Proxy).where(Proxy.vote_id == vote_id, Proxy.principal_person_id == on_behalf_of)
    )
    if proxy is None or proxy.agent_person_id != principal.person_id:
        raise Forbidden(
            f"没有业主 {on_behalf_of} 给你的书面委托，不能代为投票",
            f"No written proxy from owner {on_behalf_of} names you as agent",
            code="no_proxy",
        )
    return await _elector_key(session, vote_id, on_behalf_of), d.Via.proxy, proxy.id


async def _check_choices(session: AsyncSession, vote_id: int, choices: list[s.ChoiceIn]) -> dict[int, Choice]:
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


async def _existing(session: AsyncSession, vote_id: int, key: str) -> dict[int, Ballot]:
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


async def _taken(session: AsyncSession, vote_id: int, key: str) -> dict[int, str]:
    """Items this voting person already has a ballot on, with how it was cast."""
    rows = await session.execute(
        select(Ballot.item_id, Ballot.via).where(Ballot.vote_id == vote_id, Ballot.person_key == key)
    )
    return {int(item_id): str(via) for item_id, via in rows}


def _out(b: Ballot | Issued, awaiting_witness: bool | None = None) -> s.BallotOut:
    return s.BallotOut(
        item_id=b.item_id,
        choice=Choice(b.choice),
        via=d.Via(b.via),
        version=b.version,
        receipt=b.receipt,
        receipt_nonce=b.nonce,
        awaiting_witness=bool(b.pending) if isinstance(b, Ballot) else bool(awaiting_witness),
    )


async def _insert_ballots(
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


def _already_voted(existing: dict[int, str], key: str) -> Conflict:
    is_developer = key == DEVELOPER_KEY
    return Conflict(
        "该表决人已就这些事项投过票（同一业主拥有多套房屋只计一人、共有人只推选一人投票）；如需改票请使用改票"
        if not is_developer
        else "开发建设单位未售或未交付房屋合计为一人，已投过票",
        "This voting person already has a ballot on these items (one owner of several dwellings is one person; "
        "co-owners choose one voter); change it instead of casting again",
        code="already_voted",
        details={"item_ids": sorted(existing), "via": sorted(set(existing.values()))},
    )


async def _window(session: AsyncSession, vote_id: int, at: datetime) -> int:
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


async def cast(
    session: AsyncSession, vote_id: int, body: s.BallotsIn, principal: Principal, at: datetime
) -> list[s.BallotOut]:
    """Cast the caller's ballot (or an owner's, by written proxy) on one or more items. The
    unique (item, voting person) key refuses a second ballot even from a concurrent request;
    the chainer appends the audit entry moments later (closing chains whatever is left)."""
    await _window(session, vote_id, at)
    key, via, proxy_id = await _voter(session, vote_id, principal, body.on_behalf_of_person_id, body.as_developer)
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
                code="not_your_dwelling",
            )
    picked = await _check_choices(session, vote_id, body.choices)
    clash = {i: v for i, v in (await _taken(session, vote_id, key)).items() if i in picked}
    if clash:
        raise _already_voted(clash, key)
    ballots = await _insert_ballots(
        session, vote_id, key, picked, at, via, cast_by_person_id=principal.person_id, proxy_id=proxy_id
    )
    if len(ballots) < len(picked):  # a concurrent request for the same person won the race
        raise _already_voted(dict.fromkeys(picked, via.value), key)
    return [_out(b) for b in ballots]


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


async def change(
    session: AsyncSession, vote_id: int, body: s.BallotsIn, principal: Principal, at: datetime
) -> list[s.BallotOut]:
    """Change one's ballot until closing; each change gets a new receipt."""
    vote = await get(session, vote_id)
    await _window(session, vote.id, at)
    # The original ballot's entry goes into the chain before the change's.
    await chain_pending(session, vote.compound_id)
    reserved = await lock_chain(session, vote.compound_id)
    key, via, proxy_id = await _voter(session, vote.id, principal, body.on_behalf_of_person_id, body.as_developer)
    picked = await _check_choices(session, vote.id, body.choices)
    existing = await _existing(session, vote.id, key)
    missing = sorted(set(picked) - set(existing))
    if missing:
        raise Conflict(
            "这些事项尚未投票，请先投票",
            "There is no ballot to change on these items; cast one first",
            code="no_ballot",
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
    return [_out(b) for b in changed]


async def mine(session: AsyncSession, vote_id: int, principal: Principal) -> list[s.BallotOut]:
    vote = await get(session, vote_id)
    key = await _elector_key(session, vote.id, principal.person_id)
    return [_out(b) for b in (await _existing(session, vote.id, key)).values()]


async def record_proxy(
    session: AsyncSession, vote_id: int, body: s.ProxyIn, principal: Principal, at: datetime
) -> Proxy:
    """Record a written proxy: by the owner themself, or by the committee from the paper form."""
    vote = await get(session, vote_id)
    if d.VoteStatus(vote.status) not in (d.VoteStatus.noticed, d.VoteStatus.open):
        raise Conflict("表决已结束，不能再登记委托", "The vote is over: no more proxies", code="vote_closed")
    if principal.person_id != body.principal_person_id:
        await require_committee(session, principal, vote.compound_id)
    mandate = d.check_mandate(body.mandate, body.principal_person_id, body.agent_person_id)
    if not await proposals.is_owner(
        session, vote.compound_id, body.principal_person_id, at.date()
    ) and not await represents_developer(session, vote.compound_id, body.principal_person_id):
        raise Forbidden(
            f"委托人 {body.principal_person_id} 不是本小区业主",
            "The principal is not an owner of the compound",
            code="not_an_owner",
        )
    if await session.scalar(
        select(Proxy.id).where(Proxy.vote_id == vote.id, Proxy.principal_person_id == body.principal_person_id)
    ):
        raise Conflict("该业主已登记过委托", "This owner already has a proxy on this vote", code="proxy_exists")
    proxy = Proxy(
        vote_id=vote.id,
        principal_person_id=body.principal_person_id,
        agent_person_id=body.agent_person_id,
        mandate=mandate,
        document_ref=body.document_ref,
        recorded_by_person_id=principal.person_id or 0,
        recorded_at=at,
    )
    session.add(proxy)
    await session.flush()
    await record(
        session,
        vote.compound_id,
        Action.proxy_recorded,
        f"vote:{vote.id}",
        principal.person_id,
        {
            "proxy_id": proxy.id,
            "principal": body.principal_person_id,
            "agent": body.agent_person_id,
            "mandate": mandate,
            "document_ref": body.document_ref,
        },
        at,
    )
    return proxy


async def proxies(session: AsyncSession, vote_id: int, principal: Principal) -> list[s.ProxyOut]:
    vote = await get(session, vote_id)
    if not await can_read_everything(session, principal, vote.compound_id):
        raise Forbidden("只有业委会、监委会可查看委托登记", "Only the committees read the proxies")
    rows = await session.scalars(select(Proxy).where(Proxy.vote_id == vote.id).order_by(Proxy.id))
    return [
        s.ProxyOut(
            id=p.id,
            principal_person_id=p.principal_person_id,
            agent_person_id=p.agent_person_id,
            mandate=p.mandate,
            document_ref=p.document_ref,
            recorded_at=p.recorded_at,
        )
        for p in rows
    ]


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
    picked = await _check_choices(session, vote.id, body.choices)
    await _window(session, vote.id, at)
    reserved = await lock_chain(session, vote.compound_id)
    clash = {i: v for i, v in (await _taken(session, vote.id, key)).items() if i in picked}
    if clash:
        raise _already_voted(clash, key)
    if await session.scalar(select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.sheet_no == body.sheet_no)):
        raise Conflict(
            f"选票编号 {body.sheet_no} 已录入过",
            f"Sheet {body.sheet_no} has already been entered in this vote",
            code="sheet_exists",
            details={"sheet_no": body.sheet_no},
        )
    ballots = await _insert_ballots(
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
    return [_out(b, awaiting_witness=True) for b in ballots]


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
            code="not_the_witness",
        )
    eligible = await members_of(session, vote.compound_id, (*COMMITTEE_BODIES, Body.supervisory_committee))
    if principal.person_id not in eligible:
        raise Forbidden(
            "见证人须为本小区业委会或监委会成员",
            "The witness must sit on the compound's committee or supervisory committee",
            code="witness_not_eligible",
        )
    if not any(b.pending for b in rows):
        raise Conflict("这张纸质选票已确认", "This paper sheet is already confirmed", code="already_confirmed")
    return rows


async def witness_paper(
    session: AsyncSession, vote_id: int, sheet_no: str, body: s.WitnessIn, principal: Principal, at: datetime
) -> list[s.BallotOut]:
    """The witness named on a paper sheet confirms it with their own login (then it counts), or
    refuses it (then it is as if never entered, and the owner's place is free again)."""
    vote = await get(session, vote_id)
    await _window(session, vote.id, at)
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
        return [_out(b) for b in rows]
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


async def electorate(session: AsyncSession, vote_id: int) -> list[VotingPerson]:
    """The voting persons fixed at opening, rebuilt from the roll."""
    rows = await session.execute(
        select(
            ElectorDwelling.person_key,
            ElectorDwelling.dwelling_id,
            ElectorDwelling.building_id,
            ElectorDwelling.area_centi,
        ).where(ElectorDwelling.vote_id == vote_id)
    )
    grouped: dict[str, list[DwellingRecord]] = defaultdict(list)
    nobody: frozenset[int] = frozenset()  # the tally needs areas and buildings, not names
    for key, dwelling_id, building_id, area in rows.all():
        grouped[key].append(DwellingRecord(dwelling_id, building_id, area, nobody))
    return [VotingPerson(key, tuple(ds), nobody) for key, ds in grouped.items()]


async def tally(session: AsyncSession, vote: Vote) -> dict[int, ItemTally]:
    """Tally every item of the vote from the roll and the ballots as they stand."""
    persons = await electorate(session, vote.id)
    rows = await session.execute(
        select(Ballot.item_id, Ballot.person_key, Ballot.choice).where(
            Ballot.vote_id == vote.id, Ballot.pending.is_(False)
        )
    )
    by_item: dict[int, dict[str, Choice]] = defaultdict(dict)
    for item_id, key, choice in rows.all():
        by_item[item_id][key] = Choice(choice)
    return {
        item.id: tally_item(
            persons,
            by_item[item.id],
            Threshold(item.threshold),
            non_voters_follow_majority=vote.non_voters_follow_majority,
        )
        for item in await _items(session, vote.id)
    }


async def _building_numbers(session: AsyncSession, compound_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(BuildingView.building_id, BuildingView.number).where(BuildingView.compound_id == compound_id)
    )
    return dict(rows.all())


async def close(session: AsyncSession, vote: Vote, actor: int | None, at: datetime) -> Vote:
    """Close at the closing time, once: tally, or extend once by the rule fixed at notice when
    participation fell short; then decide the proposal and, if it passed, announce its spending.
    Closing locks the vote's row, so it waits for ballots in flight and later ones see it
    closed; every ballot is in the audit chain before the tally entry."""
    # Locks in one order everywhere: the vote's row, then the compound's chain head.
    await session.execute(select(Vote.id).where(Vote.id == vote.id).with_for_update())
    await lock_head(session, vote.compound_id)
    await session.refresh(vote)
    d.check_can_close(d.VoteStatus(vote.status), at, vote.closes_at)
    await chain_pending(session, vote.compound_id, limit=10**9)
    reserved = await lock_chain(session, vote.compound_id)
    proposal = await proposals.get(session, vote.proposal_id)
    await proposals.check_not_held(session, proposal)
    results = await tally(session, vote)
    outcomes = [r.outcome for r in results.values()]
    if d.should_extend(vote.extension_days, vote.extended, outcomes):
        vote.closes_at = vote.closes_at + timedelta(days=vote.extension_days or 0)
        vote.extended = True
        await record(
            session,
            vote.compound_id,
            Action.vote_extended,
            f"vote:{vote.id}",
            actor,
            {"closes_at": vote.closes_at.isoformat(), "days": vote.extension_days},
            at,
            reserved,
        )
        await _flush(session)
        return vote
    numbers = await _building_numbers(session, vote.compound_id)
    published = []
    for item in await _items(session, vote.id):
        result = results[item.id]
        body = item_body(item.id, item.title, result, numbers)
        body["matter"], body["matter_label"] = item.matter, Matter(item.matter).label
        item.outcome, item.result = result.outcome.value, canonical(body)
        published.append(body)
    overall = d.overall_outcome(outcomes)
    vote.tally_hash = await record(
        session,
        vote.compound_id,
        Action.tally,
        f"vote:{vote.id}",
        actor,
        {"outcome": overall.value, "items": published},
        at,
        reserved,
    )
    vote.status, vote.outcome, vote.closed_at = d.VoteStatus.closed.value, overall.value, at
    await _flush(session)
    target = {
        Outcome.passed: pd.Status.passed,
        Outcome.rejected: pd.Status.rejected,
        Outcome.no_quorum: pd.Status.no_quorum,
    }
    await proposals.move(session, proposal, target[overall], actor, at, note=f"表决 {vote.id}：{overall.label}")
    # Levies and fund uses are announced when the supervisory committee certifies the tally.
    await emit(
        session,
        VoteTallied(
            vote_id=vote.id,
            proposal_id=proposal.id,
            compound_id=vote.compound_id,
            outcome=overall.value,
            items=[
                {"item_id": str(b["item_id"]), "outcome": b["outcome"], "threshold": b["threshold"]} for b in published
            ],
            tally_hash=vote.tally_hash,
        ),
        subject=vote.id,
        key=vote.compound_id,
    )
    return vote


async def announce_spending(session: AsyncSession, proposal: Proposal, vote: Vote) -> None:
    """A passed plan funded by a levy or the maintenance fund reaches billing as an event."""
    plan = await session.get(Plan, proposal.id)
    if plan is None:
        return
    buildings: list[int] = json.loads(plan.building_ids)
    decision_id = f"vote-{vote.id}"
    if plan.funding_source == pd.FundingSource.levy.value:
        await emit(
            session,
            LevyPassed(
                decision_id=decision_id,
                proposal_id=str(proposal.id),
                compound_id=proposal.compound_id,
                title=proposal.title,
                formula=plan.levy_formula or "by_area",
                building_ids=buildings,
                total_fen=plan.levy_total_fen,
                per_household_fen=plan.levy_per_household_fen,
                due_date=plan.levy_due_date,
            ),
            subject=decision_id,
            key=proposal.compound_id,
        )
    elif plan.funding_source == pd.FundingSource.maintenance_fund.value:
        if not buildings:
            buildings = sorted(
                await session.scalars(
                    select(BuildingView.building_id).where(BuildingView.compound_id == proposal.compound_id)
                )
            )
        await emit(
            session,
            MaintenanceFundUsePassed(
                decision_id=decision_id,
                proposal_id=str(proposal.id),
                compound_id=proposal.compound_id,
                building_ids=buildings,
                amount_fen=plan.budget_fen,
                purpose=proposal.title,
            ),
            subject=decision_id,
            key=proposal.compound_id,
        )


async def close_by_committee(session: AsyncSession, vote_id: int, principal: Principal, at: datetime) -> Vote:
    vote = await get(session, vote_id)
    await require_committee(session, principal, vote.compound_id)
    return await close(session, vote, principal.person_id, at)


async def certify(session: AsyncSession, vote_id: int, principal: Principal, at: datetime) -> Vote:
    """The supervisory committee co-signs the tally."""
    vote = await get(session, vote_id)
    await require_seat(session, principal, vote.compound_id, Body.supervisory_committee)
    # Locks in the one order: the vote's row (two supervisors certifying at once announce the
    # levy once), then the compound's chain head (chain appends, and so row changes, wait while
    # we compare: what the committee signs is the tally the chained ballots give).
    await session.execute(select(Vote.id).where(Vote.id == vote.id).with_for_update())
    await lock_head(session, vote.compound_id)
    await session.refresh(vote)
    if d.VoteStatus(vote.status) is not d.VoteStatus.closed:
        raise Conflict("表决尚未结束计票", "The vote is not tallied yet", code="not_tallied")
    if vote.tally_certified_by is not None:
        raise Conflict("计票结果已确认", "The tally is already certified", code="already_certified")
    found, _ = await first_disagreement(
        session, vote.compound_id, await chained_votes(session, vote.compound_id, vote.id), [vote.id]
    )
    if found is not None:
        raise Conflict(
            f"选票或计票结果与审计链不符，不能确认：{found.reason}",
            f"The ballots or the tally differ from the audit chain, so they cannot be certified: {found.reason_en}",
            code="records_differ_from_chain",
            details={"seq": found.seq, "item_id": found.item_id, "ballot_id": found.ballot_id, "field": found.field},
        )
    vote.tally_certified_by = principal.person_id
    await _flush(session)
    await record(
        session,
        vote.compound_id,
        Action.tally_certified,
        f"vote:{vote.id}",
        principal.person_id,
        {"tally_hash": vote.tally_hash},
        at,
    )
    if vote.outcome == Outcome.passed.value:
        # Bills and fund withdrawals follow a certified tally only.
        await announce_spending(session, await proposals.get(session, vote.proposal_id), vote)
    return vote


async def published_tally(session: AsyncSession, vote_id: int) -> s.TallyOut:
    vote = await get(session, vote_id)
    if d.VoteStatus(vote.status) is not d.VoteStatus.closed or vote.outcome is None:
        raise Conflict(
            "表决结束后公布计票结果；进行中请查看参与情况",
            "The tally is published at closing; see turnout meanwhile",
            code="not_tallied",
        )
    outcome = Outcome(vote.outcome)
    return s.TallyOut(
        vote_id=vote.id,
        outcome=outcome,
        outcome_label=outcome.label,
        tally_hash=vote.tally_hash,
        certified_by=vote.tally_certified_by,
        items=[json.loads(i.result) for i in await _items(session, vote.id) if i.result],
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
    numbers = await _building_numbers(session, vote.compound_id)
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
        raise Conflict("表决结束后公布收据", "Receipts are published at closing", code="not_tallied")
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
            for i in await _items(session, vote.id)
        ],
    )


async def due(session: AsyncSession, at: datetime) -> tuple[list[int], list[int]]:
    """Votes whose opening or closing time has come (for the ticker)."""
    to_open = await session.scalars(
        select(Vote.id).where(Vote.status == d.VoteStatus.noticed.value, Vote.opens_at <= at)
    )
    to_close = await session.scalars(
        select(Vote.id).where(Vote.status == d.VoteStatus.open.value, Vote.closes_at <= at)
    )
    return list(to_open), list(to_close)


async def of_proposal(session: AsyncSession, proposal_id: int, principal: Principal) -> list[s.VoteOut]:
    """Every owners' vote on the proposal (a notice withdrawn, a vote without quorum, a new one)."""
    proposal = await proposals.get(session, proposal_id)
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
        code="not_building_head",
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
    numbers = await _building_numbers(session, vote.compound_id)
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


async def paper_sheets(session: AsyncSession, vote_id: int, principal: Principal) -> list[s.PaperSheetOut]:
    """The paper ballots entered in the vote, sheet by sheet, for the supervisory committee."""
    vote = await get(session, vote_id)
    if not await can_read_everything(session, principal, vote.compound_id):
        raise Forbidden(
            "只有本小区监委会、业委会可查看纸质选票登记",
            "Only the compound's supervisory committee and committee read the paper ballots",
            code="not_a_member",
        )
    rows = list(
        await session.scalars(
            select(Ballot)
            .where(Ballot.vote_id == vote.id, Ballot.via == d.Via.paper.value, Ballot.sheet_no.is_not(None))
            .order_by(Ballot.id)
        )
    )
    numbers = await _building_numbers(session, vote.compound_id)
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
