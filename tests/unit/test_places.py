"""Place-and-role checks: who counts as staff of a place, told as the people of one street.

三桥街道 (street 1) has 杏花岭社区 (community 10) with grid 100 and compounds 1000 and 1001 in
it; 府东街道 (street 2) has community 20, grid 200, compound 2000."""

import pytest

from shared.auth import Grant, Place, Principal, Role, is_staff_of, require_anywhere, require_staff_of
from shared.errors import Forbidden

XINGHUALING = Place(street_id=1, community_id=10, grid_id=100, compound_id=1000)
NEXT_DOOR = Place(street_id=1, community_id=10, grid_id=100, compound_id=1001)
FUDONG = Place(street_id=2, community_id=20, grid_id=200, compound_id=2000)


def who(*grants: Grant) -> Principal:
    return Principal(7, grants)


def test_the_admins_of_a_place_and_above_are_its_staff_and_nobody_elses() -> None:
    street_admin = who(Grant(Role.street_admin, "street", 1))
    community_admin = who(Grant(Role.community_admin, "community", 10))
    for admin in (street_admin, community_admin):
        assert is_staff_of(admin, XINGHUALING)
        assert is_staff_of(admin, NEXT_DOOR)
        assert not is_staff_of(admin, FUDONG)
    # A community admin is staff of its community, not of the street above it.
    assert is_staff_of(community_admin, Place(street_id=1, community_id=10))
    assert not is_staff_of(community_admin, Place(street_id=1))
    assert is_staff_of(street_admin, Place(street_id=1))
    assert not is_staff_of(street_admin, Place(street_id=2))


def test_an_unscoped_street_admin_and_ops_serve_every_place() -> None:
    for everywhere in (who(Grant(Role.street_admin)), who(Grant(Role.ops))):
        assert all(is_staff_of(everywhere, p) for p in (XINGHUALING, FUDONG, Place(street_id=2), Place()))
    assert who(Grant(Role.street_admin)).holds_everywhere(Role.street_admin)
    assert not who(Grant(Role.street_admin, "street", 1)).holds_everywhere(Role.street_admin)


def test_other_roles_count_only_where_the_caller_names_them_and_only_at_their_place() -> None:
    grid_worker = who(Grant(Role.grid_worker, "grid", 100))
    property_staff = who(Grant(Role.property_staff, "compound", 1000))
    # Not staff unless the check names the role (billing keeps grid workers out of the books).
    assert not is_staff_of(grid_worker, XINGHUALING)
    assert is_staff_of(grid_worker, XINGHUALING, Role.grid_worker)
    assert is_staff_of(grid_worker, NEXT_DOOR, Role.grid_worker)
    assert not is_staff_of(grid_worker, FUDONG, Role.grid_worker)
    # A grid worker is no staff of the community the grid lies in.
    assert not is_staff_of(grid_worker, Place(street_id=1, community_id=10), Role.grid_worker)
    # The property company of one compound is staff of that compound, not of the one next door.
    assert is_staff_of(property_staff, XINGHUALING, Role.property_staff)
    assert not is_staff_of(property_staff, NEXT_DOOR, Role.property_staff)


def test_an_unscoped_grant_means_everywhere_only_for_ops_street_admins_and_auditors() -> None:
    assert is_staff_of(who(Grant(Role.auditor)), FUDONG, Role.auditor)
    assert is_staff_of(who(Grant(Role.auditor, "street", 2)), FUDONG, Role.auditor)
    assert not is_staff_of(who(Grant(Role.auditor, "street", 1)), FUDONG, Role.auditor)
    # A party member registered outside every compound holds the role at no place at all.
    stray_member = who(Grant(Role.party_member))
    assert stray_member.holds_anywhere(Role.party_member)
    assert not is_staff_of(stray_member, XINGHUALING, Role.party_member)
    assert not who(Grant(Role.community_admin)).holds_at(Role.community_admin, XINGHUALING)


def test_a_place_not_yet_known_above_its_compound_counts_nobody_there() -> None:
    # Billing knows the compound before the community's street has been projected.
    unprojected = Place(community_id=10, compound_id=1000)
    assert not is_staff_of(who(Grant(Role.street_admin, "street", 1)), unprojected)
    assert is_staff_of(who(Grant(Role.community_admin, "community", 10)), unprojected)


def test_refusals_name_the_roles_that_would_do() -> None:
    with pytest.raises(Forbidden) as refused:
        require_staff_of(who(Grant(Role.property_staff, "compound", 1001)), XINGHUALING, Role.property_staff)
    assert refused.value.message == "无权执行此操作，需要角色：物业人员、社区管理员、街道管理员"
    require_anywhere(who(Grant(Role.street_admin, "street", 2)), Role.street_admin)
    require_anywhere(who(Grant(Role.ops)), Role.street_admin)
    with pytest.raises(Forbidden):
        require_anywhere(who(Grant(Role.community_admin, "community", 10)), Role.street_admin)
