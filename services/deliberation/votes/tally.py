"""The owners' vote tally, plain Python: Civil Code art. 278 and the 2020 judicial interpretation
on building ownership (arts. 8–9), in exact arithmetic.

Areas are integer hundredths of a square metre (the property register keeps two decimals), so
every sum is exact; ratios and thresholds are `fractions.Fraction`. Floats never appear."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from shared.errors import InvalidInput
from shared.labels import LabeledEnum

DEVELOPER_KEY = "developer"

PARTICIPATION = Fraction(2, 3)
SPECIAL_MAJORITY = Fraction(3, 4)
SIMPLE_MAJORITY = Fraction(1, 2)


class Choice(LabeledEnum):
    """What a voting person says on one item; abstaining still counts as taking part."""

    for_ = "for", "赞成"
    against = "against", "反对"
    abstain = "abstain", "弃权"


class Threshold(LabeledEnum):
    """The two approval rules of art. 278 (participation is always two thirds of both)."""

    special = "special", "双四分之三（参与表决专有面积和人数均不低于四分之三同意）"
    ordinary = "ordinary", "双过半（参与表决专有面积和人数均过半数同意）"


class Matter(LabeledEnum):
    """The items of Civil Code art. 278, each with its threshold."""

    rules_of_procedure = "rules_of_procedure", "制定和修改业主大会议事规则"
    management_rules = "management_rules", "制定和修改管理规约"
    elect_committee = "elect_committee", "选举业主委员会或者更换业主委员会成员"
    hire_manager = "hire_manager", "选聘和解聘物业服务企业或者其他管理人"
    use_maintenance_fund = "use_maintenance_fund", "使用建筑物及其附属设施的维修资金"
    raise_maintenance_fund = "raise_maintenance_fund", "筹集建筑物及其附属设施的维修资金"
    rebuild = "rebuild", "改建、重建建筑物及其附属设施"
    change_common_use = "change_common_use", "改变共有部分的用途或者利用共有部分从事经营活动"
    other_major = "other_major", "有关共有和共同管理权利的其他重大事项"

    @property
    def threshold(self) -> Threshold:
        return Threshold.special if self in SPECIAL_MATTERS else Threshold.ordinary

    @property
    def article_item(self) -> int:
        """The item's number in art. 278 para. 1 (1–9)."""
        return list(Matter).index(self) + 1


SPECIAL_MATTERS = frozenset({Matter.raise_maintenance_fund, Matter.rebuild, Matter.change_common_use})


class Outcome(LabeledEnum):
    passed = "passed", "通过"
    rejected = "rejected", "未通过"
    no_quorum = "no_quorum", "参与表决未达法定比例"


def area_to_centi(area_m2: Decimal) -> int:
    """Square metres (two decimals at most, as the register keeps them) as integer hundredths."""
    scaled = area_m2 * 100
    if scaled != scaled.to_integral_value() or scaled < 0:
        raise InvalidInput(
            f"专有面积 {area_m2} 须为非负且至多两位小数",
            f"Exclusive area {area_m2} must be non-negative with at most two decimals",
        )
    return int(scaled)


def centi_to_area(centi: int) -> Decimal:
    """Integer hundredths of a square metre back to square metres."""
    return Decimal(centi) / 100


class DwellingRecord(NamedTuple):
    """One exclusive part as the register has it on the day the electorate is fixed (a tuple:
    a compound of 20,000 dwellings builds 20,000 of them per tally)."""

    dwelling_id: int
    building_id: int
    area_centi: int
    owner_ids: frozenset[int]
    developer_held: bool = False


class VotingPerson(NamedTuple):
    """One "person" of art. 278: an owner with all their dwellings, co-owners of a dwelling
    together, or the developer with every unsold or undelivered dwelling."""

    key: str
    dwellings: tuple[DwellingRecord, ...]
    person_ids: frozenset[int]

    @property
    def area_centi(self) -> int:
        return sum(d.area_centi for d in self.dwellings)

    @property
    def building_ids(self) -> frozenset[int]:
        return frozenset(d.building_id for d in self.dwellings)


def build_electorate(dwellings: Iterable[DwellingRecord]) -> list[VotingPerson]:
    """Group the compound's dwellings into voting persons (judicial interpretation art. 9).

    Dwellings that share any owner are one person (one owner of several dwellings counts once;
    co-owners choose one voter among them); the developer's dwellings are one person; a
    dwelling with no recorded owner still counts as one person who has not voted."""
    developer: list[DwellingRecord] = []
    owned: list[DwellingRecord] = []
    for d in dwellings:
        (developer if d.developer_held else owned).append(d)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Union the owners of each dwelling; each dwelling then belongs to its first owner's group.
    for d in owned:
        ids = sorted(d.owner_ids)
        for other in ids[1:]:
            ra, rb = find(ids[0]), find(other)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[DwellingRecord]] = defaultdict(list)
    for d in owned:
        key = f"owner:{find(min(d.owner_ids))}" if d.owner_ids else f"dwelling:{d.dwelling_id}"
        groups[key].append(d)
    persons = [
        VotingPerson(key, tuple(ds), frozenset().union(*(d.owner_ids for d in ds))) for key, ds in groups.items()
    ]
    if developer:
        persons.append(VotingPerson(DEVELOPER_KEY, tuple(developer), frozenset()))
    return persons


@dataclass
class Leg:
    """Area (hundredths of m²) and persons of one group of voting persons."""

    area_centi: int = 0
    persons: int = 0

    def add(self, area_centi: int) -> None:
        self.area_centi += area_centi
        self.persons += 1


@dataclass
class Count:
    """Totals, participants and each choice, for the compound or for one building."""

    total: Leg = field(default_factory=Leg)
    participating: Leg = field(default_factory=Leg)
    by_choice: dict[Choice, Leg] = field(default_factory=lambda: {c: Leg() for c in Choice})

    def ratios(self) -> dict[str, Fraction]:
        """Participation and approval on both legs, as exact fractions (0 when undefined)."""
        return {
            "participation_area": ratio(self.participating.area_centi, self.total.area_centi),
            "participation_persons": ratio(self.participating.persons, self.total.persons),
            "approval_area": ratio(self.by_choice[Choice.for_].area_centi, self.participating.area_centi),
            "approval_persons": ratio(self.by_choice[Choice.for_].persons, self.participating.persons),
        }


def ratio(part: int, whole: int) -> Fraction:
    """part/whole exactly; an empty whole gives 0 (nobody to count means nothing is reached)."""
    return Fraction(part, whole) if whole else Fraction(0)


def quorum_reached(count: Count) -> bool:
    """At least two thirds of all exclusive area AND two thirds of all persons took part."""
    r = count.ratios()
    return (
        count.total.persons > 0
        and r["participation_area"] >= PARTICIPATION
        and r["participation_persons"] >= PARTICIPATION
    )


def approved(count: Count, threshold: Threshold) -> bool:
    """Special: ≥ 3/4 of participating area AND persons; ordinary: > 1/2 of both."""
    r = count.ratios()
    if count.participating.persons == 0:
        return False
    if threshold is Threshold.special:
        return r["approval_area"] >= SPECIAL_MAJORITY and r["approval_persons"] >= SPECIAL_MAJORITY
    return r["approval_area"] > SIMPLE_MAJORITY and r["approval_persons"] > SIMPLE_MAJORITY


def outcome_of(count: Count, threshold: Threshold) -> Outcome:
    """No quorum first; then passed or rejected by the item's threshold."""
    if not quorum_reached(count):
        return Outcome.no_quorum
    return Outcome.passed if approved(count, threshold) else Outcome.rejected


@dataclass
class ItemTally:
    """The published result of one item: strict tally, per building, and, when the compound's
    rules say non-voters follow the majority, the rule-adjusted tally beside it."""

    threshold: Threshold
    strict: Count
    outcome: Outcome
    buildings: dict[int, Count]
    adjusted: Count | None = None
    adjusted_outcome: Outcome | None = None
    majority_followed: Choice | None = None


def count_ballots(persons: Sequence[VotingPerson], ballots: Mapping[str, Choice]) -> tuple[Count, dict[int, Count]]:
    """Count one item's ballots (keyed by voting person) for the compound and per building.

    A person whose dwellings lie in several buildings counts once in each of those buildings
    with that building's share of their area."""
    total = Count()
    buildings: dict[int, Count] = defaultdict(Count)
    for person in persons:
        choice = ballots.get(person.key)
        if len(person.dwellings) == 1:  # most persons own one dwelling: skip the grouping
            only = person.dwellings[0]
            area = only.area_centi
            shares: Iterable[tuple[int, int]] = ((only.building_id, area),)
        else:
            area = person.area_centi
            per_building: dict[int, int] = defaultdict(int)
            for d in person.dwellings:
                per_building[d.building_id] += d.area_centi
            shares = per_building.items()
        total.total.add(area)
        if choice is not None:
            total.participating.add(area)
            total.by_choice[choice].add(area)
        for building_id, building_area in shares:
            b = buildings[building_id]
            b.total.add(building_area)
            if choice is not None:
                b.participating.add(building_area)
                b.by_choice[choice].add(building_area)
    return total, dict(buildings)


def majority_side(count: Count) -> Choice | None:
    """The side that leads on both area and persons among those who voted, or None on a split."""
    yes, no = count.by_choice[Choice.for_], count.by_choice[Choice.against]
    if yes.area_centi > no.area_centi and yes.persons > no.persons:
        return Choice.for_
    if no.area_centi > yes.area_centi and no.persons > yes.persons:
        return Choice.against
    return None


def tally_item(
    persons: Sequence[VotingPerson],
    ballots: Mapping[str, Choice],
    threshold: Threshold,
    *,
    non_voters_follow_majority: bool = False,
) -> ItemTally:
    """The strict tally of one item and, if the compound's rules ask, the adjusted one where
    every non-voter is counted with the side that leads on both legs (no lead: no adjustment)."""
    strict, buildings = count_ballots(persons, ballots)
    result = ItemTally(threshold, strict, outcome_of(strict, threshold), buildings)
    if non_voters_follow_majority:
        side = majority_side(strict)
        adjusted_ballots = dict(ballots)
        if side is not None:
            for person in persons:
                adjusted_ballots.setdefault(person.key, side)
        adjusted, _ = count_ballots(persons, adjusted_ballots)
        result.adjusted = adjusted
        result.adjusted_outcome = outcome_of(adjusted, threshold)
        result.majority_followed = side
    return result
