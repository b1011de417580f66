"""李建国, the demo street's admin, at his desk (1440×900), in Chromium, on the demo street that
`linli run` seeds with a year of history: he opens the governance dashboard (治理看板) at
/console/, sees the street's charts drawn with data, drills from the street through its
community and grid to 滨河花园, and exports the .xlsx, whose figures are the services' own
answers for the same place and period. Every screen is checked with axe-core (no serious or
critical violation) and saved as a PNG to be looked at."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import expect

from tests.browser.desk import AXE, DESK, DIST, PASSWORD, SLOW, check_screen, drawn_charts, login
from tests.e2e.conftest import Embedded, free_port
from tests.helpers import ok, until


@pytest.fixture
def street_with_history(tmp_path: Path, migrated: Path) -> Iterator[Embedded]:
    if not DIST.is_file() or not AXE.is_file():
        pytest.fail("web/dist or web/node_modules is missing: run `make web` first (make test does)")
    node = Embedded(tmp_path, free_port(), template=migrated)
    node.start(DEMO_SIZE="1")
    node.wait_ready(timeout=180)  # migrations and the demo on a busy machine
    yield node
    node.stop()


def summary(book: Any) -> dict[str, Any]:
    return {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}


def test_li_jianguo_reads_the_street_drills_to_a_compound_and_exports_the_figures(
    street_with_history: Embedded, browser: Any
) -> None:
    base = street_with_history.base
    admin = login(base, "13800000001")

    # The year of history reaches dispatch and billing by events, a moment after start-up.
    def history_arrived() -> bool:
        orders = SLOW.get(f"{base}/api/v1/dispatch/stats", params={"level": "street", "place_id": 1}, headers=admin)
        money = SLOW.get(f"{base}/api/v1/billing/figures", params={"level": "street", "place_id": 1}, headers=admin)
        return (
            orders.status_code == 200
            and orders.json()["orders"] > 5
            and money.status_code == 200
            and money.json()["paid_fen"] > 0
        )

    until(history_arrived, "the demo's year of orders and bills", within_s=90)

    context = browser.new_context(viewport=DESK, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    expect.set_options(timeout=30_000)  # four services answer each screen on a busy machine
    page.goto(base + "/console/")
    expect(page).to_have_url(f"{base}/login?next=/console/")
    page.get_by_label("手机号").fill("13800000001")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # The street he serves, with the year's figures drawn.
    expect(page.get_by_test_id("here-street")).to_have_text("街道：三桥街道")
    expect(page.get_by_test_id("card-物业费收取率")).to_contain_text("%")
    until(lambda: drawn_charts(page) >= 10, "ten charts drawn with data")
    check_screen(page, "console-01-street")

    # Down through the community and the grid to 滨河花园, by the places' own links and chart.
    page.get_by_test_id("drill-杏花岭社区").click()
    expect(page.get_by_test_id("here-community")).to_have_text("社区：杏花岭社区")
    page.get_by_test_id("drill-第二网格").click()
    expect(page.get_by_test_id("here-grid")).to_have_text("网格：第二网格")
    page.get_by_test_id("drill-滨河花园").click()
    expect(page.get_by_test_id("here-compound")).to_have_text("小区：滨河花园")
    expect(page.get_by_test_id("crumb-street")).to_be_visible()
    until(lambda: drawn_charts(page) >= 6, "the compound's charts drawn")
    check_screen(page, "console-02-compound")

    # The .xlsx: the same figures the services answer for this compound and period.
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    data = Path(download.value.path()).read_bytes()
    book = load_workbook(io.BytesIO(data))
    sheet = summary(book)
    compound_id = int(page.evaluate("() => new URL(location.href).searchParams.get('place')"))
    period = {
        "level": "compound",
        "place_id": compound_id,
        "date_from": sheet["起始日期"],
        "date_to": sheet["截止日期"],
    }
    money = ok(SLOW.get(f"{base}/api/v1/billing/figures", params=period, headers=admin))
    orders = ok(SLOW.get(f"{base}/api/v1/dispatch/stats", params=period, headers=admin))
    party = ok(SLOW.get(f"{base}/api/v1/registry/figures", params=period, headers=admin))
    assert sheet["地点"] == "三桥街道 / 杏花岭社区 / 第二网格 / 滨河花园"
    assert sheet["物业费收取率"] == money["collection_rate"]
    assert sheet["实收物业费（元）"] == money["paid_fen"] / 100
    assert sheet["欠费（元）"] == money["arrears_fen"] / 100
    assert sheet["公共收益（元）"] == money["revenue_fen"] / 100
    assert sheet["受理工单（件）"] == orders["orders"] > 0
    assert sheet["党员（人）"] == party["totals"]["party_members"]
    triage = {row[0]: row[1] for row in book["三事分流"].iter_rows(min_row=2, values_only=True)}
    assert triage == {c["label"]: c["orders"] for c in orders["triage_counts"]}
    months = list(book["收取率按月"].iter_rows(min_row=2, values_only=True))
    assert [m[0] for m in months] == [m["month"] for m in money["by_month"]]
    assert errors == []
    context.close()
