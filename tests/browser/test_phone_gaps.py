"""Three gaps of the residents' phone app, on `linli run` with the demo street at 390×844:
王秀英 asks for help at a public place of her compound, picking the building and entrance, and
agrees to send where she stands (the phone's location is read only after she taps the button that
says why; the order keeps it); on a phone that refuses, she is told so and still sends her request;
she follows her compound's proposals with their stage and the 131 steps so far; and in elder mode
she makes the font bigger, which stays on the device. Every screen is checked with axe-core and
saved as a PNG; no page logs a console error."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.desk import PHONE, SLOW, WANG, check_screen, login, notice_a_vote, sign_in
from tests.e2e.conftest import Embedded
from tests.helpers import ok, until

# Several services on a shared machine: a screen may take longer than Playwright's 5 s default.
expect.set_options(timeout=20_000)
# 太原市杏花岭区, where the demo street is.
HERE = {"latitude": 37.8706, "longitude": 112.5489}


def test_public_place_with_location_proposals_to_follow_and_font_size(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    wang_api = login(base, WANG)
    compound = SLOW.get(f"{base}/api/v1/registry/me/home", headers=wang_api).json()["dwelling"]
    until(
        lambda: SLOW.get(f"{base}/api/v1/dispatch/categories", headers=wang_api).status_code == 200,
        "dispatch up",
    )
    errors: list[str] = []

    def phone(**options: Any) -> Page:
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN", **options
        )
        page: Page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, base, WANG, "/help")
        expect(page.get_by_role("heading", name="报修求助")).to_be_visible()
        return page

    def describe_the_dark_stairwell(page: Page) -> None:
        page.get_by_role("radio", name="楼道照明").click()
        page.get_by_label("楼栋单元").fill("楼道")
        page.get_by_role("radio", name="小区公共区域").click()

    # --- Where: her compound's buildings and entrances, and her location once she agrees ---------
    wang = phone(geolocation=HERE, permissions=["geolocation"])
    describe_the_dark_stairwell(wang)
    building = wang.get_by_label("楼栋", exact=True)
    expect(building.locator("option")).not_to_have_count(1)
    building.select_option(label="1号楼")
    wang.get_by_label("单元", exact=True).select_option(label="1单元")
    wang.get_by_label("具体位置").fill("三楼楼道")
    expect(wang.get_by_text("位置只随本次求助发给网格员")).to_be_visible()
    wang.get_by_role("button", name="使用我的位置").click()
    expect(wang.get_by_test_id("located")).to_contain_text("纬度 37.87060，经度 112.54890")
    check_screen(wang, "60-help-public-place-located", full_page=True)
    wang.get_by_role("button", name="提交").click()
    wang.wait_for_url(re.compile(r"/orders/[0-9a-f-]+"))
    order_id = wang.url.split("/orders/")[1].split("?")[0]
    order = ok(SLOW.get(f"{base}/api/v1/dispatch/orders/{order_id}", headers=wang_api))
    assert (order["place"], order["lat"], order["long"], order["household_id"]) == (
        "1号楼1单元 三楼楼道",
        37.8706,
        112.5489,
        None,
    )
    assert order["compound_id"] == compound["compound_id"]

    # --- A phone that refuses: a clear message, and the request still goes, without a location ---
    refused = phone()
    describe_the_dark_stairwell(refused)
    refused.get_by_role("button", name="使用我的位置").click()
    expect(refused.get_by_role("alert")).to_contain_text("您没有允许读取位置")
    refused.get_by_label("具体位置").fill("小区东门路灯")
    check_screen(refused, "61-help-location-refused", full_page=True)
    refused.get_by_role("button", name="提交").click()
    refused.wait_for_url(re.compile(r"/orders/[0-9a-f-]+"))
    second = refused.url.split("/orders/")[1].split("?")[0]
    order = ok(SLOW.get(f"{base}/api/v1/dispatch/orders/{second}", headers=wang_api))
    assert (order["place"], order["lat"], order["long"]) == ("小区东门路灯", None, None)

    # --- Proposals she may follow: the stage of each, and the 131 steps so far ---------------------
    # Her compound's people walk one proposal to a noticed vote (desk.py); she raises another.
    notice_a_vote(base, compound["compound_id"])
    ok(
        SLOW.post(
            f"{base}/api/v1/deliberation/proposals",
            json={"compound_id": compound["compound_id"], "title": "增设电动车充电桩"},
            headers=wang_api,
        ),
        201,
    )
    proposals = ok(
        SLOW.get(
            f"{base}/api/v1/deliberation/proposals",
            params={"compound_id": compound["compound_id"]},
            headers=wang_api,
        )
    )
    assert proposals, "the demo compound has proposals"
    wang.goto(base + "/votes")
    follow = wang.get_by_role("region", name="我可关注的议题")
    for p in proposals:
        expect(follow.get_by_role("button", name=re.compile(re.escape(p["title"])))).to_contain_text(p["status_label"])
    check_screen(wang, "62-proposals-to-follow", full_page=True)
    first = next(p for p in proposals if p["title"] == "更换单元门禁")
    follow.get_by_role("button", name=re.compile(re.escape(first["title"]))).click()
    expect(wang.get_by_role("heading", name=first["title"])).to_be_visible()
    expect(wang.get_by_test_id("stage")).to_have_text(first["status_label"])
    steps = wang.get_by_test_id("steps")
    expect(steps).to_contain_text("三事分流")
    expect(steps).to_contain_text("业主表决")
    expect(steps).to_contain_text("已完成")
    expect(wang.get_by_text("更换门禁", exact=True)).to_be_visible()  # the plan
    expect(wang.get_by_role("textbox")).to_have_count(0)  # read-only: nothing to fill in here
    check_screen(wang, "63-proposal-131-steps", full_page=True)

    # --- Elder mode: 18–30 px, remembered on this phone -------------------------------------------
    wang.goto(base + "/")
    expect(wang.get_by_role("button", name="字号增大")).to_have_count(0)
    wang.get_by_role("switch", name="长辈模式").click()
    for _ in range(3):
        wang.get_by_role("button", name="字号增大").click()
    expect(wang.get_by_text("26 像素")).to_be_visible()
    size = "() => getComputedStyle(document.documentElement).fontSize"
    assert wang.evaluate(size) == "26px"
    check_screen(wang, "64-elder-font-26", full_page=True)
    wang.reload()
    expect(wang.get_by_text("26 像素")).to_be_visible()
    assert wang.evaluate(size) == "26px"
    for _ in range(2):
        wang.get_by_role("button", name="字号增大").click()
    expect(wang.get_by_role("button", name="字号增大")).to_be_disabled()
    assert wang.evaluate(size) == "30px"
    assert errors == []
