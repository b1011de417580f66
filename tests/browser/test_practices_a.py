"""Household credit and care zones on the demo street (seeds 000, 001, 004): the grid worker 张丽
records 王秀英's household's volunteering and stocks the points shop; 王秀英, on her phone, reads
her points, takes washing liquid for them, finds her care zone (一户一区) and, being the building
head, inspects it; 李建国 at his desk reads the month's red and black list and the zones in the
console. Every screen is checked with axe-core and saved as a PNG to be looked at."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import DESK, PHONE, SLOW, check_screen, login, sign_in
from tests.e2e.conftest import Embedded
from tests.helpers import until

D = "/api/v1/dispatch"


def test_points_shop_and_care_zone_on_the_phone_and_the_lists_in_the_console(
    platform_process: Embedded, browser: Any
) -> None:
    base = platform_process.base
    # A machine shared with other builds answers slowly; a broken screen still fails.
    expect.set_options(timeout=30_000)
    zhang, wang = login(base, "13800000002"), login(base, "13800000004")
    home = SLOW.get(f"{base}/api/v1/registry/me/home", headers=wang).json()
    household, compound = home["dwelling"]["household_id"], home["dwelling"]["compound_id"]
    roles = SLOW.get(f"{base}/api/v1/registry/me", headers=wang).json()["roles"]
    building = next(int(r["scope"].split(":")[1]) for r in roles if r["role"] == "building_head")

    def door_known() -> bool:
        answer = SLOW.get(f"{base}{D}/credit/households/{household}", headers=wang)
        return answer.status_code == 200 and answer.json()["household_label"] == "1-1-301"

    until(door_known, "王秀英's household and its door known to dispatch")

    # 张丽 records what the household did and stocks the shop; and divides building 1's ground.
    for reason, note in (("volunteering", "楼道清扫志愿服务 2 小时"), ("sorting_passed", "垃圾分类入户检查合格")):
        body = {"household_id": household, "reason": reason, "note": note}
        assert SLOW.post(f"{base}{D}/credit/entries", json=body, headers=zhang).status_code == 201
    item = {"compound_id": compound, "name": "洗衣液", "points": 5, "stock": 3}
    assert SLOW.post(f"{base}{D}/credit/shop-items", json=item, headers=zhang).status_code == 201
    zone = {"compound_id": compound, "building_id": building, "name": "1号楼南侧花坛", "household_id": household}
    answer = SLOW.post(f"{base}{D}/care-zones", json=zone, headers=zhang)
    assert answer.status_code == 201, answer.text

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # 我家积分: 5 + 2 points, the shop, the entries, this month's list.
    sign_in(page, base, "13800000004")
    expect(page.get_by_text("王秀英，您好")).to_be_visible()
    page.get_by_role("link", name="我家积分").click()
    balance = page.get_by_role("region", name="积分")
    expect(balance.locator(".big").first).to_have_text("7")
    expect(balance).to_contain_text("1-1-301")
    expect(page.get_by_text("楼道清扫志愿服务 2 小时", exact=False)).to_be_visible()
    check_screen(page, "practices-a-01-credit", full_page=True)
    page.get_by_role("button", name="兑换 洗衣液").click()
    expect(page.get_by_role("button", name="兑换 洗衣液")).to_have_text("确认用 5 分兑换")
    page.get_by_role("button", name="兑换 洗衣液").click()
    expect(page.get_by_role("status")).to_have_text("已兑换「洗衣液」，剩余 2 分")
    expect(balance.locator(".big").first).to_have_text("2")
    expect(page.get_by_text("5 分 · 库存 2")).to_be_visible()
    expect(page.get_by_text("兑换「洗衣液」× 1", exact=False)).to_be_visible()
    check_screen(page, "practices-a-02-credit-redeemed", full_page=True)

    # 我的责任区: her zone; as building head she inspects it (合格, +2).
    page.locator(".van-nav-bar__left").click()
    page.get_by_role("link", name="我的责任区").click()
    expect(page.get_by_role("region", name="我家的责任区")).to_contain_text("1号楼南侧花坛")
    page.get_by_text("1号楼南侧花坛", exact=True).last.click()
    page.get_by_label("说明").fill("花坛整洁，无杂物")
    page.get_by_role("button", name="提交检查结果").click()
    expect(page.get_by_role("region", name="我家的责任区")).to_contain_text("最近检查：合格")
    expect(page.get_by_text("+2 分", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("已记录：1-1-301 合格（+2 分）")
    check_screen(page, "practices-a-03-care-zone", full_page=True)
    assert errors == [], errors
    context.close()

    # The console: 李建国 reads the month's list (1-1-301 on the red list with 9 points) and the zones.
    desk = browser.new_context(viewport=DESK, locale="zh-CN")
    page = desk.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, "13800000001", "/console/credit")
    expect(page.get_by_role("heading", name="住户积分与环境卫生红黑榜")).to_be_visible()
    red = page.locator(".el-card").filter(has_text="红榜")
    expect(red).to_contain_text("1-1-301")
    expect(red).to_contain_text("9")
    check_screen(page, "practices-a-04-console-lists", full_page=True)
    page.get_by_role("tab", name="积分台账").click()
    expect(page.get_by_text("兑换「洗衣液」× 1")).to_be_visible()
    check_screen(page, "practices-a-05-console-ledger", full_page=True)
    page.get_by_role("link", name="责任区").click()
    expect(page.get_by_role("heading", name="责任区（一户一区）")).to_be_visible()
    expect(page.get_by_role("tabpanel", name="责任区").get_by_text("1号楼南侧花坛")).to_be_visible()
    check_screen(page, "practices-a-06-console-zones", full_page=True)
    assert errors == [], errors
    desk.close()
