"""Settling online payment orders: from a channel's notification or from re-querying an
order left pending. The same notification any number of times books one payment."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.payments import domain
from services.billing.payments.channels import ChannelAdapter, Notification
from services.billing.payments.models import (
    payment_notification_nonces,
    payment_notifications,
    payment_orders,
    payments,
)
from services.billing.payments.service import book_payment
from services.billing.projections.models import compound_projection
from services.billing.sql import insert_ignoring_duplicates
from shared.contracts.billing import PaymentNotificationRefused
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound, Unauthorized
from shared.events.outbox import emit

log = logging.getLogger("linli.billing.payments")

# Re-query an order once it has been pending this long; close it (unpaid) after the second.
REQUERY_AFTER = timedelta(minutes=1)
CLOSE_AFTER = timedelta(hours=2)


async def _record(session: AsyncSession, n: Notification, outcome: str, now: datetime) -> None:
    await session.execute(
        payment_notifications.insert().values(
            channel=n.channel.value,
            out_trade_no=n.out_trade_no,
            transaction_id=n.transaction_id,
            outcome=outcome,
            received_at=now,
        )
    )


async def record_rejection(
    session: AsyncSession, channel: domain.Channel, n: Notification | None, code: str, now: datetime
) -> None:
    """A notification refused (bad signature, unknown order, wrong amount or merchant …):
    what could be read of it and why, in the caller's own transaction. When it names one of a
    compound's payment orders, the community's staff are told (the event), since a resident
    may have paid money that was not booked."""
    await session.execute(
        payment_notifications.insert().values(
            channel=channel.value,
            out_trade_no=n.out_trade_no[:64] if n is not None else None,
            transaction_id=n.transaction_id[:64] if n is not None else None,
            outcome=f"rejected:{code}"[:30],
            received_at=now,
        )
    )
    if n is None:
        return
    place = (
        await session.execute(
            select(payment_orders.c.compound_id, compound_projection.c.community_id)
            .join(compound_projection, compound_projection.c.compound_id == payment_orders.c.compound_id)
            .where(payment_orders.c.out_trade_no == n.out_trade_no[:64])
        )
    ).first()
    if place is None:
        return
    reason = ErrorCode(code) if code in ErrorCode.__members__ else ErrorCode.bad_request
    await emit(
        session,
        PaymentNotificationRefused(
            compound_id=place.compound_id,
            community_id=place.community_id,
            channel=channel.value,
            channel_label=channel.label,
            out_trade_no=n.out_trade_no[:64],
            reason_code=reason.value,
            reason_label=reason.message,
        ),
        subject=n.out_trade_no[:64],
        key=place.compound_id,
    )


async def refuse_replay(session: AsyncSession, n: Notification, now: datetime, window: timedelta) -> None:
    """Remember a verified notification's nonce; the same nonce again is a replayed request
    (the channel's own retries are signed afresh, with a new nonce, and settle as duplicates)."""
    if n.nonce is None:
        return
    # Nonces older than twice the window can no longer come with an acceptable timestamp.
    await session.execute(
        delete(payment_notification_nonces).where(payment_notification_nonces.c.received_at < now - 2 * window)
    )
    fresh = await insert_ignoring_duplicates(
        session,
        payment_notification_nonces,
        {"channel": n.channel.value, "nonce": n.nonce[:64], "received_at": now},
        ["channel", "nonce"],
    )
    if not fresh:
        raise Unauthorized(
            f"{n.channel.label}通知已处理过（同一请求被重放），未入账",
            "This notification request was already received (a replay); nothing was booked",
            code=ErrorCode.replayed_notification,
        )


async def settle(session: AsyncSession, adapter: ChannelAdapter, n: Notification, now: datetime) -> str:
    """Book the payment an order's notification announces; returns the outcome
    (booked, duplicate, not_paid). Bad merchant, amount or order -> a clear error."""
    if n.merchant_id != adapter.merchant_id:
        raise InvalidInput(
            "通知的商户号与本平台不符，未入账",
            "The notification's merchant id is not ours; nothing was booked",
            details={"merchant_id": n.merchant_id},
            code=ErrorCode.merchant_mismatch,
        )
    order = (
        await session.execute(
            select(payment_orders).where(payment_orders.c.out_trade_no == n.out_trade_no).with_for_update()
        )
    ).first()
    if order is None or order.channel != n.channel.value:
        raise NotFound(
            f"支付订单 {n.out_trade_no} 不存在",
            f"Payment order {n.out_trade_no} not found",
            code=ErrorCode.unknown_order,
        )
    if not n.paid:
        await _record(session, n, "not_paid", now)
        return "not_paid"
    if n.amount_fen != order.amount_fen:
        raise InvalidInput(
            f"通知金额 {n.amount_fen} 分与订单金额 {order.amount_fen} 分不符，未入账",
            f"Notified amount {n.amount_fen} fen differs from the order's {order.amount_fen} fen; nothing was booked",
            details={"notified_fen": n.amount_fen, "order_fen": order.amount_fen},
            code=ErrorCode.amount_mismatch,
        )
    if order.status == domain.OrderStatus.paid.value:
        booked = await session.scalar(select(payments.c.transaction_id).where(payments.c.id == order.payment_id))
        if booked == n.transaction_id:
            await _record(session, n, "duplicate", now)
            return "duplicate"
        raise Conflict(
            f"订单 {n.out_trade_no} 已由另一笔交易支付，请核实后退款",
            f"Order {n.out_trade_no} was already paid by another transaction: check and refund",
            code=ErrorCode.paid_twice,
        )
    domain.PAYMENT_ORDER_MACHINE.check(domain.OrderStatus(order.status), domain.OrderStatus.paid)
    claimed = await session.execute(
        update(payment_orders)
        .where(payment_orders.c.id == order.id, payment_orders.c.version == order.version)
        .values(status=domain.OrderStatus.paid.value, paid_at=now, version=payment_orders.c.version + 1)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "订单正在被另一通知处理", "The order is being settled by another notification", code=ErrorCode.busy
        )
    payment_id = await book_payment(
        session,
        dwelling_id=order.dwelling_id,
        channel=n.channel,
        amount_fen=n.amount_fen,
        now=now,
        booked_by=None,
        allow_advance=True,  # bills may have been paid at the counter meanwhile
        out_trade_no=n.out_trade_no,
        transaction_id=n.transaction_id,
    )
    await session.execute(update(payment_orders).where(payment_orders.c.id == order.id).values(payment_id=payment_id))
    await _record(session, n, "booked", now)
    return "booked"


async def due_for_requery(session: AsyncSession, now: datetime, limit: int = 100) -> list[Any]:
    """Pending orders old enough to ask the channel about, least recently asked first."""
    rows = await session.execute(
        select(payment_orders)
        .where(
            payment_orders.c.status == domain.OrderStatus.pending.value,
            payment_orders.c.created_at <= now - REQUERY_AFTER,
            or_(payment_orders.c.last_queried_at.is_(None), payment_orders.c.last_queried_at <= now - REQUERY_AFTER),
        )
        .order_by(payment_orders.c.last_queried_at.nulls_first(), payment_orders.c.id)
        .limit(limit)
    )
    return list(rows)


async def requery_one(session: AsyncSession, adapter: ChannelAdapter, order: Any, now: datetime) -> str:
    """Ask the channel about one pending order: book it if paid, close it if too old."""
    answer = adapter.query(order.out_trade_no)
    if answer is not None and answer.paid:
        return await settle(session, adapter, answer, now)
    if order.created_at <= now - CLOSE_AFTER:
        domain.PAYMENT_ORDER_MACHINE.check(domain.OrderStatus(order.status), domain.OrderStatus.closed)
        await session.execute(
            update(payment_orders)
            .where(payment_orders.c.id == order.id, payment_orders.c.version == order.version)
            .values(status=domain.OrderStatus.closed.value, version=payment_orders.c.version + 1, last_queried_at=now)
        )
        return "closed"
    await session.execute(
        update(payment_orders)
        .where(payment_orders.c.id == order.id)
        .values(last_queried_at=now, query_attempts=payment_orders.c.query_attempts + 1)
    )
    return "still_pending"
