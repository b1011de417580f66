"""Dispute mediation in the browser (矛盾纠纷调解, seeds 001 and 004): 王秀英 asks for mediation
from her phone and chooses a community judge; 张丽, the grid worker, at her desk records the other
side's choice made at the window, the session and the agreement, and sees the grid's figures
move. Each screen is checked with axe-core (no serious or critical violation) and saved as a PNG
to be looked at."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import DESK, PHONE, SLOW, ZHANG, check_screen, login, sign_in
from tests.e2e.conftest import Embedded
from tests.helpers import until


def test_wang_asks_for_mediation_and_zhang_records_the_agreement(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    zhang = login(base, ZHANG)

    # The demo street reaches dispatch by events, a moment after start-up.
    def grid_known() -> bool:
        answer = SLOW.get(
            f"{base}/api/v1/dispatch/mediation/figures", params={"level": "grid", "place_id": 1}, headers=zhang
        )
        return answer.status_code == 200

    until(grid_known, "the demo street in dispatch")
    expect.set_options(timeout=30_000)

    # 王秀英, on her phone.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = phone.new_page()
    sign_in(page, base, "13800000004", "/mediation")
    expect(page.get_by_role("heading", name="矛盾纠纷调解")).to_be_visible()
    page.get_by_role("button", name="申请调解").click()
    page.get_by_label("事由").fill("楼上卫生间渗水，天花板发霉")
    page.get_by_label("经过").fill("卫生间天花板长期渗水，与楼上协商维修费用未果，希望调解。")
    page.get_by_label("对方").fill("楼上住户孙先生")
    check_screen(page, "pb-01-mediation-apply", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("已受理，待选定调解人")).to_be_visible()
    page.get_by_label("调解人", exact=True).fill("周法官")
    page.get_by_role("button", name="确认选择").click()
    expect(page.get_by_text("社区法官：周法官")).to_be_visible()
    check_screen(page, "pb-02-mediation-case", full_page=True)
    phone.close()

    # 张丽, at her desk: the other side chose the same judge at the window.
    desk = browser.new_context(viewport=DESK, locale="zh-CN")
    page = desk.new_page()
    sign_in(page, base, "13800000002", "/console/mediation")
    expect(page.get_by_role("heading", name="矛盾纠纷调解台账")).to_be_visible()
    expect(page.get_by_test_id("med-card-受理（件）")).to_contain_text("1")
    page.get_by_test_id("cases").get_by_text("楼上卫生间渗水，天花板发霉").click()
    drawer = page.get_by_role("dialog")
    # Its label, clicked as a person would: Playwright waits for the drawer to stop sliding in
    # (a forced check of the hidden input skipped that, and under load it clicked beside it).
    drawer.locator("label.el-radio", has_text="社区法官").click()
    expect(drawer.get_by_role("radio", name="社区法官")).to_be_checked()
    drawer.get_by_label("调解人姓名").fill("周法官")
    check_screen(page, "pb-03-console-choice", full_page=True)
    drawer.get_by_role("button", name="登记选择").click()
    expect(drawer.get_by_text("调解人：社区法官 周法官", exact=True)).to_be_visible()

    drawer.get_by_label("地点").fill("小区党群服务站")
    drawer.get_by_label("参加人员").fill("王秀英、孙先生、周法官、张丽")
    drawer.get_by_label("经过").fill("查看渗水点，双方同意楼上重做防水，修复费用各半。")
    drawer.get_by_role("button", name="保存记录").click()
    expect(drawer.get_by_text("调解中")).to_be_visible()
    drawer.get_by_label("协议内容或未成原因").fill("楼上于12月10日前重做防水；天花板修复费用双方各半。")
    drawer.get_by_role("button", name="保存结果").click()
    expect(drawer.get_by_text("已达成协议，待回访")).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(page.get_by_test_id("med-card-达成协议（件）")).to_contain_text("1")
    expect(page.get_by_test_id("med-card-化解纠纷（件）")).to_contain_text("1")
    check_screen(page, "pb-04-console-ledger", full_page=True)
    desk.close()
