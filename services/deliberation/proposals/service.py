"""Use cases of a proposal: submit, triage, council resolution, the committee's plan and
decision, classification, objections, execution, evaluation, withdrawal and contests."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from services.deliberation.access import (
    compound_community,
    members_of,
    require_committee,
    require_member,
    require_party_lead,
    require_seat,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.bodies import COMMITTEE_BODIES, Body
from services.deliberation.meetings.models import Meeting
from services.deliberation.projections.models import OwnershipView
from services.deliberation.proposals import domain as d
from services.deliberation.proposals import schemas as s
from services.deliberation.proposals.models import (
    ClassificationItem,
    CommitteeVote,
    Contest,
    Milestone,
    Objection,
    Plan,
    Proposal,
    Rating,
)
from services.deliberation.votes.domain import VoteStatus
from services.deliberation.votes.models import Vote
from services.deliberation.votes.tally import Matter, Outcome, Threshold
from shared.auth import Principal
from shared.clock import LOCAL_TZ
from shared.contracts.deliberation import ExecutionTaskCreated, ProposalStatusChanged
from shared.contracts.dispatch import OrderReferredToDeliberation
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.outbox import emit
from shared.ids import uuid7
from shared.money import fen_to_yuan

OPEN = "open"
ANSWERED = "answered"


async def get(session: AsyncSession, proposal_id: int) -> Proposal:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"议题 {proposal_id} 不存在", f"Proposal {proposal_id} not found", details={"id": proposal_id})
    return proposal


def check_seen(proposal: Proposal, seen: int | None) -> None:
    """Refuse (409) a step based on a version other than the current one."""
    if seen is not None and proposal.version != seen:
        raise Conflict(
            f"议题已被他人更新（当前版本 {proposal.version}，你提交的是 {seen}），请刷新后重试",
            f"Stale version: the proposal is at {proposal.version}, the request was based on {seen}",
            code="stale_version",
            details={"current_version": proposal.version, "your_version": seen},
        )


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
            code="held_by_objection",
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
    d.check_transition(current, target)
    # Fields the caller set for this step go out with the new status in one UPDATE: one
    # version per transition, not one for the step's fields and another for the status.
    with session.sync_session.no_autoflush:
        await check_not_held(session, proposal)
    proposal.status = target.value
    if target in (d.Status.passed, d.Status.rejected, d.Status.no_quorum):
        proposal.decided_at = at
    try:
        await session.flush()
    except StaleDataError:
        raise Conflict(
            "议题已被他人同时更新，请刷新后重试", "The proposal was changed concurrently", code="stale_version"
        ) from None
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


async def submit(session: AsyncSession, body: s.ProposalCreate, principal: Principal, at: datetime) -> Proposal:
    """A resident or the party organisation puts a matter forward (dispatch's referrals arrive
    as events instead)."""
    await compound_community(session, body.compound_id)
    if body.origin is d.Origin.dispatch:
        raise InvalidInput(
            "派单转入的议题由派单系统自动生成",
            "Proposals from dispatch arrive by event, not by hand",
            details=[{"field": "origin", "value": body.origin.value}],
        )
    if body.origin is d.Origin.party_org:
        await require_party_lead(session, principal, body.compound_id)
    else:
        await require_member(session, principal, body.compound_id)
    if principal.person_id is None:
        raise Forbidden("须以实名身份提交议题", "A proposal is submitted under a real name")
    proposal = Proposal(
        compound_id=body.compound_id,
        title=" ".join(body.title.split()),
        description=body.description,
        category=body.category,
        origin=body.origin.value,
        submitted_by_person_id=principal.person_id,
        status=d.Status.submitted.value,
    )
    session.add(proposal)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.proposal_submitted,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"title": proposal.title, "origin": proposal.origin},
        at,
    )
    await announce(session, proposal, None)
    return proposal


async def from_referral(session: AsyncSession, data: OrderReferredToDeliberation, at: datetime) -> None:
    """Dispatch's grid worker already triaged the order as minor: it enters the council's
    deliberation at once. One proposal per order, however often the event arrives."""
    known = await session.scalar(select(Proposal.id).where(Proposal.origin_order_id == data.order_id))
    if known is not None:
        return
    proposal = Proposal(
        compound_id=data.compound_id,
        title=data.title[:200],
        description=data.description,
        category=data.category[:40],
        origin=d.Origin.dispatch.value,
        origin_order_id=data.order_id,
        submitted_by_person_id=data.requester_person_id,
        status=d.Status.in_council.value,
        triage=d.Triage.minor.value,
        triage_note=f"派单 {data.order_id} 经网格员分流为小事",
    )
    session.add(proposal)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.proposal_submitted,
        f"proposal:{proposal.id}",
        data.referred_by_person_id,
        {"title": proposal.title, "origin": "dispatch", "order_id": data.order_id},
        at,
    )
    await announce(session, proposal, None)


async def triage(
    session: AsyncSession, proposal_id: int, body: s.TriageIn, principal: Principal, at: datetime
) -> Proposal:
    proposal = await get(session, proposal_id)
    await require_party_lead(session, principal, proposal.compound_id)
    proposal.triage = body.triage.value
    proposal.triage_note = body.note
    await move(session, proposal, d.triage_target(body.triage), principal.person_id, at, body.version, body.note)
    return proposal


async def resolve_in_council(
    session: AsyncSession, proposal_id: int, body: s.CouncilResolutionIn, principal: Principal, at: datetime
) -> Proposal:
    """The council decides whether to do it, after hearing residents in a meeting."""
    proposal = await get(session, proposal_id)
    await require_seat(session, principal, proposal.compound_id, Body.council)
    held = await session.scalar(
        select(func.count()).where(
            Meeting.proposal_id == proposal.id, Meeting.kind.in_(["opinion", "topic_discussion"])
        )
    )
    if not held:
        raise Conflict(
            "议事会须先召开群众意见会或议题讨论会，再作决定",
            "The council resolves after an opinion meeting or a topic discussion",
            code="no_council_meeting",
        )
    proposal.council_resolution = body.resolution.value
    proposal.council_note = body.note
    proposal.council_rounds += 1
    await move(session, proposal, d.council_target(body.resolution), principal.person_id, at, body.version, body.note)
    return proposal


async def draft_plan(
    session: AsyncSession, proposal_id: int, body: s.PlanIn, principal: Principal, at: datetime
) -> Proposal:
    """The committee writes (or rewrites) how: a rewrite clears the members' votes."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    check_seen(proposal, body.version)
    if d.Status(proposal.status) is not d.Status.planning:
        raise Conflict(
            f"议题当前为「{d.Status(proposal.status).label}」，只能在制定方案阶段修改方案",
            "The plan can be written only while the proposal is in planning",
            code="illegal_transition",
        )
    await check_not_held(session, proposal)
    d.check_levy(
        body.funding_source, body.levy_formula, body.levy_total_fen, body.levy_per_household_fen, body.budget_fen
    )
    formula = body.levy_formula or (d.LevyFormula.by_area if body.funding_source is d.FundingSource.levy else None)
    plan = await session.get(Plan, proposal.id)
    if plan is None:
        plan = Plan(proposal_id=proposal.id)
        session.add(plan)
    plan.summary = body.summary
    plan.budget_fen = body.budget_fen
    plan.funding_source = body.funding_source.value
    plan.levy_formula = formula.value if formula else None
    plan.levy_total_fen = body.levy_total_fen
    plan.levy_per_household_fen = body.levy_per_household_fen
    plan.levy_due_date = body.levy_due_date.isoformat() if body.levy_due_date else None
    plan.building_ids = json.dumps(sorted(set(body.building_ids)))
    plan.reserved_matter = body.reserved_matter
    plan.drafted_by_person_id = principal.person_id or 0
    plan.adopted_at = None
    for vote in await session.scalars(select(CommitteeVote).where(CommitteeVote.proposal_id == proposal.id)):
        await session.delete(vote)
    await session.flush()
    return proposal


async def committee_vote(
    session: AsyncSession, proposal_id: int, body: s.CommitteeVoteIn, principal: Principal, at: datetime
) -> Proposal:
    """A member votes on the plan in person; more than half of ALL members adopts it."""
    proposal = await get(session, proposal_id)
    if body.on_behalf_of_person_id is not None:
        raise InvalidInput(
            "业委会决定须委员本人表决，不得委托代理",
            "Committee decisions take no proxies: members vote in person",
            code="proxy_not_allowed",
            details=[{"field": "on_behalf_of_person_id", "value": body.on_behalf_of_person_id}],
        )
    await require_committee(session, principal, proposal.compound_id)
    plan = await session.get(Plan, proposal.id)
    if d.Status(proposal.status) is not d.Status.planning or plan is None:
        raise Conflict("尚无待表决的方案", "There is no plan awaiting the committee's decision", code="no_plan")
    await check_not_held(session, proposal)
    person = principal.person_id or 0
    vote = await session.scalar(
        select(CommitteeVote).where(CommitteeVote.proposal_id == proposal.id, CommitteeVote.person_id == person)
    )
    if vote is None:
        session.add(CommitteeVote(proposal_id=proposal.id, person_id=person, choice=body.choice.value, cast_at=at))
    else:
        vote.choice, vote.cast_at = body.choice.value, at
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.committee_vote,
        f"proposal:{proposal.id}",
        person,
        {"choice": body.choice.value},
        at,
    )
    members = await members_of(session, proposal.compound_id, COMMITTEE_BODIES)
    ayes, noes = await _committee_counts(session, proposal.id, members)
    decision = d.committee_decision(ayes, noes, len(members))
    if decision is True:
        plan.adopted_at = at
        target = (
            d.Status.awaiting_vote
            if d.needs_owner_vote(d.FundingSource(plan.funding_source), plan.reserved_matter)
            else d.Status.passed
        )
        await move(session, proposal, target, person, at, note=f"业委会 {ayes}/{len(members)} 同意")
    elif decision is False:
        await move(session, proposal, d.Status.rejected, person, at, note=f"业委会 {noes}/{len(members)} 反对")
    return proposal


async def _committee_counts(session: AsyncSession, proposal_id: int, members: set[int]) -> tuple[int, int]:
    rows = await session.execute(
        select(CommitteeVote.person_id, CommitteeVote.choice).where(CommitteeVote.proposal_id == proposal_id)
    )
    ayes = noes = 0
    for person, choice in rows.all():
        if person in members:  # a member who has since left no longer counts
            ayes += choice == d.CommitteeChoice.for_.value
            noes += choice == d.CommitteeChoice.against.value
    return ayes, noes


async def live_vote(session: AsyncSession, proposal_id: int) -> Vote | None:
    return await session.scalar(
        select(Vote).where(Vote.proposal_id == proposal_id, Vote.status.in_(["noticed", "open"]))
    )


async def classify(
    session: AsyncSession, proposal_id: int, body: s.ClassificationIn, principal: Principal, at: datetime
) -> Proposal:
    """The committee names the art. 278 item and threshold of each vote item before notice;
    once noticed the classification is frozen (a change means cancelling and a new notice)."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    check_seen(proposal, body.version)
    if await live_vote(session, proposal.id) is not None:
        raise Conflict(
            "表决已公告，定性已冻结；如需修改须撤销公告后重新公告",
            "The vote is noticed: its classification is frozen; cancel the notice and give a new one to change it",
            code="classification_frozen",
        )
    if d.Status(proposal.status) not in (d.Status.awaiting_vote, d.Status.no_quorum):
        raise Conflict(
            "只有待业主表决的议题需要定性",
            "Only a proposal awaiting the owners' vote is classified",
            code="illegal_transition",
        )
    await check_not_held(session, proposal)
    plan = await session.get(Plan, proposal.id)
    if plan is not None and d.needs_special_matter(
        d.FundingSource(plan.funding_source), [i.matter.threshold for i in body.items]
    ):
        raise InvalidInput(
            "方案由业主出资，属于筹集资金的事项，须至少有一项按「双四分之三」表决"
            "（如「筹集建筑物及其附属设施的维修资金」），不能只定为一般事项",
            "A plan that raises money from the owners needs at least one item voted by the special "
            "(three-quarters) majority, e.g. raise_maintenance_fund; ordinary matters alone do not suffice",
            code="levy_needs_special_majority",
            details=[{"field": "items", "value": [i.matter.value for i in body.items]}],
        )
    for old in await session.scalars(select(ClassificationItem).where(ClassificationItem.proposal_id == proposal.id)):
        await session.delete(old)
    await session.flush()
    for position, item in enumerate(body.items, start=1):
        session.add(
            ClassificationItem(
                proposal_id=proposal.id,
                position=position,
                title=" ".join(item.title.split()),
                matter=item.matter.value,
                threshold=item.matter.threshold.value,
            )
        )
    proposal.classification_cosigned_by = None
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.classified,
        f"proposal:{proposal.id}",
        principal.person_id,
        {
            "items": [
                {"title": i.title, "matter": i.matter.value, "threshold": i.matter.threshold.value} for i in body.items
            ]
        },
        at,
    )
    return proposal


async def cosign_classification(
    session: AsyncSession, proposal_id: int, body: s.Seen, principal: Principal, at: datetime
) -> Proposal:
    proposal = await get(session, proposal_id)
    await require_seat(session, principal, proposal.compound_id, Body.supervisory_committee)
    check_seen(proposal, body.version)
    items = list(await session.scalars(select(ClassificationItem).where(ClassificationItem.proposal_id == proposal.id)))
    if not items:
        raise Conflict(
            "尚未定性，无可会签", "Nothing to co-sign: the matter is not classified yet", code="not_classified"
        )
    if await live_vote(session, proposal.id) is not None:
        raise Conflict(
            "表决已公告，定性已冻结", "The classification is frozen by the notice", code="classification_frozen"
        )
    proposal.classification_cosigned_by = principal.person_id
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.classification_cosigned,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"items": [i.matter for i in items]},
        at,
    )
    return proposal


async def raise_objection(
    session: AsyncSession, proposal_id: int, body: s.ObjectionIn, principal: Principal, at: datetime
) -> Objection:
    proposal = await get(session, proposal_id)
    await require_seat(session, principal, proposal.compound_id, Body.supervisory_committee)
    objection = Objection(
        proposal_id=proposal.id, raised_by_person_id=principal.person_id or 0, reason=body.reason, status=OPEN
    )
    session.add(objection)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.objection_raised,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"objection_id": objection.id, "reason": body.reason},
        at,
    )
    return objection


async def answer_objection(
    session: AsyncSession, proposal_id: int, objection_id: int, body: s.AnswerIn, principal: Principal, at: datetime
) -> Objection:
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    objection = await session.get(Objection, objection_id)
    if objection is None or objection.proposal_id != proposal.id:
        raise NotFound(f"异议 {objection_id} 不存在", f"Objection {objection_id} not found")
    if objection.status != OPEN:
        raise Conflict("该异议已答复", "The objection was already answered", code="illegal_transition")
    if objection.version != body.version:
        raise Conflict("异议已被他人更新，请刷新", "Stale objection version", code="stale_version")
    objection.status, objection.answer, objection.answered_by_person_id = ANSWERED, body.answer, principal.person_id
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.objection_answered,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"objection_id": objection.id, "answer": body.answer},
        at,
    )
    return objection


async def deciding_vote(session: AsyncSession, proposal_id: int) -> Vote | None:
    """The owners' vote that passed the proposal, if the owners decided it."""
    return await session.scalar(
        select(Vote)
        .where(Vote.proposal_id == proposal_id, Vote.status == "closed", Vote.outcome == "passed")
        .order_by(Vote.id.desc())
        .limit(1)
    )


def tally_not_certified(vote: Vote) -> Conflict:
    return Conflict(
        f"表决 {vote.id} 的计票结果尚未经监委会确认，决定尚不能执行（不能收费、不能派单、不能纳入公约）",
        f"The tally of vote {vote.id} is not certified by the supervisory committee yet: "
        "the decision cannot be executed, billed or codified before",
        code="tally_not_certified",
        details={"vote_id": vote.id},
    )


async def start_execution(
    session: AsyncSession, proposal_id: int, body: s.Seen, principal: Principal, at: datetime
) -> Proposal:
    """The committee starts the work; a decision of the owners only once the supervisory
    committee has certified its tally (orders go out from here)."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    vote = await deciding_vote(session, proposal.id)
    if vote is not None and vote.tally_certified_by is None:
        raise tally_not_certified(vote)
    await move(session, proposal, d.Status.executing, principal.person_id, at, body.version)
    return proposal


async def add_milestone(
    session: AsyncSession, proposal_id: int, body: s.MilestoneIn, principal: Principal, at: datetime
) -> Milestone:
    """A step of the work; one that needs hands becomes a dispatch order through an event."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    if d.Status(proposal.status) is not d.Status.executing:
        raise Conflict("议题尚未进入执行阶段", "The proposal is not being executed", code="illegal_transition")
    milestone = Milestone(
        id=str(uuid7()),
        proposal_id=proposal.id,
        title=body.title,
        description=body.description,
        category=body.category,
        dispatched=body.dispatch,
        spent_fen=0,
        created_by_person_id=principal.person_id or 0,
        created_at=at,
    )
    session.add(milestone)
    await session.flush()
    if body.dispatch:
        await emit(
            session,
            ExecutionTaskCreated(
                task_id=milestone.id,
                proposal_id=str(proposal.id),
                compound_id=proposal.compound_id,
                category=body.category,
                title=body.title,
                description=body.description or proposal.title,
                created_by_person_id=principal.person_id or 0,
            ),
            subject=milestone.id,
            key=proposal.compound_id,
        )
    await record(
        session,
        proposal.compound_id,
        Action.milestone,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"milestone_id": milestone.id, "title": body.title, "dispatched": body.dispatch},
        at,
    )
    return milestone


async def complete_milestone(
    session: AsyncSession,
    proposal_id: int,
    milestone_id: str,
    body: s.MilestoneDoneIn,
    principal: Principal,
    at: datetime,
) -> Milestone:
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    milestone = await session.get(Milestone, milestone_id)
    if milestone is None or milestone.proposal_id != proposal.id:
        raise NotFound(f"执行节点 {milestone_id} 不存在", f"Milestone {milestone_id} not found")
    if milestone.done_at is not None:
        raise Conflict("该执行节点已完成", "The milestone is already done", code="illegal_transition")
    milestone.done_at, milestone.spent_fen = at, body.spent_fen
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.milestone,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"milestone_id": milestone.id, "done": True, "spent_fen": body.spent_fen},
        at,
    )
    return milestone


async def is_owner(session: AsyncSession, compound_id: int, person_id: int | None, today: date) -> bool:
    if person_id is None:
        return False
    found = await session.scalar(
        select(OwnershipView.ownership_id)
        .where(
            OwnershipView.compound_id == compound_id,
            OwnershipView.person_id == person_id,
            (OwnershipView.until.is_(None)) | (OwnershipView.until > today),
        )
        .limit(1)
    )
    return found is not None


async def rate(session: AsyncSession, proposal_id: int, body: s.RatingIn, principal: Principal, at: datetime) -> None:
    """An owner rates the result at the evaluation meeting, once (a second rating replaces it)."""
    proposal = await get(session, proposal_id)
    if d.Status(proposal.status) is not d.Status.executing:
        raise Conflict(
            "只有执行中的议题可以评议", "Only a proposal being executed is evaluated", code="illegal_transition"
        )
    if not await is_owner(session, proposal.compound_id, principal.person_id, at.date()):
        raise Forbidden("只有本小区业主可以评议", "Only owners of the compound rate the result", code="not_an_owner")
    person = principal.person_id or 0
    rating = await session.scalar(select(Rating).where(Rating.proposal_id == proposal.id, Rating.person_id == person))
    if rating is None:
        session.add(
            Rating(proposal_id=proposal.id, person_id=person, score=body.score, comment=body.comment, rated_at=at)
        )
    else:
        rating.score, rating.comment, rating.rated_at = body.score, body.comment, at
    await session.flush()


async def conclude_evaluation(
    session: AsyncSession, proposal_id: int, body: s.Seen, principal: Principal, at: datetime
) -> Proposal:
    """The evaluation meeting closes the matter: the average rating goes into the audit log."""
    proposal = await get(session, proposal_id)
    await require_committee(session, principal, proposal.compound_id)
    held = await session.scalar(
        select(func.count()).where(Meeting.proposal_id == proposal.id, Meeting.kind == "evaluation")
    )
    if not held:
        raise Conflict("须先召开群众评议会", "Hold the evaluation meeting first", code="no_evaluation_meeting")
    evaluation = await evaluation_of(session, proposal.id)
    await record(
        session,
        proposal.compound_id,
        Action.evaluation,
        f"proposal:{proposal.id}",
        principal.person_id,
        evaluation.model_dump(),
        at,
    )
    await move(session, proposal, d.Status.evaluated, principal.person_id, at, body.version)
    return proposal


async def evaluation_of(session: AsyncSession, proposal_id: int) -> s.EvaluationOut:
    count, total = (
        await session.execute(
            select(func.count(Rating.id), func.coalesce(func.sum(Rating.score), 0)).where(
                Rating.proposal_id == proposal_id
            )
        )
    ).one()
    average = (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP) if count else None
    return s.EvaluationOut(ratings=count, average_score=str(average) if average is not None else None)


async def withdraw(
    session: AsyncSession, proposal_id: int, body: s.WithdrawIn, principal: Principal, at: datetime
) -> Proposal:
    """The submitter, or the committee, withdraws a matter not yet decided."""
    proposal = await get(session, proposal_id)
    if proposal.submitted_by_person_id != principal.person_id:
        await require_committee(session, principal, proposal.compound_id)
    await move(session, proposal, d.Status.withdrawn, principal.person_id, at, body.version, body.reason)
    return proposal


async def contest(
    session: AsyncSession, proposal_id: int, body: s.ContestIn, principal: Principal, at: datetime
) -> Contest:
    """An owner whose rights a decision infringes may contest it within one year."""
    proposal = await get(session, proposal_id)
    if d.Status(proposal.status) not in d.DECIDED or proposal.decided_at is None:
        raise Conflict("只有已作出的决定可以提出撤销", "Only a decision can be contested", code="not_decided")
    if not await is_owner(session, proposal.compound_id, principal.person_id, at.date()):
        raise Forbidden(
            "只有本小区业主可以提出撤销", "Only owners of the compound contest a decision", code="not_an_owner"
        )
    decided = proposal.decided_at.astimezone(LOCAL_TZ).date()
    if not d.within_contest_period(decided, at.date()):
        raise Conflict(
            "已超过自知道或应当知道之日起一年的撤销期限",
            "The one-year period to contest this decision has passed",
            code="contest_period_over",
        )
    contest_row = Contest(proposal_id=proposal.id, person_id=principal.person_id or 0, reason=body.reason, filed_at=at)
    session.add(contest_row)
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.contest,
        f"proposal:{proposal.id}",
        principal.person_id,
        {"contest_id": contest_row.id, "reason": body.reason},
        at,
    )
    return contest_row


async def show(session: AsyncSession, proposal: Proposal) -> s.ProposalOut:
    await session.refresh(proposal)  # updated_at is set by the database
    plan = await session.get(Plan, proposal.id)
    plan_out: s.PlanOut | None = None
    if plan is not None:
        members = await members_of(session, proposal.compound_id, COMMITTEE_BODIES)
        ayes, noes = await _committee_counts(session, proposal.id, members)
        funding = d.FundingSource(plan.funding_source)
        plan_out = s.PlanOut(
            summary=plan.summary,
            budget_fen=plan.budget_fen,
            budget_yuan=fen_to_yuan(plan.budget_fen),
            funding_source=funding,
            funding_source_label=funding.label,
            levy_formula=d.LevyFormula(plan.levy_formula) if plan.levy_formula else None,
            levy_total_fen=plan.levy_total_fen,
            levy_per_household_fen=plan.levy_per_household_fen,
            levy_due_date=plan.levy_due_date,
            building_ids=json.loads(plan.building_ids),
            reserved_matter=plan.reserved_matter,
            needs_owner_vote=d.needs_owner_vote(funding, plan.reserved_matter),
            adopted_at=plan.adopted_at,
            committee_members=len(members),
            votes_for=ayes,
            votes_against=noes,
        )
    items = await session.scalars(
        select(ClassificationItem)
        .where(ClassificationItem.proposal_id == proposal.id)
        .order_by(ClassificationItem.position)
    )
    status = d.Status(proposal.status)
    origin = d.Origin(proposal.origin)
    decided = proposal.decided_at
    return s.ProposalOut(
        id=proposal.id,
        version=proposal.version,
        compound_id=proposal.compound_id,
        title=proposal.title,
        description=proposal.description,
        category=proposal.category,
        origin=origin,
        origin_label=origin.label,
        origin_order_id=proposal.origin_order_id,
        submitted_by_person_id=proposal.submitted_by_person_id,
        status=status,
        status_label=status.label,
        triage=d.Triage(proposal.triage) if proposal.triage else None,
        triage_note=proposal.triage_note,
        council_resolution=d.CouncilResolution(proposal.council_resolution) if proposal.council_resolution else None,
        council_note=proposal.council_note,
        council_rounds=proposal.council_rounds,
        plan=plan_out,
        classification=[
            s.ClassificationItemOut(
                position=i.position,
                title=i.title,
                matter=Matter(i.matter),
                matter_label=Matter(i.matter).label,
                article_item=Matter(i.matter).article_item,
                threshold=Threshold(i.threshold),
                threshold_label=Threshold(i.threshold).label,
            )
            for i in items
        ],
        classification_cosigned_by=proposal.classification_cosigned_by,
        open_objections=await open_objections(session, proposal.id),
        votes=[
            s.ProposalVoteOut(
                id=v.id,
                status=VoteStatus(v.status),
                status_label=VoteStatus(v.status).label,
                opens_at=v.opens_at,
                closes_at=v.closes_at,
                outcome=Outcome(v.outcome) if v.outcome else None,
                outcome_label=Outcome(v.outcome).label if v.outcome else None,
                tally_certified=v.tally_certified_by is not None,
            )
            for v in await session.scalars(select(Vote).where(Vote.proposal_id == proposal.id).order_by(Vote.id))
        ],
        decided_at=decided,
        contest_deadline=(decided.astimezone(LOCAL_TZ).date() + d.CONTEST_PERIOD)
        if decided and status in d.DECIDED
        else None,
        created_at=proposal.created_at,
        updated_at=proposal.updated_at,
    )


async def listing(session: AsyncSession, compound_id: int, status: d.Status | None) -> list[s.ProposalOut]:
    query = select(Proposal).where(Proposal.compound_id == compound_id).order_by(Proposal.id.desc()).limit(200)
    if status is not None:
        query = query.where(Proposal.status == status.value)
    return [await show(session, p) for p in await session.scalars(query)]


async def objections(session: AsyncSession, proposal_id: int) -> list[s.ObjectionOut]:
    rows = await session.scalars(select(Objection).where(Objection.proposal_id == proposal_id).order_by(Objection.id))
    return [
        s.ObjectionOut(
            id=o.id,
            version=o.version,
            raised_by_person_id=o.raised_by_person_id,
            reason=o.reason,
            status=o.status,
            answer=o.answer,
            answered_by_person_id=o.answered_by_person_id,
            created_at=o.created_at,
        )
        for o in rows
    ]


async def milestones(session: AsyncSession, proposal_id: int) -> list[s.MilestoneOut]:
    rows = await session.scalars(
        select(Milestone).where(Milestone.proposal_id == proposal_id).order_by(Milestone.created_at)
    )
    return [
        s.MilestoneOut(
            id=m.id,
            title=m.title,
            description=m.description,
            category=m.category,
            dispatched=m.dispatched,
            spent_fen=m.spent_fen,
            done_at=m.done_at,
            created_at=m.created_at,
        )
        for m in rows
    ]
