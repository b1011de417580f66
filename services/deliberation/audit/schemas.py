"""Audit log bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


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
