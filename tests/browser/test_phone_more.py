"""The rest of the phone app, on `linli run` with the demo street, four phones at 390×844:
王秀英's leaking pipe comes back (重新处理 with her reason); 张丽's candidates name each load once;
王秀英 makes a micro-wish (微心愿) and 赵师傅 claims it from his compound's wish wall; 张丽 finds
王秀英 by part of her name (masked), reads her number only after saying why, and records a visit
(走访台账) that needs a follow-up; the notice board shows the demo's disclosure, convention and
red list; on a noticed vote 陈淑芬 (supervisory committee) raises an objection (异议) that
王秀英 then reads on the same page. Every screen is checked with axe-core and saved as a PNG; no
page logs a console error."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import SLOW, WANG, ZHANG, ZHAO, check_screen, compound_of, login, notice_a_vote, phone
from tests.e2e.conftest import Embedded
from tests.helpers import ok, until

CHEN = "13800000006"  # 陈淑芬, chair of the supervisory committee
# Several services on a shared machine: a screen may take longer than Playwright's 5 s default.
expect.set_options(timeout=20_000)


def test_reopen_wishes_visits_search_board_and_objections(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    wang_api, zhang_api, zhao_api = (login(base, m) for m in (WANG, ZHANG, ZHAO))
    dispatch = f"{base}/api/v1/dispatch"

    def get(url: str, who: dict[str, str]) -> Any:
        return SLOW.get(url, headers=who).json()

    def zhao_known() -> bool:
        orders = get(f"{dispatch}/orders", zhang_api).get("items", [])
        return any(
            c["name"] == "赵师傅" for o in orders for c in get(f"{dispatch}/orders/{o['id']}/candidates", zhang_api)
        )

    until(zhao_known, "赵师傅 known to dispatch", within_s=120)
    compound = compound_of(base)
    until(
        lambda: get(f"{dispatch}/points/lists/published?compound_id={compound}", wang_api).get("items"),
        "the demo's lists published",
        within_s=60,
    )
    until(
        lambda: get(f"{base}/api/v1/deliberation/compounds/{compound}/disclosures", wang_api),
        "the demo's disclosure published",
        within_s=60,
    )

    errors: list[str] = []
    wang, zhang, zhao = (phone(browser, base, m, errors) for m in (WANG, ZHANG, ZHAO))

    # --- 重新处理: her pipe drips again after 赵师傅 completed it (their steps: the API) ---------------
    household = get(f"{base}/api/v1/registry/me/home", wang_api)["dwelling"]["household_id"]
    leak = {
        "category": "water_leak",
        "title": "卫生间水管渗水",
        "description": "卫生间洗手池下的水管接头渗水",
        "household_id": household,
        "fields": {"location": "卫生间"},
    }
    order = ok(SLOW.post(f"{dispatch}/orders", json=leak, headers=wang_api), 201)
    url = f"{dispatch}/orders/{order['id']}"
    ok(SLOW.post(f"{url}/triage", json={"triage": "minor"}, headers=zhang_api))

    # 张丽's candidates: each reason once (the load was shown twice).
    zhang.goto(f"{base}/tasks/{order['id']}")
    candidate = zhang.locator(".candidate", has_text="赵师傅")
    expect(candidate).to_contain_text("在办工单")
    assert candidate.inner_text().count("在办") == 1, candidate.inner_text()
    check_screen(zhang, "30-grid-candidates-once")

    ranked = ok(SLOW.get(f"{url}/candidates", headers=zhang_api))
    assign = {"mode": "assign", "party_member_id": ranked[0]["party_member_id"]}
    ok(SLOW.post(f"{url}/dispatch", json=assign, headers=zhang_api))
    ok(SLOW.post(f"{url}/accept", json={}, headers=zhao_api))
    ok(SLOW.post(f"{url}/start", json={}, headers=zhao_api))
    ok(SLOW.post(f"{url}/complete", json={"summary": "更换接头"}, headers=zhao_api))

    wang.goto(f"{base}/orders/{order['id']}")
    expect(wang.locator(".state")).to_have_text("待确认")
    wang.get_by_role("button", name="没解决，要求重新处理").click()
    wang.get_by_label("原因").fill("换了接头还是渗水，地面一直是湿的")
    check_screen(wang, "31-order-reopen")
    wang.get_by_role("button", name="提交重新处理").click()
    expect(wang.locator(".state")).to_have_text("处理中")
    expect(wang.get_by_role("status")).to_have_text("已要求重新处理，党员和网格员会收到通知")
    expect(wang.locator(".steps")).to_contain_text("换了接头还是渗水，地面一直是湿的")
    expect(wang.get_by_role("button", name="确认已解决")).to_have_count(0)

    # --- 微心愿: she makes a wish, 赵师傅 claims it from the wish wall --------------------------------
    wang.goto(base + "/")
    wang.get_by_role("link", name="微心愿").click()
    wang.get_by_label("心愿", exact=True).fill("想请人帮忙换个楼道灯泡")
    wang.get_by_label("说明").fill("周末上午都在家")
    wang.get_by_role("button", name="许愿").click()
    expect(wang.get_by_role("status")).to_contain_text("心愿“想请人帮忙换个楼道灯泡”已上墙")
    wish_row = wang.locator(".wish", has_text="想请人帮忙换个楼道灯泡")
    expect(wish_row).to_contain_text("待认领")
    check_screen(wang, "32-my-wishes")

    zhao.get_by_role("link", name="党员服务").click()
    zhao.get_by_text("认领心愿").first.click()
    wall = zhao.locator(".wish", has_text="想请人帮忙换个楼道灯泡")
    expect(wall).to_contain_text("周末上午都在家")
    expect(zhao.get_by_text("杏花岭片区·老旧小区的心愿墙")).to_be_visible()
    check_screen(zhao, "33-wish-wall")
    zhao.get_by_role("button", name="认领心愿：想请人帮忙换个楼道灯泡").click()
    expect(zhao.locator(".state")).to_have_text("已接单")
    wang.reload()
    expect(wish_row).to_contain_text("已接单")

    # --- 查找居民 and 走访台账: 张丽 finds 王秀英 (masked), reads her number with a purpose, records a visit
    zhang.goto(base + "/grid")
    zhang.get_by_role("link", name="查找居民").click()
    zhang.get_by_role("searchbox").fill("秀英")
    zhang.get_by_role("button", name="查找").click()
    match = zhang.locator(".match", has_text="1号楼1单元301室")
    expect(match).to_contain_text("王*英")
    expect(match).to_contain_text("138****0004")
    expect(match).to_contain_text("1号楼1单元301室")
    expect(match).not_to_contain_text("王秀英")
    check_screen(zhang, "34-grid-search-masked")
    zhang.get_by_role("button", name="查看完整信息：王*英").click()
    zhang.get_by_label("用途").fill("邻居反映多日未见，电话联系")
    zhang.get_by_role("button", name="确认查看").click()
    expect(match).to_contain_text("王秀英")
    expect(match).to_contain_text("13800000004")
    expect(match).to_contain_text("已按用途“邻居反映多日未见，电话联系”查看，已记录")
    zhang.get_by_role("button", name="记录走访：1号楼1单元301室").click()
    expect(zhang.get_by_role("heading", name="记录走访：1号楼1单元301室")).to_be_visible()
    zhang.get_by_label("发现情况").fill("老人在家，身体尚好；卫生间水管仍渗水")
    zhang.get_by_text("需要跟进").click()
    zhang.get_by_label("跟进事项").fill("督促党员再次维修")
    check_screen(zhang, "35-grid-visit-form")
    zhang.get_by_role("button", name="保存走访记录").click()
    expect(zhang.get_by_role("status")).to_have_text("已记录对1号楼1单元301室的走访")
    visit = zhang.locator(".visit", has_text="卫生间水管仍渗水")
    expect(visit).to_contain_text("待跟进：督促党员再次维修")
    expect(visit).to_contain_text("张丽")
    zhang.get_by_role("button", name="只看待跟进").click()
    expect(zhang.locator(".visit")).to_have_count(1)
    check_screen(zhang, "36-grid-visits")

    # --- 公示栏: the demo's disclosure, convention and red list -------------------------------------
    wang.goto(base + "/board")
    expect(wang.get_by_text("2026年第三季度小区公共收益及支出公示")).to_be_visible()
    expect(wang.locator(".disclosure")).to_contain_text("结余 3,520.00 元")
    expect(wang.get_by_role("heading", name="1号楼文明公约")).to_be_visible()
    honor = wang.get_by_role("region", name="红榜")
    expect(honor).to_contain_text("赵师傅")
    expect(honor).to_contain_text("40 分")
    check_screen(wang, "37-board-lists")

    # --- 异议: a noticed vote; 陈淑芬 objects on the vote page, 王秀英 reads it there -----------------
    vote_id = notice_a_vote(base, compound)
    chen = phone(browser, base, CHEN, errors)
    chen.goto(f"{base}/votes/{vote_id}")
    panel = chen.get_by_role("region", name="异议与撤销")
    expect(panel).to_contain_text("暂无异议")
    panel.get_by_label("异议理由").fill("门禁报价只有一家，请补充比价后再表决")
    panel.get_by_role("button", name="提出异议").click()
    expect(panel.get_by_role("status")).to_have_text("异议已提出，业主委员会答复前此事项暂停")
    expect(panel.locator(".objection")).to_contain_text("门禁报价只有一家")
    expect(panel.locator(".objection")).to_contain_text("待答复")
    check_screen(chen, "38-vote-objection")
    wang.goto(f"{base}/votes/{vote_id}")
    theirs = wang.get_by_role("region", name="异议与撤销")
    expect(theirs.locator(".objection")).to_contain_text("门禁报价只有一家")
    expect(theirs.get_by_role("button", name="提出异议")).to_have_count(0)
    expect(theirs).to_contain_text("一年内在此请求撤销")
    check_screen(wang, "39-vote-objections-owner")

    assert errors == [], errors
