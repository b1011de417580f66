"""Deliberation HTTP routes: the compound projection, the enums, and every sub-package's router."""

from __future__ import annotations

from fastapi import APIRouter

from services.deliberation.audit.api import router as audit
from services.deliberation.audit.domain import Action
from services.deliberation.base import compound_projection
from services.deliberation.bodies import Body
from services.deliberation.conventions.api import router as conventions
from services.deliberation.conventions.domain import Level
from services.deliberation.disclosures.api import router as disclosures
from services.deliberation.disclosures.domain import DisclosureKind
from services.deliberation.evaluations.api import router as evaluations
from services.deliberation.evaluations.domain import RecallStatus
from services.deliberation.figures.api import router as figures
from services.deliberation.meetings.api import router as meetings
from services.deliberation.meetings.domain import CommentKind, MeetingKind
from services.deliberation.projections.models import HouseholdView
from services.deliberation.proposals import domain as pd
from services.deliberation.proposals.api import router as proposals
from services.deliberation.votes import domain as vd
from services.deliberation.votes import tally as t
from services.deliberation.votes.api import router as votes
from shared.http import service_router
from shared.labels import LabeledEnum
from shared.projections import compound_projection_routes

router = service_router("/api/v1/deliberation", tags=["deliberation"])
compound_projection_routes(router, compound_projection, HouseholdView.__table__)

ENUMS: dict[str, type[LabeledEnum]] = {
    "proposal_status": pd.Status,
    "origin": pd.Origin,
    "triage": pd.Triage,
    "council_resolution": pd.CouncilResolution,
    "funding_source": pd.FundingSource,
    "levy_formula": pd.LevyFormula,
    "committee_choice": pd.CommitteeChoice,
    "matter": t.Matter,
    "threshold": t.Threshold,
    "choice": t.Choice,
    "outcome": t.Outcome,
    "vote_status": vd.VoteStatus,
    "ballot_via": vd.Via,
    "meeting_kind": MeetingKind,
    "comment_kind": CommentKind,
    "convention_level": Level,
    "disclosure_kind": DisclosureKind,
    "audit_action": Action,
    "body": Body,
    "recall_status": RecallStatus,
}


@router.get("/enums", summary="枚举值与中文标签 (enum values with Chinese labels)")
async def enums() -> dict[str, list[dict[str, str]]]:
    return {name: enum.choices() for name, enum in ENUMS.items()}


ROUTERS: list[APIRouter] = [router, proposals, meetings, votes, conventions, disclosures, audit, figures, evaluations]
