"""Payment rules: channels, the payment and payment-order state machines, allocation to the
oldest unpaid bills first, taking money back newest first, and receipt numbers."""

from __future__ import annotations

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum

# One payment above ten million yuan is a typo, not a property fee.
MAX_PAYMENT_FEN = 1_000_000_000


class Channel(LabeledEnum):
    counter = "counter", "柜台收款"
    bank = "bank", "银行转账"
    wechat = "wechat", "微信支付"
    alipay = "alipay", "支付宝"


ONLINE_CHANNELS = frozenset({Channel.wechat, Channel.alipay})


class PaymentStatus(LabeledEnum):
    booked = "booked", "已入账"
    reversed = "reversed", "已冲正"


class OrderStatus(LabeledEnum):
    pending = "pending", "待支付"
    paid = "paid", "已支付"
    closed = "closed", "已关闭"


PAYMENT_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.booked: frozenset({PaymentStatus.reversed}),
    PaymentStatus.reversed: frozenset(),
}

ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.pending: frozenset({OrderStatus.paid, OrderStatus.closed}),
    OrderStatus.paid: frozenset(),
    # Money that arrives after an order was closed (the channel is slower than our re-query)
    # is still the resident's money and is booked.
    OrderStatus.closed: frozenset({OrderStatus.paid}),
}


def check_payment_transition(current: PaymentStatus, target: PaymentStatus) -> None:
    """409 unless the payment table allows it."""
    if target not in PAYMENT_TRANSITIONS[current]:
        raise Conflict(
            f"收款状态不能从“{current.label}”变为“{target.label}”",
            f"A payment cannot go from {current.value} to {target.value}",
            code=ErrorCode.illegal_transition,
        )


def check_order_transition(current: OrderStatus, target: OrderStatus) -> None:
    """409 unless the payment-order table allows it."""
    if target not in ORDER_TRANSITIONS[current]:
        raise Conflict(
            f"支付订单状态不能从“{current.label}”变为“{target.label}”",
            f"A payment order cannot go from {current.value} to {target.value}",
            code=ErrorCode.illegal_transition,
        )


def check_amount(amount_fen: int, field: str = "amount_fen") -> None:
    """A positive whole number of fen, not absurdly large."""
    if amount_fen <= 0 or amount_fen > MAX_PAYMENT_FEN:
        raise InvalidInput(
            f"金额须大于 0 且不超过 {MAX_PAYMENT_FEN // 100} 元",
            f"{field} must be above 0 and at most {MAX_PAYMENT_FEN} fen",
            details=[{"field": field, "value": amount_fen}],
        )


def allocate(open_bills: list[tuple[int, int]], amount_fen: int) -> tuple[list[tuple[int, int]], int]:
    """Spread a payment over (bill id, outstanding fen) given oldest first: each bill is paid
    in full before the next gets anything. Returns the allocations and what is left over."""
    left = amount_fen
    allocations: list[tuple[int, int]] = []
    for bill_id, outstanding in open_bills:
        if left == 0:
            break
        part = min(left, outstanding)
        if part > 0:
            allocations.append((bill_id, part))
            left -= part
    return allocations, left


def take_back(allocated: list[tuple[int, int]], amount_fen: int) -> list[tuple[int, int]]:
    """Which bills a refund un-pays: (bill id, net allocated fen) given oldest first, taken
    newest first, so the oldest debts stay settled. The caller checks the amount is covered."""
    left = amount_fen
    taken: list[tuple[int, int]] = []
    for bill_id, net in reversed(allocated):
        if left == 0:
            break
        part = min(left, net)
        if part > 0:
            taken.append((bill_id, part))
            left -= part
    return taken


def receipt_no(compound_id: int, seq: int) -> str:
    """The printed receipt number: compound and its gapless sequence."""
    return f"{compound_id:06d}-{seq:08d}"


def check_refund(amount_fen: int, paid_fen: int, refunded_fen: int) -> None:
    """A refund is positive and at most what is still refundable on the payment."""
    check_amount(amount_fen)
    if amount_fen > paid_fen - refunded_fen:
        raise InvalidInput(
            f"退款金额超过可退金额（已收 {paid_fen} 分，已退 {refunded_fen} 分）",
            f"Refund exceeds what is refundable ({paid_fen} fen paid, {refunded_fen} fen refunded)",
            details=[{"field": "amount_fen", "value": amount_fen, "refundable_fen": paid_fen - refunded_fen}],
        )
