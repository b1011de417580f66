"""Points (积分) and the red and black lists (红黑榜): what a party member earns for finished
orders and wishes and loses for lapses, and who is honoured or warned for a compound and
period. Pure Python; the rules are configurable per compound."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.clock import month_of
from shared.errors import InvalidInput
from shared.labels import LabeledEnum


class PointsReason(LabeledEnum):
    completed = "completed", "完成工单"
    wish = "wish", "认领完成微心愿"
    rating_bonus = "rating_bonus", "好评加分"
    accept_timeout = "accept_timeout", "超时未接单"
    no_show = "no_show", "接单后未按时开工"


@dataclass(frozen=True)
class PointsRules:
    """Base points per category (else `default_base`), a bonus per rating, penalties (negative),
    and the list sizes."""

    default_base: int = 10
    base_by_category: dict[str, int] = field(default_factory=dict)
    wish_points: int = 5
    rating_bonus: dict[int, int] = field(default_factory=lambda: {5: 5, 4: 2})
    accept_timeout_penalty: int = -2
    no_show_penalty: int = -5
    honor_roll_size: int = 10
    # A member lands on the warning list with a net total below this, or this many penalties.
    warning_below: int = 0
    warning_penalties: int = 2

    def check(self) -> None:
        """Penalties must be ≤ 0, awards ≥ 0, sizes positive."""
        awards = [self.default_base, self.wish_points, *self.base_by_category.values(), *self.rating_bonus.values()]
        problems = []
        if any(a < 0 for a in awards):
            problems.append("加分项不能为负")
        if self.accept_timeout_penalty > 0 or self.no_show_penalty > 0:
            problems.append("扣分项不能为正")
        if self.honor_roll_size < 1 or self.warning_penalties < 1:
            problems.append("榜单人数和扣分次数须为正")
        if any(r not in range(1, 6) for r in self.rating_bonus):
            problems.append("评分加分的键须为 1–5")
        if problems:
            raise InvalidInput("积分规则有误：" + "；".join(problems), "Invalid points rules", details=problems)


def completion_points(rules: PointsRules, category: str, wish: bool) -> int:
    """What finishing one order (or wish) earns."""
    if wish:
        return rules.wish_points
    return rules.base_by_category.get(category, rules.default_base)


def rating_points(rules: PointsRules, rating: int) -> int:
    return rules.rating_bonus.get(rating, 0)


def period_of(moment: datetime) -> str:
    """Points are counted per calendar month in the compound's time zone: '2026-11'."""
    return month_of(moment)


@dataclass(frozen=True)
class MemberTotal:
    party_member_id: int
    name: str
    points: int
    completed: int
    penalties: int


@dataclass(frozen=True)
class Lists:
    honor_roll: list[MemberTotal]
    warning_list: list[MemberTotal]


def compute_lists(totals: list[MemberTotal], rules: PointsRules) -> Lists:
    """The red list: the top members with positive points (ties by more orders, then id);
    the black list: net total below the line or too many penalties, worst first. A member is
    never on both."""
    warned = [t for t in totals if t.points < rules.warning_below or t.penalties >= rules.warning_penalties]
    warned_ids = {t.party_member_id for t in warned}
    honoured = sorted(
        (t for t in totals if t.points > 0 and t.party_member_id not in warned_ids),
        key=lambda t: (-t.points, -t.completed, t.party_member_id),
    )[: rules.honor_roll_size]
    warned.sort(key=lambda t: (t.points, -t.penalties, t.party_member_id))
    return Lists(honoured, warned)


ENUMS: dict[str, type[LabeledEnum]] = {"points_reason": PointsReason}
