"""积分制 and the environmental red and black list (seeds 000, 001, 004): building 3's households
earn points by their compound's rules and lose them for lapses, spend them at the points shop
(积分兑换生活用品) whose stock never goes below zero, and the community prints and publishes the
month's lists. Every change is an entry with its reason; a mistake is undone only by a new one."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from services.dispatch.credit.models import ShopItem
from shared.clock import month_of
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Clock, events_of, runtime_of
from tests.api.dispatch.practice_builders import courtyard
from tests.helpers import ok, refused


async def test_a_month_of_household_points_the_shop_and_the_lists(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    yard = await courtyard(platform)
    runtime = runtime_of(platform.apps["dispatch"])
    clock = Clock(runtime)
    period = month_of(clock.now)
    grid, community = yard.grid_worker(platform), yard.community(platform)
    wang, neighbour = yard.resident(platform, "3-1-301", 4), yard.resident(platform, "3-1-302", 5)
    home = {door: h.household_id for door, h in yard.homes.items()}
    compound = yard.compound_id

    # The rules: seed 001's 最美家庭 were ten households, the default red list's size.
    rules = ok(await dispatch.get(f"{API}/credit/rules/{compound}", headers=wang))
    assert (rules["own"], rules["honor_roll_size"]) == (False, 10)
    assert {line["reason_label"]: line["points"] for line in rules["lines"]}["垃圾分类检查不合格"] == -2
    refused(await dispatch.put(f"{API}/credit/rules/{compound}", json={"version": 0}, headers=wang), 403)
    bad = {"points": {"sorting_failed": 3}, "version": 0}
    assert (
        "扣分项"
        in refused(await dispatch.put(f"{API}/credit/rules/{compound}", json=bad, headers=community), 422)["message"]
    )

    async def record(door: str, reason: str, note: str) -> dict[str, object]:
        body = {"household_id": home[door], "reason": reason, "note": note}
        return ok(await dispatch.post(f"{API}/credit/entries", json=body, headers=grid), 201)  # type: ignore[no-any-return]

    # 王秀英's household volunteers, sorts its garbage well and helps a neighbour: 5 + 2 + 5.
    await record("3-1-301", "volunteering", "楼道清扫志愿服务 2 小时")
    await record("3-1-301", "sorting_passed", "垃圾分类入户检查合格")
    await record("3-1-301", "help_given", "帮 3-1-401 的独居老人买药")
    # 3-1-302 fails the sorting check twice: two demerits.
    await record("3-1-302", "sorting_failed", "厨余垃圾混投")
    await record("3-1-302", "sorting_failed", "再次混投")
    # 3-1-401 keeps the convention; a breach is recorded against it by mistake and undone.
    await record("3-1-401", "convention_kept", "按公约规范停车")
    wrong = await record("3-1-401", "convention_breached", "楼道堆放杂物")
    assert (wrong["points"], wrong["household_label"]) == (-5, "3-1-401")
    residents_may_not = {"household_id": home["3-1-302"], "reason": "sorting_failed", "note": "x"}
    refused(await dispatch.post(f"{API}/credit/entries", json=residents_may_not, headers=wang), 403)
    shop_only = {"household_id": home["3-1-301"], "reason": "redeemed", "note": "x"}
    refused(await dispatch.post(f"{API}/credit/entries", json=shop_only, headers=grid), 422)
    undo = {"note": "核实为 3-1-402 堆放，误记"}
    reversal = ok(await dispatch.post(f"{API}/credit/entries/{wrong['id']}/reverse", json=undo, headers=grid), 201)
    assert (reversal["points"], reversal["reverses_entry_id"], reversal["period"]) == (5, wrong["id"], period)
    refused(
        await dispatch.post(f"{API}/credit/entries/{wrong['id']}/reverse", json=undo, headers=grid),
        409,
        "already_reversed",
    )
    refused(
        await dispatch.post(f"{API}/credit/entries/{reversal['id']}/reverse", json=undo, headers=grid),
        409,
        "already_reversed",
    )
    entries = ok(await dispatch.get(f"{API}/credit/entries", params={"household_id": home["3-1-401"]}, headers=grid))
    assert [(e["reason_label"], e["points"], e["reversed_by_entry_id"]) for e in entries["items"]] == [
        ("违反小区公约", 5, None),
        ("违反小区公约", -5, reversal["id"]),
        ("遵守小区公约", 3, None),
    ]

    # A household reads its own account; a neighbour's is as if it did not exist.
    mine = ok(await dispatch.get(f"{API}/credit/households/{home['3-1-301']}", headers=wang))
    assert (mine["household_label"], mine["balance"], mine["month_points"]) == ("3-1-301", 12, 12)
    refused(await dispatch.get(f"{API}/credit/households/{home['3-1-301']}", headers=neighbour), 404)
    refused(
        await dispatch.get(f"{API}/credit/entries", params={"household_id": home["3-1-301"]}, headers=neighbour), 404
    )

    # The shop: washing liquid for 10 points (one bottle left), soap for 2 (one bar).
    liquid = ok(
        await dispatch.post(
            f"{API}/credit/shop-items",
            json={"compound_id": compound, "name": "洗衣液", "points": 10, "stock": 1},
            headers=grid,
        ),
        201,
    )
    soap = ok(
        await dispatch.post(
            f"{API}/credit/shop-items",
            json={"compound_id": compound, "name": "肥皂", "points": 2, "stock": 1},
            headers=grid,
        ),
        201,
    )
    shelf = ok(await dispatch.get(f"{API}/credit/shop-items", params={"compound_id": compound}, headers=neighbour))
    assert [(i["name"], i["points"], i["stock"]) for i in shelf["items"]] == [("洗衣液", 10, 1), ("肥皂", 2, 1)]
    bought = ok(
        await dispatch.post(
            f"{API}/credit/shop-items/{liquid['id']}/redeem", json={"household_id": home["3-1-301"]}, headers=wang
        ),
        201,
    )
    assert (bought["balance"], bought["item"]["stock"], bought["entry"]["note"]) == (2, 0, "兑换「洗衣液」× 1")
    # 王秀英 may not spend the neighbour's points; 3-1-302 has none to spend; the bottle is gone.
    refused(
        await dispatch.post(
            f"{API}/credit/shop-items/{soap['id']}/redeem", json={"household_id": home["3-1-302"]}, headers=wang
        ),
        404,
    )
    poor = refused(
        await dispatch.post(
            f"{API}/credit/shop-items/{soap['id']}/redeem", json={"household_id": home["3-1-302"]}, headers=neighbour
        ),
        409,
        "insufficient_points",
    )
    assert poor["details"] == {"needed": 2, "balance": -4}
    ok(
        await dispatch.post(
            f"{API}/credit/shop-items/{soap['id']}/redeem", json={"household_id": home["3-1-401"]}, headers=grid
        ),
        201,
    )
    refused(
        await dispatch.post(
            f"{API}/credit/shop-items/{soap['id']}/redeem", json={"household_id": home["3-1-301"]}, headers=wang
        ),
        409,
        "out_of_stock",
    )
    # Whatever the code does, the database keeps the stock at zero or more.
    async with runtime.db.sessionmaker() as session:
        with pytest.raises(IntegrityError):
            await session.execute(update(ShopItem).where(ShopItem.id == soap["id"]).values(stock=-1))

    # The month's lists: what households spend is not conduct; a reversed breach counts for nothing.
    lists = ok(await dispatch.get(f"{API}/credit/lists", params={"compound_id": compound}, headers=neighbour))
    assert (lists["period"], lists["published"]) == (period, False)
    assert [(x["label"], x["points"], x["merits"]) for x in lists["honor_roll"]] == [
        ("3-1-301", 12, 3),
        ("3-1-401", 3, 1),
    ]
    assert [(x["label"], x["points"], x["demerits"]) for x in lists["warning_list"]] == [("3-1-302", -4, 2)]

    printable = await dispatch.get(f"{API}/credit/lists.xlsx", params={"compound_id": compound}, headers=community)
    book = load_workbook(io.BytesIO(ok_bytes(printable)))
    assert book.sheetnames == ["红榜", "黑榜"]
    assert [list(row) for row in book["红榜"].iter_rows(min_row=2, values_only=True)] == [
        ["名次", "住户", "积分", "加分次数", "扣分次数"],
        [1, "3-1-301", 12, 3, 0],
        [2, "3-1-401", 3, 1, 0],
    ]
    ledger = await dispatch.get(f"{API}/credit/entries.xlsx", params={"compound_id": compound}, headers=grid)
    rows = list(load_workbook(io.BytesIO(ok_bytes(ledger)))["积分台账"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 10
    assert rows[-1][4] == "积分兑换"
    refused(await dispatch.get(f"{API}/credit/entries.xlsx", params={"compound_id": compound}, headers=wang), 403)

    refused(
        await dispatch.post(
            f"{API}/credit/lists/publish", json={"compound_id": compound, "period": period}, headers=wang
        ),
        403,
    )
    published = ok(
        await dispatch.post(
            f"{API}/credit/lists/publish", json={"compound_id": compound, "period": period}, headers=community
        )
    )
    assert published["published"] is True
    refused(
        await dispatch.post(
            f"{API}/credit/lists/publish", json={"compound_id": compound, "period": period}, headers=community
        ),
        409,
        "already_published",
    )
    [event] = [e for e in await events_of(platform) if e["type"].endswith("credit_lists.published.v1")]
    assert (event["period"], [x["label"] for x in event["warning_list"]]) == (period, ["3-1-302"])

    # A returned bottle: undoing the redemption gives back the points and the stock.
    back = ok(
        await dispatch.post(
            f"{API}/credit/entries/{bought['entry']['id']}/reverse", json={"note": "洗衣液退回"}, headers=grid
        ),
        201,
    )
    assert back["points"] == 10
    shelf = ok(await dispatch.get(f"{API}/credit/shop-items", params={"compound_id": compound}, headers=wang))
    assert [i["stock"] for i in shelf["items"]] == [1, 0]
    # The published list stays as it was published.
    again = ok(
        await dispatch.get(f"{API}/credit/lists", params={"compound_id": compound, "period": period}, headers=wang)
    )
    assert again["published"]
    assert [x["label"] for x in again["honor_roll"]] == ["3-1-301", "3-1-401"]


def ok_bytes(answer: object) -> bytes:
    import httpx

    assert isinstance(answer, httpx.Response)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    return answer.content
