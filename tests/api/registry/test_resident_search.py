"""A neighbour tells 张丽 "秀英 has not been seen for days": she finds 王秀英 among her grid's
residents by part of the name, masked (王*英, 138****0004, with her address), and reads the full
name and mobile only by stating why, a read that lands in the personal-data access log. 王秀英
cannot search, a grid worker of another grid cannot search this one, and a blank name, an unknown
grid and a LIKE wildcard change nothing and find nobody."""

from __future__ import annotations

from sqlalchemy import select

from services.registry.people.models import PersonalDataAccess
from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import demo_login, registry_session, seed_demo_street

API = "/api/v1/registry"


async def grid_of(platform: Platform, worker: dict[str, str]) -> int:
    me = (await platform.clients["registry"].get(f"{API}/me", headers=worker)).json()
    return next(int(r["scope"].split(":")[1]) for r in me["roles"] if r["role"] == "grid_worker")


async def test_zhang_li_finds_wang_xiuying_masked_and_reads_her_number_with_a_purpose(platform: Platform) -> None:
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    zhang = await demo_login(platform, "13800000002")
    grid_id = await grid_of(platform, zhang)

    answer = await registry.get(f"{API}/residents/search", params={"grid_id": grid_id, "name": "秀英"}, headers=zhang)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [(m["name_masked"], m["mobile_masked"], m["address"], m["compound_name"]) for m in found["items"]] == [
        ("王*英", "138****0004", "1号楼1单元301室", "杏花岭片区·老旧小区")
    ]
    assert "王秀英" not in answer.text
    assert "13800000004" not in answer.text
    assert found["next_cursor"] is None

    # Nothing logged yet: masked values are no full read.
    async with registry_session(platform) as session:
        assert (await session.scalars(select(PersonalDataAccess))).all() == []

    person_id = found["items"][0]["person_id"]
    full = await registry.get(
        f"{API}/residents/{person_id}/personal-data", params={"purpose": "邻居反映多日未见，电话联系"}, headers=zhang
    )
    assert full.status_code == 200, full.text
    assert (full.json()["name"], full.json()["mobile"]) == ("王秀英", "13800000004")
    async with registry_session(platform) as session:
        log = (await session.scalars(select(PersonalDataAccess))).all()
    assert [(r.person_id, r.purpose) for r in log] == [(person_id, "邻居反映多日未见，电话联系")]

    # Paged by id: one at a time gives the same people.
    everyone = (
        await registry.get(f"{API}/residents/search", params={"grid_id": grid_id, "name": "王"}, headers=zhang)
    ).json()["items"]
    first = (
        await registry.get(
            f"{API}/residents/search", params={"grid_id": grid_id, "name": "王", "limit": 1}, headers=zhang
        )
    ).json()
    if len(everyone) > 1:
        assert first["next_cursor"] is not None
    assert first["items"] == everyone[:1]


async def test_who_may_not_search_and_what_finds_nobody(platform: Platform) -> None:
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    zhang = await demo_login(platform, "13800000002")
    wang = await demo_login(platform, "13800000004")
    grid_id = await grid_of(platform, zhang)
    other = platform.token(Grant(Role.grid_worker, "grid", grid_id + 1000), person=2)

    for who in (wang, other):
        answer = await registry.get(f"{API}/residents/search", params={"grid_id": grid_id, "name": "王"}, headers=who)
        assert answer.status_code == 403, answer.text
        assert "查找本网格居民" in answer.json()["error"]["message"]
    answer = await registry.get(f"{API}/residents/search", params={"grid_id": 999_999, "name": "王"}, headers=zhang)
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "网格 999999 不存在"
    answer = await registry.get(f"{API}/residents/search", params={"grid_id": grid_id, "name": "   "}, headers=zhang)
    assert answer.status_code == 422
    assert "请输入要查找的姓名" in answer.json()["error"]["message"]
    for wildcard in ("%", "_"):
        answer = await registry.get(
            f"{API}/residents/search", params={"grid_id": grid_id, "name": wildcard}, headers=zhang
        )
        assert answer.status_code == 200
        assert answer.json()["items"] == []
    answer = await registry.get(f"{API}/residents/search", params={"name": "王"}, headers=zhang)
    assert answer.status_code == 422
