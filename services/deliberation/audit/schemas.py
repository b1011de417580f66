"""Audit log bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    seq: int
    action: str
    action_label: str
    subject: str
    actor_person_id: int | None
    body: str
    prev_hash: str
    hash: str
    recorded_at: datetime


class BallotDisagreement(BaseModel):
    """Where a vote's records part from its chain: the entry, the vote and item, the ballot row
    and its receipt (no voter), which field, the chain's value and the table's."""

    seq: int | None
    vote_id: int
    item_id: int | None
    ballot_id: int | None
    receipt: str | None
    field: str
    chain: Any
    table: Any


class AuditVerification(BaseModel):
    """The chain recomputed: ok, or the first entry that no longer fits and why."""

    compound_id: int
    ok: bool
    entries: int
    head_hash: str | None = None
    first_bad_seq: int | None = None
    reason: str | None = None
    reason_en: str | None = None
    unchained_ballots: int = 0  # cast moments ago, entered by the chainer within a second
    ballots_checked: int = Field(
        default=0, description="与审计链逐张核对的选票数 (chained ballots compared with their rows)"
    )
    disagreement: BallotDisagreement | None = Field(
        default=None,
        description="选票表或公布的计票结果与审计链的第一处不符 (the first place the records part from the chain)",
    )
