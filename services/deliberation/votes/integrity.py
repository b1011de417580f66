"""Do the ballot rows and the published tally agree with the audit chain? The tally is
recomputed from the chained ballot entries (not from the rows) and compared with the tally
entry, the rows and the published result; the first disagreement is named, so an edit of the
database before or after closing cannot pass for the owners' decision."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.audit.models import AuditEntry
from services.deliberation.votes.chain import VOTE_ACTIONS, ChainedVote, replay
from services.deliberation.votes.domain import receipt
from services.deliberation.votes.models import Ballot, ElectorDwelling, Vote, VoteItem
from services.deliberation.votes.publish import item_body
from services.deliberation.votes.tally import (
    Choice,
    DwellingRecord,
    Threshold,
    VotingPerson,
    tally_item,
)


@dataclass(frozen=True)
class Disagreement:
    """Where the records part from the chain: the entry (if one), the vote, the item, the
    ballot row and receipt, which field, and the two values."""

    seq: int | None
    vote_id: int
    item_id: int | None
    ballot_id: int | None
    receipt: str | None
    field: str
    chain: Any
    table: Any
    reason: str
    reason_en: str


async def chained_votes(session: AsyncSession, compound_id: int, vote_id: int | None = None) -> dict[int, ChainedVote]:
    """Replay the compound's chained vote entries (one vote's, if named)."""
    query = select(AuditEntry.seq, AuditEntry.action, AuditEntry.subject, AuditEntry.body, AuditEntry.hash).where(
        AuditEntry.compound_id == compound_id, AuditEntry.action.in_(VOTE_ACTIONS)
    )
    if vote_id is not None:
        query = query.where(AuditEntry.subject == f"vote:{vote_id}")
    rows = await session.execute(query.order_by(AuditEntry.seq))
    return replay((int(q), str(a), str(sub), str(b), str(h)) for q, a, sub, b, h in rows.all())


async def first_disagreement(
    session: AsyncSession, compound_id: int, chain: dict[int, ChainedVote], vote_ids: Sequence[int] | None = None
) -> tuple[Disagreement | None, int]:
    """Check every vote of the compound (or those named) against its chain; returns the first
    disagreement (None if all agree) and how many chained ballots were checked."""
    query = select(Vote).where(Vote.compound_id == compound_id).order_by(Vote.id)
    if vote_ids is not None:
        query = query.where(Vote.id.in_(vote_ids))
    checked = 0
    for vote in await session.scalars(query):
        chained = chain.get(vote.id)
        if chained is None:
            if vote.status in ("open", "closed"):
                return _bad(None, vote.id, None, None, None, "vote_opened", None, vote.status, *_NO_OPENING), 0
            continue
        checked += len(chained.ballots)
        found = await _check_vote(session, vote, chained)
        if found is not None:
            return found, checked
    return None, checked


_NO_OPENING = ("审计链中没有这次表决的开始记录", "the chain has no opening of this vote")


def _bad(
    seq: int | None,
    vote_id: int,
    item_id: int | None,
    ballot_id: int | None,
    receipt: str | None,
    what: str,
    chain: Any,
    table: Any,
    reason: str,
    reason_en: str,
) -> Disagreement:
    return Disagreement(seq, vote_id, item_id, ballot_id, receipt, what, chain, table, reason, reason_en)


async def _check_vote(session: AsyncSession, vote: Vote, chained: ChainedVote) -> Disagreement | None:
    if chained.oddities:
        odd = chained.oddities[0]
        return _bad(odd.seq, vote.id, odd.item_id, None, None, "entry", None, None, odd.reason, odd.reason_en)
    roll = (
        await session.execute(
            select(
                ElectorDwelling.person_key,
                ElectorDwelling.dwelling_id,
                ElectorDwelling.building_id,
                ElectorDwelling.area_centi,
            ).where(ElectorDwelling.vote_id == vote.id)
        )
    ).all()
    found = _check_roll(vote.id, chained, roll)
    if found is not None:
        return found
    found = await _check_rows(session, vote.id, chained)
    if found is not None:
        return found
    return await _check_tally(session, vote, chained, roll)


def _check_roll(vote_id: int, chained: ChainedVote, roll: Sequence[Any]) -> Disagreement | None:
    """The electorate fixed at opening: its size and area are in the opening entry."""
    if chained.opened is None:
        return None
    table = {
        "dwellings": len(roll),
        "persons": len({r[0] for r in roll}),
        "area_centi": sum(int(r[3]) for r in roll),
    }
    for name, value in table.items():
        if chained.opened.get(name) != value:
            return _bad(
                chained.opened_seq, vote_id, None, None, None, f"electorate.{name}", chained.opened.get(name), value,
                "表决人名册与开始表决时记入审计链的不符", "the voter roll differs from the one chained at opening",
            )  # fmt: skip
    return None


async def _check_rows(session: AsyncSession, vote_id: int, chained: ChainedVote) -> Disagreement | None:
    """Each chained ballot against its row, in chain order; then rows the chain never saw."""
    rows = {
        (r.item_id, r.person_key): r
        for r in (
            await session.execute(
                select(
                    Ballot.id, Ballot.item_id, Ballot.person_key, Ballot.choice, Ballot.receipt, Ballot.chained,
                    Ballot.pending, Ballot.nonce, Ballot.version,
                )
                .where(Ballot.vote_id == vote_id)
            )
        ).all()
    }  # fmt: skip
    for (item_id, key), b in sorted(chained.ballots.items(), key=lambda kv: kv[1].seq):
        row = rows.get((item_id, key))
        if row is None:
            return _bad(
                b.seq, vote_id, item_id, None, b.receipt, "ballot", b.choice, None,
                "审计链中的选票在选票表中缺失（被删除）", "a chained ballot has no row: it was deleted",
            )  # fmt: skip
        if row.choice != b.choice:
            return _bad(
                b.seq, vote_id, item_id, row.id, b.receipt, "choice", b.choice, row.choice,
                "选票表中的选择与审计链不符（被改动）", "the ballot row's choice differs from the chain (changed)",
            )  # fmt: skip
        if row.receipt != b.receipt:
            return _bad(
                b.seq, vote_id, item_id, row.id, b.receipt, "receipt", b.receipt, row.receipt,
                "选票表中的收据与审计链不符（被改动）", "the ballot row's receipt differs from the chain (changed)",
            )  # fmt: skip
        if row.pending != b.pending:
            return _bad(
                b.seq, vote_id, item_id, row.id, b.receipt, "pending", b.pending, row.pending,
                "纸质选票的见证确认与审计链不符", "the witness confirmation of a paper ballot differs from the chain",
            )  # fmt: skip
    for (item_id, key), row in sorted(rows.items(), key=lambda kv: kv[1].id):
        # A ballot not yet chained still carries its receipt, a hash over its choice.
        if receipt(row.nonce, vote_id, item_id, key, row.choice, row.version) != row.receipt:
            return _bad(
                None, vote_id, item_id, row.id, row.receipt, "choice", None, row.choice,
                "选票的选择与其收据不符（被改动）", "the ballot row's choice does not match its receipt (changed)",
            )  # fmt: skip
        # Online ballots wait a moment for the chainer; a row marked chained must be in the chain.
        if row.chained and (item_id, key) not in chained.ballots:
            return _bad(
                None, vote_id, item_id, row.id, row.receipt, "ballot", None, row.choice,
                "选票表中有审计链没有记录的选票（被插入）", "a ballot row the chain never recorded: it was inserted",
            )  # fmt: skip
    return None


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    """An item's published counts without the labels a later rename may change."""
    kept = {k: v for k, v in body.items() if k not in ("title", "matter", "matter_label")}
    kept["buildings"] = [{k: v for k, v in b.items() if k != "number"} for b in body.get("buildings", [])]
    return kept


async def _check_tally(
    session: AsyncSession, vote: Vote, chained: ChainedVote, roll: Sequence[Any]
) -> Disagreement | None:
    """After closing: the tally recomputed from the chain, the tally entry and the published rows agree."""
    if chained.tally is None:
        if vote.status == "closed":
            return _bad(
                None, vote.id, None, None, None, "tally", None, vote.outcome,
                "表决已结束，但审计链中没有计票记录", "the vote is closed but the chain has no tally",
            )  # fmt: skip
        return None
    grouped: dict[str, list[DwellingRecord]] = {}
    nobody: frozenset[int] = frozenset()
    for key, dwelling_id, building_id, area in roll:
        grouped.setdefault(key, []).append(DwellingRecord(dwelling_id, building_id, area, nobody))
    persons = [VotingPerson(key, tuple(ds), nobody) for key, ds in grouped.items()]
    counted = chained.counted()
    entry_items = {int(i["item_id"]): i for i in chained.tally.get("items", [])}
    items = list(await session.scalars(select(VoteItem).where(VoteItem.vote_id == vote.id).order_by(VoteItem.position)))
    seq = chained.tally_seq
    for item in items:
        published = entry_items.get(item.id)
        if published is None:
            return _bad(
                seq, vote.id, item.id, None, None, "tally.item", None, item.id,
                "计票记录中缺少该事项", "the tally entry lacks this item",
            )  # fmt: skip
        recount = tally_item(
            persons,
            {k: Choice(c) for k, c in counted.get(item.id, {}).items()},
            Threshold(published["threshold"]),
            non_voters_follow_majority=vote.non_voters_follow_majority,
        )
        expected = _comparable(item_body(item.id, item.title, recount, {}))
        for name, value in expected.items():
            if _comparable(published).get(name) != value:
                return _bad(
                    seq, vote.id, item.id, None, None, f"tally.{name}", value, _comparable(published).get(name),
                    "按审计链中的选票重新计票，与计票记录不符", "the tally recomputed from the chained ballots differs",
                )  # fmt: skip
        shown = json.loads(item.result) if item.result else None
        if shown != published or item.outcome != published.get("outcome"):
            return _bad(
                seq, vote.id, item.id, None, None, "published.item", published.get("outcome"), item.outcome,
                "公布的计票结果与审计链中的计票记录不符", "the published tally differs from the chained tally",
            )  # fmt: skip
    if vote.outcome != chained.tally.get("outcome") or vote.tally_hash != chained.tally_hash:
        return _bad(
            seq, vote.id, None, None, None, "published.outcome", chained.tally.get("outcome"), vote.outcome,
            "公布的表决结果与审计链中的计票记录不符", "the published outcome differs from the chained tally",
        )  # fmt: skip
    return None
