"""Owners' satisfaction surveys: the committee opens one on a contract; each household answers
once (one household, one answer), and the results are anonymous: the answer is stored apart
from the household that gave it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import resident_households
from services.billing.contracts import access, contracting, domain
from services.billing.contracts import schemas as s
from services.billing.contracts.models import (
    property_companies,
    satisfaction_surveys,
    service_contracts,
    survey_answers,
    survey_respondents,
)
from services.billing.projections.models import household_projection
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound


async def open_survey(session: AsyncSession, principal: Principal, body: s.SurveyCreate, now: datetime) -> s.SurveyOut:
    contract = await contracting.contract_row(session, body.contract_id)
    await access.require_contract_staff(session, principal, contract.compound_id)
    if body.closes_on < body.opens_on:
        raise InvalidInput("截止日期不能早于开始日期", "closes_on before opens_on", details=[{"field": "closes_on"}])
    survey_id = (
        await session.execute(
            satisfaction_surveys.insert()
            .values(
                contract_id=contract.id,
                compound_id=contract.compound_id,
                title=body.title.strip(),
                opens_on=body.opens_on,
                closes_on=body.closes_on,
                created_at=now,
            )
            .returning(satisfaction_surveys.c.id)
        )
    ).scalar_one()
    return (await surveys(session, principal, contract.compound_id, now.date(), survey_id=survey_id))[0]


def _query() -> Any:
    return (
        select(satisfaction_surveys, property_companies.c.name.label("company_name"))
        .join(service_contracts, service_contracts.c.id == satisfaction_surveys.c.contract_id)
        .join(property_companies, property_companies.c.id == service_contracts.c.company_id)
    )


async def survey_row(session: AsyncSession, survey_id: int) -> Any:
    row = (await session.execute(_query().where(satisfaction_surveys.c.id == survey_id))).first()
    if row is None:
        raise NotFound(f"问卷 {survey_id} 不存在", f"Survey {survey_id} not found")
    return row


async def surveys(
    session: AsyncSession, principal: Principal, compound_id: int, today: date, *, survey_id: int | None = None
) -> list[s.SurveyOut]:
    query = _query().where(satisfaction_surveys.c.compound_id == compound_id)
    if survey_id is not None:
        query = query.where(satisfaction_surveys.c.id == survey_id)
    rows = list(await session.execute(query.order_by(satisfaction_surveys.c.id.desc())))
    mine = resident_households(principal)
    answered = set()
    if mine and rows:
        answered = set(
            await session.scalars(
                select(survey_respondents.c.survey_id).where(
                    survey_respondents.c.household_id.in_(mine),
                    survey_respondents.c.survey_id.in_([r.id for r in rows]),
                )
            )
        )
    return [
        s.SurveyOut(
            id=r.id,
            contract_id=r.contract_id,
            compound_id=r.compound_id,
            company_name=r.company_name,
            title=r.title,
            opens_on=r.opens_on,
            closes_on=r.closes_on,
            open=r.opens_on <= today <= r.closes_on,
            answered_by_me=r.id in answered,
        )
        for r in rows
    ]


async def answer(
    session: AsyncSession, principal: Principal, survey_id: int, body: s.AnswerCreate, today: date
) -> s.AnswerReceipt:
    survey = await survey_row(session, survey_id)
    await access.require_contract_reader(session, principal, survey.compound_id)
    await access.require_respondent(session, principal, survey.compound_id, body.household_id)
    if not survey.opens_on <= today <= survey.closes_on:
        raise Conflict(
            f"问卷开放时间为 {survey.opens_on} 至 {survey.closes_on}",
            f"The survey is open from {survey.opens_on} to {survey.closes_on}",
            code=ErrorCode.illegal_transition,
        )
    try:
        async with session.begin_nested():
            await session.execute(
                survey_respondents.insert().values(survey_id=survey_id, household_id=body.household_id)
            )
    except IntegrityError as exc:
        raise Conflict(code=ErrorCode.survey_already_answered) from exc
    await session.execute(
        survey_answers.insert().values(survey_id=survey_id, score=body.score, comment=body.comment.strip())
    )
    return s.AnswerReceipt(survey_id=survey_id, household_id=body.household_id, answered=True)


async def scores_of(session: AsyncSession, survey_ids: list[int]) -> list[int]:
    return list(await session.scalars(select(survey_answers.c.score).where(survey_answers.c.survey_id.in_(survey_ids))))


async def results(session: AsyncSession, survey_id: int) -> s.SurveyResults:
    survey = await survey_row(session, survey_id)
    rows = list(
        await session.execute(
            select(survey_answers.c.score, survey_answers.c.comment).where(survey_answers.c.survey_id == survey_id)
        )
    )
    households = await session.scalar(
        select(func.count()).where(
            household_projection.c.compound_id == survey.compound_id, household_projection.c.active.is_(True)
        )
    )
    scores = [r.score for r in rows]
    return s.SurveyResults(
        survey_id=survey_id,
        title=survey.title,
        answers=len(rows),
        households=int(households or 0),
        distribution={str(n): scores.count(n) for n in range(5, 0, -1)},
        satisfaction_percent=domain.satisfaction_percent(scores),
        # Sorted, not in the order given, which could point back to who answered when.
        comments=sorted(r.comment for r in rows if r.comment),
    )
