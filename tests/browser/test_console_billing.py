"""刘建华, chair of the old compound's owners' committee and its treasurer, at his desk (1440×900),
in Chromium, on the demo street: he logs in at / and lands on the 收费工作台 (not the residents'
phone home), sets the compound's rate card, runs this month's bills and watches the run finish,
takes 王秀英's fee at the counter and prints the receipt (收据) with the amount in capitals.
Every screen is checked with axe-core and saved as a PNG to be looked at; the page logs no error."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import DESK, PASSWORD, SCREENSHOTS, SLOW, check_screen, choose, enter_date, login
from tests.e2e.conftest import Embedded
from tests.helpers import ok, until

OLD_COMPOUND = "杏花岭片区·老旧小区"


def test_liu_jianhua_runs_the_month_takes_a_counter_payment_and_prints_the_receipt(
    platform_process: Embedded, browser: Any
) -> None:
    base = platform_process.base
    admin = login(base, "13800000001")
    liu = login(base, "13800000005")
    me = ok(SLOW.get(f"{base}/api/v1/registry/me", headers=liu))
    compound_id = next(int(r["scope"].split(":")[1]) for r in me["roles"] if r["role"] == "owners_committee")
    # The platform's today (its clock, not this machine's): the month the committee bills.
    today = ok(SLOW.get(f"{base}/api/v1/registry/figures", params={"level": "street", "place_id": 1}, headers=admin))[
        "date_to"
    ]
    month = today[:7]
    until(
        lambda: (
            SLOW.get(f"{base}/api/v1/billing/compounds/{compound_id}", headers=liu).status_code == 200
            and ok(SLOW.get(f"{base}/api/v1/billing/compounds/{compound_id}/dwellings", headers=liu))["dwellings"] == 12
        ),
        "the old compound's twelve dwellings known to billing",
    )

    context = browser.new_context(viewport=DESK, locale="zh-CN")
    # Printing opens the system dialog: record that the receipt asked for it instead.
    context.add_init_script(
        "window.print = () => { (window.top || window).__printed = (window.top.__printed || 0) + 1 }"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    expect.set_options(timeout=30_000)

    # At / as anyone would: the login screen, then his desk rather than the residents' home.
    page.goto(base + "/")
    page.get_by_label("手机号").fill("13800000005")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/console/billing")
    expect(page.get_by_role("heading", name="收费工作台")).to_be_visible()
    expect(page.get_by_test_id("billing-compound")).to_contain_text(OLD_COMPOUND)

    # The rate card: multi-storey, community custody, 0.50 yuan/m² a month from the first.
    page.get_by_role("tab", name="收费标准").click()
    expect(page.get_by_test_id("rate-cards")).to_contain_text("暂无收费标准")
    choose(page, "rate-structure", "多层")
    choose(page, "rate-model", "社区托管")
    page.get_by_label("单价（元/㎡·月）").fill("0.50")
    enter_date(page, "生效日期", f"{month}-01")
    page.get_by_role("button", name="新建", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已新建收费标准：多层，0.50 元/㎡·月")
    expect(page.get_by_test_id("rate-cards")).to_contain_text("社区托管")
    check_screen(page, "console-billing-01-rate-card")

    # The month's bills: the run's progress, then its report; twelve dwellings billed.
    page.get_by_role("tab", name="开单与收取率").click()
    enter_date(page, "账期", month)
    page.get_by_test_id("run-start").click()
    report = page.get_by_test_id("run-report")
    expect(report).to_contain_text("本次开出12 张")
    expect(report).to_contain_text("首次开单")
    expect(page.get_by_test_id("collection-rate")).to_contain_text("0.00%")
    check_screen(page, "console-billing-02-bill-run")
    run = ok(
        SLOW.get(f"{base}/api/v1/billing/bills", params={"compound_id": compound_id, "period": month}, headers=liu)
    )
    assert run["total"] == 12

    # At the counter: 王秀英 pays 1栋301 (86.50 m² × 0.50 = 43.25 yuan); the form offers what she owes.
    page.get_by_role("tab", name="柜台收款").click()
    choose(page, "counter-dwelling", "1栋301")
    expect(page.get_by_label("金额（元）")).to_have_value("43.25")
    page.get_by_label("缴费人").fill("王秀英")
    page.get_by_test_id("counter-take").click()
    paid = page.get_by_test_id("counter-paid")
    expect(paid).to_contain_text("已收款 43.25 元，收据号")
    expect(paid).to_contain_text(f"冲抵账单：{month}")
    check_screen(page, "console-billing-03-counter")

    # The receipt, as billing prints it, with the amount in capitals; 打印 prints its frame.
    page.get_by_test_id("print-receipt").click()
    expect(page).to_have_url(re.compile(r"/console/receipts/\d+$"))
    receipt = page.frame_locator("[data-testid=receipt-page]")
    expect(receipt.locator("body")).to_contain_text("43.25")
    expect(receipt.locator("body")).to_contain_text("肆拾叁元贰角伍分")
    expect(receipt.locator("body")).to_contain_text(OLD_COMPOUND)
    check_screen(page, "console-billing-04-receipt")
    page.get_by_test_id("receipt-print").click()
    until(lambda: page.evaluate("() => window.__printed || 0") >= 1, "the receipt sent to the printer")
    page.emulate_media(media="print")
    expect(page.locator(".console-header")).to_be_hidden()
    page.screenshot(path=str(SCREENSHOTS / "console-billing-05-receipt-print.png"))
    page.emulate_media(media="screen")

    # The books agree: one payment of 4325 fen booked for the compound, its receipt numbered.
    payments = ok(SLOW.get(f"{base}/api/v1/billing/payments", params={"compound_id": compound_id}, headers=liu))
    assert [(p["amount_fen"], p["payer_name"]) for p in payments["items"]] == [(4325, "王秀英")]
    assert errors == []
    context.close()
