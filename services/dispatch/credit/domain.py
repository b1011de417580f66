"""Household credit (社区信用积分, 积分制; seeds 000, 001, 004): what a household earns for
volunteering, passing a garbage-sorting check, keeping the convention, helping a neighbour and
keeping its care zone, what it loses for the opposite, what it spends at the points shop, and the
monthly environmental red and black lists (环境卫生红黑榜). Pure Python; the points of each reason
are a compound's rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.dispatch.points.domain import rank
from shared.errors import InvalidInput
from shared.labels import LabeledEnum


class CreditReason(LabeledEnum):
    volunteering = "volunteering", "志愿服务"
    sorting_passed = "sorting_passed", "垃圾分类检查合格"
    sorting_failed = "sorting_failed", "垃圾分类检查不合格"
    convention_kept = "convention_kept", "遵守小区公约"
    convention_breached = "convention_breached", "违反小区公约"
    help_given = "help_given", "邻里互助"
    zone_passed = "zone_passed", "责任区检查合格"
    zone_failed = "zone_failed", "责任区检查不合格"
    redeemed = "redeemed", "积分兑换"


# What staff record by hand; care-zone results come from inspections, redemptions from the shop.
MANUAL: frozenset[CreditReason] = frozenset(
    {
        CreditReason.volunteering,
        CreditReason.sorting_passed,
        CreditReason.sorting_failed,
        CreditReason.convention_kept,
        CreditReason.convention_breached,
        CreditReason.help_given,
    }
)
PENALTIES: frozenset[CreditReason] = frozenset(
    {CreditReason.sorting_failed, CreditReason.convention_breached, CreditReason.zone_failed}
)

DEFAULT_POINTS: dict[str, int] = {
    CreditReason.volunteering.value: 5,
    CreditReason.sorting_passed.value: 2,
    CreditReason.sorting_failed.value: -2,
    CreditReason.convention_kept.value: 3,
    CreditReason.convention_breached.value: -5,
    CreditReason.help_given.value: 5,
    CreditReason.zone_passed.value: 2,
    CreditReason.zone_failed.value: -3,
}


@dataclass(frozen=True)
class CreditRules:
    """Points per reason, and the lists' sizes: the red list names the best `honor_roll_size`
    households of the month (seed 001: 最美家庭 10 户), the black list every household whose
    month ends below `warning_below` or with `warning_demerits` demerits."""

    points: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    honor_roll_size: int = 10
    warning_below: int = 0
    warning_demerits: int = 2

    def points_for(self, reason: CreditReason) -> int:
        return self.points.get(reason.value, DEFAULT_POINTS.get(reason.value, 0))

    def check(self) -> None:
        """Awards ≥ 0, demerits ≤ 0, only known reasons, sizes positive."""
        problems: list[str] = []
        known = set(DEFAULT_POINTS)
        unknown = sorted(set(self.points) - known)
        if unknown:
            problems.append("未知的积分事由：" + "、".join(unknown))
        for code, value in self.points.items():
            if code not in known:
                continue
            reason = CreditReason(code)
            if reason in PENALTIES and value > 0:
                problems.append(f"「{reason.label}」是扣分项，不能为正")
            if reason not in PENALTIES and value < 0:
                problems.append(f"「{reason.label}」是加分项，不能为负")
        if self.honor_roll_size < 1 or self.warning_demerits < 1:
            problems.append("红榜户数和扣分次数须为正")
        if problems:
            raise InvalidInput("积分规则有误：" + "；".join(problems), "Invalid credit rules", details=problems)


@dataclass(frozen=True)
class HouseholdMonth:
    household_id: int
    label: str
    points: int
    merits: int
    demerits: int


@dataclass(frozen=True)
class Lists:
    honor_roll: list[HouseholdMonth]
    warning_list: list[HouseholdMonth]


def compute_lists(months: list[HouseholdMonth], rules: CreditRules) -> Lists:
    """Households are ranked as party members are (points.domain.rank), by their month's points,
    merits and demerits. What a household spends at the shop is not conduct and counts for
    neither list (the caller leaves it out)."""
    honoured, warned = rank(
        months,
        ident=lambda m: m.household_id,
        points=lambda m: m.points,
        merits=lambda m: m.merits,
        faults=lambda m: m.demerits,
        honor_roll_size=rules.honor_roll_size,
        warning_below=rules.warning_below,
        warning_faults=rules.warning_demerits,
    )
    return Lists(honoured, warned)


ENUMS: dict[str, type[LabeledEnum]] = {"credit_reason": CreditReason}
