"""Routes of proposals through the 131 lifecycle."""

from __future__ import annotations

from fastapi import Query, status

from services.deliberation.access import require_reader
from services.deliberation.proposals import (
    classification,
    contesting,
    evaluating,
    execution,
    lookup,
    objecting,
    planning,
    reading,
    submission,
    triaging,
    withdrawal,
)
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.domain import Status
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["议题 (proposals)"])


@router.post(
    "/proposals", status_code=status.HTTP_201_CREATED, response_model=s.ProposalOut, summary="提交议题 (submit)"
)
async def submit(body: s.ProposalCreate, session: Session, principal: CurrentPrincipal, now: Now) -> s.ProposalOut:
    return await reading.show(session, await submission.submit(session, body, principal, now))


@router.get("/proposals", response_model=list[s.ProposalOut], summary="小区议题列表 (a compound's proposals)")
async def listing(
    session: Session, principal: CurrentPrincipal, compound_id: int = Query(gt=0), status: Status | None = None
) -> list[s.ProposalOut]:
    await require_reader(session, principal, compound_id)
    return await reading.listing(session, compound_id, status)


@router.get("/proposals/{proposal_id}", response_model=s.ProposalOut, summary="议题详情 (one)")
async def one(proposal_id: int, session: Session, principal: CurrentPrincipal) -> s.ProposalOut:
    await require_reader(session, principal, (await lookup.get(session, proposal_id)).compound_id)
    return await reading.show(session, await lookup.get(session, proposal_id))


@router.post("/proposals/{proposal_id}/triage", response_model=s.ProposalOut, summary="党组织三事分流 (triage)")
async def triage(
    proposal_id: int, body: s.TriageIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await triaging.triage(session, proposal_id, body, principal, now))


@router.post(
    "/proposals/{proposal_id}/council-resolution",
    response_model=s.ProposalOut,
    summary="议事会决定办不办 (go / no-go / revise)",
)
async def council(
    proposal_id: int, body: s.CouncilResolutionIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await triaging.resolve_in_council(session, proposal_id, body, principal, now))


@router.put("/proposals/{proposal_id}/plan", response_model=s.ProposalOut, summary="业委会制定方案 (the plan: how)")
async def plan(
    proposal_id: int, body: s.PlanIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await planning.draft_plan(session, proposal_id, body, principal, now))


@router.post(
    "/proposals/{proposal_id}/plan/committee-votes",
    response_model=s.ProposalOut,
    summary="业委会委员本人表决方案，过全体委员半数通过 (a member's own vote; no proxies)",
)
async def committee_vote(
    proposal_id: int, body: s.CommitteeVoteIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await planning.committee_vote(session, proposal_id, body, principal, now))


@router.put(
    "/proposals/{proposal_id}/classification",
    response_model=s.ProposalOut,
    summary="按民法典第278条定性表决事项 (classify before notice)",
)
async def classify(
    proposal_id: int, body: s.ClassificationIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await classification.classify(session, proposal_id, body, principal, now))


@router.post(
    "/proposals/{proposal_id}/classification/cosign", response_model=s.ProposalOut, summary="监委会会签定性 (co-sign)"
)
async def cosign(
    proposal_id: int, body: s.Seen, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(
        session, await classification.cosign_classification(session, proposal_id, body, principal, now)
    )


@router.post(
    "/proposals/{proposal_id}/objections",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ObjectionOut,
    summary="监委会提出异议，答复前议题暂停 (raise an objection: holds the proposal)",
)
async def object_to(
    proposal_id: int, body: s.ObjectionIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ObjectionOut:
    await objecting.raise_objection(session, proposal_id, body, principal, now)
    return (await objecting.objections(session, proposal_id))[-1]


@router.get("/proposals/{proposal_id}/objections", response_model=list[s.ObjectionOut], summary="异议 (objections)")
async def objections(proposal_id: int, session: Session, principal: CurrentPrincipal) -> list[s.ObjectionOut]:
    await require_reader(session, principal, (await lookup.get(session, proposal_id)).compound_id)
    await lookup.get(session, proposal_id)
    return await objecting.objections(session, proposal_id)


@router.post(
    "/proposals/{proposal_id}/objections/{objection_id}/answer",
    response_model=s.ObjectionOut,
    summary="答复异议 (answer)",
)
async def answer(
    proposal_id: int, objection_id: int, body: s.AnswerIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ObjectionOut:
    answered = await objecting.answer_objection(session, proposal_id, objection_id, body, principal, now)
    return next(o for o in await objecting.objections(session, proposal_id) if o.id == answered.id)


@router.post("/proposals/{proposal_id}/execution", response_model=s.ProposalOut, summary="开始执行 (start execution)")
async def execute(
    proposal_id: int, body: s.Seen, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await execution.start_execution(session, proposal_id, body, principal, now))


@router.post(
    "/proposals/{proposal_id}/milestones",
    status_code=status.HTTP_201_CREATED,
    response_model=s.MilestoneOut,
    summary="执行节点，可生成派单 (a milestone; may become a dispatch order)",
)
async def milestone(
    proposal_id: int, body: s.MilestoneIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.MilestoneOut:
    created = await execution.add_milestone(session, proposal_id, body, principal, now)
    return next(m for m in await execution.milestones(session, proposal_id) if m.id == created.id)


@router.get("/proposals/{proposal_id}/milestones", response_model=list[s.MilestoneOut], summary="执行节点 (milestones)")
async def milestones(proposal_id: int, session: Session, principal: CurrentPrincipal) -> list[s.MilestoneOut]:
    await require_reader(session, principal, (await lookup.get(session, proposal_id)).compound_id)
    await lookup.get(session, proposal_id)
    return await execution.milestones(session, proposal_id)


@router.post(
    "/proposals/{proposal_id}/milestones/{milestone_id}/done",
    response_model=s.MilestoneOut,
    summary="节点完成与支出 (done)",
)
async def milestone_done(
    proposal_id: int,
    milestone_id: str,
    body: s.MilestoneDoneIn,
    session: Session,
    principal: CurrentPrincipal,
    now: Now,
) -> s.MilestoneOut:
    await execution.complete_milestone(session, proposal_id, milestone_id, body, principal, now)
    return next(m for m in await execution.milestones(session, proposal_id) if m.id == milestone_id)


@router.post(
    "/proposals/{proposal_id}/ratings", response_model=s.EvaluationOut, summary="业主评议打分 1–5 (rate the result)"
)
async def rate(
    proposal_id: int, body: s.RatingIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.EvaluationOut:
    await evaluating.rate(session, proposal_id, body, principal, now)
    return await evaluating.evaluation_of(session, proposal_id)


@router.get("/proposals/{proposal_id}/evaluation", response_model=s.EvaluationOut, summary="评议结果 (evaluation)")
async def evaluation(proposal_id: int, session: Session, principal: CurrentPrincipal) -> s.EvaluationOut:
    await require_reader(session, principal, (await lookup.get(session, proposal_id)).compound_id)
    await lookup.get(session, proposal_id)
    return await evaluating.evaluation_of(session, proposal_id)


@router.post(
    "/proposals/{proposal_id}/evaluation", response_model=s.ProposalOut, summary="群众评议会结束评议 (conclude)"
)
async def conclude(
    proposal_id: int, body: s.Seen, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await evaluating.conclude_evaluation(session, proposal_id, body, principal, now))


@router.post("/proposals/{proposal_id}/withdraw", response_model=s.ProposalOut, summary="撤回 (withdraw)")
async def withdraw(
    proposal_id: int, body: s.WithdrawIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    return await reading.show(session, await withdrawal.withdraw(session, proposal_id, body, principal, now))


@router.post(
    "/proposals/{proposal_id}/contests",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ProposalOut,
    summary="一年内请求撤销决定 (contest within one year)",
)
async def contest(
    proposal_id: int, body: s.ContestIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.ProposalOut:
    await contesting.contest(session, proposal_id, body, principal, now)
    return await reading.show(session, await lookup.get(session, proposal_id))
