"""A compound's evaluation rounds as owners and the desk read them: while a round is open only
how many households answered; once closed, the anonymous result."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import require_reader
from services.deliberation.evaluations import domain as d
from services.deliberation.evaluations import schemas as s
from services.deliberation.evaluations.lookup import households, my_dwellings
from services.deliberation.evaluations.models import Evaluation, EvaluationHousehold, EvaluationScore
from shared.auth import Principal


async def show(
    session: AsyncSession, evaluation: Evaluation, principal: Principal, at: datetime
) -> s.CommitteeEvaluationOut:
    answered = set(
        await session.scalars(
            select(EvaluationHousehold.dwelling_id).where(EvaluationHousehold.evaluation_id == evaluation.id)
        )
    )
    mine = set(await my_dwellings(session, evaluation.compound_id, principal.person_id, at.date()))
    closed = evaluation.closed_at is not None
    by_score: list[int] | None = None
    average: str | None = None
    satisfied: str | None = None
    comments: list[str] = []
    if closed:
        counts = dict(
            (
                await session.execute(
                    select(EvaluationScore.score, func.count())
                    .where(EvaluationScore.evaluation_id == evaluation.id)
                    .group_by(EvaluationScore.score)
                )
            ).all()
        )
        by_score = [int(counts.get(score, 0)) for score in range(1, 6)]
        total = sum(by_score)
        if total:
            mean = Decimal(sum(n * (i + 1) for i, n in enumerate(by_score))) / total
            average = str(mean.quantize(Decimal("0.01"), ROUND_HALF_UP))
        satisfied = d.bp_text(d.percent_bp(sum(by_score[d.SATISFIED_FROM - 1 :]), total))
        # Shuffled out of their order of arrival by sorting: the order would tell who wrote them.
        comments = sorted(
            c
            for c in await session.scalars(
                select(EvaluationScore.comment).where(
                    EvaluationScore.evaluation_id == evaluation.id, EvaluationScore.comment != ""
                )
            )
        )
    return s.CommitteeEvaluationOut(
        id=evaluation.id,
        compound_id=evaluation.compound_id,
        year=evaluation.year,
        opened_at=evaluation.opened_at,
        closes_at=evaluation.closes_at,
        closed_at=evaluation.closed_at,
        open=not closed and at < evaluation.closes_at,
        households=await households(session, evaluation.compound_id, at.date()),
        answers=len(answered),
        by_score=by_score,
        average_score=average,
        satisfied_percent=satisfied,
        min_satisfaction_percent=d.bp_text(evaluation.min_satisfaction_bp),
        below_threshold=evaluation.below_threshold,
        proposal_id=evaluation.proposal_id,
        answered_by_my_household=bool(mine) and mine <= answered,
        comments=comments,
    )


async def of_compound(
    session: AsyncSession, compound_id: int, principal: Principal, at: datetime
) -> list[s.CommitteeEvaluationOut]:
    await require_reader(session, principal, compound_id)
    found = await session.scalars(
        select(Evaluation).where(Evaluation.compound_id == compound_id).order_by(Evaluation.year.desc())
    )
    return [await show(session, e, principal, at) for e in found]
