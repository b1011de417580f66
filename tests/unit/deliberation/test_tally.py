"""The tally against an independent, deliberately simple oracle: groups by repeated merging,
sums of Fractions of Decimal areas, thresholds as cross-multiplied integers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.deliberation.votes.tally import (
    Choice,
    DwellingRecord,
    Matter,
    Outcome,
    Threshold,
    area_to_centi,
    build_electorate,
    tally_item,
)

CHOICES = ["for", "against", "abstain"]


def oracle_groups(dwellings: list[tuple[int, int, Decimal, frozenset[int], bool]]) -> list[frozenset[int]]:
    """Dwelling-id sets of the voting persons, by merging until nothing changes."""
    groups: list[tuple[set[int], set[int]]] = []  # (dwelling ids, owner ids)
    developer: set[int] = set()
    for dwelling_id, _, _, owners, developer_held in dwellings:
        if developer_held:
            developer.add(dwelling_id)
        else:
            groups.append(({dwelling_id}, set(owners)))
    changed = True
    while changed:
        changed = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if groups[i][1] & groups[j][1]:
                    groups[i][0].update(groups[j][0])
                    groups[i][1].update(groups[j][1])
                    del groups[j]
                    changed = True
                    break
            if changed:
                break
    out = [frozenset(g[0]) for g in groups]
    if developer:
        out.append(frozenset(developer))
    return out


def oracle_outcome(
    dwellings: list[tuple[int, int, Decimal, frozenset[int], bool]],
    ballots: dict[frozenset[int], str],
    special: bool,
) -> tuple[str, Fraction, int, Fraction, int]:
    area = {d[0]: Fraction(d[2]) for d in dwellings}
    groups = oracle_groups(dwellings)
    total_area = sum((area[i] for g in groups for i in g), Fraction(0))
    total_persons = len(groups)
    voted = [g for g in groups if g in ballots]
    part_area = sum((area[i] for g in voted for i in g), Fraction(0))
    yes = [g for g in voted if ballots[g] == "for"]
    yes_area = sum((area[i] for g in yes for i in g), Fraction(0))
    quorum = total_persons > 0 and 3 * part_area >= 2 * total_area and 3 * len(voted) >= 2 * total_persons
    if not quorum:
        return "no_quorum", part_area, len(voted), yes_area, len(yes)
    if special:
        ok = 4 * yes_area >= 3 * part_area and 4 * len(yes) >= 3 * len(voted)
    else:
        ok = 2 * yes_area > part_area and 2 * len(yes) > len(voted)
    return ("passed" if ok else "rejected"), part_area, len(voted), yes_area, len(yes)


dwelling_rows = st.lists(
    st.tuples(
        st.integers(1, 4),  # building
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300"), places=2),
        st.frozensets(st.integers(1, 12), max_size=3),
        st.sampled_from([False, False, False, True]),  # developer-held now and then
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(rows=dwelling_rows, data=st.data(), special=st.booleans())
def test_tally_matches_oracle(
    rows: list[tuple[int, Decimal, frozenset[int], bool]], data: st.DataObject, special: bool
) -> None:
    dwellings = [(i + 1, b, a, owners, dev) for i, (b, a, owners, dev) in enumerate(rows)]
    groups = oracle_groups(dwellings)
    ballots = {g: choice for g in groups if (choice := data.draw(st.sampled_from([*CHOICES, None, None]))) is not None}
    persons = build_electorate(
        DwellingRecord(d, b, area_to_centi(a), owners, dev) for d, b, a, owners, dev in dwellings
    )
    assert sorted(map(sorted, (frozenset(x.dwelling_id for x in p.dwellings) for p in persons))) == sorted(
        map(sorted, groups)
    )
    by_key = {
        p.key: Choice(ballots[g]) for p in persons if (g := frozenset(x.dwelling_id for x in p.dwellings)) in ballots
    }
    threshold = Threshold.special if special else Threshold.ordinary
    result = tally_item(persons, by_key, threshold)
    expected, part_area, part_persons, yes_area, yes_persons = oracle_outcome(dwellings, ballots, special)
    assert result.outcome.value == expected
    assert Fraction(result.strict.participating.area_centi, 100) == part_area
    assert result.strict.participating.persons == part_persons
    assert Fraction(result.strict.by_choice[Choice.for_].area_centi, 100) == yes_area
    assert result.strict.by_choice[Choice.for_].persons == yes_persons
    # The buildings add up to the compound on area (persons may sit in several buildings).
    assert sum(b.total.area_centi for b in result.buildings.values()) == result.strict.total.area_centi


def _one_each(areas: list[str]) -> list[DwellingRecord]:
    return [DwellingRecord(i + 1, 1, area_to_centi(Decimal(a)), frozenset({i + 1})) for i, a in enumerate(areas)]


def test_exactly_two_thirds_is_a_quorum_and_exactly_three_quarters_passes_a_special_matter() -> None:
    persons = build_electorate(_one_each(["100"] * 12))
    keys = [p.key for p in persons]
    ballots = dict.fromkeys(keys[:6], Choice.for_) | dict.fromkeys(keys[6:8], Choice.against)
    result = tally_item(persons, ballots, Threshold.special)
    # 8 of 12 = 2/3 exactly: quorum; 6 of 8 = 3/4 exactly: passes a special matter.
    assert result.outcome is Outcome.passed


def test_one_short_of_two_thirds_is_no_quorum() -> None:
    persons = build_electorate(_one_each(["100"] * 12))
    ballots = {p.key: Choice.for_ for p in persons[:7]}
    assert tally_item(persons, ballots, Threshold.ordinary).outcome is Outcome.no_quorum


def test_exactly_half_does_not_pass_an_ordinary_matter_and_abstentions_count_as_participants() -> None:
    persons = build_electorate(_one_each(["100"] * 4))
    ballots = {persons[0].key: Choice.for_, persons[1].key: Choice.for_, persons[2].key: Choice.abstain}
    result = tally_item(persons, ballots, Threshold.ordinary)
    assert result.strict.participating.persons == 3
    assert result.outcome is Outcome.passed  # 2 of 3 persons, 200 of 300 m²
    ballots[persons[3].key] = Choice.abstain
    assert tally_item(persons, ballots, Threshold.ordinary).outcome is Outcome.rejected  # 2 of 4: not more than half


def test_area_leg_can_fail_when_persons_pass() -> None:
    # Three small owners for, one large owner against: persons 3/4, area 90/390 < 1/2.
    persons = build_electorate(_one_each(["30", "30", "30", "300"]))
    ballots = {p.key: Choice.for_ for p in persons[:3]} | {persons[3].key: Choice.against}
    assert tally_item(persons, ballots, Threshold.ordinary).outcome is Outcome.rejected


def test_one_owner_of_several_dwellings_is_one_person_and_the_developer_is_one_person() -> None:
    records = [
        DwellingRecord(1, 1, 8000, frozenset({7})),
        DwellingRecord(2, 2, 9000, frozenset({7})),
        DwellingRecord(3, 1, 8000, frozenset({8, 9})),  # co-owners: one voter
        DwellingRecord(4, 1, 8000, frozenset(), developer_held=True),
        DwellingRecord(5, 2, 8000, frozenset(), developer_held=True),
    ]
    persons = {p.key: p for p in build_electorate(records)}
    assert len(persons) == 3
    assert persons["developer"].area_centi == 16000
    result = tally_item(list(persons.values()), {"owner:7": Choice.for_}, Threshold.ordinary)
    assert result.strict.total.persons == 3
    # Owner 7 counts once in each building, with that building's share of the area.
    assert result.buildings[1].participating.area_centi == 8000
    assert result.buildings[2].participating.area_centi == 9000


def test_non_voters_follow_the_majority_is_published_beside_the_strict_tally() -> None:
    persons = build_electorate(_one_each(["100"] * 10))
    ballots = {p.key: Choice.for_ for p in persons[:4]} | {persons[4].key: Choice.against}
    result = tally_item(persons, ballots, Threshold.ordinary, non_voters_follow_majority=True)
    assert result.outcome is Outcome.no_quorum
    assert result.majority_followed is Choice.for_
    assert result.adjusted is not None
    assert result.adjusted.participating.persons == 10
    assert result.adjusted_outcome is Outcome.passed


def test_art_278_items_carry_their_thresholds() -> None:
    special = {m for m in Matter if m.threshold is Threshold.special}
    assert special == {Matter.raise_maintenance_fund, Matter.rebuild, Matter.change_common_use}
    assert Matter.use_maintenance_fund.threshold is Threshold.ordinary
    assert Matter.raise_maintenance_fund.article_item == 6


def test_areas_are_exact_hundredths() -> None:
    assert area_to_centi(Decimal("86.50")) == 8650
