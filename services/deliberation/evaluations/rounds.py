"""Opening a year's evaluation round and closing it: the result, and a correction proposal when
the share of satisfied households falls below the compound's threshold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import require_staff_or_seat
from services.deliberation.bodies import Body
from services.deliberation.evaluations import domain as d
from services.deliberation.evaluations import schemas as s
from services.deliberation.evaluations.correction import open_correction
from services.deliberation.evaluations.lookup import get, rules_of
from services.deliberation.evaluations.models import Evaluation, EvaluationScore
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def open_round(
    session: AsyncSession, compound_id: int, body: s.CommitteeEvaluationIn, principal: Principal, at: datetime
) -> Evaluation:
    """The community (or street) or the supervisory committee opens the year's round."""
    await require_staff_or_seat(session, principal, compound_id, Body.supervisory_committee)
    if body.closes_at <= at:
        raise InvalidInput("截止时间须晚于现在", "closes_at must be in the future", details=[{"field": "closes_at"}])
    evaluation = Evaluation(
        compound_id=compound_id,
        year=body.year,
        opened_by_person_id=principal.person_id,
        opened_at=at,
        closes_at=body.closes_at,
    )
    session.add(evaluation)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(
            f"{body.year} 年度的测评已开启",
            f"The {body.year} evaluation is already open",
            code=ErrorCode.evaluation_exists,
        ) from None
    return evaluation


async def close_round(session: AsyncSession, evaluation_id: int, principal: Principal, at: datetime) -> Evaluation:
    evaluation = await get(session, evaluation_id)
    await require_staff_or_seat(session, principal, evaluation.compound_id, Body.supervisory_committee)
    await session.refresh(evaluation, with_for_update=True)
    if evaluation.closed_at is not None:
        raise Conflict("测评已结束", "The evaluation is already closed", code=ErrorCode.evaluation_closed)
    if at < evaluation.closes_at:
        raise Conflict(
            f"测评截止于 {evaluation.closes_at.isoformat()}，截止后方可结束",
            "The evaluation is closed at its closing time, not before",
            code=ErrorCode.evaluation_not_due,
        )
    answers, satisfied = (
        await session.execute(
            select(
                func.count(EvaluationScore.id),
                func.count(EvaluationScore.id).filter(EvaluationScore.score >= d.SATISFIED_FROM),
            ).where(EvaluationScore.evaluation_id == evaluation.id)
        )
    ).one()
    rules = await rules_of(session, evaluation.compound_id)
    share = d.percent_bp(satisfied, answers)
    evaluation.closed_at = at
    evaluation.min_satisfaction_bp = rules.min_satisfaction_bp
    evaluation.below_threshold = share is not None and share < rules.min_satisfaction_bp
    if evaluation.below_threshold:
        proposal = await open_correction(
            session,
            evaluation.compound_id,
            f"业委会纠错或更换成员：{evaluation.year}年度业主满意率 {d.bp_text(share)}%",
            f"{evaluation.year}年度业委会履职测评共 {answers} 户参与，满意（4分及以上）{satisfied} 户，"
            f"满意率 {d.bp_text(share)}%，低于本小区规定的 {d.bp_text(rules.min_satisfaction_bp)}%。"
            "依民法典第二百七十八条第一款第三项，提请议事：业委会限期整改，或由业主共同决定更换业委会成员。",
            {"evaluation_id": evaluation.id, "satisfied_bp": share},
            at,
        )
        evaluation.proposal_id = proposal.id
    await session.flush()
    return evaluation
