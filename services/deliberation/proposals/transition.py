"""The one way a proposal changes state (`move`: table-checked, version-checked, not while an objection
holds it, audited and announced in the same transaction) and what it checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.proposals import domain as d
from services.deliberation.proposals.models import (
    Objection,
    Proposal,
)
from shared.contracts.deliberation import ProposalStatusChanged
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.events.outbox import emit
from shared.locking import check_version, flush_versioned

OPEN = "open"
ANSWERED = "answered"
_PROPOSAL = ("议题", "The proposal")


def check_seen(proposal: Proposal, seen: int | None) -> None:
    """Refuse (409) a step based on a version other than the current one."""
    check_version(*_PROPOSAL, proposal.version, seen)


async def open_objections(session: AsyncSession, proposal_id: int) -> int:
    return int(
        await session.scalar(select(func.count()).where(Objection.proposal_id == proposal_id, Objection.status == OPEN))
        or 0
    )


async def check_not_held(session: AsyncSession, proposal: Proposal) -> None:
    """An unanswered objection of the supervisory committee holds the proposal."""
    if await open_objections(session, proposal.id):
        raise Conflict(
            "监委会异议尚未答复，议题暂停推进",
            "The supervisory committee's objection is unanswered: the proposal is on hold",
            code=ErrorCode.held_by_objection,
        )


async def move(
    session: AsyncSession,
    proposal: Proposal,
    target: d.Status,
    actor: int | None,
    at: datetime,
    seen: int | None = None,
    note: str = "",
) -> None:
    """The one way a proposal changes state: table-checked, version-checked, not while held,
    audited and announced in the same transaction."""
    check_seen(proposal, seen)
    current = d.Status(proposal.status)
    d.PROPOSAL_MACHINE.check(current, target)
    # Fields the caller set for this step go out with the new status in one UPDATE: one
    # version per transition, not one for the step's fields and another for the status.
    with session.sync_session.no_autoflush:
        await check_not_held(session, proposal)
    proposal.status = target.value
    if target in (d.Status.passed, d.Status.rejected, d.Status.no_quorum):
        proposal.decided_at = at
    await flush_versioned(session, *_PROPOSAL)
    await record(
        session,
        proposal.compound_id,
        Action.proposal_transitioned,
        f"proposal:{proposal.id}",
        actor,
        {"from": current.value, "to": target.value, "note": note},
        at,
    )
    await announce(session, proposal, current)


async def announce(session: AsyncSession, proposal: Proposal, previous: d.Status | None) -> None:
    await emit(
        session,
        ProposalStatusChanged(
            proposal_id=proposal.id,
            compound_id=proposal.compound_id,
            title=proposal.title,
            status=proposal.status,
            previous_status=previous.value if previous else None,
            origin_order_id=proposal.origin_order_id,
            version=proposal.version,
        ),
        subject=proposal.id,
        key=proposal.compound_id,
    )
