"""李建国, the demo street's admin, at his desk (1440×900) on the demo street: he opens 红黑榜,
picks the old compound and the latest month its party members earned points in (this month when
none did yet), publishes the month's lists (上榜公示) and prints them for the notice board. The
printed page carries the lists and none of the console; the published lists are the dispatch
service's own answer. Screens are checked with axe-core and saved to be looked at."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import DESK, PASSWORD, SCREENSHOTS, SLOW, check_screen, choose, enter_date, login
from tests.e2e.conftest import Embedded
from tests.helpers import ok, until

COMPOUND = "杏花岭片区·老旧小区"


def months_before(month: str, n: int) -> list[str]:
    year, m = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        year, m = (year - 1, 12) if m == 1 else (year, m - 1)
        out.append(f"{year}-{m:02d}")
    return out


def test_li_jianguo_publishes_and_prints_last_months_red_and_black_lists(
    platform_process: Embedded, browser: Any
) -> None:
    base = platform_process.base
    admin = login(base, "13800000001")
    compounds = ok(SLOW.get(f"{base}/api/v1/registry/compounds", headers=admin))
    compound_id = next(c["id"] for c in compounds if c["name"] == COMPOUND)
    today = ok(SLOW.get(f"{base}/api/v1/registry/figures", params={"level": "street", "place_id": 1}, headers=admin))[
        "date_to"
    ]

    # The compound reaches dispatch by events, a moment after start-up.
    until(
        lambda: SLOW.get(f"{base}/api/v1/dispatch/points/rules/{compound_id}", headers=admin).status_code == 200,
        "the old compound known to dispatch",
    )

    def unpublished_roll(month: str) -> list[Any]:
        answer = ok(
            SLOW.get(
                f"{base}/api/v1/dispatch/points/lists",
                params={"compound_id": compound_id, "period": month},
                headers=admin,
            )
        )
        return [] if answer["published"] else list(answer["honor_roll"])

    # The demo publishes last month's lists itself (for the notice board): take the latest month
    # with points that is still to be published, or this month.
    month = next((m for m in [today[:7], *months_before(today[:7], 3)] if unpublished_roll(m)), today[:7])
    before = ok(
        SLOW.get(
            f"{base}/api/v1/dispatch/points/lists", params={"compound_id": compound_id, "period": month}, headers=admin
        )
    )
    assert before["published"] is False

    context = browser.new_context(viewport=DESK, locale="zh-CN")
    context.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1 }")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    expect.set_options(timeout=30_000)

    page.goto(base + "/")
    page.get_by_label("手机号").fill("13800000001")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console\?level=street&place=\d+$"))  # an admin lands on the dashboard
    page.get_by_role("link", name="红黑榜").click()
    expect(page.get_by_role("heading", name="党员积分红黑榜", exact=True)).to_be_visible()

    choose(page, "lists-compound", COMPOUND)
    enter_date(page, "月份", month)
    sheet = page.get_by_test_id("lists")
    expect(sheet).to_contain_text(f"{COMPOUND} {month} 党员积分红黑榜")
    expect(page.get_by_test_id("lists-state")).to_contain_text("未公示")
    for member in before["honor_roll"]:
        expect(page.get_by_test_id("honor-roll")).to_contain_text(member["name"])
    expect(page.get_by_test_id("rules")).to_contain_text("办结基础分")
    check_screen(page, "console-lists-01-live")

    page.get_by_test_id("lists-publish").click()
    expect(page.get_by_role("status")).to_contain_text(f"已公示 {month} 红黑榜")
    expect(page.get_by_test_id("lists-state")).to_contain_text("已公示")
    expect(page.get_by_test_id("lists-publish")).to_be_disabled()
    check_screen(page, "console-lists-02-published")

    page.get_by_test_id("lists-print").click()
    until(lambda: page.evaluate("() => window.__printed || 0") >= 1, "the lists sent to the printer")
    page.emulate_media(media="print")
    expect(page.locator(".console-header")).to_be_hidden()
    expect(page.get_by_test_id("rules")).to_be_hidden()
    expect(sheet).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "console-lists-03-print.png"))
    page.emulate_media(media="screen")

    after = ok(
        SLOW.get(
            f"{base}/api/v1/dispatch/points/lists", params={"compound_id": compound_id, "period": month}, headers=admin
        )
    )
    assert after["published"] is True
    assert [t["name"] for t in after["honor_roll"]] == [t["name"] for t in before["honor_roll"]]
    assert errors == []
    context.close()
