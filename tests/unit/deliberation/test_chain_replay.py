"""Replaying a vote's chained ballot entries: the standing choice of each voting person, paper
sheets counting only once witnessed, and entries no honest run writes."""

from __future__ import annotations

import json
from typing import Any

from services.deliberation.votes.chain import replay


def entry(seq: int, action: str, body: dict[str, Any], vote: int = 7) -> tuple[int, str, str, str, str]:
    return seq, action, f"vote:{vote}", json.dumps(body), f"h{seq}"


def cast(key: str, choice: str, receipt: str, item: int = 1) -> dict[str, Any]:
    return {"person_key": key, "items": [{"item_id": item, "choice": choice, "receipt": receipt}]}


def test_a_change_replaces_the_choice_and_the_receipt() -> None:
    votes = replay(
        [
            entry(1, "vote_opened", {"dwellings": 2, "persons": 2, "area_centi": 100}),
            entry(2, "ballot_cast", cast("owner:1", "for", "r1")),
            entry(3, "ballot_changed", {"person_key": "owner:1", "items": [{"item_id": 1, "choice": "against",
                                                                             "version": 2, "receipt": "r2"}]}),
            entry(4, "proposal_transitioned", {"from": "a", "to": "b"}),
        ]
    )  # fmt: skip
    vote = votes[7]
    assert vote.counted() == {1: {"owner:1": "against"}}
    assert set(vote.by_receipt()) == {"r2"}
    assert vote.opened_seq == 1
    assert vote.oddities == []


def test_a_paper_sheet_counts_once_its_witness_confirms_and_not_if_refused() -> None:
    sheet = {**cast("owner:2", "for", "p1"), "sheet_no": "P-1", "pending": True}
    refused = {**cast("owner:3", "for", "p2"), "sheet_no": "P-2", "pending": True}
    legacy = {**cast("owner:4", "abstain", "p3"), "sheet_no": "P-3"}  # written before witnesses confirmed
    votes = replay(
        [
            entry(1, "paper_ballot_entered", sheet),
            entry(2, "paper_ballot_entered", refused),
            entry(3, "paper_ballot_entered", legacy),
        ]
    )
    assert votes[7].counted() == {1: {"owner:4": "abstain"}}
    votes = replay(
        [
            entry(1, "paper_ballot_entered", sheet),
            entry(2, "paper_ballot_entered", refused),
            entry(3, "paper_ballot_confirmed", {"person_key": "owner:2", "sheet_no": "P-1", "items": [1]}),
            entry(4, "paper_ballot_refused", {"person_key": "owner:3", "sheet_no": "P-2", "items": [1], "reason": "x"}),
        ]
    )
    assert votes[7].counted() == {1: {"owner:2": "for"}}
    assert "p2" not in votes[7].by_receipt()


def test_a_second_cast_and_a_change_of_nothing_are_named() -> None:
    votes = replay(
        [
            entry(5, "ballot_cast", cast("owner:1", "for", "r1")),
            entry(6, "ballot_cast", cast("owner:1", "against", "r9")),
            entry(7, "ballot_changed", cast("owner:8", "for", "r8")),
        ]
    )
    assert [(o.seq, o.reason_en) for o in votes[7].oddities] == [
        (6, "a second ballot of one person on one item"),
        (7, "changes or confirms a ballot that does not exist"),
    ]
    assert votes[7].counted() == {1: {"owner:1": "for"}}
