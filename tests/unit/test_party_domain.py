"""Party-building rules without a database: the five-level tree, skills, check-ins, 1+N
mentoring, pairing parties, committee chairs and the coverage arithmetic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.committees.domain import Body, MemberRole, check_one_chair, check_term
from services.registry.pairings.domain import PairingKind, check_needy, check_parties, is_active
from services.registry.party.domain import (
    ENUMS,
    LEVELS,
    PartyLedger,
    PartyOrgLevel,
    Skill,
    check_can_check_in,
    check_inside_parent_place,
    check_lives_in,
    check_mentored,
    check_no_cycle,
    check_parent_level,
    check_removable,
    parent_level,
    parse_skills,
    place_kind_of,
)
from services.registry.stats.domain import Coverage, rate, total
from shared.errors import Conflict, InvalidInput


@contextmanager
def refused(error: type[InvalidInput | Conflict], zh: str) -> Iterator[None]:
    """The rule raises `error` and its Chinese message says `zh`."""
    with pytest.raises(error) as err:
        yield
    assert zh in err.value.message, err.value.message


# --- the five levels -------------------------------------------------------------------------


def test_the_five_levels_run_from_street_committee_to_building_group_with_their_places() -> None:
    assert [(lv.label, place_kind_of(lv)) for lv in LEVELS] == [
        ("街道党工委", "street"),
        ("社区党委", "community"),
        ("网格党总支", "grid"),
        ("小区党支部", "compound"),
        ("楼栋党小组", "building"),
    ]
    assert parent_level(PartyOrgLevel.street_committee) is None
    assert parent_level(PartyOrgLevel.building_group) is PartyOrgLevel.compound_branch
    assert set(ENUMS) == {"party_org_level", "party_ledger", "skill"}
    assert [c["label"] for c in PartyLedger.choices()] == ["在职党员", "离退休党员", "流动党员", "直管党员"]


@pytest.mark.parametrize(("child", "parent"), list(zip(LEVELS[1:], LEVELS[:-1], strict=True)))
def test_each_level_sits_directly_under_the_one_above(child: PartyOrgLevel, parent: PartyOrgLevel) -> None:
    check_parent_level(child, parent)


def test_a_skipped_level_is_named_in_chinese() -> None:
    with pytest.raises(InvalidInput) as err:
        check_parent_level(PartyOrgLevel.building_group, PartyOrgLevel.community_committee)
    assert err.value.message == (
        "不能跳级：楼栋党小组的上级必须是小区党支部，不能直接建在社区党委之下（跳过了网格党总支、小区党支部）"
    )
    assert err.value.details == [
        {"field": "parent_id", "level": "community_committee", "expected_level": "compound_branch"}
    ]


def test_a_lower_level_parent_a_missing_parent_and_a_parent_at_the_top_are_refused() -> None:
    with refused(InvalidInput, "不能是楼栋党小组"):
        check_parent_level(PartyOrgLevel.grid_branch_general, PartyOrgLevel.building_group)
    with refused(InvalidInput, "不能是网格党总支"):
        check_parent_level(PartyOrgLevel.grid_branch_general, PartyOrgLevel.grid_branch_general)
    with pytest.raises(InvalidInput) as missing:
        check_parent_level(PartyOrgLevel.compound_branch, None)
    assert missing.value.message == "小区党支部必须建在网格党总支之下，请填写上级组织 (parent_id)"
    with refused(InvalidInput, "最高一级"):
        check_parent_level(PartyOrgLevel.street_committee, PartyOrgLevel.street_committee)
    check_parent_level(PartyOrgLevel.street_committee, None)


def test_place_kind_must_match_the_level() -> None:
    assert place_kind_of(PartyOrgLevel.compound_branch, "compound") == "compound"
    with refused(InvalidInput, "小区党支部只能建在小区上"):
        place_kind_of(PartyOrgLevel.compound_branch, "building")


def test_an_organisation_lies_inside_its_parents_place() -> None:
    check_inside_parent_place(PartyOrgLevel.compound_branch, place_id=7, container_id=3, parent_place_id=3)
    with pytest.raises(InvalidInput) as elsewhere:
        check_inside_parent_place(PartyOrgLevel.compound_branch, place_id=7, container_id=4, parent_place_id=3)
    assert elsewhere.value.message == "小区 7 不在上级组织所在的网格 3 内（它属于网格 4）"
    with pytest.raises(InvalidInput) as gridless:
        check_inside_parent_place(PartyOrgLevel.compound_branch, place_id=7, container_id=None, parent_place_id=3)
    assert "小区 7 尚未划入网格" in gridless.value.message
    assert gridless.value.details == [{"field": "place_id", "value": 7, "missing": "grid_id"}]
    with refused(InvalidInput, "楼栋 9 不在上级组织所在的小区 7 内"):
        check_inside_parent_place(PartyOrgLevel.building_group, place_id=9, container_id=8, parent_place_id=7)


def test_an_organisation_cannot_move_under_itself_or_its_descendants() -> None:
    check_no_cycle(2, "杏花岭社区党委", [1])
    with pytest.raises(Conflict) as err:
        check_no_cycle(2, "杏花岭社区党委", [4, 3, 2, 1])
    assert err.value.code == "cycle"
    assert err.value.status_code == 409
    assert "杏花岭社区党委" in err.value.message
    with pytest.raises(Conflict):
        check_no_cycle(2, "x", [2, 1])


def test_an_organisation_with_children_or_members_stays() -> None:
    check_removable("党支部", 0, 0)
    with pytest.raises(Conflict) as err:
        check_removable("北大街3号院党支部", 1, 12)
    assert err.value.details == {"children": 1, "members": 12}
    assert "1 个下级组织、12 名党员" in err.value.message


# --- skills, check-ins, mentoring ----------------------------------------------------------


def test_skills_come_from_the_catalogue_by_value_or_chinese_label() -> None:
    assert parse_skills(["plumber"]) == [Skill.plumber]
    assert parse_skills([" 管道工 ", "律师", "plumber", "电工"]) == [Skill.lawyer, Skill.plumber, Skill.electrician]
    assert parse_skills([]) == []
    with pytest.raises(InvalidInput) as err:
        parse_skills(["plumber", "会修东西"])
    assert "会修东西" in err.value.message
    assert "lawyer（律师）" in err.value.message
    assert err.value.details[0]["allowed"] == [s.value for s in Skill]


@given(st.lists(st.sampled_from(list(Skill)), max_size=15))
def test_parsed_skills_are_a_set_in_catalogue_order(chosen: list[Skill]) -> None:
    parsed = parse_skills([s.value for s in chosen])
    assert set(parsed) == set(chosen)
    assert parsed == sorted(parsed, key=list(Skill).index)


@pytest.mark.parametrize("ledger", [PartyLedger.retired, PartyLedger.mobile, PartyLedger.directly_managed])
def test_only_in_service_members_check_in(ledger: PartyLedger) -> None:
    check_can_check_in(PartyLedger.in_service)
    with pytest.raises(InvalidInput) as err:
        check_can_check_in(ledger)
    assert err.value.code == "not_in_service"
    assert ledger.label in err.value.message


def test_members_check_in_where_they_live() -> None:
    check_lives_in(5, 5)
    with refused(InvalidInput, "应到居住地小区报到"):
        check_lives_in(5, 6)
    with refused(InvalidInput, "尚未登记居住小区"):
        check_lives_in(5, None)


def test_one_center_household_mentors_at_most_ten_others() -> None:
    assert check_mentored(1, [4, 2, 3]) == [4, 2, 3]
    assert check_mentored(1, list(range(2, 12))) == list(range(2, 12))
    with refused(InvalidInput, "最多帮带 10 户"):
        check_mentored(1, list(range(2, 13)))
    with refused(InvalidInput, "不能帮带自己"):
        check_mentored(1, [1, 2])
    with pytest.raises(InvalidInput) as repeated:
        check_mentored(1, [2, 3, 2])
    assert repeated.value.details == [{"field": "mentored_household_ids", "value": [2]}]


# --- pairings and committees ---------------------------------------------------------------


def _parties(**given: int) -> dict[str, int | None]:
    base: dict[str, int | None] = dict.fromkeys(
        ("cadre_person_id", "party_member_id", "center_household_id", "household_id")
    )
    return base | given


def test_each_pairing_kind_names_exactly_its_parties() -> None:
    check_parties(PairingKind.cadre_compound, _parties(cadre_person_id=1))
    check_parties(PairingKind.member_household, _parties(party_member_id=1, household_id=2))
    check_parties(PairingKind.center_needy, _parties(center_household_id=1, household_id=2))
    with pytest.raises(InvalidInput) as extra:
        check_parties(PairingKind.cadre_compound, _parties(cadre_person_id=1, household_id=2))
    assert extra.value.message == "干部包联小区不能填写：住户 (household_id)"
    with pytest.raises(InvalidInput) as missing:
        check_parties(PairingKind.center_needy, _parties(household_id=2))
    assert missing.value.message == "党员中心户包联困难户需要填写：党员中心户 (center_household_id)"
    with refused(InvalidInput, "未登记为困难户"):
        check_needy(5, False)
    check_needy(5, True)


def test_a_pairing_runs_through_its_last_day() -> None:
    today = date(2026, 11, 25)
    assert is_active(None, today)
    assert is_active(today, today)
    assert not is_active(date(2026, 11, 24), today)


def test_one_chair_per_body_and_terms_that_end_after_they_start() -> None:
    assert [b.label for b in Body] == ["议事会", "业委会", "物管会", "自管委", "监委会"]
    assert MemberRole.chair.label == "主任"
    check_one_chair(Body.owners_committee, 3, None)
    with pytest.raises(Conflict) as err:
        check_one_chair(Body.owners_committee, 3, 17)
    assert (err.value.code, err.value.message) == ("chair_taken", "小区 3 的业委会已有主任（任职 17），请先卸任再任命")
    check_term(date(2024, 1, 1), date(2024, 1, 1))
    with pytest.raises(InvalidInput):
        check_term(date(2024, 1, 2), date(2024, 1, 1))


# --- coverage arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(1, 1, "100.00"), (0, 0, "0.00"), (3, 0, "0.00"), (1, 3, "33.33"), (2, 3, "66.67"), (270, 983, "27.47")],
)
def test_rates_are_percentages_with_two_decimals(part: int, whole: int, expected: str) -> None:
    assert rate(part, whole) == expected


@given(st.integers(min_value=1, max_value=10**6).flatmap(lambda w: st.tuples(st.integers(0, w), st.just(w))))
def test_a_rate_is_the_exact_share_rounded_half_up(pair: tuple[int, int]) -> None:
    part, whole = pair
    shown = Decimal(rate(part, whole))
    assert Decimal(0) <= shown <= Decimal(100)
    assert abs(shown - Decimal(100 * part) / Decimal(whole)) <= Decimal("0.005")
    assert shown.as_tuple().exponent == -2


def test_coverage_rows_add_up() -> None:
    a = Coverage(1, 1, 1, 0, {"in_service": 2, "retired": 1}, 1, {"center_needy": 1})
    b = Coverage(1, 0, 0, 1, {"in_service": 2}, 0, {"cadre_compound": 1})
    both = total([a, b])
    assert (both.compounds, both.with_party_branch, both.party_branch_rate) == (2, 1, "50.00")
    assert both.members_by_ledger == {"in_service": 4, "retired": 1}
    assert (both.party_members, both.pairings) == (5, 2)
    assert both.check_in_rate("in_service") == "25.00"
    assert total([]) == Coverage()
