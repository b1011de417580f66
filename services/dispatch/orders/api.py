"""Order routes: intake, the list and one order with its timeline, triage, candidates,
dispatch and every step of the work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, status

from services.dispatch.matching.domain import Candidate, CandidateKind, VolunteerCandidate
from services.dispatch.orders import access, closing, escalation, intake, offers, reading, triage, work
from services.dispatch.orders import schemas as s
from services.dispatch.orders.domain import OrderKind
from services.dispatch.orders.models import Order
from shared.auth import CurrentPrincipal, Principal
from shared.clock import Now
from shared.error_codes import ErrorCode
from shared.errors import InvalidInput
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = service_router("/api/v1/dispatch", tags=["orders 工单"])
B = TypeVar("B")


async def _detail(session: Any, order: Order) -> s.OrderDetail:
    return await reading.detail(session, order)


@router.post(
    "/orders", status_code=status.HTTP_201_CREATED, response_model=s.OrderDetail, summary="点单 (place an order)"
)
async def create_order(body: s.OrderCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.OrderDetail:
    return intake.placed_detail(await intake.place_order(session, body, principal, now))


def order_filters(
    state: Annotated[list[str] | None, Query()] = None,
    category: str | None = None,
    kind: str | None = None,
    triage: str | None = None,
    urgency: str | None = None,
    compound_id: int | None = None,
    grid_id: int | None = None,
    household_id: int | None = None,
    assignee_person_id: int | None = None,
    escalation_level: str | None = None,
) -> reading.Filters:
    """The list's filters, shared by the list and its counts."""
    return reading.Filters(
        state=state or [],
        category=category,
        kind=kind,
        triage=triage,
        urgency=urgency,
        compound_id=compound_id,
        grid_id=grid_id,
        household_id=household_id,
        assignee_person_id=assignee_person_id,
        escalation_level=escalation_level,
    )


Filters = Annotated[reading.Filters, Depends(order_filters)]


@router.get("/orders", response_model=s.OrderPage, summary="工单列表，游标分页 (list, newest first, cursor paging)")
async def list_orders(
    session: Session,
    principal: CurrentPrincipal,
    filters: Filters,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    oldest_first: Annotated[
        bool,
        Query(description="等待最久的在前（按提交时间） (the longest waiting first, by submission time)"),
    ] = False,
) -> s.OrderPage:
    return await reading.list_orders(session, principal, filters, cursor, limit, oldest_first)


@router.get(
    "/orders/counts",
    response_model=s.OrderCounts,
    summary="工单按状态计数，筛选条件同列表 (orders counted by state, with the list's filters)",
)
async def count_orders(session: Session, principal: CurrentPrincipal, filters: Filters) -> s.OrderCounts:
    return await reading.count_orders(session, principal, filters)


async def _visible(session: Any, order_id: str, principal: Principal) -> Order:
    order = await reading.get_order(session, order_id)
    await access.require_view(session, principal, order)
    return order


@router.get(
    "/orders/{order_id}", response_model=s.OrderDetail, summary="工单详情及全过程 (one order with its timeline)"
)
async def get_order(order_id: str, session: Session, principal: CurrentPrincipal) -> s.OrderDetail:
    return await _detail(session, await _visible(session, order_id, principal))


@router.get(
    "/orders/{order_id}/candidates",
    response_model=list[s.CandidateOut],
    summary="派单推荐：符合条件的党员排序及理由 (ranked candidates with reasons)",
)
async def candidates(order_id: str, session: Session, principal: CurrentPrincipal) -> list[s.CandidateOut]:
    order = await reading.get_order(session, order_id)
    access.require_area_staff(principal, order, "查看派单推荐", "see candidates")
    members = await reading.candidates(session, order)
    volunteers = await reading.volunteer_candidates(session, order, members)
    # Eligible members, then eligible volunteers (after the members, as their reasons say), then
    # whoever is excluded, with why.
    return [
        *(_member_out(c) for c in members if c.eligible),
        *(_volunteer_out(v) for v in volunteers if v.eligible),
        *(_member_out(c) for c in members if not c.eligible),
        *(_volunteer_out(v) for v in volunteers if not v.eligible),
    ]


def _member_out(c: Candidate) -> s.CandidateOut:
    return s.CandidateOut(
        party_member_id=c.member.party_member_id,
        person_id=c.member.person_id,
        name=c.member.name,
        eligible=c.eligible,
        rank=c.rank,
        reasons=c.reasons,
        excluded_because=c.excluded_because,
        open_orders=c.member.open_orders,
        max_open_orders=c.member.max_open_orders,
        paired_with_household=c.member.paired_with_household,
        average_rating=c.member.average_rating,
    )


def _volunteer_out(v: VolunteerCandidate) -> s.CandidateOut:
    return s.CandidateOut(
        party_member_id=None,
        person_id=v.volunteer.person_id,
        name=v.volunteer.name,
        eligible=v.eligible,
        rank=v.rank,
        reasons=v.reasons,
        excluded_because=v.excluded_because,
        open_orders=0,
        max_open_orders=0,
        paired_with_household=False,
        average_rating=None,
        kind=CandidateKind.volunteer,
        volunteer_id=v.volunteer.volunteer_id,
    )


Step = Callable[[Any, Order, B, Principal, datetime], Awaitable[Order]]


async def _apply(
    session: Any, order_id: str, principal: Principal, step: Step[B], body: B, now: datetime, *, visible: bool = True
) -> s.OrderDetail:
    """Load the order (visible to the caller, or any order for a step that checks its own
    right, such as an offer's recipient), apply `step`, answer with the order's detail."""
    order = await (_visible(session, order_id, principal) if visible else reading.get_order(session, order_id))
    return await _detail(session, await step(session, order, body, principal, now))


@router.post(
    "/orders/{order_id}/triage",
    response_model=s.OrderDetail,
    summary="三事分流 (triage: major / minor / private)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_triage(
    order_id: str, body: s.TriageBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, triage.triage, body, now)


@router.post(
    "/orders/{order_id}/referral-updates",
    response_model=s.OrderDetail,
    summary="转办进展 (department progress on a major matter)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_referral_updates(
    order_id: str, body: s.ReferralUpdateBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, triage.referral_update, body, now)


@router.post(
    "/orders/{order_id}/dispatch",
    response_model=s.OrderDetail,
    summary="派单：指派、抢单或共享物业 (assign, offer to all, or shared property)",
    openapi_extra=errors(
        ErrorCode.illegal_transition, ErrorCode.stale_version, ErrorCode.no_candidates, ErrorCode.not_eligible
    ),
)
async def order_dispatch(
    order_id: str, body: s.DispatchBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, offers.dispatch, body, now)


@router.post(
    "/orders/{order_id}/accept",
    response_model=s.OrderDetail,
    summary="接单 (accept an offer)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_accept(
    order_id: str, body: s.Versioned, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, offers.accept, body, now, visible=False)


@router.post(
    "/orders/{order_id}/decline",
    response_model=s.OrderDetail,
    summary="拒单，须说明原因 (decline with a reason)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_decline(
    order_id: str, body: s.ReasonBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, offers.decline, body, now, visible=False)


@router.post(
    "/orders/{order_id}/start",
    response_model=s.OrderDetail,
    summary="开工 (start work)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_start(
    order_id: str, body: s.OptionalNoteBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, work.start, body, now)


@router.post(
    "/orders/{order_id}/notes",
    response_model=s.OrderDetail,
    summary="进展记录 (progress note)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_notes(
    order_id: str, body: s.NoteBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, work.add_note, body, now)


@router.post(
    "/orders/{order_id}/complete",
    response_model=s.OrderDetail,
    summary="完工，附处理结果 (complete with a summary)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_complete(
    order_id: str, body: s.CompleteBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, work.complete, body, now)


@router.post(
    "/orders/{order_id}/confirm",
    response_model=s.OrderDetail,
    summary="居民确认完成 (resident confirms)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_confirm(
    order_id: str, body: s.Versioned, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, closing.confirm, body, now)


@router.post(
    "/orders/{order_id}/reopen",
    response_model=s.OrderDetail,
    summary="居民要求重新处理 (resident reopens)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_reopen(
    order_id: str, body: s.ReasonBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, closing.reopen, body, now)


@router.post(
    "/orders/{order_id}/rate",
    response_model=s.OrderDetail,
    summary="满意度评价 1–5 (rate once)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version, ErrorCode.already_rated),
)
async def order_rate(
    order_id: str, body: s.RateBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, closing.rate, body, now)


@router.post(
    "/orders/{order_id}/follow-up",
    response_model=s.OrderDetail,
    summary="回访完成 (follow-up visit done)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_follow_up(
    order_id: str, body: s.NoteBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, closing.follow_up_done, body, now)


@router.post(
    "/orders/{order_id}/cancel",
    response_model=s.OrderDetail,
    summary="取消（接单前）(cancel before acceptance)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_cancel(
    order_id: str, body: s.ReasonBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, closing.cancel, body, now)


@router.post(
    "/orders/{order_id}/dismiss",
    response_model=s.OrderDetail,
    summary="标记重复或无效 (mark duplicate or invalid)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def order_dismiss(
    order_id: str, body: s.DismissBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, closing.dismiss, body, now)


@router.post(
    "/orders/{order_id}/escalate",
    response_model=s.OrderDetail,
    summary="升级：小区→社区→街道 (escalate one level)",
    openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version, ErrorCode.top_level),
)
async def order_escalate(
    order_id: str, body: s.EscalateBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.OrderDetail:
    return await _apply(session, order_id, principal, escalation.escalate_by_hand, body, now)


# --- wishes (微心愿) -------------------------------------------------------------------------


@router.post(
    "/wishes", status_code=status.HTTP_201_CREATED, response_model=s.OrderDetail, summary="许微心愿 (make a wish)"
)
async def create_wish(body: s.OrderCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.OrderDetail:
    if body.category != "micro_wish":
        body = body.model_copy(update={"category": "micro_wish"})
    return intake.placed_detail(await intake.place_order(session, body, principal, now, OrderKind.wish))


@router.get("/wishes", response_model=s.OrderPage, summary="待认领的微心愿 (open wishes)")
async def list_wishes(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: int,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.OrderPage:
    return await reading.list_wishes(session, principal, compound_id, cursor, limit)


@router.post(
    "/wishes/{order_id}/claim",
    response_model=s.OrderDetail,
    summary="党员认领微心愿 (claim a wish)",
    openapi_extra=errors(ErrorCode.not_a_wish, ErrorCode.illegal_transition, ErrorCode.stale_version),
)
async def claim_wish(order_id: str, now: Now, session: Session, principal: CurrentPrincipal) -> s.OrderDetail:
    order = await reading.get_order(session, order_id)
    if order.kind != OrderKind.wish.value:
        raise InvalidInput("只有微心愿可以认领", "Only a wish can be claimed", details=[{"field": "order_id"}])
    return await _detail(session, await offers.claim_wish(session, order, principal, now))
