"""Routes of the owners' committee's yearly evaluation and the owners' recall request."""

from __future__ import annotations

from fastapi import status

from services.deliberation.access import compound_community, require_reader
from services.deliberation.evaluations import answering, reading, recall, rounds, rules
from services.deliberation.evaluations import schemas as s
from services.deliberation.evaluations.lookup import get
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["业委会测评与纠错 (committee evaluation)"])


@router.get(
    "/compounds/{compound_id}/committee-evaluation/rules",
    response_model=s.CommitteeRulesOut,
    summary="测评阈值与联名比例 (the thresholds)",
)
async def read_rules(compound_id: int, session: Session, principal: CurrentPrincipal) -> s.CommitteeRulesOut:
    await compound_community(session, compound_id)
    return await rules.read(session, compound_id, principal)


@router.put(
    "/compounds/{compound_id}/committee-evaluation/rules",
    response_model=s.CommitteeRulesOut,
    summary="社区或街道设定测评阈值与联名比例 (set the thresholds)",
)
async def set_rules(
    compound_id: int, body: s.CommitteeRulesIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.CommitteeRulesOut:
    await compound_community(session, compound_id)
    return await rules.set_rules(session, compound_id, body, principal, now)


@router.post(
    "/compounds/{compound_id}/committee-evaluations",
    status_code=status.HTTP_201_CREATED,
    response_model=s.CommitteeEvaluationOut,
    summary="开启年度业委会履职测评 (open the year's round)",
)
async def open_round(
    compound_id: int, body: s.CommitteeEvaluationIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.CommitteeEvaluationOut:
    await compound_community(session, compound_id)
    evaluation = await rounds.open_round(session, compound_id, body, principal, now)
    return await reading.show(session, evaluation, principal, now)


@router.get(
    "/compounds/{compound_id}/committee-evaluations",
    response_model=list[s.CommitteeEvaluationOut],
    summary="历年测评及匿名结果 (rounds and their anonymous results)",
)
async def rounds_of(
    compound_id: int, session: Session, principal: CurrentPrincipal, now: Now
) -> list[s.CommitteeEvaluationOut]:
    await compound_community(session, compound_id)
    return await reading.of_compound(session, compound_id, principal, now)


@router.post(
    "/committee-evaluations/{evaluation_id}/answers",
    response_model=s.CommitteeEvaluationOut,
    summary="业主按户测评一次（匿名）(one answer per household)",
)
async def answer(
    evaluation_id: int, body: s.CommitteeAnswerIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.CommitteeEvaluationOut:
    await answering.answer(session, evaluation_id, body, principal, now)
    return await reading.show(session, await get(session, evaluation_id), principal, now)


@router.post(
    "/committee-evaluations/{evaluation_id}/close",
    response_model=s.CommitteeEvaluationOut,
    summary="截止后结束测评；满意率低于阈值即提请纠错议题 (close; a low result opens a correction)",
)
async def close(
    evaluation_id: int, session: Session, principal: CurrentPrincipal, now: Now
) -> s.CommitteeEvaluationOut:
    evaluation = await rounds.close_round(session, evaluation_id, principal, now)
    return await reading.show(session, evaluation, principal, now)


@router.get(
    "/committee-evaluations/{evaluation_id}",
    response_model=s.CommitteeEvaluationOut,
    summary="一次测评 (one round)",
)
async def one(evaluation_id: int, session: Session, principal: CurrentPrincipal, now: Now) -> s.CommitteeEvaluationOut:
    evaluation = await get(session, evaluation_id)
    await require_reader(session, principal, evaluation.compound_id)
    return await reading.show(session, evaluation, principal, now)


@router.get(
    "/compounds/{compound_id}/committee-recall",
    response_model=s.CommitteeRecallOut,
    summary="业主联名提请纠错或更换业委会成员的进度 (the owners' recall request)",
)
async def recall_status(
    compound_id: int, session: Session, principal: CurrentPrincipal, now: Now
) -> s.CommitteeRecallOut:
    await compound_community(session, compound_id)
    return await recall.read(session, compound_id, principal, now)


@router.post(
    "/compounds/{compound_id}/committee-recall/signatures",
    response_model=s.CommitteeRecallOut,
    summary="本户联名（达到比例即提请议事）(sign for your household)",
)
async def sign(compound_id: int, session: Session, principal: CurrentPrincipal, now: Now) -> s.CommitteeRecallOut:
    await compound_community(session, compound_id)
    return await recall.sign(session, compound_id, principal, now)
