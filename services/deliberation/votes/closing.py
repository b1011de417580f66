"""Closing a vote: the electorate and the tally of every item, by the committee or by the ticker when
voting ends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, and_, func, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    require_committee,
)
from services.deliberation.audit.domain import Action, canonical
from services.deliberation.audit.service import lock_chain, lock_head, record
from services.deliberation.proposals import domain as pd
from services.deliberation.proposals.lookup import get as get_proposal
from services.deliberation.proposals.transition import check_not_held
from services.deliberation.proposals.transition import move as move_proposal
from services.deliberation.votes import domain as d
from services.deliberation.votes.chaining import chain_pending
from services.deliberation.votes.lookup import building_numbers, flush_vote, get, vote_items
from services.deliberation.votes.models import Ballot, ElectorDwelling, Vote
from services.deliberation.votes.publish import item_body
from services.deliberation.votes.tally import (
    Choice,
    Count,
    DwellingRecord,
    ItemTally,
    Leg,
    Matter,
    Outcome,
    Threshold,
    VotingPerson,
    majority_side,
    outcome_of,
)
from shared.auth import Principal
from shared.contracts.deliberation import VoteTallied
from shared.events.outbox import emit


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
    """Tally every item of the vote from the roll and the ballots as they stand, counted in the
    database: one statement of four aggregates (the roll per building and in all, the ballots per
    item, building and choice, and per item and choice), whatever the compound's size, instead of
    loading the roll and the ballots into Python. The same counts as `tally_item` over
    `electorate()` (tests/api/deliberation/test_tally_in_sql.py checks them against it, and the
    audit's recount in integrity.py uses it): a voting person counts once in all and once in each
    building they own in, with that building's share of their area; a ballot counts only for a
    person on the roll, and a pending (paper, unwitnessed) one not at all."""
    ed = ElectorDwelling.__table__
    bt = Ballot.__table__
    # Plain aggregates over the two tables. A first form aggregated per person in CTEs and
    # joined those: the planner guesses a CTE's row count, chose sort-merge joins and JIT
    # compilation, and took 3-4 times as long. count(DISTINCT person): a person owning several
    # dwellings counts once (in a building, once per building).
    persons, area = func.count(ed.c.person_key.distinct()), func.sum(ed.c.area_centi)
    cast_on_roll = ed.join(
        bt, and_(bt.c.vote_id == ed.c.vote_id, bt.c.person_key == ed.c.person_key, bt.c.pending.is_(False))
    )
    no_item, no_building, no_choice = null().cast(Integer), null().cast(Integer), null().cast(String)
    on_roll = ed.c.vote_id == vote.id
    rows = await session.execute(
        union_all(
            select(no_item, ed.c.building_id, no_choice, persons, area).where(on_roll).group_by(ed.c.building_id),
            select(no_item, no_building, no_choice, persons, area).where(on_roll),
            select(bt.c.item_id, ed.c.building_id, bt.c.choice, persons, area)
            .select_from(cast_on_roll)
            .where(on_roll)
            .group_by(bt.c.item_id, ed.c.building_id, bt.c.choice),
            select(bt.c.item_id, no_building, bt.c.choice, persons, area)
            .select_from(cast_on_roll)
            .where(on_roll)
            .group_by(bt.c.item_id, bt.c.choice),
        )
    )
    roll: dict[int | None, Leg] = {}
    cast: dict[tuple[int, int | None], dict[Choice, Leg]] = defaultdict(dict)
    for item_id, building_id, choice, persons, area in rows.all():
        leg = Leg(int(area or 0), int(persons))
        if item_id is None:
            roll[building_id] = leg
        else:
            cast[(item_id, building_id)][Choice(choice)] = leg
    return {
        item.id: _item_tally(
            item.id, Threshold(item.threshold), roll, cast, follow_majority=vote.non_voters_follow_majority
        )
        for item in await vote_items(session, vote.id)
    }


def _count(total: Leg, by_choice: dict[Choice, Leg]) -> Count:
    count = Count(total=replace(total))
    for choice, leg in by_choice.items():
        count.by_choice[choice] = replace(leg)
        count.participating.area_centi += leg.area_centi
        count.participating.persons += leg.persons
    return count


def _item_tally(
    item_id: int,
    threshold: Threshold,
    roll: dict[int | None, Leg],
    cast: dict[tuple[int, int | None], dict[Choice, Leg]],
    *,
    follow_majority: bool,
) -> ItemTally:
    """One item's tally from the counted legs, as `tally_item` gives it."""
    strict = _count(roll.get(None, Leg()), cast.get((item_id, None), {}))
    buildings = {
        building_id: _count(total, cast.get((item_id, building_id), {}))
        for building_id, total in roll.items()
        if building_id is not None
    }
    result = ItemTally(threshold, strict, outcome_of(strict, threshold), buildings)
    if follow_majority:
        # Every non-voter is counted with the side that leads on both legs (no lead: as cast).
        side = majority_side(strict)
        adjusted = _count(strict.total, strict.by_choice)
        if side is not None:
            adjusted.by_choice[side].area_centi += strict.total.area_centi - strict.participating.area_centi
            adjusted.by_choice[side].persons += strict.total.persons - strict.participating.persons
            adjusted.participating = replace(strict.total)
        result.adjusted = adjusted
        result.adjusted_outcome = outcome_of(adjusted, threshold)
        result.majority_followed = side
    return result


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
    proposal = await get_proposal(session, vote.proposal_id)
    await check_not_held(session, proposal)
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
        await flush_vote(session)
        return vote
    numbers = await building_numbers(session, vote.compound_id)
    published = []
    for item in await vote_items(session, vote.id):
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
    await flush_vote(session)
    target = {
        Outcome.passed: pd.Status.passed,
        Outcome.rejected: pd.Status.rejected,
        Outcome.no_quorum: pd.Status.no_quorum,
    }
    await move_proposal(session, proposal, target[overall], actor, at, note=f"表决 {vote.id}：{overall.label}")
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


async def close_by_committee(session: AsyncSession, vote_id: int, principal: Principal, at: datetime) -> Vote:
    vote = await get(session, vote_id)
    await require_committee(session, principal, vote.compound_id)
    return await close(session, vote, principal.person_id, at)
