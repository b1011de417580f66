"""时限设置 by place: the catalogue's clocks are the street's unless the street, a community or a
grid says otherwise, and the nearest place wins. 张丽 tightens her grid's triage for urgent
leaks to half an hour and the next leak in her grid runs against it; the community's admin sets
the community's figures; nobody sets a place they do not staff, and bad figures change nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Cast, order_leak, xinghualing_cast
from tests.helpers import ok, refused


def cell(row: dict[str, Any], urgency: str, stage: str) -> tuple[int, str]:
    found = next(c for c in row["cells"] if c["urgency"] == urgency and c["stage"] == stage)
    return found["seconds"], found["source_label"]


def leak_row(sheet: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in sheet["categories"] if r["code"] == "water_leak")


def community_admin(platform: Platform, cast: Cast) -> dict[str, str]:
    return platform.token(Grant(Role.community_admin, "community", cast.home.community_id), person=900)


async def test_a_grid_sets_its_own_clock_and_the_next_order_runs_against_it(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)
    dispatch = platform.clients["dispatch"]
    zhang = cast.grid_worker(platform)
    grid: dict[str, Any] = {"level": "grid", "place_id": cast.home.grid_id}

    sheet = ok(await dispatch.get(f"{API}/sla", params=grid, headers=zhang))
    row = leak_row(sheet)
    assert (row["name"], row["version"], row["own"]) == ("水管漏水", 0, {})
    assert cell(row, "urgent", "triage") == (3600, "系统默认")
    labels = {(c["urgency_label"], c["stage_label"]) for c in row["cells"]}
    assert ("紧急", "分流") in labels
    assert ("特急（急难愁盼）", "办结") in labels

    changed = ok(
        await dispatch.put(
            f"{API}/sla/grid/{cast.home.grid_id}/water_leak",
            json={"sla": {"urgent": {"triage": 1800}}, "version": 0},
            headers=zhang,
        )
    )
    assert (changed["version"], changed["own"]) == (1, {"urgent": {"triage": 1800}})
    assert cell(changed, "urgent", "triage") == (1800, "网格")
    assert cell(changed, "urgent", "accept") == (1800, "系统默认")

    # The next urgent leak in the grid has half an hour to be triaged.
    order = await order_leak(platform, cast)
    detail = ok(await dispatch.get(f"{API}/orders/{order['id']}", headers=zhang))
    triage = next(d for d in detail["deadlines"] if d["stage"] == "triage")
    waited = datetime.fromisoformat(triage["due_at"]) - datetime.fromisoformat(detail["submitted_at"])
    assert waited.total_seconds() == 1800

    # The community's admin sets the community's figures; the grid's own still win in the grid.
    admin = community_admin(platform, cast)
    community: dict[str, Any] = {"level": "community", "place_id": cast.home.community_id}
    ok(
        await dispatch.put(
            f"{API}/sla/community/{cast.home.community_id}/water_leak",
            json={"sla": {"urgent": {"triage": 2700, "accept": 900}}, "version": 0},
            headers=admin,
        )
    )
    at_community = leak_row(ok(await dispatch.get(f"{API}/sla", params=community, headers=admin)))
    assert cell(at_community, "urgent", "triage") == (2700, "社区")
    at_grid = leak_row(ok(await dispatch.get(f"{API}/sla", params=grid, headers=admin)))
    assert cell(at_grid, "urgent", "triage") == (1800, "网格")
    assert cell(at_grid, "urgent", "accept") == (900, "社区")


async def test_only_staff_of_the_place_set_its_clocks_and_bad_figures_change_nothing(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)
    dispatch = platform.clients["dispatch"]
    zhang = cast.grid_worker(platform)
    path = f"{API}/sla/grid/{cast.home.grid_id}/water_leak"

    # A grid worker is not staff of the community his grid lies in; a resident staffs nothing.
    refused(
        await dispatch.put(
            f"{API}/sla/community/{cast.home.community_id}/water_leak",
            json={"sla": {"urgent": {"triage": 60}}, "version": 0},
            headers=zhang,
        ),
        403,
    )
    refused(await dispatch.put(path, json={"sla": {}, "version": 0}, headers=cast.resident(platform)), 403)
    other = platform.token(Grant(Role.community_admin, "community", cast.home.community_id + 100), person=901)
    refused(
        await dispatch.get(f"{API}/sla", params={"level": "grid", "place_id": cast.home.grid_id}, headers=other), 403
    )
    refused(await dispatch.get(f"{API}/sla", params={"level": "grid", "place_id": 9999}, headers=zhang), 404)

    # Unknown stages, clocks of no time, an unknown category, a stale version: 4xx, nothing set.
    refused(await dispatch.put(path, json={"sla": {"urgent": {"nap": 60}}, "version": 0}, headers=zhang), 422)
    refused(await dispatch.put(path, json={"sla": {"urgent": {"triage": 0}}, "version": 0}, headers=zhang), 422)
    refused(
        await dispatch.put(
            f"{API}/sla/grid/{cast.home.grid_id}/no_such", json={"sla": {}, "version": 0}, headers=zhang
        ),
        404,
    )
    ok(await dispatch.put(path, json={"sla": {"normal": {"resolve": 86400}}, "version": 0}, headers=zhang))
    refused(await dispatch.put(path, json={"sla": {"normal": {"resolve": 3600}}, "version": 0}, headers=zhang), 409)
    sheet = ok(await dispatch.get(f"{API}/sla", params={"level": "grid", "place_id": cast.home.grid_id}, headers=zhang))
    row = leak_row(sheet)
    assert (row["version"], row["own"]) == (1, {"normal": {"resolve": 86400}})
    assert cell(row, "normal", "resolve") == (86400, "网格")
