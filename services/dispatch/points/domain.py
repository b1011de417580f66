"""Points (积分) and the red and black lists (红黑榜): what a party member earns for finished
orders and wishes and loses for lapses, and who is honoured or warned for a compound and
period. Pure Python; the rules are configurable per compound."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

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


T = TypeVar("T")


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


def rank(
    standings: Sequence[T],
    *,
    ident: Callable[[T], int],
    points: Callable[[T], int],
    merits: Callable[[T], int],
    faults: Callable[[T], int],
    honor_roll_size: int,
    warning_below: int,
    warning_faults: int,
) -> tuple[list[T], list[T]]:
    """The month's red and black lists, for party members and households alike. The red list: the
    best `honor_roll_size` with positive points (ties: more merits, then the lower id); the black
    list: net points below the line or too many faults, worst first. Never on both."""
    warned = [x for x in standings if points(x) < warning_below or faults(x) >= warning_faults]
    warned_ids = {ident(x) for x in warned}
    honoured = sorted(
        (x for x in standings if points(x) > 0 and ident(x) not in warned_ids),
        key=lambda x: (-points(x), -merits(x), ident(x)),
    )[:honor_roll_size]
    warned.sort(key=lambda x: (points(x), -faults(x), ident(x)))
    return honoured, warned


def compute_lists(totals: list[MemberTotal], rules: PointsRules) -> Lists:
    """Members are ranked by net points, orders completed and penalties."""
    honoured, warned = rank(
        totals,
        ident=lambda t: t.party_member_id,
        points=lambda t: t.points,
        merits=lambda t: t.completed,
        faults=lambda t: t.penalties,
        honor_roll_size=rules.honor_roll_size,
        warning_below=rules.warning_below,
        warning_faults=rules.warning_penalties,
    )
    return Lists(honoured, warned)


ENUMS: dict[str, type[LabeledEnum]] = {"points_reason": PointsReason}
