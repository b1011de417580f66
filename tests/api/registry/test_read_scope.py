"""Who reads what in the registry: 王秀英 (3-1-301) and 孙阿姨 (5-1-301) are neighbours in the
old compound of 杏花岭社区. 孙阿姨's household is needy and the grid worker keeps a note on it;
she owns her dwelling; the street pairs a cadre with the compound off the public wall. 王秀英
sees her own household and what hangs on the compound's wall, nothing of 孙阿姨's; the
community admin of 迎泽社区 next door sees 迎泽社区's households only."""

from __future__ import annotations

from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import dwelling_in, resident, xinghualing_dwelling

API = "/api/v1/registry"


def ids(answer: Any) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [row["id"] for row in answer.json()]


async def test_a_resident_reads_her_own_household_and_nothing_of_her_neighbours(platform: Platform) -> None:
    registry = platform.clients["registry"]
    wang_home = await xinghualing_dwelling(platform)
    sun_home = await dwelling_in(
        platform,
        street_id=wang_home.street_id,
        community_id=wang_home.community_id,
        grid_id=wang_home.grid_id,
        compound_id=wang_home.compound_id,
        building="5",
    )
    wang = (await resident(platform, "王秀英", household_id=wang_home.household_id))["id"]
    sun = (await resident(platform, "孙阿姨", household_id=sun_home.household_id))["id"]
    cadre = (await resident(platform, "街道干部", compound_id=wang_home.compound_id))["id"]
    needy = await registry.patch(
        f"{API}/households/{sun_home.household_id}",
        json={"version": 1, "needy": True, "note": "独居，每周走访"},
        headers=platform.street_admin,
    )
    assert needy.status_code == 200, needy.text
    ownership = await platform.post("/ownerships", {"dwelling_id": sun_home.dwelling_id, "person_id": sun})
    hidden = await platform.post(
        "/pairings", {"kind": "cadre_compound", "compound_id": wang_home.compound_id, "cadre_person_id": cadre,
                      "public": False},
    )  # fmt: skip
    herself = platform.token(Grant(Role.resident, "household", wang_home.household_id), person=wang)

    # Her neighbour's household, needy flag and note: as if it did not exist.
    refused = await registry.get(f"{API}/households/{sun_home.household_id}", headers=herself)
    assert refused.status_code == 404
    assert "独居" not in refused.text
    assert ids(await registry.get(f"{API}/households", headers=herself)) == [wang_home.household_id]
    everyone_here = {"compound_id": wang_home.compound_id}
    assert ids(await registry.get(f"{API}/households", params=everyone_here, headers=herself)) == [
        wang_home.household_id
    ]
    mine = (await registry.get(f"{API}/households/{wang_home.household_id}", headers=herself)).json()
    assert (mine["needy"], mine["note"]) == (False, None)

    # Who owns the dwelling next door: neither by the dwelling nor by the person.
    by_dwelling = {"dwelling_id": sun_home.dwelling_id}
    assert ids(await registry.get(f"{API}/ownerships", params=by_dwelling, headers=herself)) == []
    assert ids(await registry.get(f"{API}/ownerships", params={"person_id": sun}, headers=herself)) == []
    assert (await registry.get(f"{API}/ownerships/{ownership['id']}", headers=herself)).status_code == 404

    # The pairing off the wall stays off it for her; the wall itself is hers to read.
    assert (await registry.get(f"{API}/pairings/{hidden['id']}", headers=herself)).status_code == 404
    assert ids(await registry.get(f"{API}/pairings", params=everyone_here, headers=herself)) == []
    wall = await registry.get(f"{API}/compounds/{wang_home.compound_id}/pairings/public", headers=herself)
    assert (wall.status_code, wall.json()["pairings"]) == (200, [])

    # What is public in her compound: its buildings and dwellings, and the buildings and entrances
    # the phone's help form offers her for a public place.
    assert (await registry.get(f"{API}/dwellings/{sun_home.dwelling_id}", headers=herself)).status_code == 200
    here = {"compound_id": wang_home.compound_id}
    assert wang_home.building_id in ids(await registry.get(f"{API}/buildings", params=here, headers=herself))
    assert wang_home.entrance_id in ids(await registry.get(f"{API}/entrances", params=here, headers=herself))

    # 孙阿姨 sees her own household with its note, and who owns her home; the grid worker sees both.
    sun_headers = platform.token(Grant(Role.resident, "household", sun_home.household_id), person=sun)
    own = (await registry.get(f"{API}/households/{sun_home.household_id}", headers=sun_headers)).json()
    assert (own["needy"], own["note"]) == (True, "独居，每周走访")
    assert ids(await registry.get(f"{API}/ownerships", headers=sun_headers)) == [ownership["id"]]
    worker = platform.token(Grant(Role.grid_worker, "grid", wang_home.grid_id), person=99)
    assert sorted(ids(await registry.get(f"{API}/households", headers=worker))) == sorted(
        [wang_home.household_id, sun_home.household_id]
    )
    assert ids(await registry.get(f"{API}/pairings", headers=worker)) == [hidden["id"]]


async def test_a_community_admin_lists_only_her_communitys_households(platform: Platform) -> None:
    registry = platform.clients["registry"]
    home = await xinghualing_dwelling(platform)
    yingze = (await platform.post("/communities", {"street_id": home.street_id, "name": "迎泽社区"}))["id"]
    grid = (await platform.post("/grids", {"community_id": yingze, "name": "第三网格"}))["id"]
    compound = (
        await platform.post(
            "/compounds",
            {"name": "迎泽小区", "community_id": yingze, "grid_id": grid, "kind": "commercial",
             "management_model": "professional"},
        )
    )["id"]  # fmt: skip
    there = await dwelling_in(
        platform, street_id=home.street_id, community_id=yingze, grid_id=grid, compound_id=compound, building="1"
    )
    admin = platform.token(Grant(Role.community_admin, "community", yingze), person=77)

    # No place filter: her community's households, not the street's.
    assert ids(await registry.get(f"{API}/households", headers=admin)) == [there.household_id]
    assert (await registry.get(f"{API}/households/{home.household_id}", headers=admin)).status_code == 404
    assert ids(await registry.get(f"{API}/compounds", headers=admin)) == [compound]
    assert ids(await registry.get(f"{API}/communities", headers=admin)) == [yingze]
    # The street admin, unscoped, still sees the whole street.
    assert sorted(ids(await registry.get(f"{API}/households", headers=platform.street_admin))) == sorted(
        [home.household_id, there.household_id]
    )
