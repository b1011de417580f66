"""The rules of the committee's evaluation, as plain functions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shared.labels import LabeledEnum

SATISFIED_FROM = 4  # 4 (满意) and 5 (非常满意) of 1–5
DEFAULT_MIN_SATISFACTION_BP = 6000  # below 60% satisfied opens a correction
# 物业管理条例 art. 13: 20% of the owners may call an extraordinary owners' meeting.
DEFAULT_RECALL_SHARE_BP = 2000


class RecallStatus(LabeledEnum):
    collecting = "collecting", "征集联名中"
    proposal_opened = "proposal_opened", "已提请议事（纠错或更换成员）"


def percent_bp(part: int, whole: int) -> int | None:
    """part/whole in basis points, half up; None when nobody answered."""
    if not whole:
        return None
    return int((Decimal(part) * 10_000 / Decimal(whole)).quantize(Decimal("1"), ROUND_HALF_UP))


def bp_text(bp: int | None) -> str | None:
    return None if bp is None else f"{Decimal(bp) / 100:.2f}"


def reached(signed: int, households: int, share_bp: int) -> bool:
    """Whether the signing households make the compound's share (exactly, no rounding)."""
    return households > 0 and signed * 10_000 >= households * share_bp
