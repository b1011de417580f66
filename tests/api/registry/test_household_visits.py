"""张丽, grid worker of 第一网格, knocks on 王秀英's door (1-1-301) and records the visit in her
ledger (走访台账): when, what she found, and that the kitchen pipe needs a follow-up. She reads
her grid's ledger, newest first, and the ones still needing a follow-up; the street admin reads
the compound's. 王秀英 cannot read the ledger, a grid worker of another grid cannot write in it,
and a visit in the future, a follow-up without what to do and a household that does not exist
are refused with a clear message, changing nothing."""

from __future__ import annotations

from datetime import timedelta

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import demo_login, seed_demo_street

API = "/api/v1/registry"


async def grid_of(platform: Platform, worker: dict[str, str]) -> int:
    """The grid a grid worker serves, as his token names it (grid_worker of grid:N)."""
    me = (await platform.clients["registry"].get(f"{API}/me", headers=worker)).json()
    return next(int(r["scope"].split(":")[1]) for r in me["roles"] if r["role"] == "grid_worker")


async def test_zhang_li_records_her_visit_to_wang_xiuying(platform: Platform) -> None:
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    wang = await demo_login(platform, "13800000004")
    zhang = await demo_login(platform, "13800000002")
    home = (await registry.get(f"{API}/me/home", headers=wang)).json()
    household_id, compound_id = home["dwelling"]["household_id"], home["dwelling"]["compound_id"]
    grid_id = await grid_of(platform, zhang)

    first = await registry.post(
        f"{API}/household-visits",
        json={"household_id": household_id, "found": "独居老人，身体尚好"},
        headers=zhang,
    )
    assert first.status_code == 201, first.text
    second = await registry.post(
        f"{API}/household-visits",
        json={
            "household_id": household_id,
            "found": "  厨房水管接头老化，有渗水  ",
            "follow_up_needed": True,
            "follow_up": "联系党员更换接头",
        },
        headers=zhang,
    )
    assert second.status_code == 201, second.text
    visit = second.json()
    assert (visit["address"], visit["compound_name"], visit["visitor_name"]) == (
        "1号楼1单元301室",
        "杏花岭片区·老旧小区",
        "张丽",
    )
    assert visit["found"] == "厨房水管接头老化，有渗水"
    assert (visit["follow_up_needed"], visit["follow_up"]) == (True, "联系党员更换接头")
    assert visit["grid_id"] == grid_id

    ledger = (await registry.get(f"{API}/household-visits", params={"grid_id": grid_id}, headers=zhang)).json()
    assert [v["found"] for v in ledger["items"]] == ["厨房水管接头老化，有渗水", "独居老人，身体尚好"]
    assert ledger["next_cursor"] is None
    page = (
        await registry.get(f"{API}/household-visits", params={"grid_id": grid_id, "limit": 1}, headers=zhang)
    ).json()
    rest = (
        await registry.get(
            f"{API}/household-visits", params={"grid_id": grid_id, "cursor": page["next_cursor"]}, headers=zhang
        )
    ).json()
    assert [v["id"] for v in page["items"] + rest["items"]] == [v["id"] for v in ledger["items"]]
    due = (
        await registry.get(
            f"{API}/household-visits", params={"grid_id": grid_id, "follow_up_needed": True}, headers=zhang
        )
    ).json()
    assert [v["follow_up"] for v in due["items"]] == ["联系党员更换接头"]

    # The street admin reads the compound's ledger and the household's.
    for params in ({"compound_id": compound_id}, {"household_id": household_id}):
        answer = await registry.get(f"{API}/household-visits", params=params, headers=platform.street_admin)
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["items"]) == 2


async def test_who_may_not_and_what_is_refused(platform: Platform) -> None:
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    wang = await demo_login(platform, "13800000004")
    zhang = await demo_login(platform, "13800000002")
    home = (await registry.get(f"{API}/me/home", headers=wang)).json()
    household_id, grid_id = home["dwelling"]["household_id"], await grid_of(platform, zhang)
    other_grid_worker = platform.token(Grant(Role.grid_worker, "grid", grid_id + 1000), person=2)
    good = {"household_id": household_id, "found": "一切正常"}

    # 王秀英 may not read the ledger, not even her own household's.
    answer = await registry.get(f"{API}/household-visits", params={"household_id": household_id}, headers=wang)
    assert answer.status_code == 403
    assert "走访台账" in answer.json()["error"]["message"]
    # Another grid's worker neither writes nor reads it; the street admin reads but does not write.
    for who in (other_grid_worker, platform.street_admin, wang):
        answer = await registry.post(f"{API}/household-visits", json=good, headers=who)
        assert answer.status_code == 403, answer.text
        assert "只有该住户所在网格的网格员" in answer.json()["error"]["message"]
    answer = await registry.get(f"{API}/household-visits", params={"grid_id": grid_id}, headers=other_grid_worker)
    assert answer.status_code == 403

    refusals = [
        ({**good, "visited_at": "2999-01-01T00:00:00+00:00"}, 422, "走访时间不能晚于现在"),
        ({**good, "visited_at": "2026-12-01T10:00:00"}, 422, None),  # no zone: nobody knows which
        ({**good, "follow_up_needed": True}, 422, "请写明跟进事项"),
        ({**good, "found": "   "}, 422, None),
        ({**good, "household_id": 999_999}, 404, "住户 999999 不存在"),
    ]
    for body, status, message in refusals:
        answer = await registry.post(f"{API}/household-visits", json=body, headers=zhang)
        assert answer.status_code == status, (body, answer.text)
        if message:
            assert message in answer.json()["error"]["message"]
    for params in ({}, {"grid_id": grid_id, "household_id": household_id}):
        answer = await registry.get(f"{API}/household-visits", params=params, headers=zhang)
        assert answer.status_code == 422
        assert "请指定一个范围" in answer.json()["error"]["message"]
    ledger = (await registry.get(f"{API}/household-visits", params={"grid_id": grid_id}, headers=zhang)).json()
    assert ledger["items"] == []


async def test_a_visit_recorded_for_earlier_today(platform: Platform) -> None:
    """A visit written up after the fact keeps the time it happened."""
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    wang = await demo_login(platform, "13800000004")
    zhang = await demo_login(platform, "13800000002")
    household_id = (await registry.get(f"{API}/me/home", headers=wang)).json()["dwelling"]["household_id"]
    earlier = (platform.apps["registry"].state.runtime.clock() - timedelta(hours=3)).isoformat()
    answer = await registry.post(
        f"{API}/household-visits",
        json={"household_id": household_id, "found": "上午走访，家中无人", "visited_at": earlier},
        headers=zhang,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["visited_at"][:16] == earlier[:16]
