"""Dispute mediation (矛盾纠纷调解, seeds 001 and 004): 王秀英 and her upstairs neighbour 孙师傅
choose a community judge together, meet, sign an agreement that the grid worker checks on a
month later; and a year of the compound's three-party round table (三方圆桌会议) comes to
seed 001's own figures: 48 problems solved and 36 owner–property disputes settled. Only the
parties, the mediator and the grid's staff may read a case."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Cast, xinghualing_cast
from tests.api.registry.builders import resident
from tests.helpers import has_chinese, ok

CASES = f"{API}/mediation/cases"
# 10:00 on 1 December 2026 in Xinghualing.
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
DAY = {"date_from": "2026-12-01", "date_to": "2026-12-01"}


def leak_case(cast: Cast) -> dict[str, Any]:
    return {
        "compound_id": cast.home.compound_id,
        "kind": "dispute",
        "category": "neighbours",
        "title": "楼上卫生间渗水，天花板发霉",
        "summary": "3-1-301 王秀英家卫生间天花板长期渗水，认为是楼上孙师傅家防水层老化所致，协商维修费用未果。",
        "parties": [
            {"side": "applicant", "name": "王秀英", "person_id": cast.wang, "household_id": cast.home.household_id},
            {"side": "respondent", "name": "孙师傅", "person_id": cast.sun["person_id"]},
        ],
    }


async def test_neighbours_choose_a_community_judge_settle_and_are_visited(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    platform.set_clock(MORNING)
    wang, grid = cast.resident(platform), cast.grid_worker(platform)
    sun = platform.token(Grant(Role.party_member, "compound", cast.home.compound_id), person=cast.sun["person_id"])
    judge_id = (await resident(platform, "周法官"))["id"]
    judge = platform.token(person=judge_id)

    # 王秀英 files the case herself from her phone.
    case = ok(await dispatch.post(CASES, json=leak_case(cast), headers=wang), 201)
    assert (case["state_label"], case["kind_label"], case["category_label"]) == (
        "已受理，待选定调解人",
        "矛盾纠纷",
        "邻里纠纷",
    )
    me, neighbour = case["parties"]
    assert (me["side_label"], neighbour["name"]) == ("申请人", "孙师傅")

    # Each party chooses; the case has its mediator only when both chose the same one.
    choice = {"mediator_kind": "community_judge", "mediator_name": "周法官", "mediator_person_id": judge_id}
    case = ok(
        await dispatch.post(
            f"{CASES}/{case['id']}/choices", json={**choice, "party_id": me["id"], "version": 1}, headers=wang
        )
    )
    assert case["state"] == "filed"
    assert case["mediator_name"] is None
    # 孙师傅 cannot choose for 王秀英.
    refused = await dispatch.post(
        f"{CASES}/{case['id']}/choices", json={**choice, "party_id": me["id"], "version": case["version"]}, headers=sun
    )
    assert refused.status_code == 403
    assert has_chinese(refused.json()["error"]["message"])
    case = ok(
        await dispatch.post(
            f"{CASES}/{case['id']}/choices",
            json={**choice, "party_id": neighbour["id"], "version": case["version"]},
            headers=sun,
        )
    )
    assert (case["state_label"], case["mediator_kind_label"], case["mediator_name"]) == (
        "已选定调解人",
        "社区法官",
        "周法官",
    )

    # Who may read it: the parties, the mediator, the grid's staff; a neighbour learns nothing,
    # the grid worker of another grid is told it is not hers.
    for headers in (wang, sun, judge, grid):
        assert ok(await dispatch.get(f"{CASES}/{case['id']}", headers=headers))["title"] == "楼上卫生间渗水，天花板发霉"
    qian = cast.member(platform, cast.qian)
    assert (await dispatch.get(f"{CASES}/{case['id']}", headers=qian)).status_code == 404
    elsewhere = platform.token(Grant(Role.grid_worker, "grid", cast.home.grid_id + 100), person=9_999)
    assert (await dispatch.get(f"{CASES}/{case['id']}", headers=elsewhere)).status_code == 403
    assert ok(await dispatch.get(CASES, headers=qian))["items"] == []
    assert [c["title"] for c in ok(await dispatch.get(CASES, headers=sun))["items"]] == ["楼上卫生间渗水，天花板发霉"]

    # The judge meets them at the party service station that afternoon, and they agree.
    platform.set_clock(MORNING + timedelta(hours=5))
    held = (MORNING + timedelta(minutes=30)).isoformat()
    session = {
        "held_at": held,
        "location": "小区党群服务站",
        "attendees": "王秀英、孙师傅、周法官、张丽（网格员）",
        "notes": "查看渗水点，双方同意由孙师傅重做卫生间防水，王秀英家天花板修复费用双方各半。",
    }
    # A party cannot write the minutes.
    assert (
        await dispatch.post(
            f"{CASES}/{case['id']}/sessions", json={**session, "version": case["version"]}, headers=wang
        )
    ).status_code == 403
    case = ok(
        await dispatch.post(
            f"{CASES}/{case['id']}/sessions", json={**session, "version": case["version"]}, headers=judge
        )
    )
    assert case["state_label"] == "调解中"
    assert case["sessions"][0]["location"] == "小区党群服务站"
    # A visit before an agreement is out of turn; an old version is stale.
    early = await dispatch.post(
        f"{CASES}/{case['id']}/follow-up", json={"kept": True, "note": "—", "version": case["version"]}, headers=grid
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "illegal_transition"
    stale = await dispatch.post(
        f"{CASES}/{case['id']}/settlement", json={"agreed": True, "text": "x", "version": 1}, headers=judge
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    terms = "孙师傅于12月10日前重做卫生间防水；天花板修复费用1200元双方各付600元。"
    case = ok(
        await dispatch.post(
            f"{CASES}/{case['id']}/settlement",
            json={"agreed": True, "text": terms, "version": case["version"]},
            headers=judge,
        )
    )
    assert (case["state_label"], case["agreement"]) == ("已达成协议，待回访", terms)

    # A month later 张丽 visits: the agreement is kept, the case is closed.
    platform.set_clock(MORNING + timedelta(days=30))
    case = ok(
        await dispatch.post(
            f"{CASES}/{case['id']}/follow-up",
            json={"kept": True, "note": "防水已重做，天花板已修复，双方满意。", "version": case["version"]},
            headers=grid,
        )
    )
    assert (case["state_label"], case["follow_up_kept"], case["allowed_steps"]) == ("已回访结案", True, [])


async def round_table(platform: Platform, cast: Cast, grid: dict[str, str], kind: str, n: int) -> None:
    """A matter between owners and the property company settled at the round table; the grid
    worker records what the parties chose and agreed."""
    dispatch = platform.clients["dispatch"]
    body = {
        "compound_id": cast.home.compound_id,
        "kind": kind,
        "category": "owner_property",
        "title": f"圆桌会议议题 {n}",
        "summary": "业主代表与物业公司就小区公共事务协商。",
        "parties": [
            {"side": "applicant", "name": "业主代表"},
            {"side": "respondent", "name": "物业公司", "organisation": "杏花岭物业服务有限公司"},
        ],
    }
    case = ok(await dispatch.post(CASES, json=body, headers=grid), 201)
    for party in case["parties"]:
        choice = {"mediator_kind": "round_table", "mediator_name": "小区三方圆桌会议", "party_id": party["id"]}
        case = ok(
            await dispatch.post(
                f"{CASES}/{case['id']}/choices", json={**choice, "version": case["version"]}, headers=grid
            )
        )
    sitting = {
        "held_at": MORNING.isoformat(),
        "location": "小区议事厅",
        "attendees": "党支部、业委会、物业",
        "notes": "协商",
    }
    case = ok(
        await dispatch.post(
            f"{CASES}/{case['id']}/sessions", json={**sitting, "version": case["version"]}, headers=grid
        )
    )
    ok(
        await dispatch.post(
            f"{CASES}/{case['id']}/settlement",
            json={"agreed": True, "text": "三方达成一致", "version": case["version"]},
            headers=grid,
        )
    )


async def test_a_year_of_round_tables_counts_48_problems_and_36_disputes(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    platform.set_clock(MORNING + timedelta(minutes=1))
    grid = cast.grid_worker(platform)
    for n in range(48):
        await round_table(platform, cast, grid, "problem", n)
    for n in range(36):
        await round_table(platform, cast, grid, "dispute", n)
    # And one case filed that is still waiting for its mediator.
    ok(await dispatch.post(CASES, json=leak_case(cast), headers=cast.resident(platform)), 201)

    place: dict[str, Any] = {"level": "compound", "place_id": cast.home.compound_id, **DAY}
    stats = ok(await dispatch.get(f"{API}/stats", params=place, headers=grid))
    m = stats["mediation"]
    assert (m["round_table_problems"], m["round_table_disputes"]) == (48, 36)
    assert (m["filed"], m["resolved"], m["open"], m["failed"]) == (85, 84, 1, 0)
    assert [(c["label"], c["cases"]) for c in m["by_mediator"]] == [("小区三方圆桌会议", 84)]
    assert ok(await dispatch.get(f"{API}/mediation/figures", params=place, headers=grid)) == m
    # The resident sees her own case only, not the street's figures.
    assert (
        await dispatch.get(f"{API}/mediation/figures", params=place, headers=cast.resident(platform))
    ).status_code == 403

    sheet = await dispatch.get(f"{API}/stats.xlsx", params=place, headers=grid)
    book = load_workbook(io.BytesIO(sheet.content))
    rows = dict(book["矛盾纠纷调解"].iter_rows(min_row=2, values_only=True))
    assert (rows["三方圆桌会议解决问题"], rows["三方圆桌会议化解纠纷"]) == (48, 36)

    ledger = await dispatch.get(f"{CASES}.xlsx", params=place, headers=grid)
    assert ledger.status_code == 200
    book = load_workbook(io.BytesIO(ledger.content))
    lines = list(book["调解台账"].iter_rows(values_only=True))
    assert lines[0][:6] == ("编号", "受理日期", "小区", "类型", "纠纷类别", "事由")
    assert len(lines) == 1 + 85
    first = dict(zip(lines[0], lines[1], strict=True))
    assert (first["受理日期"], first["被申请人"], first["调解人"], first["状态"]) == (
        "2026-12-01",
        "杏花岭物业服务有限公司",
        "小区三方圆桌会议",
        "已达成协议，待回访",
    )
