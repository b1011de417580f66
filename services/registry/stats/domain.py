"""Coverage arithmetic, plain Python: the figures the seeds report (compounds with a party
branch, with building heads, with a committee; members checked in; pairings) summed over
communities, and rates as percentages with two decimals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from shared.labels import LabeledEnum

ENUMS: dict[str, type[LabeledEnum]] = {}

HUNDREDTH = Decimal("0.01")


def rate(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage with two decimals, half up ("88.14"); "0.00" when
    there is nothing to count."""
    if whole <= 0:
        return "0.00"
    return str((Decimal(100) * part / whole).quantize(HUNDREDTH, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Coverage:
    """The counts behind one row of the coverage report."""

    compounds: int = 0
    with_party_branch: int = 0
    with_building_heads: int = 0
    with_committee: int = 0
    members_by_ledger: Mapping[str, int] = field(default_factory=dict)
    in_service_checked_in: int = 0
    pairings_by_kind: Mapping[str, int] = field(default_factory=dict)

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            compounds=self.compounds + other.compounds,
            with_party_branch=self.with_party_branch + other.with_party_branch,
            with_building_heads=self.with_building_heads + other.with_building_heads,
            with_committee=self.with_committee + other.with_committee,
            members_by_ledger=dict(Counter(self.members_by_ledger) + Counter(other.members_by_ledger)),
            in_service_checked_in=self.in_service_checked_in + other.in_service_checked_in,
            pairings_by_kind=dict(Counter(self.pairings_by_kind) + Counter(other.pairings_by_kind)),
        )

    @property
    def party_members(self) -> int:
        return sum(self.members_by_ledger.values())

    @property
    def pairings(self) -> int:
        return sum(self.pairings_by_kind.values())

    @property
    def party_branch_rate(self) -> str:
        return rate(self.with_party_branch, self.compounds)

    @property
    def building_head_rate(self) -> str:
        return rate(self.with_building_heads, self.compounds)

    @property
    def committee_rate(self) -> str:
        return rate(self.with_committee, self.compounds)

    def check_in_rate(self, in_service_ledger: str) -> str:
        """Checked-in members of all those on the in-service ledger."""
        return rate(self.in_service_checked_in, self.members_by_ledger.get(in_service_ledger, 0))


def total(rows: list[Coverage]) -> Coverage:
    """The sum of several rows (an empty street sums to zeros)."""
    out = Coverage()
    for row in rows:
        out = out + row
    return out
