"""Reading what the evaluation needs: a round, the rules in force, the caller's households."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.evaluations import domain as d
from services.deliberation.evaluations.models import Evaluation, EvaluationRules
from services.deliberation.projections.models import OwnershipView
from shared.errors import NotFound


async def get(session: AsyncSession, evaluation_id: int) -> Evaluation:
    found = await session.get(Evaluation, evaluation_id)
    if found is None:
        raise NotFound(f"测评 {evaluation_id} 不存在", f"Evaluation {evaluation_id} not found")
    return found


async def rules_of(session: AsyncSession, compound_id: int) -> EvaluationRules:
    """The compound's rules, or the defaults (not stored) when it has set none."""
    own = await session.get(EvaluationRules, compound_id)
    if own is not None:
        return own
    return EvaluationRules(
        compound_id=compound_id,
        min_satisfaction_bp=d.DEFAULT_MIN_SATISFACTION_BP,
        recall_share_bp=d.DEFAULT_RECALL_SHARE_BP,
        version=0,
    )


def _owned_now(compound_id: int, today: date) -> tuple[ColumnElement[bool], ...]:
    return (
        OwnershipView.compound_id == compound_id,
        (OwnershipView.since.is_(None)) | (OwnershipView.since <= today),
        (OwnershipView.until.is_(None)) | (OwnershipView.until > today),
    )


async def households(session: AsyncSession, compound_id: int, today: date) -> int:
    """The compound's households with an owner today (a household is its dwelling)."""
    count = await session.scalar(
        select(func.count(func.distinct(OwnershipView.dwelling_id))).where(*_owned_now(compound_id, today))
    )
    return int(count or 0)


async def my_dwellings(session: AsyncSession, compound_id: int, person_id: int | None, today: date) -> list[int]:
    """The dwellings of the compound the person owns today, in order."""
    if person_id is None:
        return []
    found = await session.scalars(
        select(OwnershipView.dwelling_id)
        .where(*_owned_now(compound_id, today), OwnershipView.person_id == person_id)
        .order_by(OwnershipView.dwelling_id)
    )
    return list(dict.fromkeys(found))
