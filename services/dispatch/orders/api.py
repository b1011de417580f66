"""Order routes: intake, the list and one order with its timeline, triage, candidates,
dispatch and every step of the work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Query, status

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

router = service_router("/api/v1/dispatch", tags=["orders 工单"])
B = TypeVar("B")


async def _detail(session: Any, order: Order) -> s.OrderDetail:
    return await reading.detail(session, order)


@router.post(
    "/orders", status_code=status.HTTP_201_CREATED, response_model=s.OrderDetail, summary="点单 (place an order)"
)
async def create_order(body: s.OrderCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.OrderDetail:
    return intake.placed_detail(await intake.place_order(session, body, principal, now))


@router.get("/orders", response_model=s.OrderPage, summary="工单列表，游标分页 (list, newest first, cursor paging)")
async def list_orders(
    session: Session,
    principal: CurrentPrincipal,
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
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> s.OrderPage:
    filters = reading.Filters(
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
    return await reading.list_orders(session, principal, filters, cursor, limit)


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
    return [
        s.CandidateOut(
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
        for c in await reading.candidates(session, order)
    ]


Step = Callable[[Any, Order, B, Principal, datetime], Awaitable[Order]]


def _step(
    path: str,
    summary: str,
    body_type: type[B],
    step: Step[B],
    *,
    visible: bool = True,
    answers: tuple[ErrorCode, ...] = (),
) -> None:
    """POST /orders/{id}/<path>: load the order, apply `step`, answer with the order's detail
    (or one of the state machine's refusals, or the step's own `answers`)."""

    async def endpoint(
        order_id: str, body: Any, now: Now, session: Session, principal: CurrentPrincipal
    ) -> s.OrderDetail:
        order = await (_visible(session, order_id, principal) if visible else reading.get_order(session, order_id))
        return await _detail(session, await step(session, order, body, principal, now))

    # FastAPI reads the body's model from the annotation.
    endpoint.__annotations__["body"] = body_type
    endpoint.__name__ = f"order_{path.replace('-', '_')}"
    router.post(
        f"/orders/{{order_id}}/{path}",
        response_model=s.OrderDetail,
        summary=summary,
        openapi_extra=errors(ErrorCode.illegal_transition, ErrorCode.stale_version, *answers),
    )(endpoint)


_step("triage", "三事分流 (triage: major / minor / private)", s.TriageBody, triage.triage)
_step(
    "referral-updates", "转办进展 (department progress on a major matter)", s.ReferralUpdateBody, triage.referral_update
)
_step(
    "dispatch",
    "派单：指派、抢单或共享物业 (assign, offer to all, or shared property)",
    s.DispatchBody,
    offers.dispatch,
    answers=(ErrorCode.no_candidates, ErrorCode.not_eligible),
)
_step("accept", "接单 (accept an offer)", s.Versioned, offers.accept, visible=False)
_step("decline", "拒单，须说明原因 (decline with a reason)", s.ReasonBody, offers.decline, visible=False)
_step("start", "开工 (start work)", s.OptionalNoteBody, work.start)
_step("notes", "进展记录 (progress note)", s.NoteBody, work.add_note)
_step("complete", "完工，附处理结果 (complete with a summary)", s.CompleteBody, work.complete)
_step("confirm", "居民确认完成 (resident confirms)", s.Versioned, closing.confirm)
_step("reopen", "居民要求重新处理 (resident reopens)", s.ReasonBody, closing.reopen)
_step("rate", "满意度评价 1–5 (rate once)", s.RateBody, closing.rate, answers=(ErrorCode.already_rated,))
_step("follow-up", "回访完成 (follow-up visit done)", s.NoteBody, closing.follow_up_done)
_step("cancel", "取消（接单前）(cancel before acceptance)", s.ReasonBody, closing.cancel)
_step("dismiss", "标记重复或无效 (mark duplicate or invalid)", s.DismissBody, closing.dismiss)
_step(
    "escalate",
    "升级：小区→社区→街道 (escalate one level)",
    s.EscalateBody,
    escalation.escalate_by_hand,
    answers=(ErrorCode.top_level,),
)


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
    cursor: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
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
