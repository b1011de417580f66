"""People in Xinghualing (seed 002): 王秀英 of dwelling 3-1-301 is registered by the grid
worker of 第一网格, who may read her full mobile for a home visit (and the read is logged);
her ID card is checked, never travels in events, and removing her anonymises her while her
ownership stays. Grid workers, building heads and resident units are kept beside her."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from services.registry.people.models import GridAssignment, Person, PersonalDataAccess
from shared.auth import Grant, Role
from shared.events.outbox import outbox
from tests.api.conftest import Platform
from tests.api.registry.builders import Dwelling, dwelling_in, id_card, registry_session, resident, xinghualing_dwelling
from tests.helpers import assert_error

WANG_ID_CARD = id_card("11010519491231002")  # ends in X
WANG_MOBILE = "13800000004"
API = "/api/v1/registry"


async def events(platform: Platform, entity: str) -> list[dict[str, Any]]:
    """The registry's queued events about one kind of entity: type and data."""
    async with registry_session(platform) as session:
        rows = (
            await session.execute(
                select(outbox.c.type, outbox.c.value)
                .where(outbox.c.type.like(f"linli.registry.{entity}.%"))
                .order_by(outbox.c.id)
            )
        ).all()
    return [{"type": t, "data": json.loads(v), "raw": v} for t, v in rows]


async def count(platform: Platform, model: Any) -> int:
    async with registry_session(platform) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def grid_worker(platform: Platform, place: Dwelling, name: str = "李红梅") -> tuple[int, dict[str, str]]:
    """A full-time grid worker of the dwelling's grid; returns (person id, their token)."""
    person = await resident(platform, name, mobile="13800000002", gender="female")
    worker = await platform.post(
        "/grid-workers", {"person_id": person["id"], "kind": "full_time", "grid_ids": [place.grid_id]}
    )
    assert worker["grid_ids"] == [place.grid_id]
    return person["id"], platform.token(Grant(Role.grid_worker, "grid", place.grid_id), person=person["id"])


WANG: dict[str, Any] = {
    "gender": "female",
    "id_card": WANG_ID_CARD.lower(),
    "mobile": "+86 138-0000-0004",
    "kind": "owner",
    "relation": "户主",
    "moved_in": "1998-06-01",
}


async def test_the_grid_worker_registers_wang_xiuying_and_reads_her_mobile_for_a_visit(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    worker_id, worker = await grid_worker(platform, place)
    registry = platform.clients["registry"]

    wang = await resident(platform, "王秀英", worker, household_id=place.household_id, **WANG)
    assert wang["name"] == "王秀英"
    assert (wang["gender"], wang["gender_label"]) == ("female", "女")
    assert (wang["kind"], wang["kind_label"]) == ("owner", "业主")
    assert wang["birth_date"] == "1949-12-31"  # read from the ID card
    assert wang["id_card_masked"] == "1101**********002X"
    assert wang["mobile_masked"] == "138****0004"
    assert (wang["household_id"], wang["compound_id"]) == (place.household_id, place.compound_id)
    assert wang["anonymised"] is False
    assert wang["version"] == 1
    assert "id_card" not in wang
    assert "mobile" not in wang

    async with registry_session(platform) as session:
        row = await session.get(Person, wang["id"])
        assert row is not None
        assert row.id_card_enc is not None
        assert row.mobile_enc is not None
        assert WANG_ID_CARD.encode() not in row.id_card_enc
        assert WANG_MOBILE.encode() not in row.mobile_enc
        assert row.id_card_hash is not None
        assert len(row.id_card_hash) == 64

    created = await events(platform, "resident")
    assert [e["type"] for e in created][-1] == "linli.registry.resident.created.v1"
    assert created[-1]["data"] == {
        "person_id": wang["id"],
        "name": "",  # the full name stays in the registry (docs/personal-data.md)
        "masked_name": "王*英",  # what billing's arrears list shows
        "household_id": place.household_id,
        "compound_id": place.compound_id,
        "kind": "owner",
        "moved_in": "1998-06-01",
        "moved_out": None,
        "version": 1,
    }
    for event in created:
        assert WANG_ID_CARD not in event["raw"]
        assert WANG_MOBILE not in event["raw"]
        assert "13800000002" not in event["raw"]

    full = await registry.get(
        f"{API}/residents/{wang['id']}/personal-data", params={"purpose": "入户走访核对"}, headers=worker
    )
    assert full.status_code == 200, full.text
    assert full.json() | {"access_id": 0} == {
        "person_id": wang["id"],
        "name": "王秀英",
        "id_card": WANG_ID_CARD,
        "mobile": WANG_MOBILE,
        "purpose": "入户走访核对",
        "access_id": 0,
    }
    async with registry_session(platform) as session:
        log = (await session.scalars(select(PersonalDataAccess))).all()
    assert [(r.reader_person_id, r.person_id, r.fields, r.purpose) for r in log] == [
        (worker_id, wang["id"], "id_card,mobile", "入户走访核对")
    ]
    assert log[0].reader_roles == f"grid_worker@grid:{place.grid_id}"
    assert log[0].id == full.json()["access_id"]

    # She herself sees her record masked, but neither the full values nor anybody else.
    herself = platform.token(Grant(Role.resident, "household", place.household_id), person=wang["id"])
    own = await registry.get(f"{API}/residents/{wang['id']}", headers=herself)
    assert own.status_code == 200
    assert own.json()["mobile_masked"] == "138****0004"
    refused = await registry.get(
        f"{API}/residents/{wang['id']}/personal-data", params={"purpose": "想看看"}, headers=herself
    )
    error = assert_error(refused, 403, "forbidden")
    assert "网格员" in error["message"]
    assert_error(await registry.get(f"{API}/residents", headers=herself), 403, "forbidden")
    assert_error(await registry.get(f"{API}/residents/{worker_id}", headers=herself), 403, "forbidden")
    assert await count(platform, PersonalDataAccess) == 1  # refusals are not reads


async def test_only_the_staff_of_her_area_read_her_in_full(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    wang = await resident(platform, "王秀英", household_id=place.household_id, **WANG)
    registry = platform.clients["registry"]
    other_community = await platform.community(street="双塔街道", name="双塔社区")
    other_grid = (await platform.post("/grids", {"community_id": other_community, "name": "第二网格"}))["id"]
    outsiders = [
        platform.token(Grant(Role.grid_worker, "grid", other_grid), person=50),
        platform.token(Grant(Role.community_admin, "community", other_community), person=51),
        platform.token(Grant(Role.owners_committee, "compound", place.compound_id), person=52),
    ]
    insiders = [
        platform.token(Grant(Role.community_admin, "community", place.community_id), person=60),
        platform.token(Grant(Role.street_admin, "street", place.street_id), person=61),
        platform.token(Grant(Role.ops), person=62),
    ]
    url = f"{API}/residents/{wang['id']}/personal-data"
    for outsider in outsiders:
        assert_error(await registry.get(url, params={"purpose": "核对"}, headers=outsider), 403, "forbidden")
        assert_error(await registry.get(f"{API}/residents/{wang['id']}", headers=outsider), 403, "forbidden")
    for insider in insiders:
        answer = await registry.get(url, params={"purpose": "核对房屋产权"}, headers=insider)
        assert answer.json()["mobile"] == WANG_MOBILE
    async with registry_session(platform) as session:
        readers = (await session.scalars(select(PersonalDataAccess.reader_person_id))).all()
    assert set(readers) == {60, 61, 62}
    assert len(readers) == 3
    no_purpose = await registry.get(url, headers=insiders[0])
    assert_error(no_purpose, 422, "validation_error")
    blank = await registry.get(url, params={"purpose": "   "}, headers=insiders[0])
    assert assert_error(blank, 422, "validation_error")["details"] == [{"field": "purpose", "value": "   "}]
    assert await count(platform, PersonalDataAccess) == 3


async def test_she_is_found_by_exact_id_card_or_mobile(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    wang = await resident(platform, "王秀英", household_id=place.household_id, **WANG)
    neighbour = await resident(
        platform, "张建国", household_id=place.household_id, id_card=id_card("14010719620315001"), mobile="13900000009"
    )
    registry = platform.clients["registry"]

    async def search(**params: str) -> list[int]:
        answer = await registry.get(f"{API}/residents", params=params, headers=platform.street_admin)
        assert answer.status_code == 200, answer.text
        return [r["id"] for r in answer.json()]

    assert await search(id_card=WANG_ID_CARD) == [wang["id"]]
    assert await search(id_card=WANG_ID_CARD.lower()) == [wang["id"]]
    assert await search(mobile="138 0000 0004") == [wang["id"]]
    assert await search(mobile="13900000009", compound_id=str(place.compound_id)) == [neighbour["id"]]
    assert await search(mobile="13700000000") == []
    assert await search(household_id=str(place.household_id)) == [wang["id"], neighbour["id"]]
    bad = await registry.get(
        f"{API}/residents", params={"id_card": "110105194912310021"}, headers=platform.street_admin
    )
    assert assert_error(bad, 422, "validation_error")["details"] == [
        {"field": "id_card", "value": "110105194912310021"}
    ]

    # A grid worker lists the compounds of their grid, and only those.
    _, worker = await grid_worker(platform, place)
    elsewhere = await platform.community(street="双塔街道", name="双塔社区")
    far = await resident(platform, "赵四", compound_id=None, headers=None)
    mine = await registry.get(f"{API}/residents", headers=worker)
    assert {r["name"] for r in mine.json()} == {"王秀英", "张建国", "李红梅"}  # and the worker herself
    assert far["id"] not in [r["id"] for r in mine.json()]
    other_compound = (
        await platform.post(
            "/compounds",
            {"name": "双塔小区", "community_id": elsewhere, "kind": "commercial", "management_model": "professional"},
        )
    )["id"]
    assert_error(
        await registry.get(f"{API}/residents", params={"compound_id": other_compound}, headers=worker), 403, "forbidden"
    )


async def test_the_same_id_card_twice_is_a_conflict_that_writes_nothing(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    await resident(platform, "王秀英", household_id=place.household_id, **WANG)
    before = (await count(platform, Person), len(await events(platform, "resident")))
    again = await platform.clients["registry"].post(
        f"{API}/residents",
        json={"name": "王秀英", "household_id": place.household_id, "id_card": WANG_ID_CARD},
        headers=platform.street_admin,
    )
    error = assert_error(again, 409, "duplicate")
    assert error["details"] == {"field": "id_card", "value": "1101**********002X"}
    assert "身份证号" in error["message"]
    assert WANG_ID_CARD not in again.text
    assert (await count(platform, Person), len(await events(platform, "resident"))) == before


@pytest.mark.parametrize(
    ("fields", "field", "value", "zh"),
    [
        ({"id_card": "110105194912310021"}, "id_card", "110105194912310021", "校验位"),
        ({"id_card": "11010519491231"}, "id_card", "11010519491231", "18 位"),
        ({"id_card": id_card("11010519490230002")}, "id_card", id_card("11010519490230002"), "不是有效日期"),
        ({"id_card": WANG_ID_CARD, "birth_date": "1950-01-01"}, "birth_date", "1950-01-01", "不一致"),
        ({"mobile": "1380000000"}, "mobile", "1380000000", "手机号"),
        ({"moved_in": "2001-05-01", "moved_out": "2000-01-01"}, "moved_out", "2000-01-01", "早于"),
    ],
)
async def test_a_clerks_mistake_names_the_field_and_the_value(
    platform: Platform, fields: dict[str, str], field: str, value: str, zh: str
) -> None:
    place = await xinghualing_dwelling(platform)
    answer = await platform.clients["registry"].post(
        f"{API}/residents",
        json={"name": "王秀英", "household_id": place.household_id} | fields,
        headers=platform.street_admin,
    )
    error = assert_error(answer, 422, "validation_error")
    assert error["details"] == [{"field": field, "value": value}]
    assert zh in error["message"]
    assert field in error["message"]
    assert await count(platform, Person) == 0
    assert await events(platform, "resident") == []


async def test_unknown_household_and_a_compound_that_contradicts_it(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    registry = platform.clients["registry"]
    missing = await registry.post(
        f"{API}/residents", json={"name": "王秀英", "household_id": 999}, headers=platform.street_admin
    )
    assert assert_error(missing, 422, "validation_error")["details"] == [{"field": "household_id", "value": 999}]
    other = (
        await platform.post(
            "/compounds",
            {
                "name": "滨河花园",
                "community_id": place.community_id,
                "kind": "commercial",
                "management_model": "professional",
            },
        )
    )["id"]
    wrong = await registry.post(
        f"{API}/residents",
        json={"name": "王秀英", "household_id": place.household_id, "compound_id": other},
        headers=platform.street_admin,
    )
    assert assert_error(wrong, 422, "validation_error")["details"] == [{"field": "compound_id", "value": other}]
    stranger = platform.token(Grant(Role.resident, "household", place.household_id), person=77)
    refused = await registry.post(
        f"{API}/residents", json={"name": "王秀英", "household_id": place.household_id}, headers=stranger
    )
    assert_error(refused, 403, "forbidden")
    assert await count(platform, Person) == 0


async def test_her_record_changes_with_its_version(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    _, worker = await grid_worker(platform, place)
    wang = await resident(platform, "王秀英", worker, household_id=place.household_id, **WANG)
    registry = platform.clients["registry"]
    url = f"{API}/residents/{wang['id']}"

    changed = await registry.patch(
        url, json={"version": 1, "mobile": "13800000044", "relation": "母亲"}, headers=worker
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["mobile_masked"], changed.json()["relation"], changed.json()["version"]) == (
        "138****0044",
        "母亲",
        2,
    )
    assert changed.json()["id_card_masked"] == "1101**********002X"
    stale = await registry.patch(url, json={"version": 1, "relation": "户主"}, headers=worker)
    assert assert_error(stale, 409, "stale_version")["details"] == {"current_version": 2, "your_version": 1}
    mismatch = await registry.patch(url, json={"version": 2, "birth_date": "1949-12-30"}, headers=worker)
    assert assert_error(mismatch, 422, "validation_error")["details"][0]["field"] == "birth_date"
    no_name = await registry.patch(url, json={"version": 2, "name": None}, headers=worker)
    assert assert_error(no_name, 422, "validation_error")["details"] == [{"field": "name", "value": None}]
    cleared = await registry.patch(url, json={"version": 2, "mobile": None}, headers=worker)
    assert cleared.json()["mobile_masked"] is None
    found = await registry.get(f"{API}/residents", params={"mobile": "13800000044"}, headers=worker)
    assert found.json() == []

    # Moving her to a compound of another grid needs someone who serves both.
    other = await platform.community(street="双塔街道", name="双塔社区")
    other_grid = (await platform.post("/grids", {"community_id": other, "name": "双塔一网格"}))["id"]
    compound = (
        await platform.post(
            "/compounds",
            {
                "name": "双塔小区",
                "community_id": other,
                "kind": "commercial",
                "management_model": "professional",
                "grid_id": other_grid,
            },
        )
    )["id"]
    other_street = (await registry.get(f"{API}/communities/{other}", headers=platform.street_admin)).json()
    there = await dwelling_in(
        platform,
        street_id=other_street["street_id"],
        community_id=other,
        grid_id=other_grid,
        compound_id=compound,
        building="8",
    )
    move = {"version": 3, "household_id": there.household_id}
    assert_error(await registry.patch(url, json=move, headers=worker), 403, "forbidden")
    moved = await registry.patch(url, json=move, headers=platform.street_admin)
    assert (moved.json()["household_id"], moved.json()["compound_id"]) == (there.household_id, compound)
    updates = [e for e in await events(platform, "resident") if e["type"].endswith("updated.v1")]
    assert [e["data"]["compound_id"] for e in updates] == [place.compound_id, place.compound_id, compound]


async def test_removing_her_anonymises_but_her_ownership_stays(platform: Platform) -> None:
    # 18:30 UTC on the 25th is already the 26th in the compound's time zone (Asia/Shanghai):
    # "today" on every record below is that day, whatever the calendar says when this runs.
    platform.set_clock(datetime(2026, 11, 25, 18, 30, tzinfo=UTC))
    place = await xinghualing_dwelling(platform)
    _, worker = await grid_worker(platform, place)
    wang = await resident(platform, "王秀英", worker, household_id=place.household_id, **WANG)
    ownership = await platform.post("/ownerships", {"dwelling_id": place.dwelling_id, "person_id": wang["id"]})
    registry = platform.clients["registry"]
    url = f"{API}/residents/{wang['id']}"

    stale = await registry.delete(url, params={"version": 7}, headers=worker)
    assert_error(stale, 409, "stale_version")
    removed = await registry.delete(url, params={"version": 1}, headers=worker)
    assert removed.status_code == 204, removed.text

    gone = (await registry.get(url, headers=worker)).json()
    assert gone["id"] == wang["id"]
    assert (gone["name"], gone["anonymised"]) == ("已注销居民", True)
    assert (gone["id_card_masked"], gone["mobile_masked"], gone["birth_date"]) == (None, None, None)
    assert gone["moved_out"] == "2026-11-26"
    assert gone["household_id"] == place.household_id  # history stays whole
    async with registry_session(platform) as session:
        row = await session.get(Person, wang["id"])
        assert row is not None
        assert (row.id_card_enc, row.id_card_hash, row.mobile_enc, row.mobile_hash) == (None, None, None, None)
    owners = await registry.get(f"{API}/ownerships", params={"person_id": wang["id"]}, headers=worker)
    assert [o["id"] for o in owners.json()] == [ownership["id"]]

    last = (await events(platform, "resident"))[-1]
    assert last["type"] == "linli.registry.resident.removed.v1"
    assert last["data"]["name"] == ""
    assert last["data"]["person_id"] == wang["id"]
    assert "王秀英" not in last["raw"]
    assert not any("王秀英" in e["raw"] for e in await events(platform, "resident"))
    [erased] = await events(platform, "person")
    assert erased["type"] == "linli.registry.person.erased.v1"
    assert erased["data"] == {"person_id": wang["id"], "compound_id": place.compound_id}

    again = await registry.delete(url, params={"version": gone["version"]}, headers=worker)
    assert_error(again, 409, "anonymised")
    assert_error(
        await registry.patch(url, json={"version": gone["version"], "name": "王秀英"}, headers=worker),
        409,
        "anonymised",
    )
    # Her ID card is free again: a person registered anew is a new record.
    back = await resident(platform, "王秀英", household_id=place.household_id, id_card=WANG_ID_CARD)
    assert back["id"] != wang["id"]
    found = await registry.get(f"{API}/residents", params={"id_card": WANG_ID_CARD}, headers=worker)
    assert [r["id"] for r in found.json()] == [back["id"]]


async def test_grid_workers_serve_grids(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    second = (await platform.post("/grids", {"community_id": place.community_id, "name": "第二网格"}))["id"]
    person = await resident(platform, "李红梅")
    registry = platform.clients["registry"]

    created = await platform.post(
        "/grid-workers", {"person_id": person["id"], "kind": "part_time", "grid_ids": [second, place.grid_id, second]}
    )
    assert (created["name"], created["kind"], created["kind_label"]) == ("李红梅", "part_time", "兼职")
    assert created["grid_ids"] == sorted([place.grid_id, second])
    duplicate = await registry.post(
        f"{API}/grid-workers",
        json={"person_id": person["id"], "kind": "full_time", "grid_ids": [place.grid_id]},
        headers=platform.street_admin,
    )
    assert assert_error(duplicate, 409, "duplicate")["details"] == {"field": "person_id", "value": person["id"]}
    no_grid = await registry.post(
        f"{API}/grid-workers",
        json={"person_id": (await resident(platform, "孙立"))["id"], "kind": "full_time", "grid_ids": [999]},
        headers=platform.street_admin,
    )
    assert assert_error(no_grid, 422, "validation_error")["details"] == [{"field": "grid_ids", "value": 999}]
    other = await platform.community(street="双塔街道", name="双塔社区")
    foreign_admin = platform.token(Grant(Role.community_admin, "community", other), person=40)
    assert_error(
        await registry.post(
            f"{API}/grid-workers",
            json={"person_id": (await resident(platform, "周敏"))["id"], "kind": "full_time", "grid_ids": [second]},
            headers=foreign_admin,
        ),
        403,
        "forbidden",
    )

    url = f"{API}/grid-workers/{created['id']}"
    narrowed = await registry.patch(
        url, json={"version": 1, "kind": "full_time", "grid_ids": [place.grid_id]}, headers=platform.street_admin
    )
    assert narrowed.status_code == 200, narrowed.text
    assert (narrowed.json()["grid_ids"], narrowed.json()["kind_label"], narrowed.json()["version"]) == (
        [place.grid_id],
        "专职",
        2,
    )
    only_grids = await registry.patch(url, json={"version": 2, "grid_ids": [second]}, headers=platform.street_admin)
    assert (only_grids.json()["grid_ids"], only_grids.json()["version"]) == ([second], 3)
    in_second = await registry.get(f"{API}/grid-workers", params={"grid_id": second}, headers=platform.street_admin)
    assert [w["id"] for w in in_second.json()] == [created["id"]]
    in_first = await registry.get(
        f"{API}/grid-workers", params={"grid_id": place.grid_id}, headers=platform.street_admin
    )
    assert in_first.json() == []

    assert_error(await registry.delete(url, params={"version": 1}, headers=platform.street_admin), 409, "stale_version")
    assert (await registry.delete(url, params={"version": 3}, headers=platform.street_admin)).status_code == 204
    assert_error(await registry.get(url, headers=platform.street_admin), 404, "not_found")
    assert await count(platform, GridAssignment) == 0
    worker_events = await events(platform, "grid_worker")
    assert [e["type"].split(".")[3] for e in worker_events] == ["created", "updated", "updated", "removed"]
    assert worker_events[0]["data"] | {"grid_worker_id": 0} == {
        "grid_worker_id": 0,
        "person_id": person["id"],
        "name": "李红梅",
        "kind": "part_time",
        "grid_ids": sorted([place.grid_id, second]),
        "version": 1,
    }
    assert worker_events[-1]["data"]["grid_ids"] == [second]


async def test_one_head_per_building_entrance_or_courtyard(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    wang = await resident(platform, "王秀英", household_id=place.household_id, **WANG)
    zhang = await resident(platform, "张建国", household_id=place.household_id)
    registry = platform.clients["registry"]

    head = await platform.post("/heads", {"kind": "building", "place_id": place.building_id, "person_id": wang["id"]})
    assert (head["kind_label"], head["compound_id"], head["person_name"]) == ("楼栋长", place.compound_id, "王秀英")
    second = await registry.post(
        f"{API}/heads",
        json={"kind": "building", "place_id": place.building_id, "person_id": zhang["id"]},
        headers=platform.street_admin,
    )
    error = assert_error(second, 409, "duplicate")
    assert error["details"] == {"field": "place_id", "value": place.building_id}
    assert "楼栋长" in error["message"]
    entrance = await platform.post(
        "/heads", {"kind": "entrance", "place_id": place.entrance_id, "person_id": zhang["id"]}
    )
    assert entrance["kind_label"] == "单元长"
    missing = await registry.post(
        f"{API}/heads",
        json={"kind": "courtyard", "place_id": 999, "person_id": zhang["id"]},
        headers=platform.street_admin,
    )
    assert assert_error(missing, 422, "validation_error")["details"] == [{"field": "place_id", "value": 999}]

    buildings = await registry.get(
        f"{API}/heads", params={"compound_id": place.compound_id, "kind": "building"}, headers=platform.street_admin
    )
    assert [(h["id"], h["person_name"]) for h in buildings.json()] == [(head["id"], "王秀英")]
    handed_over = await registry.patch(
        f"{API}/heads/{head['id']}", json={"version": 1, "person_id": zhang["id"]}, headers=platform.street_admin
    )
    assert (handed_over.json()["person_name"], handed_over.json()["version"]) == ("张建国", 2)
    resident_token = platform.token(Grant(Role.resident, "household", place.household_id), person=zhang["id"])
    assert_error(
        await registry.delete(f"{API}/heads/{head['id']}", params={"version": 2}, headers=resident_token),
        403,
        "forbidden",
    )
    gone = await registry.delete(f"{API}/heads/{head['id']}", params={"version": 2}, headers=platform.street_admin)
    assert gone.status_code == 204
    head_events = await events(platform, "head")
    assert [e["type"].split(".")[3] for e in head_events] == ["created", "created", "updated", "removed"]
    assert head_events[0]["data"] | {"head_id": 0} == {
        "head_id": 0,
        "kind": "building",
        "person_id": wang["id"],
        "compound_id": place.compound_id,
        "building_id": place.building_id,
        "entrance_id": None,
        "courtyard_id": None,
        "version": 1,
    }
    assert head_events[1]["data"]["entrance_id"] == place.entrance_id


async def test_resident_units_join_the_community(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    contact = await resident(platform, "刘医生")
    registry = platform.clients["registry"]
    unit = await platform.post(
        "/resident-units",
        {"community_id": place.community_id, "name": " 杏花岭区中心医院 ", "contact_person_id": contact["id"]},
    )
    assert (unit["name"], unit["contact_person_id"], unit["version"]) == ("杏花岭区中心医院", contact["id"], 1)
    twice = await registry.post(
        f"{API}/resident-units",
        json={"community_id": place.community_id, "name": "杏花岭区中心医院"},
        headers=platform.street_admin,
    )
    assert assert_error(twice, 409, "duplicate")["details"] == {"field": "name", "value": "杏花岭区中心医院"}
    no_contact = await registry.post(
        f"{API}/resident-units",
        json={"community_id": place.community_id, "name": "三桥小学", "contact_person_id": 999},
        headers=platform.street_admin,
    )
    assert assert_error(no_contact, 422, "validation_error")["details"] == [
        {"field": "contact_person_id", "value": 999}
    ]
    listed = await registry.get(
        f"{API}/resident-units", params={"community_id": place.community_id}, headers=platform.street_admin
    )
    assert [u["name"] for u in listed.json()] == ["杏花岭区中心医院"]
    renamed = await registry.patch(
        f"{API}/resident-units/{unit['id']}",
        json={"version": 1, "name": "杏花岭区人民医院"},
        headers=platform.street_admin,
    )
    assert (renamed.json()["name"], renamed.json()["version"]) == ("杏花岭区人民医院", 2)
    unit_events = await events(platform, "resident_unit")
    assert [e["data"]["name"] for e in unit_events] == ["杏花岭区中心医院", "杏花岭区人民医院"]
    assert unit_events[0]["data"]["community_id"] == place.community_id
