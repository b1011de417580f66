"""Disclosure bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DisclosureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    period: str = Field(description="2026-03 | 2026-Q1 | 2026-H1", examples=["2026-11"])


class DisclosureOut(BaseModel):
    id: int
    compound_id: int
    seq: int
    period_label: str
    content: dict[str, Any]
    prev_hash: str
    content_hash: str
    published_at: datetime


class LinkOut(BaseModel):
    seq: int
    period_label: str
    hash_ok: bool
    link_ok: bool
    figures_match: bool


class VerifyOut(BaseModel):
    compound_id: int
    ok: bool
    count: int
    head_hash: str
    first_broken_seq: int | None
    snapshots: list[LinkOut]
