"""Dispatch statistics from order facts: intake by triage outcome and category, median and
p90 times to triage, accept and resolve, SLA breach rate, satisfaction, and how evenly the
work is spread over party members. Pure Python."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median, pstdev


@dataclass(frozen=True)
class OrderFacts:
    category: str
    triage: str | None
    state: str
    submitted_at: datetime
    triaged_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    sla_breached: bool
    rating: int | None
    assignee_member_id: int | None


@dataclass(frozen=True)
class Durations:
    count: int
    median_s: float | None
    p90_s: float | None


@dataclass
class Summary:
    orders: int
    by_triage: dict[str, int]
    by_category: dict[str, int]
    by_state: dict[str, int]
    to_triage: Durations
    to_accept: Durations
    to_resolve: Durations
    sla_breach_rate: float | None
    average_rating: float | None
    ratings: dict[str, int]
    load: dict[str, float | int | None] = field(default_factory=dict)


def hours_minutes(seconds: float | None) -> str | None:
    """A duration as people read it: '2小时05分', '25分' (to the nearest minute)."""
    if seconds is None:
        return None
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}小时{minutes:02d}分" if hours else f"{minutes}分"


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def durations(values: list[float]) -> Durations:
    return Durations(len(values), float(median(values)) if values else None, percentile(values, 90))


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if end is not None else None


def summarise(facts: list[OrderFacts]) -> Summary:
    """The figures for one place and period."""
    triage = [s for f in facts if (s := _seconds(f.submitted_at, f.triaged_at)) is not None]
    accept = [s for f in facts if (s := _seconds(f.submitted_at, f.accepted_at)) is not None]
    resolve = [s for f in facts if (s := _seconds(f.submitted_at, f.completed_at)) is not None]
    rated = [f.rating for f in facts if f.rating is not None]
    per_member = Counter(f.assignee_member_id for f in facts if f.assignee_member_id is not None)
    loads = list(per_member.values())
    return Summary(
        orders=len(facts),
        by_triage=dict(Counter(f.triage or "untriaged" for f in facts)),
        by_category=dict(Counter(f.category for f in facts)),
        by_state=dict(Counter(f.state for f in facts)),
        to_triage=durations(triage),
        to_accept=durations(accept),
        to_resolve=durations(resolve),
        sla_breach_rate=round(sum(f.sla_breached for f in facts) / len(facts), 4) if facts else None,
        average_rating=round(sum(rated) / len(rated), 2) if rated else None,
        ratings={str(r): rated.count(r) for r in range(1, 6)},
        load={
            "members": len(loads),
            "min": min(loads) if loads else None,
            "max": max(loads) if loads else None,
            "mean": round(sum(loads) / len(loads), 2) if loads else None,
            "stdev": round(pstdev(loads), 2) if loads else None,
        },
    )
