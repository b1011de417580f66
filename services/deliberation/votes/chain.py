"""The ballots of a vote as the audit chain has them, plain Python: replaying the chained
ballot entries (cast, changed, paper entered, paper confirmed or refused by its witness) gives
each voting person's standing choice and receipt per item. The chain is the record; the
ballot rows are a copy for fast reads, and verification compares the two."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.deliberation.audit.domain import Action


@dataclass
class ChainedBallot:
    """One voting person's standing choice on one item, and the entry that set it."""

    choice: str
    receipt: str
    seq: int
    # A paper ballot waits for its witness's own confirmation before it counts.
    pending: bool = False
    sheet_no: str | None = None


@dataclass(frozen=True)
class Oddity:
    """Something in the chain itself that no honest run writes (a second cast, a change of
    nothing), named with the entry."""

    seq: int
    item_id: int | None
    reason: str
    reason_en: str


@dataclass
class ChainedVote:
    """What the chain says about one vote."""

    ballots: dict[tuple[int, str], ChainedBallot] = field(default_factory=dict)
    opened: dict[str, Any] | None = None
    opened_seq: int | None = None
    tally: dict[str, Any] | None = None
    tally_seq: int | None = None
    tally_hash: str | None = None
    oddities: list[Oddity] = field(default_factory=list)

    def counted(self) -> dict[int, dict[str, str]]:
        """item id → voting person key → choice, of the ballots that count (witnessed)."""
        out: dict[int, dict[str, str]] = {}
        for (item_id, key), b in self.ballots.items():
            if not b.pending:
                out.setdefault(item_id, {})[key] = b.choice
        return out

    def by_receipt(self) -> dict[str, tuple[int, ChainedBallot]]:
        """Standing receipts → (item id, ballot); a receipt replaced by a change is not here."""
        return {b.receipt: (item_id, b) for (item_id, _), b in self.ballots.items()}


BALLOT_ACTIONS = frozenset(
    {
        Action.ballot_cast.value,
        Action.ballot_changed.value,
        Action.paper_ballot_entered.value,
        Action.paper_ballot_confirmed.value,
        Action.paper_ballot_refused.value,
    }
)
VOTE_ACTIONS = BALLOT_ACTIONS | {Action.vote_opened.value, Action.tally.value}


def vote_of(subject: str) -> int | None:
    """The vote id of a `vote:<id>` subject."""
    kind, _, ident = subject.partition(":")
    return int(ident) if kind == "vote" and ident.isdigit() else None


def replay(entries: Iterable[tuple[int, str, str, str, str]]) -> dict[int, ChainedVote]:
    """Replay (seq, action, subject, body, hash) entries in chain order into each vote's ballots."""
    votes: dict[int, ChainedVote] = {}
    for seq, action, subject, text, digest in entries:
        if action not in VOTE_ACTIONS:
            continue
        vote_id = vote_of(subject)
        if vote_id is None:
            continue
        vote = votes.setdefault(vote_id, ChainedVote())
        body = json.loads(text)
        if action == Action.vote_opened.value:
            vote.opened, vote.opened_seq = body, seq
        elif action == Action.tally.value:
            vote.tally, vote.tally_seq, vote.tally_hash = body, seq, digest
        else:
            _apply_ballot(vote, seq, action, body)
    return votes


def _apply_ballot(vote: ChainedVote, seq: int, action: str, body: dict[str, Any]) -> None:
    key = str(body.get("person_key"))
    for item in body.get("items", []):
        item_id = int(item["item_id"]) if isinstance(item, dict) else int(item)
        slot = (item_id, key)
        held = vote.ballots.get(slot)
        if action in (Action.ballot_cast.value, Action.paper_ballot_entered.value):
            if held is not None:
                vote.oddities.append(
                    Oddity(seq, item_id, "同一表决人就同一事项第二次投票", "a second ballot of one person on one item")
                )
                continue
            vote.ballots[slot] = ChainedBallot(
                item["choice"],
                item["receipt"],
                seq,
                # Entries written before witnesses confirmed carry no flag: they counted at once.
                pending=bool(body.get("pending", False)) and action == Action.paper_ballot_entered.value,
                sheet_no=body.get("sheet_no"),
            )
        elif held is None:
            vote.oddities.append(
                Oddity(seq, item_id, "改动或确认了一张不存在的选票", "changes or confirms a ballot that does not exist")
            )
        elif action == Action.ballot_changed.value:
            vote.ballots[slot] = ChainedBallot(item["choice"], item["receipt"], seq)
        elif action == Action.paper_ballot_confirmed.value:
            held.pending, held.seq = False, seq
        else:  # refused by its witness: as if never entered
            del vote.ballots[slot]
