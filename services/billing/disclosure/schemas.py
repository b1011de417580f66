"""Disclosure bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.responses import FromRow, JsonText


class DisclosureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    period: str = Field(description="2026-03 | 2026-Q1 | 2026-H1", examples=["2026-11"])
    # What the notice board prints beside the figures (all hash-chained with them).
    publisher: str | None = Field(
        default=None, max_length=100, description="who publishes (default: the caller's role)", examples=["业主委员会"]
    )
    cosigner: str | None = Field(default=None, max_length=100, description="who co-signs", examples=["监委会 李四"])
    notice_days: int = Field(default=7, ge=7, le=60, description="公示期 in days, from the publication day")
    objection_to: str | None = Field(
        default=None,
        max_length=200,
        description="where to object during the notice period",
        examples=["物业服务中心（1 号楼 101），电话 028-88886666"],
    )


class DisclosureOut(FromRow):
    id: int
    compound_id: int
    seq: int
    period_label: str
    content: Annotated[dict[str, Any], JsonText]
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
