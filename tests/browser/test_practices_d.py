"""Emergency mobilisation and volunteers on the demo street (seeds 001, 002, 004): 张丽 sets up the
compound's 红邻服务队, a service post and the public-health plan; 王秀英, on her phone, registers
her skills and joins the team; 李建国 at his desk activates the plan and watches the roll call;
赵师傅, on his phone, acknowledges, reports at the north gate and claims the post, which the
board's wall then shows; 李建国 raises the response to the community and closes it with its
record. Every screen is checked with axe-core and saved as a PNG to be looked at."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import DESK, PHONE, SLOW, check_screen, login, sign_in
from tests.e2e.conftest import Embedded
from tests.helpers import until

R = "/api/v1/registry"


def phone(browser: Any, errors: list[str]) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page


def test_roll_call_on_the_phone_and_the_console_and_volunteers_and_posts(
    platform_process: Embedded, browser: Any
) -> None:
    base = platform_process.base
    expect.set_options(timeout=30_000)
    zhang, wang = login(base, "13800000002"), login(base, "13800000004")
    home = SLOW.get(f"{base}{R}/me/home", headers=wang).json()
    compound = home["dwelling"]["compound_id"]
    compound_name = SLOW.get(f"{base}{R}/compounds/{compound}", headers=zhang).json()["name"]
    zhao_person = SLOW.get(f"{base}{R}/me", headers=login(base, "13800000003")).json()["person_id"]

    def post(path: str, body: dict[str, Any]) -> Any:
        answer = SLOW.post(f"{base}{R}{path}", json=body, headers=zhang)
        assert answer.status_code == 201, answer.text
        return answer.json()

    post("/volunteer-teams", {"compound_id": compound, "name": "红邻服务队", "focus": "楼栋照明维护、水电小修"})
    post("/service-posts", {"compound_id": compound, "name": "楼栋照明维护岗", "duty": "每月检查楼道灯"})
    plan = post(
        "/emergency/plans",
        {
            "compound_id": compound, "incident_kind": "public_health", "name": "公共卫生事件应急动员预案",
            "posts": [{"name": "北门卡口值守", "location": "小区北门"}, {"name": "入户排查"}],
        },
    )  # fmt: skip
    gate, rounds = (p["id"] for p in plan["posts"])
    errors: list[str] = []

    # 王秀英 registers her skills and joins the team on her phone.
    context, page = phone(browser, errors)
    sign_in(page, base, "13800000004")
    expect(page.get_by_text("王秀英，您好")).to_be_visible()
    page.get_by_role("link", name="我的特长").click()
    page.get_by_role("checkbox", name="养老照护").click()
    page.get_by_role("checkbox", name="红邻服务队").click()
    page.get_by_role("button", name="登记特长").click()
    expect(page.get_by_role("status")).to_have_text("已登记：养老照护；已加入红邻服务队")
    expect(page.get_by_role("button", name="更新登记")).to_be_visible()
    check_screen(page, "practices-d-01-volunteer")
    context.close()

    # The call list: 赵师傅 at the gate, 王秀英 (volunteer now) on the rounds.
    wang_person = home["person_id"]
    post(
        f"/emergency/plans/{plan['id']}/callees",
        {
            "callees": [
                {"person_id": zhao_person, "role": "party_member", "post_id": gate},
                {"person_id": wang_person, "role": "volunteer", "post_id": rounds},
            ]
        },
    )

    # 李建国 activates the plan at his desk; the roll call goes out to both.
    desk = browser.new_context(viewport=DESK, locale="zh-CN")
    console = desk.new_page()
    console.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(console, base, "13800000001", "/console/emergency")
    expect(console.get_by_role("heading", name="应急动员", exact=True)).to_be_visible()
    console.locator(".toolbar .el-select").click()
    console.get_by_role("option", name=compound_name).click()
    expect(console.get_by_role("heading", name="公共卫生事件应急动员预案")).to_be_visible()
    console.get_by_label("情况").fill("3号楼发现发热病例，需封控楼栋")
    console.get_by_role("button", name="启动预案").click()
    live = console.locator(".live")
    expect(live).to_contain_text("点名 2 人")
    expect(live).to_contain_text("未确认")
    check_screen(console, "practices-d-02-console-activated")

    # 赵师傅 opens the message's link, acknowledges and reports at the gate, then claims the post.
    context, page = phone(browser, errors)
    sign_in(page, base, "13800000003")
    expect(page.get_by_text("赵师傅，您好")).to_be_visible()
    activation = until(
        lambda: SLOW.get(f"{base}{R}/emergency/my-calls", headers=login(base, "13800000003")).json(),
        "赵师傅's roll call",
    )[0]["activation_id"]
    page.goto(f"{base}/emergency/{activation}")
    call = page.get_by_role("region", name="公共卫生事件应急动员预案")
    expect(call).to_contain_text("北门卡口值守")
    check_screen(page, "practices-d-03-roll-call")
    page.get_by_role("button", name="确认收到").click()
    expect(page.get_by_role("status")).to_have_text("已确认收到，请尽快前往岗位")
    page.get_by_label("到岗说明").fill("已到北门")
    page.get_by_role("button", name="我已到岗").click()
    expect(page.get_by_role("status")).to_have_text("已到岗：北门卡口值守")
    expect(call).to_contain_text("到岗报到")
    check_screen(page, "practices-d-04-at-post")
    page.goto(f"{base}/volunteer")
    page.get_by_role("button", name="认领楼栋照明维护岗").click()
    expect(page.get_by_role("status")).to_have_text("已认领岗位：楼栋照明维护岗")
    page.goto(f"{base}/board")
    on_wall = page.locator(".post").filter(has_text="楼栋照明维护岗")
    expect(on_wall).to_contain_text("赵师傅")
    on_wall.scroll_into_view_if_needed()
    check_screen(page, "practices-d-05-board-posts")
    context.close()

    # The desk sees him at his post without reloading, raises the response and closes it.
    expect(live.locator(".tally")).to_contain_text("到岗 1")
    console.get_by_label("升级说明").fill("小区力量不足，请求社区支援")
    console.get_by_role("button", name="升级响应").click()
    expect(live).to_contain_text("社区响应（社区呼叫）")
    console.get_by_label("处置总结").fill("封控解除，全员撤岗")
    console.get_by_role("button", name="结束响应").click()
    expect(live).to_contain_text("已结束")
    expect(console.get_by_role("button", name="导出记录 Excel")).to_be_visible()
    expect(console.locator(".timeline")).to_contain_text("响应升级")
    check_screen(console, "practices-d-06-console-closed")

    # The desk of volunteers and posts: 王秀英 with her skill and team, 赵师傅 at his post.
    console.get_by_role("link", name="特长户与岗位").click()
    expect(console.get_by_role("heading", name="特长户与服务岗位")).to_be_visible()
    expect(console.get_by_role("row").filter(has_text="王秀英")).to_contain_text("养老照护")
    expect(console.get_by_role("row").filter(has_text="王秀英")).to_contain_text("红邻服务队")
    console.get_by_role("tab", name="服务岗位").click()
    expect(console.get_by_role("row").filter(has_text="楼栋照明维护岗")).to_contain_text("赵师傅")
    check_screen(console, "practices-d-07-console-posts")
    assert errors == [], errors
    desk.close()
