"""王秀英 on her phone (390×844), in Chromium, on the demo street that `linli run` seeds: she logs
in, finds her home and her 连心卡 (who to call), reports her leaking kitchen pipe (漏水), sees it
in 我的工单 with its state label; after 张丽 dispatches it and 赵师傅 completes it (through the
API, as their own apps would), she confirms and rates it on the screen; she reads her property
bill (area × rate); she turns on the elder mode and it stays on after a reload. Every screen is
checked with axe-core (no serious or critical violation) and saved as a PNG for the README; the
page logs no console error throughout."""

from __future__ import annotations

import gzip
import time
from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import DIST_DIR as DIST
from tests.browser.desk import PASSWORD, PHONE, check_screen, login
from tests.e2e.conftest import Embedded
from tests.helpers import LOCAL, ok, until


def test_wang_xiuying_reports_her_leaking_pipe_from_her_phone(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    zhang, zhao, liu = (login(base, m) for m in ("13800000002", "13800000003", "13800000005"))

    # The demo street's records reach dispatch and billing by events, a moment after start-up.
    def zhao_is_a_candidate() -> bool:
        orders = LOCAL.get(f"{base}/api/v1/dispatch/orders", headers=zhang).json().get("items", [])
        return any(
            c["name"] == "赵师傅"
            for o in orders
            for c in LOCAL.get(f"{base}/api/v1/dispatch/orders/{o['id']}/candidates", headers=zhang).json()
        )

    until(zhao_is_a_candidate, "the demo order and 赵师傅 known to dispatch")

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)

    # 登录: an unknown visitor lands on the login screen.
    page.goto(base + "/")
    expect(page).to_have_url(f"{base}/login")
    expect(page.get_by_role("heading", name="邻里 · 居民服务")).to_be_visible()
    check_screen(page, "01-login")
    page.get_by_label("手机号").fill("13800000004")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("手机号或密码")
    errors.clear()  # the browser logs the refused login's 401; that answer is the story here
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # 我的家: her dwelling and the 连心卡.
    expect(page.get_by_text("王秀英，您好")).to_be_visible()
    expect(page.get_by_text("杏花岭片区·老旧小区 1号楼1单元301室")).to_be_visible()
    card = page.locator(".van-cell-group").first
    contacts = ("网格员", "张丽", "138****0002", "楼栋长", "包联干部", "李建国", "报到党员", "赵师傅")
    for text in (*contacts, "12345 政务服务便民热线"):
        expect(card).to_contain_text(text)
    expect(page.get_by_text("86.50 m²")).to_be_visible()
    check_screen(page, "02-home")
    # The budget of issue 13: the first screens' JavaScript, gzipped, at most 250 KB.
    first_screens = sum(len(gzip.compress((DIST / url.split("/", 3)[3]).read_bytes(), 9)) for url in set(scripts))
    print(f"JavaScript of the login and home screens: {first_screens / 1024:.1f} KB gzipped")
    assert first_screens <= 250 * 1024

    # 报修求助: the catalogue's labels, her own dwelling, urgency labels from the API.
    page.get_by_role("link", name="报修求助").click()
    page.get_by_role("radio", name="水管漏水").click()
    check_screen(page, "03-help-category")
    page.get_by_label("事项").fill("厨房水管漏水")
    page.get_by_label("漏水位置").fill("厨房水槽下")
    page.get_by_label("详细描述").fill("厨房水槽下面的水管一直滴水")
    expect(page.get_by_text("我家：1号楼1单元301室")).to_be_visible()
    page.get_by_role("radio", name="紧急").click()
    check_screen(page, "04-help-form")
    page.get_by_role("button", name="提交").click()

    # The order's page: its state label and its first timeline step.
    expect(page.get_by_role("heading", name="厨房水管漏水")).to_be_visible()
    expect(page.locator(".state")).to_have_text("待分流")
    expect(page.get_by_text("水管漏水", exact=True)).to_be_visible()
    expect(page.get_by_text("厨房水槽下", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("已提交，网格员会尽快处理")
    order_id = page.url.split("?")[0].rsplit("/", 1)[-1]

    # 我的工单: the order with its state label.
    page.get_by_text("我的工单").first.click()
    row = page.locator(".van-cell", has_text="厨房水管漏水")
    expect(row).to_contain_text("待分流")
    expect(row).to_contain_text("水管漏水")
    check_screen(page, "05-orders")

    # 张丽 triages and assigns it, 赵师傅 does the work: their own apps, here the API.
    url = f"{base}/api/v1/dispatch/orders/{order_id}"
    ok(LOCAL.post(f"{url}/triage", json={"triage": "minor"}, headers=zhang))
    ranked = ok(LOCAL.get(f"{url}/candidates", headers=zhang))
    assign = {"mode": "assign", "party_member_id": ranked[0]["party_member_id"]}
    ok(LOCAL.post(f"{url}/dispatch", json=assign, headers=zhang))
    ok(LOCAL.post(f"{url}/accept", json={}, headers=zhao))
    ok(LOCAL.post(f"{url}/start", json={"note": "已到现场"}, headers=zhao))
    ok(LOCAL.post(f"{url}/complete", json={"summary": "更换水管接头两处，已不漏水"}, headers=zhao))

    page.reload()
    expect(row).to_contain_text("待确认")
    row.click()
    expect(page.locator(".van-cell-group").first).to_contain_text("处理结果更换水管接头两处，已不漏水")
    expect(page.locator(".steps")).to_contain_text("已接单")
    check_screen(page, "06-order-completed")
    page.get_by_role("button", name="确认已解决").click()
    expect(page.locator(".state")).to_have_text("已确认")
    page.get_by_label("留言").fill("赵师傅手艺好")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".state")).to_have_text("已办结")
    expect(page.locator(".van-cell-group").first).to_contain_text("赵师傅手艺好")
    check_screen(page, "07-order-rated")

    # 我的账单: the committee bills the year (their app; here the API), she reads area × rate.
    ok(
        LOCAL.post(
            f"{base}/api/v1/billing/rate-cards",
            headers=liu,
            json={
                "scope_id": 1,
                "structure": "multi_storey",
                "management_model": "community_custody",
                "rate_yuan_per_m2_month": "0.50",
                "effective_from": "2020-01-01",
            },
        ),
        201,
    )
    year = page.evaluate("() => new Date().getFullYear()")
    run = ok(
        LOCAL.post(
            f"{base}/api/v1/billing/bill-runs",
            headers={**liu, "Idempotency-Key": f"browser-story-{time.time_ns()}"},
            json={"scope_id": 1, "period": str(year)},
        ),
        201,
    )
    assert run["issued_count"] > 0, run
    page.goto(f"{base}/bills")  # a deep link: the gateway answers the app for a client route
    expect(page.get_by_text("86.50 m² × 0.50 元/m²/月 × 12 个月")).to_be_visible()
    expect(page.locator(".owed")).to_contain_text("519.00")
    check_screen(page, "08-bills")

    # 适老化: the elder mode, remembered on this phone.
    page.get_by_role("link", name="我的家").click()
    page.get_by_role("switch", name="长辈模式").click()
    actions = page.get_by_role("navigation", name="常用服务")
    for label in ("报修求助", "缴费", "投票"):
        expect(actions.get_by_role("link", name=label)).to_be_visible()
    page.reload()
    expect(actions.get_by_role("link", name="缴费")).to_be_visible()
    font = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert font >= 18
    height = actions.get_by_role("link", name="报修求助").bounding_box()
    assert height is not None
    assert height["height"] >= 60
    check_screen(page, "09-home-elder")

    assert errors == []
    context.close()
