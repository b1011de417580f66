"""An owner answers the year's evaluation for their household: once per household, anonymous."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.evaluations import schemas as s
from services.deliberation.evaluations.lookup import get, my_dwellings
from services.deliberation.evaluations.models import EvaluationHousehold, EvaluationScore
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden


async def answer(
    session: AsyncSession, evaluation_id: int, body: s.CommitteeAnswerIn, principal: Principal, at: datetime
) -> None:
    evaluation = await get(session, evaluation_id)
    if evaluation.closed_at is not None or at >= evaluation.closes_at:
        raise Conflict("本年度测评已截止", "This evaluation is closed", code=ErrorCode.evaluation_closed)
    dwellings = await my_dwellings(session, evaluation.compound_id, principal.person_id, at.date())
    if not dwellings:
        raise Forbidden("只有本小区业主可以参与测评", "Only owners of the compound answer", code=ErrorCode.not_an_owner)
    # One answer per household: an owner of several homes answers for each in turn; the key of
    # the households table refuses a second answer from a home, even from a co-owner at once.
    for dwelling_id in dwellings:
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(EvaluationHousehold).values(evaluation_id=evaluation.id, dwelling_id=dwelling_id)
                )
        except IntegrityError:
            continue
        session.add(EvaluationScore(evaluation_id=evaluation.id, score=body.score, comment=body.comment.strip()))
        await session.flush()
        return
    raise Conflict("本户已参与本年度测评", "Your household has already answered", code=ErrorCode.already_evaluated)
