"""Booking payments (allocation, receipt number, journal entry) and taking them back
(refunds, reversals), all inside the caller's one transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import place_of, require_household_or_reader, require_manager
from services.billing.bills.domain import BillStatus
from services.billing.bills.models import bills
from services.billing.ledger import service as ledger
from services.billing.ledger.domain import AccountKind, Leg, credit, debit, reversal_of
from services.billing.payments import domain
from services.billing.payments.models import (
    payment_allocations,
    payment_orders,
    payments,
    receipt_counters,
    refunds,
)
from services.billing.payments.schemas import (
    AllocationOut,
    CounterPaymentCreate,
    PaymentOrderCreate,
    PaymentOrderOut,
    PaymentOut,
    PaymentPage,
    RefundCreate,
    RefundOut,
    ReversalCreate,
)
from services.billing.projections.models import dwelling_projection, household_projection
from services.billing.sql import insert_ignoring_duplicates
from shared.auth import Principal
from shared.contracts.billing import PaymentBooked, PaymentReversed, RefundIssued
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import emit
from shared.locking import check_version
from shared.money import fen_to_yuan
from shared.pagination import int_cursor, keyset_page


async def dwelling_of(session: AsyncSession, dwelling_id: int) -> tuple[int, int | None]:
    """(compound id, active household id) of a dwelling billing knows."""
    row = (
        await session.execute(
            select(dwelling_projection.c.compound_id).where(dwelling_projection.c.dwelling_id == dwelling_id)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"收费服务尚无房屋 {dwelling_id} 的信息",
            f"Dwelling {dwelling_id} is not known to billing",
            details={"field": "dwelling_id", "value": dwelling_id},
        )
    household = await session.scalar(
        select(func.max(household_projection.c.household_id)).where(
            household_projection.c.dwelling_id == dwelling_id, household_projection.c.active
        )
    )
    return int(row.compound_id), household


async def outstanding_of(session: AsyncSession, dwelling_id: int) -> int:
    return int(
        await session.scalar(
            select(func.coalesce(func.sum(bills.c.amount_fen - bills.c.paid_fen), 0)).where(
                bills.c.dwelling_id == dwelling_id, bills.c.status == BillStatus.issued.value
            )
        )
        or 0
    )


async def _next_receipt(session: AsyncSession, compound_id: int) -> int:
    # The counter row is updated in the payment's transaction: its row lock serialises
    # concurrent payments of a compound, and a rollback gives the number back (no gaps).
    await insert_ignoring_duplicates(
        session, receipt_counters, {"compound_id": compound_id, "last_seq": 0}, ["compound_id"]
    )
    seq = (
        await session.execute(
            update(receipt_counters)
            .where(receipt_counters.c.compound_id == compound_id)
            .values(last_seq=receipt_counters.c.last_seq + 1)
            .returning(receipt_counters.c.last_seq)
        )
    ).scalar_one()
    return int(seq)


@dataclass(frozen=True)
class _Booking:
    """A payment on its way into the books: where it is from, what it is, how it is numbered."""

    dwelling_id: int
    compound_id: int
    household_id: int | None
    channel: domain.Channel
    amount_fen: int
    seq: int
    now: datetime

    @property
    def receipt(self) -> str:
        return domain.receipt_no(self.compound_id, self.seq)


async def book_payment(
    session: AsyncSession,
    *,
    dwelling_id: int,
    channel: domain.Channel,
    amount_fen: int,
    now: datetime,
    booked_by: int | None,
    allow_advance: bool,
    payer_name: str | None = None,
    note: str | None = None,
    out_trade_no: str | None = None,
    transaction_id: str | None = None,
) -> int:
    """Allocate to the dwelling's oldest unpaid bills first, number the receipt, post the
    entry, announce it; returns the payment id."""
    domain.check_amount(amount_fen)
    compound_id, household_id = await dwelling_of(session, dwelling_id)
    seq = await _next_receipt(session, compound_id)
    booking = _Booking(dwelling_id, compound_id, household_id, channel, amount_fen, seq, now)
    allocations, left = await _allocate(session, booking, allow_advance)
    entry_id = await _post_entry(session, booking, left)
    payment_id = (
        await session.execute(
            payments.insert()
            .values(
                compound_id=compound_id,
                dwelling_id=dwelling_id,
                household_id=household_id,
                channel=channel.value,
                out_trade_no=out_trade_no,
                transaction_id=transaction_id,
                amount_fen=amount_fen,
                unallocated_fen=left,
                refunded_fen=0,
                status=domain.PaymentStatus.booked.value,
                receipt_seq=seq,
                receipt_no=booking.receipt,
                payer_name=payer_name,
                note=note,
                entry_id=entry_id,
                booked_by=booked_by,
                booked_at=now,
                version=1,
            )
            .returning(payments.c.id)
        )
    ).scalar_one()
    if allocations:
        await session.execute(
            payment_allocations.insert(),
            [
                {"payment_id": payment_id, "bill_id": b, "amount_fen": part, "kind": "allocation", "created_at": now}
                for b, part in allocations
            ],
        )
    await _announce_booked(session, booking, int(payment_id))
    return int(payment_id)


async def _allocate(session: AsyncSession, booking: _Booking, allow_advance: bool) -> tuple[list[tuple[int, int]], int]:
    """Pay the dwelling's open bills, oldest first (locked); returns the allocations and what is
    left over (an advance, refused unless `allow_advance`)."""
    open_rows = await session.execute(
        select(bills.c.id, bills.c.amount_fen - bills.c.paid_fen)
        .where(
            bills.c.dwelling_id == booking.dwelling_id,
            bills.c.status == BillStatus.issued.value,
            bills.c.paid_fen < bills.c.amount_fen,
        )
        .order_by(bills.c.due_date, bills.c.period_start, bills.c.id)
        .with_for_update()
    )
    amount_fen = booking.amount_fen
    allocations, left = domain.allocate([(int(b), int(o)) for b, o in open_rows], amount_fen)
    if left and not allow_advance:
        raise InvalidInput(
            f"收款金额超过未付账单合计 {fen_to_yuan(amount_fen - left)} 元",
            f"Amount exceeds the {amount_fen - left} fen the dwelling owes",
            details=[{"field": "amount_fen", "value": amount_fen, "owed_fen": amount_fen - left}],
            code=ErrorCode.overpayment,
        )
    for bill_id, part in allocations:
        result = await session.execute(
            update(bills)
            .where(bills.c.id == bill_id, bills.c.paid_fen + part <= bills.c.amount_fen)
            .values(paid_fen=bills.c.paid_fen + part, version=bills.c.version + 1)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                "账单同时被另一笔收款支付，请重试",
                "The bill was paid concurrently: retry",
                code=ErrorCode.concurrent_payment,
            )
    return allocations, left


async def _post_entry(session: AsyncSession, booking: _Booking, left: int) -> int:
    """Cash in on the channel; receivables down by what was allocated, the rest an advance."""
    allocated = booking.amount_fen - left
    legs = [debit(AccountKind.cash, booking.amount_fen, booking.channel.value)]
    if allocated:
        legs.append(credit(AccountKind.fee_receivable, allocated))
    if left:
        legs.append(credit(AccountKind.advance_receipts, left, f"dwelling:{booking.dwelling_id}"))
    return await ledger.post(
        session,
        compound_id=booking.compound_id,
        source_kind="payment",
        source_id=booking.receipt,
        description=f"收款 {booking.receipt} {booking.channel.label}",
        legs=legs,
        posted_at=booking.now,
    )


async def _announce_booked(session: AsyncSession, booking: _Booking, payment_id: int) -> None:
    await emit(
        session,
        PaymentBooked(
            payment_id=payment_id,
            compound_id=booking.compound_id,
            dwelling_id=booking.dwelling_id,
            household_id=booking.household_id,
            channel=booking.channel.value,
            amount_fen=booking.amount_fen,
            receipt_no=booking.receipt,
        ),
        subject=f"payment-{payment_id}",
        key=booking.compound_id,
    )


async def payment_out(session: AsyncSession, payment_id: int) -> PaymentOut:
    row = (await session.execute(select(payments).where(payments.c.id == payment_id))).first()
    if row is None:
        raise NotFound(f"收款 {payment_id} 不存在", f"Payment {payment_id} not found")
    allocations = await session.execute(
        select(
            payment_allocations.c.bill_id,
            bills.c.period_label,
            payment_allocations.c.amount_fen,
            payment_allocations.c.kind,
        )
        .join(bills, bills.c.id == payment_allocations.c.bill_id)
        .where(payment_allocations.c.payment_id == payment_id)
        .order_by(payment_allocations.c.id)
    )
    return _payment(row, [AllocationOut(bill_id=b, period_label=p, amount_fen=a, kind=k) for b, p, a, k in allocations])


def _payment(row: Any, allocations: list[AllocationOut]) -> PaymentOut:
    channel, status = domain.Channel(row.channel), domain.PaymentStatus(row.status)
    return PaymentOut(
        id=row.id,
        compound_id=row.compound_id,
        dwelling_id=row.dwelling_id,
        household_id=row.household_id,
        channel=channel,
        channel_label=channel.label,
        out_trade_no=row.out_trade_no,
        transaction_id=row.transaction_id,
        amount_fen=row.amount_fen,
        amount_yuan=fen_to_yuan(row.amount_fen),
        unallocated_fen=row.unallocated_fen,
        refunded_fen=row.refunded_fen,
        status=status,
        status_label=status.label,
        receipt_no=row.receipt_no,
        payer_name=row.payer_name,
        booked_at=row.booked_at,
        version=row.version,
        allocations=allocations,
    )


async def take_counter_payment(
    session: AsyncSession, principal: Principal, body: CounterPaymentCreate, now: datetime
) -> PaymentOut:
    """A counter (or bank) payment booked by the committee or the property staff."""
    if body.channel in domain.ONLINE_CHANNELS:
        raise InvalidInput(
            "线上支付须经支付订单和渠道通知入账",
            "Online payments are booked from payment orders and channel notifications",
            details=[{"field": "channel", "value": body.channel.value}],
        )
    compound_id, _ = await dwelling_of(session, body.dwelling_id)
    require_manager(principal, await place_of(session, compound_id))
    payment_id = await book_payment(
        session,
        dwelling_id=body.dwelling_id,
        channel=body.channel,
        amount_fen=body.amount_fen,
        now=now,
        booked_by=principal.person_id,
        allow_advance=False,
        payer_name=body.payer_name,
        note=body.note,
    )
    return await payment_out(session, payment_id)


async def show_payment(session: AsyncSession, principal: Principal, payment_id: int) -> PaymentOut:
    """A receipt: its payment and what it paid."""
    out = await payment_out(session, payment_id)
    require_household_or_reader(principal, await place_of(session, out.compound_id), out.household_id)
    return out


async def list_payments(
    session: AsyncSession,
    principal: Principal,
    compound_id: int | None,
    household_id: int | None,
    limit: int,
    offset: int,
    cursor: str | None = None,
) -> PaymentPage:
    """Receipts of a compound (readers) or of a household (its residents too); `cursor` (the
    last payment id seen) and `offset` both start the page later."""
    query = select(payments)
    if household_id is not None:
        query = query.where(payments.c.household_id == household_id)
        first = await session.scalar(
            select(payments.c.compound_id).where(payments.c.household_id == household_id).limit(1)
        )
        if first is None:
            return PaymentPage(total=0, items=[], next_cursor=None)
        require_household_or_reader(principal, await place_of(session, first), household_id)
    elif compound_id is not None:
        query = query.where(payments.c.compound_id == compound_id)
        require_household_or_reader(principal, await place_of(session, compound_id), None)
    else:
        raise InvalidInput("请指定 compound_id 或 household_id", "Give compound_id or household_id")
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(payments.c.id > after)
    rows = list(await session.execute(query.order_by(payments.c.id).limit(limit + 1).offset(offset)))
    page, next_cursor = keyset_page(rows, limit, lambda row: row.id)
    return PaymentPage(total=int(total or 0), items=[_payment(row, []) for row in page], next_cursor=next_cursor)


async def _payment_row(session: AsyncSession, payment_id: int) -> Any:
    row = (await session.execute(select(payments).where(payments.c.id == payment_id).with_for_update())).first()
    if row is None:
        raise NotFound(f"收款 {payment_id} 不存在", f"Payment {payment_id} not found")
    return row


async def _net_allocations(session: AsyncSession, payment_id: int) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(payment_allocations.c.bill_id, func.sum(payment_allocations.c.amount_fen))
        .join(bills, bills.c.id == payment_allocations.c.bill_id)
        .where(payment_allocations.c.payment_id == payment_id)
        .group_by(payment_allocations.c.bill_id, bills.c.due_date, bills.c.period_start)
        .order_by(bills.c.due_date, bills.c.period_start, payment_allocations.c.bill_id)
    )
    return [(int(b), int(n)) for b, n in rows]


async def _unpay(
    session: AsyncSession, payment_id: int, taken: list[tuple[int, int]], kind: str, now: datetime
) -> None:
    for bill_id, part in taken:
        await session.execute(
            update(bills)
            .where(bills.c.id == bill_id)
            .values(paid_fen=bills.c.paid_fen - part, version=bills.c.version + 1)
        )
    if taken:
        await session.execute(
            payment_allocations.insert(),
            [
                {"payment_id": payment_id, "bill_id": b, "amount_fen": -part, "kind": kind, "created_at": now}
                for b, part in taken
            ],
        )


async def refund(
    session: AsyncSession, principal: Principal, payment_id: int, body: RefundCreate, now: datetime
) -> RefundOut:
    """Give money back with its reason: first what was never allocated, then the newest bills."""
    row = await _payment_row(session, payment_id)
    require_manager(principal, await place_of(session, row.compound_id))
    if row.status != domain.PaymentStatus.booked.value:
        raise Conflict("已冲正的收款不能退款", "A reversed payment cannot be refunded", code=ErrorCode.payment_reversed)
    domain.check_refund(body.amount_fen, row.amount_fen, row.refunded_fen)
    from_advance = min(body.amount_fen, row.unallocated_fen)
    taken = domain.take_back(await _net_allocations(session, payment_id), body.amount_fen - from_advance)
    await _unpay(session, payment_id, taken, "refund", now)
    legs: list[Leg] = [credit(AccountKind.cash, body.amount_fen, row.channel)]
    if from_advance:
        legs.append(debit(AccountKind.advance_receipts, from_advance, f"dwelling:{row.dwelling_id}"))
    if body.amount_fen - from_advance:
        legs.append(debit(AccountKind.fee_receivable, body.amount_fen - from_advance))
    refund_no = await session.scalar(select(func.count()).where(refunds.c.payment_id == payment_id))
    entry_id = await ledger.post(
        session,
        compound_id=row.compound_id,
        source_kind="refund",
        source_id=f"{row.receipt_no}/R{int(refund_no or 0) + 1}",
        description=f"退款 {row.receipt_no}：{body.reason}",
        legs=legs,
        posted_at=now,
    )
    await session.execute(
        update(payments)
        .where(payments.c.id == payment_id)
        .values(
            refunded_fen=payments.c.refunded_fen + body.amount_fen,
            unallocated_fen=payments.c.unallocated_fen - from_advance,
            version=payments.c.version + 1,
        )
    )
    refund_id = (
        await session.execute(
            refunds.insert()
            .values(
                payment_id=payment_id,
                compound_id=row.compound_id,
                amount_fen=body.amount_fen,
                reason=body.reason,
                entry_id=entry_id,
                created_by=principal.person_id,
                created_at=now,
            )
            .returning(refunds.c.id)
        )
    ).scalar_one()
    await emit(
        session,
        RefundIssued(
            refund_id=refund_id,
            payment_id=payment_id,
            compound_id=row.compound_id,
            amount_fen=body.amount_fen,
            reason=body.reason,
        ),
        subject=f"payment-{payment_id}",
        key=row.compound_id,
    )
    return RefundOut(
        id=refund_id,
        payment_id=payment_id,
        compound_id=row.compound_id,
        amount_fen=body.amount_fen,
        reason=body.reason,
        created_at=now,
    )


async def reverse(
    session: AsyncSession, principal: Principal, payment_id: int, body: ReversalCreate, now: datetime
) -> PaymentOut:
    """Undo a payment booked in error with a reversing entry (the receipt keeps its number)."""
    row = await _payment_row(session, payment_id)
    require_manager(principal, await place_of(session, row.compound_id))
    domain.PAYMENT_MACHINE.check(domain.PaymentStatus(row.status), domain.PaymentStatus.reversed)
    check_version("收款", "The payment", row.version, body.version)
    if row.refunded_fen:
        raise Conflict(
            "该收款已部分退款，请对余额办理退款而不是冲正",
            "The payment was partly refunded: refund the rest instead of reversing it",
            code=ErrorCode.payment_refunded,
        )
    await _unpay(session, payment_id, await _net_allocations(session, payment_id), "reversal", now)
    await ledger.post(
        session,
        compound_id=row.compound_id,
        source_kind="reversal",
        source_id=row.receipt_no,
        description=f"冲正 {row.receipt_no}：{body.reason}",
        legs=reversal_of(await ledger.legs_of(session, row.entry_id)),
        posted_at=now,
        reverses_entry_id=row.entry_id,
    )
    await session.execute(
        update(payments)
        .where(payments.c.id == payment_id)
        .values(status=domain.PaymentStatus.reversed.value, unallocated_fen=0, version=payments.c.version + 1)
    )
    await emit(
        session,
        PaymentReversed(
            payment_id=payment_id, compound_id=row.compound_id, amount_fen=row.amount_fen, reason=body.reason
        ),
        subject=f"payment-{payment_id}",
        key=row.compound_id,
    )
    return await payment_out(session, payment_id)


async def create_order(
    session: AsyncSession, principal: Principal, body: PaymentOrderCreate, now: datetime
) -> PaymentOrderOut:
    """An online payment order (out_trade_no) for what a dwelling owes, by its resident or staff."""
    if body.channel not in domain.ONLINE_CHANNELS:
        raise InvalidInput(
            "支付订单仅用于微信支付或支付宝",
            "Payment orders are for wechat or alipay",
            details=[{"field": "channel", "value": body.channel.value}],
        )
    compound_id, household_id = await dwelling_of(session, body.dwelling_id)
    require_household_or_reader(principal, await place_of(session, compound_id), household_id)
    owed = await outstanding_of(session, body.dwelling_id)
    amount = body.amount_fen if body.amount_fen is not None else owed
    domain.check_amount(amount)
    if amount > owed:
        raise InvalidInput(
            f"支付金额超过应付合计 {fen_to_yuan(owed)} 元",
            f"Amount exceeds the {owed} fen owed",
            details=[{"field": "amount_fen", "value": amount, "owed_fen": owed}],
            code=ErrorCode.overpayment,
        )
    out_trade_no = f"LL{compound_id}{now:%Y%m%d%H%M%S}{secrets.token_hex(4)}"
    order_id = (
        await session.execute(
            payment_orders.insert()
            .values(
                out_trade_no=out_trade_no,
                compound_id=compound_id,
                dwelling_id=body.dwelling_id,
                household_id=household_id,
                channel=body.channel.value,
                amount_fen=amount,
                status=domain.OrderStatus.pending.value,
                created_by=principal.person_id,
                created_at=now,
                query_attempts=0,
                version=1,
            )
            .returning(payment_orders.c.id)
        )
    ).scalar_one()
    row = (await session.execute(select(payment_orders).where(payment_orders.c.id == order_id))).one()
    return PaymentOrderOut.model_validate(row)
