"""Two desks where records were read-only, at 1440×900 on the demo street, as 李建国 (street admin).

The registry desk's party tab: he registers 王秀英 on the retired members' ledger, moves her to
the in-service ledger, records her check-in with a post, pairs her with a household of building
1 (the same pairing again is refused with the API's words on the form) and ends the pairing and
the check-in; removing 赵师傅, who has a check-in and pairings, is refused on the form, while 刘建华,
registered a moment before with nothing attached, is removed. What the desk shows is what the
registry answers afterwards.

The dispatch desk's points rules (积分规则) for the old compound: the defaults apply until he
saves its own (a penalty is kept at zero or below, as the API asks); a save names the version he
read, so when someone changes the rules meanwhile his save is refused, the form starts again from
the rules as they are now, and his second save keeps both changes. Screens are checked with axe-core
and saved to be looked at."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.desk import DESK, PASSWORD, SLOW, check_screen, choose, login
from tests.e2e.conftest import Embedded
from tests.helpers import ok

LI = "13800000001"
OLD = "杏花岭片区·老旧小区"
REGISTRY = "/api/v1/registry"


def at_desk(browser: Any, base: str, errors: list[str]) -> tuple[Any, Page]:
    """李建国 at his desk, once the dashboard has settled on his street (it rewrites the address)."""
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/")
    page.get_by_label("手机号").fill(LI)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console\?level=\w+&place=\d+$"))
    return context, page


def member_of(base: str, who: dict[str, str], compound_id: int, name: str) -> dict[str, Any] | None:
    members = ok(SLOW.get(f"{base}{REGISTRY}/party-members", params={"compound_id": compound_id}, headers=who))
    return next((m for m in members if m["name"] == name), None)


def test_li_jianguo_keeps_the_party_ledgers_check_ins_and_pairings(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    expect.set_options(timeout=30_000)
    li = login(base, LI)
    old = next(c for c in ok(SLOW.get(f"{base}{REGISTRY}/compounds", headers=li)) if c["name"] == OLD)
    errors: list[str] = []
    context, page = at_desk(browser, base, errors)
    page.get_by_role("link", name="基础台账").click()
    expect(page.get_by_role("heading", name="基础台账")).to_be_visible()
    choose(page, "registry-compound", OLD)
    page.get_by_role("tab", name="党建").click()
    ledgers = page.get_by_test_id("party-ledgers")
    expect(ledgers).to_contain_text("赵师傅")

    # 王秀英 on the retired members' ledger.
    page.get_by_test_id("member-add").click()
    choose(page, "member-person", "138****0004")
    choose(page, "member-ledger", "离退休党员")
    check_screen(page, "console-party-01-member-form")
    page.get_by_test_id("member-save").click()
    done = page.get_by_test_id("party-done")
    expect(done).to_contain_text("已登记 王秀英 到离退休党员台账")
    ledgers.get_by_role("tab", name=re.compile("离退休党员")).click()
    expect(page.get_by_test_id("ledger-retired")).to_contain_text("王秀英")
    wang = member_of(base, li, old["id"], "王秀英")
    assert wang is not None
    assert wang["ledger"] == "retired"

    # ... moved to the in-service ledger.
    page.get_by_test_id(f"member-edit-{wang['id']}").click()
    choose(page, "member-ledger", "在职党员")
    page.get_by_test_id("member-save").click()
    expect(done).to_contain_text("已将 王秀英 调整到在职党员台账")
    ledgers.get_by_role("tab", name=re.compile("在职党员")).click()
    expect(page.get_by_test_id("ledger-in_service")).to_contain_text("王秀英")
    wang = member_of(base, li, old["id"], "王秀英")
    assert wang is not None
    assert (wang["ledger"], wang["version"]) == ("in_service", 2)

    # Her check-in, with a post.
    page.get_by_test_id("check-in-add").click()
    choose(page, "check-in-member", "王秀英（在职党员）")
    page.get_by_test_id("check-in-post").fill("楼道卫生监督岗")
    page.get_by_test_id("check-in-save").click()
    expect(done).to_contain_text("王秀英 已报到，认领「楼道卫生监督岗」")
    check_ins = page.get_by_test_id("check-ins")
    expect(check_ins).to_contain_text("楼道卫生监督岗")
    [check_in] = ok(
        SLOW.get(f"{base}{REGISTRY}/check-ins", params={"party_member_id": wang["id"], "active": True}, headers=li)
    )
    assert check_in["post"] == "楼道卫生监督岗"

    # She pairs with 1-1-302; the same pairing again is refused with the API's words.
    page.get_by_test_id("pairing-add").click()
    choose(page, "pairing-member", "王秀英")
    choose(page, "pairing-household", "1-1-302")
    page.get_by_test_id("pairing-save").click()
    expect(done).to_contain_text("已新建在职党员包联住户")
    pairings = page.get_by_test_id("pairings")
    row = pairings.locator("tr", has_text="1-1-302")
    expect(row).to_contain_text("王秀英")
    expect(row).to_contain_text("在期")
    expect(page.get_by_test_id("pairing-wall")).to_contain_text("1-1-302")
    page.get_by_test_id("pairing-add").click()
    choose(page, "pairing-member", "王秀英")
    choose(page, "pairing-household", "1-1-302")
    page.get_by_test_id("pairing-save").click()
    expect(page.get_by_test_id("pairing-error")).to_contain_text("同样的在职党员包联住户已经存在")
    check_screen(page, "console-party-02-pairing-refused")
    page.get_by_role("dialog", name="新建包联").get_by_role("button", name="取消").click()
    [pairing] = ok(
        SLOW.get(
            f"{base}{REGISTRY}/pairings", params={"compound_id": old["id"], "party_member_id": wang["id"]}, headers=li
        )
    )
    as_of = ok(SLOW.get(f"{base}{REGISTRY}/compounds/{old['id']}/pairings/public", headers=li))["as_of"]

    # The pairing ends today (its last day), the check-in now.
    page.get_by_test_id(f"pairing-end-{pairing['id']}").click()
    expect(page.get_by_role("dialog").get_by_role("combobox", name="最后一天")).to_have_value(as_of)
    page.get_by_test_id("pairing-end-save").click()
    expect(done).to_contain_text(f"已结束包联：王秀英 — 1-1-302（至 {as_of} 止）")
    expect(row).to_contain_text(f"至 {as_of}")
    page.get_by_test_id(f"check-in-end-{check_in['id']}").click()
    expect(done).to_contain_text("已结束 王秀英 的报到")
    expect(check_ins).not_to_contain_text("王秀英")
    check_screen(page, "console-party-03-ended", full_page=True)
    assert ok(SLOW.get(f"{base}{REGISTRY}/pairings/{pairing['id']}", headers=li))["until"] == as_of
    assert ok(SLOW.get(f"{base}{REGISTRY}/check-ins/{check_in['id']}", headers=li))["active"] is False

    # 赵师傅 keeps his check-in and pairings: removing him is refused on the form.
    zhao = member_of(base, li, old["id"], "赵师傅")
    assert zhao is not None
    page.get_by_test_id(f"member-edit-{zhao['id']}").click()
    page.get_by_test_id("member-remove").click()
    expect(page.get_by_test_id("member-error")).to_contain_text("不能删除")
    check_screen(page, "console-party-04-remove-refused")
    page.get_by_role("dialog").get_by_role("button", name="取消").click()
    # The same dialog opens again next: as a person would, wait for it to finish closing (a
    # select opened in a dialog still fading out once stayed open after its pick, under load).
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert member_of(base, li, old["id"], "赵师傅") is not None

    # 刘建华, registered with nothing attached, is removed.
    page.get_by_test_id("member-add").click()
    choose(page, "member-person", "138****0005")
    choose(page, "member-ledger", "流动党员")
    page.get_by_test_id("member-save").click()
    expect(done).to_contain_text("已登记 刘建华 到流动党员台账")
    liu = member_of(base, li, old["id"], "刘建华")
    assert liu is not None
    page.get_by_test_id(f"member-edit-{liu['id']}").click()
    page.get_by_test_id("member-remove").click()
    expect(done).to_contain_text("已将 刘建华 移出党员台账")
    expect(page.get_by_test_id("ledger-mobile")).not_to_contain_text("刘建华")
    assert SLOW.get(f"{base}{REGISTRY}/party-members/{liu['id']}", headers=li).status_code == 404
    assert [e for e in errors if "409" not in e] == []
    context.close()


def test_li_jianguo_sets_the_old_compounds_points_rules(platform_process: Embedded, browser: Any) -> None:
    base = platform_process.base
    expect.set_options(timeout=30_000)
    li = login(base, LI)
    old = next(c for c in ok(SLOW.get(f"{base}{REGISTRY}/compounds", headers=li)) if c["name"] == OLD)
    rules_url = f"{base}/api/v1/dispatch/points/rules/{old['id']}"
    errors: list[str] = []
    context, page = at_desk(browser, base, errors)
    page.get_by_role("link", name="时限规则").click()
    expect(page.get_by_role("heading", name="时限与积分规则")).to_be_visible()
    page.get_by_role("tab", name="积分规则").click()
    choose(page, "rules-compound", OLD)
    version = page.get_by_test_id("rules-version")
    expect(version).to_have_text("沿用默认规则")
    expect(page.get_by_test_id("rule-default_base")).to_have_text("10")

    def number(test_id: str, value: int) -> None:
        box = page.get_by_test_id(test_id).locator("input")
        box.fill(str(value))
        box.press("Tab")

    page.get_by_test_id("rules-edit").click()
    number("rules-default_base", 12)
    page.get_by_test_id("rules-category-add").click()
    choose(page, "rules-category-0", "水管漏水")
    number("rules-category-points-0", 15)
    number("rules-rating-3", 1)
    number("rules-accept_timeout_penalty", 3)  # a penalty takes points away: the form keeps it at most 0
    expect(page.get_by_test_id("rules-accept_timeout_penalty").locator("input")).to_have_value("0")
    number("rules-accept_timeout_penalty", -3)
    check_screen(page, "console-rules-01-form")
    page.get_by_test_id("rules-save").click()
    expect(page.get_by_test_id("rules-done")).to_contain_text(f"已保存{OLD}的积分规则（第 1 版）")
    expect(version).to_have_text("本小区规则 · 第 1 版")
    expect(page.get_by_test_id("rule-default_base")).to_have_text("12")
    expect(page.get_by_test_id("rule-base_by_category")).to_have_text("水管漏水 15")
    expect(page.get_by_test_id("rule-rating_bonus")).to_have_text("5星 +5，4星 +2，3星 +1")
    expect(page.get_by_test_id("rule-accept_timeout_penalty")).to_have_text("-3")
    check_screen(page, "console-rules-02-saved")
    saved = ok(SLOW.get(rules_url, headers=li))
    assert (saved["version"], saved["own"], saved["default_base"]) == (1, True, 12)
    assert saved["base_by_category"] == {"water_leak": 15}
    assert saved["rating_bonus"] == {"5": 5, "4": 2, "3": 1}
    assert saved["accept_timeout_penalty"] == -3

    # Someone else shortens the red list meanwhile; his next save names version 1 and is refused.
    other = {k: v for k, v in saved.items() if k not in ("compound_id", "own")} | {"honor_roll_size": 8}
    assert ok(SLOW.put(rules_url, json=other, headers=li))["version"] == 2
    page.get_by_test_id("rules-edit").click()
    number("rules-wish_points", 6)
    page.get_by_test_id("rules-save").click()
    refusal = page.get_by_test_id("rules-error")
    expect(refusal).to_contain_text("积分规则已被他人修改（当前版本 2，你提交的是 1）")
    expect(version).to_have_text("本小区规则 · 第 2 版")
    # The form starts again from the rules as they are now: his change again, theirs kept.
    expect(page.get_by_test_id("rules-honor_roll_size").locator("input")).to_have_value("8")
    expect(page.get_by_test_id("rules-wish_points").locator("input")).to_have_value("5")
    check_screen(page, "console-rules-03-stale")
    number("rules-wish_points", 6)
    page.get_by_test_id("rules-save").click()
    expect(version).to_have_text("本小区规则 · 第 3 版")
    expect(page.get_by_test_id("rule-wish_points")).to_have_text("6")
    expect(page.get_by_test_id("rule-honor_roll_size")).to_have_text("8")
    now = ok(SLOW.get(rules_url, headers=li))
    assert (now["version"], now["wish_points"], now["honor_roll_size"], now["default_base"]) == (3, 6, 8, 12)
    assert [e for e in errors if "409" not in e and "422" not in e] == []
    context.close()
