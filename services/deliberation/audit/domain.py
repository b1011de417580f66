"""The hash chain of a compound's audit log, plain Python: each entry's hash covers the previous
entry's hash and its own content, so changing, removing or reordering any row breaks every
hash after it and verification names the first row that no longer fits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.labels import LabeledEnum

GENESIS = "0" * 64


class Action(LabeledEnum):
    proposal_submitted = "proposal_submitted", "提交议题"
    proposal_transitioned = "proposal_transitioned", "议题状态变更"
    meeting_recorded = "meeting_recorded", "记录会议"
    committee_vote = "committee_vote", "业委会表决"
    classified = "classified", "表决事项定性"
    classification_cosigned = "classification_cosigned", "监委会会签定性"
    vote_noticed = "vote_noticed", "发布表决公告"
    vote_opened = "vote_opened", "开始表决"
    vote_extended = "vote_extended", "表决延期"
    proxy_recorded = "proxy_recorded", "登记书面委托"
    developer_represented = "developer_represented", "登记开发建设单位代表"
    ballot_cast = "ballot_cast", "投票"
    ballot_changed = "ballot_changed", "改票"
    paper_ballot_entered = "paper_ballot_entered", "录入纸质选票"
    paper_ballot_confirmed = "paper_ballot_confirmed", "见证人确认纸质选票"
    paper_ballot_refused = "paper_ballot_refused", "见证人不予确认纸质选票"
    tally = "tally", "计票"
    tally_certified = "tally_certified", "监委会确认计票"
    objection_raised = "objection_raised", "监委会提出异议"
    objection_answered = "objection_answered", "答复异议"
    disclosure = "disclosure", "公示"
    milestone = "milestone", "执行节点"
    evaluation = "evaluation", "群众评议"
    clause_adopted = "clause_adopted", "公约条款"
    contest = "contest", "异议诉讼登记"


def canonical(body: dict[str, Any]) -> str:
    """The one text an entry's content is hashed and stored as (sorted keys, no spaces)."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, seq: int, action: str, subject: str, actor: int | None, body: str) -> str:
    """sha256 over the previous hash and every field of the entry."""
    material = "\x1f".join([prev_hash, str(seq), action, subject, "" if actor is None else str(actor), body])
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class StoredEntry:
    seq: int
    action: str
    subject: str
    actor: int | None
    body: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str
    reason_en: str


def first_break(entries: Iterable[StoredEntry]) -> Break | None:
    """Walk the chain in order; the first entry whose sequence, link or hash is wrong, or None."""
    prev = GENESIS
    expected_seq = 1
    for e in entries:
        if e.seq != expected_seq:
            return Break(
                e.seq,
                f"序号应为 {expected_seq}，记录缺失或被插入",
                f"expected seq {expected_seq}: a row is missing or inserted",
            )
        if e.prev_hash != prev:
            return Break(e.seq, "与上一条记录的哈希不衔接", "prev_hash does not match the previous entry")
        if entry_hash(prev, e.seq, e.action, e.subject, e.actor, e.body) != e.hash:
            return Break(e.seq, "内容与哈希不符，记录被改动", "content does not match its hash: the row was changed")
        prev = e.hash
        expected_seq += 1
    return None
