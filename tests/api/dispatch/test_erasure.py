"""A resident who is removed from the registry is forgotten by dispatch too: 李师傅 moves away
and asks to be erased (PIPL); the grid worker's candidate list no longer shows his name, and
neither does dispatch's copy of a grid worker who is erased."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from services.dispatch.projections.models import GridWorkerView, MemberView
from shared.events.outbox import outbox
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, xinghualing_cast
from tests.helpers import ok

REGISTRY = "/api/v1/registry"


async def erase(platform: Platform, person_id: int) -> None:
    registry = platform.clients["registry"]
    person = ok(await registry.get(f"{REGISTRY}/residents/{person_id}", headers=platform.street_admin))
    url = f"{REGISTRY}/residents/{person_id}"
    removed = await registry.delete(url, params={"version": person["version"]}, headers=platform.street_admin)
    assert removed.status_code == 204, removed.text


async def names_in_dispatch(platform: Platform) -> dict[tuple[str, int], str]:
    """The names dispatch's projections keep, by (kind, person id)."""
    async with platform.apps["dispatch"].state.runtime.db.sessionmaker() as session:
        members = (await session.execute(select(MemberView.person_id, MemberView.name))).all()
        workers = (await session.execute(select(GridWorkerView.person_id, GridWorkerView.name))).all()
    return {("member", p): n for p, n in members} | {("worker", p): n for p, n in workers}


async def registry_events(platform: Platform) -> list[tuple[str, dict[str, Any]]]:
    async with platform.apps["registry"].state.runtime.db.sessionmaker() as session:
        rows = (await session.execute(select(outbox.c.type, outbox.c.value).order_by(outbox.c.id))).all()
    return [(t, json.loads(v)) for t, v in rows]


async def test_an_erased_resident_leaves_no_name_in_dispatch(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)
    dispatch = platform.clients["dispatch"]
    li = cast.li["person_id"]
    assert (await names_in_dispatch(platform))[("member", li)] == "李师傅"

    await erase(platform, li)

    async def forgotten() -> bool:
        return (await names_in_dispatch(platform))[("member", li)] == ""

    await platform.eventually(forgotten)
    # What the grid worker sees when she looks for a plumber: 李师傅's record, without a name.
    order = ok(
        await dispatch.post(
            f"{API}/orders",
            json={
                "category": "water_leak",
                "title": "卫生间水管漏水",
                "description": "卫生间地漏返水",
                "fields": {"location": "卫生间"},
            },
            headers=cast.resident(platform),
        ),
        201,
    )
    ranked = ok(await dispatch.get(f"{API}/orders/{order['id']}/candidates", headers=cast.grid_worker(platform)))
    assert {c["party_member_id"]: c["name"] for c in ranked}[cast.li["id"]] == ""
    assert "李师傅" not in json.dumps(ranked, ensure_ascii=False)
    # The others keep their names.
    assert {c["name"] for c in ranked} == {"赵师傅", "孙师傅", "钱老师", ""}

    # The registry's events say so without repeating the name: resident events carry none.
    events = await registry_events(platform)
    erased = [data for kind, data in events if kind == "linli.registry.person.erased.v1"]
    assert erased == [{"person_id": li, "compound_id": cast.home.compound_id}]
    residents = [data for kind, data in events if kind.startswith("linli.registry.resident.")]
    assert residents
    assert all(data["name"] == "" for data in residents)


async def test_an_erased_grid_worker_leaves_no_name_in_dispatch(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)

    async def projected() -> bool:
        return (await names_in_dispatch(platform)).get(("worker", cast.zhang)) == "张丽"

    await platform.eventually(projected)
    await erase(platform, cast.zhang)

    async def forgotten() -> bool:
        return (await names_in_dispatch(platform)).get(("worker", cast.zhang)) == ""

    await platform.eventually(forgotten)
    names = await names_in_dispatch(platform)
    assert "张丽" not in names.values()
    assert names[("member", cast.zhao["person_id"])] == "赵师傅"
