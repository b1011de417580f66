"""The one way a case changes state: the machine's guard, then the version the caller read."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation.domain import CASE_MACHINE, CaseState, CaseStep
from services.dispatch.mediation.models import MediationCase
from shared.locking import check_version, flush_versioned

NOUN = ("调解案件", "The mediation case")


def check_seen(case: MediationCase, seen: int) -> None:
    check_version(*NOUN, case.version, seen, case_id=case.id)


def guard(case: MediationCase, step: CaseStep) -> None:
    """Refuse (409) a step the case may not take now, changing nothing."""
    CASE_MACHINE.fire(CaseState(case.state), step)


def move(case: MediationCase, step: CaseStep) -> None:
    """Set the state `step` leads to (409 illegal_transition when it may not be taken now)."""
    case.state = CASE_MACHINE.fire(CaseState(case.state), step).value


async def save(session: AsyncSession) -> None:
    await flush_versioned(session, *NOUN)
