"""Dispute mediation in the browser (矛盾纠纷调解, seeds 001 and 004): 王秀英 asks for mediation
from her phone and chooses a community judge; 张丽, the grid worker, at her desk records the other
side's choice made at the window, the session and the agreement, and sees the grid's figures
move. Each screen is checked with axe-core (no serious or critical violation) and saved as a PNG
to be looked at."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import AXE, PHONE, SCREENSHOTS
from tests.e2e.conftest import Embedded

PASSWORD = "linli-demo"
DESK = {"width": 1440, "height": 900}
SLOW = httpx.Client(timeout=60)


def until(probe: Callable[[], Any], what: str, within_s: float = 60) -> Any:
    """Events travel between services: poll (briefly) until the probe answers something truthy."""
    deadline = time.monotonic() + within_s
    while not (result := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {within_s}s: {what}")
        time.sleep(0.2)
    return result


def check_screen(page: Page, name: str) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))"""
    )
    assert violations == [], f"{name}: {violations}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, mobile: str) -> None:
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_wang_asks_for_mediation_and_zhang_records_the_agreement(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    token = SLOW.post(f"{base}/api/v1/registry/auth/token", json={"mobile": "13800000002", "password": PASSWORD})
    zhang = {"Authorization": f"Bearer {token.json()['access_token']}"}

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
    page.goto(base + "/mediation")
    sign_in(page, "13800000004")
    expect(page.get_by_role("heading", name="矛盾纠纷调解")).to_be_visible()
    page.get_by_role("button", name="申请调解").click()
    page.get_by_label("事由").fill("楼上卫生间渗水，天花板发霉")
    page.get_by_label("经过").fill("卫生间天花板长期渗水，与楼上协商维修费用未果，希望调解。")
    page.get_by_label("对方").fill("楼上住户孙先生")
    check_screen(page, "pb-01-mediation-apply")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("已受理，待选定调解人")).to_be_visible()
    page.get_by_label("调解人", exact=True).fill("周法官")
    page.get_by_role("button", name="确认选择").click()
    expect(page.get_by_text("社区法官：周法官")).to_be_visible()
    check_screen(page, "pb-02-mediation-case")
    phone.close()

    # 张丽, at her desk: the other side chose the same judge at the window.
    desk = browser.new_context(viewport=DESK, locale="zh-CN")
    page = desk.new_page()
    page.goto(base + "/console/mediation")
    sign_in(page, "13800000002")
    expect(page.get_by_role("heading", name="矛盾纠纷调解台账")).to_be_visible()
    expect(page.get_by_test_id("med-card-受理（件）")).to_contain_text("1")
    page.get_by_test_id("cases").get_by_text("楼上卫生间渗水，天花板发霉").click()
    drawer = page.get_by_role("dialog")
    drawer.get_by_role("radio", name="社区法官").check(force=True)
    drawer.get_by_label("调解人姓名").fill("周法官")
    check_screen(page, "pb-03-console-choice")
    drawer.get_by_role("button", name="登记选择").click()
    expect(drawer.get_by_text("调解人：社区法官 周法官")).to_be_visible()

    drawer.get_by_label("地点").fill("小区党群服务站")
    drawer.get_by_label("参加人员").fill("王秀英、孙先生、周法官、张丽")
    drawer.get_by_label("经过").fill("查看渗水点，双方同意楼上重做防水，修复费用各半。")
    drawer.get_by_role("button", name="保存记录").click()
    expect(drawer.get_by_text("调解中")).to_be_visible()
    drawer.get_by_label("协议内容或未成原因").fill("楼上于12月10日前重做防水；天花板修复费用双方各半。")
    drawer.get_by_role("button", name="保存结果").click()
    expect(drawer.get_by_text("已达成协议，待回访")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("med-card-达成协议（件）")).to_contain_text("1")
    expect(page.get_by_test_id("med-card-化解纠纷（件）")).to_contain_text("1")
    check_screen(page, "pb-04-console-ledger")
    desk.close()
