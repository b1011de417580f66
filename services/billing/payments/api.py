"""Routes: payments (counter), payment orders, channel notifications, refunds, reversals."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from services.billing.access import place_of, require_household_or_reader, require_reader
from services.billing.keys import MONEY
from services.billing.payments import queries, receipt, service
from services.billing.payments.channels import ChannelAdapter, WeChatPayV3
from services.billing.payments.domain import ONLINE_CHANNELS, Channel
from services.billing.payments.notifications import record_rejection, refuse_replay, settle
from services.billing.payments.schemas import (
    CounterPaymentCreate,
    PaymentOrderCreate,
    PaymentOrderOut,
    PaymentOut,
    PaymentPage,
    RefundCreate,
    RefundOut,
    ReversalCreate,
)
from shared.auth import CurrentPrincipal, Role
from shared.clock import Now
from shared.error_codes import ErrorCode
from shared.errors import Forbidden, InvalidInput, LinliError, NotFound
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, Cursor, Limit

router = service_router("/api/v1/billing", tags=["billing: payments"])


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentOut,
    summary="柜台收款 (counter payment)",
    dependencies=MONEY,
    openapi_extra=errors(ErrorCode.overpayment, ErrorCode.concurrent_payment),
)
async def take_payment(
    body: CounterPaymentCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> PaymentOut:
    return await service.take_counter_payment(session, principal, body, now)


@router.get("/payments", response_model=PaymentPage, summary="收款与收据 (payments and receipts)")
async def list_payments(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: int | None = None,
    household_id: int | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    cursor: Cursor = None,
) -> PaymentPage:
    return await service.list_payments(session, principal, compound_id, household_id, limit, offset, cursor)


@router.get("/payments/{payment_id}", response_model=PaymentOut, summary="收据 (a receipt)")
async def get_payment(payment_id: int, session: Session, principal: CurrentPrincipal) -> PaymentOut:
    return await service.show_payment(session, principal, payment_id)


@router.get(
    "/payments/{payment_id}/receipt.html",
    summary="收据 (printable counter receipt; the compound's readers and the paying household)",
    response_class=HTMLResponse,
)
async def get_receipt_html(payment_id: int, session: Session, principal: CurrentPrincipal) -> HTMLResponse:
    return HTMLResponse(await receipt.receipt_html(session, principal, payment_id))


@router.post(
    "/payments/{payment_id}/refunds",
    status_code=201,
    response_model=RefundOut,
    summary="退款 (refund with a reason)",
    dependencies=MONEY,
    openapi_extra=errors(ErrorCode.payment_reversed),
)
async def refund_payment(
    payment_id: int, body: RefundCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> RefundOut:
    return await service.refund(session, principal, payment_id, body, now)


@router.get("/refunds", response_model=list[RefundOut], summary="退款记录 (a compound's refunds)")
async def list_refunds(session: Session, principal: CurrentPrincipal, compound_id: int) -> list[RefundOut]:
    require_reader(principal, await place_of(session, compound_id))
    rows = await queries.refunds_of(session, compound_id)
    return [
        RefundOut(
            id=r.id,
            payment_id=r.payment_id,
            compound_id=r.compound_id,
            amount_fen=r.amount_fen,
            reason=r.reason,
            created_at=r.created_at,
        )
        for r in rows
    ]


@router.post(
    "/payments/{payment_id}/reverse",
    response_model=PaymentOut,
    summary="冲正 (reverse a payment)",
    dependencies=MONEY,
    openapi_extra=errors(ErrorCode.payment_refunded, ErrorCode.stale_version),
)
async def reverse_payment(
    payment_id: int, body: ReversalCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> PaymentOut:
    return await service.reverse(session, principal, payment_id, body, now)


@router.post(
    "/payment-orders",
    status_code=201,
    response_model=PaymentOrderOut,
    summary="线上支付订单 (online payment order)",
    openapi_extra=errors(ErrorCode.overpayment, ErrorCode.channel_not_configured),
)
async def create_payment_order(
    body: PaymentOrderCreate, request: Request, now: Now, session: Session, principal: CurrentPrincipal
) -> PaymentOrderOut:
    if body.channel in ONLINE_CHANNELS and body.channel not in request.app.state.billing_channels:
        # Production offers only the channels whose keys are configured.
        raise InvalidInput(
            f"本平台未开通{body.channel.label}",
            f"{body.channel.value} is not configured on this platform",
            details=[{"field": "channel", "value": body.channel.value}],
            code=ErrorCode.channel_not_configured,
        )
    return await service.create_order(session, principal, body, now)


@router.get("/payment-orders/{out_trade_no}", response_model=PaymentOrderOut, summary="支付订单 (an order's state)")
async def get_payment_order(out_trade_no: str, session: Session, principal: CurrentPrincipal) -> PaymentOrderOut:
    row = await queries.payment_order(session, out_trade_no)
    if row is None:
        raise NotFound(f"支付订单 {out_trade_no} 不存在", f"Payment order {out_trade_no} not found")
    require_household_or_reader(principal, await place_of(session, row.compound_id), row.household_id)
    return PaymentOrderOut.model_validate(row)


@router.post(
    "/payment-notifications/{channel}",
    summary="支付渠道通知 (WeChat Pay / Alipay notification; authenticated by its signature)",
)
async def payment_notification(channel: str, request: Request, now: Now, session: Session) -> Response:
    adapters: dict[Channel, ChannelAdapter] = request.app.state.billing_channels
    try:
        adapter = adapters[Channel(channel)]
    except (ValueError, KeyError):
        raise NotFound(f"未知支付渠道 {channel}", f"Unknown payment channel {channel}") from None
    headers = {k.lower(): v for k, v in request.headers.items()}
    notification = None
    try:
        notification = adapter.read(headers, await request.body(), now)
        if isinstance(adapter, WeChatPayV3):
            # Its own short transaction, before the booking writes: a request seen once is
            # spent even if refused later, and SQLite's one writer is not held across both.
            async with request.app.state.runtime.db.sessionmaker() as own, own.begin():
                await refuse_replay(own, notification, now, adapter.max_skew)
        await settle(session, adapter, notification, now)
    except LinliError as exc:
        # The request's transaction rolls back with the error; the rejection is kept in a
        # transaction of its own, so finance can see what a channel sent and why it was refused
        # (and the community's staff hear of it: the relay is woken for its event).
        async with request.app.state.runtime.transaction() as own:
            await record_rejection(own, adapter.channel, notification, exc.code, now)
        raise
    # Each channel's own acknowledgement, so it stops re-sending.
    if adapter.channel == Channel.alipay:
        return PlainTextResponse("success")
    return JSONResponse({"code": "SUCCESS", "message": "成功"})


class NotificationOut(BaseModel):
    id: int
    channel: str
    out_trade_no: str | None
    transaction_id: str | None
    outcome: str = Field(description="booked, duplicate, not_paid, or rejected:<error code>")
    received_at: datetime


@router.get(
    "/payment-notifications",
    response_model=list[NotificationOut],
    summary="渠道通知记录 (what the channels sent, including rejected notifications)",
)
async def list_notifications(
    session: Session, principal: CurrentPrincipal, compound_id: int | None = None, rejected_only: bool = False
) -> list[NotificationOut]:
    """A compound's readers see notifications about its orders; a rejection that names no known
    order (a bad signature, an unknown order) belongs to no compound: platform operators only."""
    if compound_id is None:
        if not principal.holds_everywhere(Role.ops):
            raise Forbidden(
                "不属于任何小区的通知只有运维人员可以查看",
                "Only operators see notifications that belong to no compound",
            )
    else:
        require_reader(principal, await place_of(session, compound_id))
    return [
        NotificationOut(
            id=r.id,
            channel=r.channel,
            out_trade_no=r.out_trade_no,
            transaction_id=r.transaction_id,
            outcome=r.outcome,
            received_at=r.received_at,
        )
        for r in await queries.notifications(session, compound_id, rejected_only)
    ]
