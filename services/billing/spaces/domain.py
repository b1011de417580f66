"""Shared-space rules: the kinds ("7+N", seed 001), free and paid uses, opening hours in the
compound's time, half-hour slots, the fee of a booking and its lifecycle."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.clock import LOCAL_TZ
from shared.error_codes import ErrorCode
from shared.errors import InvalidInput
from shared.labels import LabeledEnum
from shared.state_machine import StateMachine, Transition

SLOT = timedelta(minutes=30)
LONGEST = timedelta(hours=12)
BOOKABLE_AHEAD = timedelta(days=60)


class SpaceKind(LabeledEnum):
    """The seven standard functions of Luxian's 红邻·馨空间 and the N of one's own choosing;
    seed 000's idle spaces (架空层, 地下室) serve 一老一小 and family occasions."""

    party_check_in = "party_check_in", "党员报到"
    service_agency = "service_agency", "服务代办"
    court = "court", "法庭"
    reading = "reading", "阅览"
    social_work = "social_work", "社工"
    elder_care = "elder_care", "助老"
    childcare = "childcare", "扶幼"
    activity_hall = "activity_hall", "活动室（红白喜事、日常活动）"
    heritage = "heritage", "非遗传承"
    canteen = "canteen", "超市食堂"
    other = "other", "其他"


class Pricing(LabeledEnum):
    """公益服务 free, 低偿服务 at a fee per hour or per use (seed 000's 公益服务+低偿服务)."""

    free = "free", "免费"
    per_hour = "per_hour", "按小时收费"
    per_use = "per_use", "按次收费"


class BookingStatus(LabeledEnum):
    booked = "booked", "已预约"
    cancelled = "cancelled", "已取消"


class BookingStep(LabeledEnum):
    cancel = "cancel", "取消预约"
    receive_fee = "receive_fee", "收费入账"


BOOKING_MACHINE: StateMachine[BookingStatus, BookingStep] = StateMachine(
    BookingStatus,
    [
        Transition(BookingStep.cancel, frozenset({BookingStatus.booked}), BookingStatus.cancelled),
        Transition(BookingStep.receive_fee, frozenset({BookingStatus.booked})),
    ],
    noun_zh="预约",
    noun_en="Booking",
    state_field="status",
)


def minutes_of(text: str) -> int:
    """'08:30' -> 510; the schema has checked the shape."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_hours(opens_min: int, closes_min: int) -> None:
    if not 0 <= opens_min < closes_min <= 24 * 60 or opens_min % 30 or closes_min % 30:
        raise InvalidInput(
            "开放时间须在一天之内、开始早于结束，且为整点或半点",
            "Opening hours lie within one day, open before close, on the hour or half hour",
            details=[{"field": "opens_at"}, {"field": "closes_at"}],
        )


def check_uses(uses: list[tuple[str, Pricing, int]]) -> None:
    """A free use has no fee; a paid use a positive one, at most 10,000 yuan."""
    for i, (_, pricing, fee_fen) in enumerate(uses):
        bad = fee_fen != 0 if pricing == Pricing.free else not 0 < fee_fen <= 1_000_000
        if bad:
            raise InvalidInput(
                "免费用途费用须为 0，收费用途费用须大于 0 且不超过 1 万元",
                "A free use has fee 0; a paid use a fee above 0 and at most 1,000,000 fen",
                details=[{"field": f"uses.{i}.fee_fen", "value": fee_fen}],
            )
    names = [name for name, _, _ in uses]
    if len(set(names)) != len(names):
        raise InvalidInput("用途名称不能重复", "Use names must differ", details=[{"field": "uses"}])


def check_slot(starts_at: datetime, ends_at: datetime, opens_min: int, closes_min: int, now: datetime) -> None:
    """Half-hour steps, in the future (within 60 days), inside one day's opening hours as the
    compound lives them."""
    details = [
        {"field": "starts_at", "value": starts_at.isoformat()},
        {"field": "ends_at", "value": ends_at.isoformat()},
    ]
    if ends_at <= starts_at or ends_at - starts_at > LONGEST:
        raise InvalidInput(
            "结束须晚于开始，且一次最长 12 小时", "ends_at after starts_at, at most 12 hours", details=details
        )
    if starts_at <= now or starts_at - now > BOOKABLE_AHEAD:
        raise InvalidInput("只能预约今后 60 天内的时段", "Book a time in the next 60 days", details=details)
    start, end = starts_at.astimezone(LOCAL_TZ), ends_at.astimezone(LOCAL_TZ)
    if start.second or end.second or start.microsecond or end.microsecond or start.minute % 30 or end.minute % 30:
        raise InvalidInput("预约以半小时为单位", "Bookings run in half-hour steps", details=details)
    start_min = start.hour * 60 + start.minute
    end_min = (end - start.replace(hour=0, minute=0)).total_seconds() // 60
    if start_min < opens_min or end_min > closes_min:
        raise InvalidInput(
            f"开放时间为 {clock_text(opens_min)}–{clock_text(closes_min)}",
            f"Open {clock_text(opens_min)}–{clock_text(closes_min)} (Beijing time)",
            details=details,
            code=ErrorCode.outside_opening_hours,
        )


def fee_of(pricing: Pricing, fee_fen: int, starts_at: datetime, ends_at: datetime) -> int:
    """Free: 0. Per use: the fee. Per hour: the fee for each hour, a half hour at half the fee
    rounded up to the fen (a resident never pays a fraction of a fen)."""
    if pricing == Pricing.free:
        return 0
    if pricing == Pricing.per_use:
        return fee_fen
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    return -(-fee_fen * minutes // 60)
