"""The order board shows every open order, not the first 500 (1440×900, the demo street).

Six hundred orders wait on 第一网格's compounds (written straight into dispatch's database by a
builder: the story is about the board, not about placing orders). 张丽, the grid's worker, logs in
at her desk and lands on the board: each column's count is the API's count of its orders (and
the list, paged to its end, agrees), the 待分流 column shows its longest waiting orders first a
page at a time, 加载更多 brings the next page, and an order 王秀英 places on her phone raises the
count live, without a reload. The board is checked with axe-core and saved to be looked at."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from services.dispatch.orders.domain import OrderState
from tests.browser.desk import SLOW, WANG, ZHANG, check_screen, desk_page, login
from tests.e2e.builders import open_orders
from tests.e2e.conftest import Embedded
from tests.helpers import ok, until

BOARD = ["submitted", "awaiting_dispatch", "offered", "accepted", "in_progress", "completed", "follow_up"]
API = "/api/v1/dispatch"


def api_counts(base: str, who: dict[str, str]) -> dict[str, int]:
    answer = ok(SLOW.get(f"{base}{API}/orders/counts", params={"state": BOARD}, headers=who))
    return {c["state"]: c["orders"] for c in answer["by_state"]}


def listed(base: str, who: dict[str, str]) -> dict[str, int]:
    """The open orders counted by paging the list to its end (the longest waiting first)."""
    seen: dict[str, int] = dict.fromkeys(BOARD, 0)
    cursor = None
    while True:
        params: dict[str, Any] = {"state": BOARD, "oldest_first": True, "limit": 1000}
        if cursor:
            params["cursor"] = cursor
        page = ok(SLOW.get(f"{base}{API}/orders", params=params, headers=who))
        for order in page["items"]:
            seen[order["state"]] += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_zhang_li_sees_every_open_order_of_her_grid_on_the_board(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    expect.set_options(timeout=30_000)
    zhang = login(base, ZHANG)
    me = ok(SLOW.get(f"{base}/api/v1/registry/me", headers=zhang))
    grid_id = next(int(r["scope"].split(":")[1]) for r in me["roles"] if r["role"] == "grid_worker")
    # The demo street's own order (recorded at the door) shows it has reached dispatch.
    until(lambda: sum(api_counts(base, zhang).values()) >= 1, "the demo street in dispatch")
    written = open_orders(
        platform_process,
        grid_id,
        [(OrderState.submitted, 540), (OrderState.awaiting_dispatch, 40), (OrderState.in_progress, 20)],
    )
    assert written == 600
    counts = api_counts(base, zhang)
    assert sum(counts.values()) > 600
    assert counts["submitted"] > 540
    assert listed(base, zhang) == counts

    context, page, errors = desk_page(browser, base, ZHANG)
    expect(page).to_have_url(re.compile(r"/console/board$"))
    expect(page.get_by_test_id("board-live")).to_have_text("实时连接")

    # Every column's count is the API's; the total beside the filters too.
    for state in BOARD:
        expect(page.get_by_test_id(f"count-{state}")).to_have_text(str(counts[state]))
    expect(page.get_by_test_id("board-total")).to_have_text(f"在办 {sum(counts.values())} 件")

    # 待分流 shows a page, the longest waiting on top, and says how many more there are.
    submitted = page.get_by_test_id("column-submitted")
    cards = submitted.locator(".board-card")
    expect(cards).to_have_count(50)
    expect(cards.first).to_contain_text("走访第 1 件")
    more = page.get_by_test_id("more-submitted")
    expect(more).to_contain_text(f"还有 {counts['submitted'] - 50} 张")
    check_screen(page, "console-board-01-many")
    more.click()
    expect(cards).to_have_count(100)
    expect(cards.nth(50)).to_contain_text("走访第 51 件")
    expect(more).to_contain_text(f"还有 {counts['submitted'] - 100} 张")
    # A column that fits on one page shows all of it and offers no more.
    expect(page.get_by_test_id("column-in_progress").locator(".board-card")).to_have_count(counts["in_progress"])
    expect(page.get_by_test_id("more-in_progress")).to_have_count(0)

    # Live: 王秀英 places an order; the count rises without a reload, the loaded page stays.
    ok(
        SLOW.post(
            f"{base}{API}/orders",
            json={
                "category": "water_leak",
                "title": "卫生间地漏返水",
                "description": "卫生间地漏往上冒水",
                "urgency": "urgent",
                "fields": {"location": "卫生间"},
            },
            headers=login(base, WANG),
        ),
        201,
    )
    expect(page.get_by_test_id("count-submitted")).to_have_text(str(counts["submitted"] + 1))
    after = api_counts(base, zhang)
    assert after["submitted"] == counts["submitted"] + 1
    for state in BOARD:
        expect(page.get_by_test_id(f"count-{state}")).to_have_text(str(after[state]))
    expect(cards).to_have_count(100)
    expect(more).to_contain_text(f"还有 {after['submitted'] - 100} 张")
    more.scroll_into_view_if_needed()
    check_screen(page, "console-board-02-live-more")
    assert errors == []
    context.close()
