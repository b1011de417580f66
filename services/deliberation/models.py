"""Deliberation's tables: every sub-package's models on the one MetaData (Alembic and the
migration test read `metadata` from here)."""

from __future__ import annotations

from services.deliberation.audit import models as audit
from services.deliberation.base import compound_projection, metadata
from services.deliberation.conventions import models as conventions
from services.deliberation.disclosures import models as disclosures
from services.deliberation.evaluations import models as evaluations
from services.deliberation.meetings import models as meetings
from services.deliberation.projections import models as projections
from services.deliberation.proposals import models as proposals
from services.deliberation.votes import models as votes

__all__ = [
    "audit",
    "compound_projection",
    "conventions",
    "disclosures",
    "evaluations",
    "meetings",
    "metadata",
    "projections",
    "proposals",
    "votes",
]
