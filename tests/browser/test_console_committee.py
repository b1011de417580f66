"""The demo compound's committees at the committee desk (议事工作台, 1440×900), in Chromium, on the
demo street with its votes (DEMO_SIZE=1). 王秀英 proposes re-roofing and 赵师傅 triages it (on
their phones: the API here); at the desk the council (王秀英) records its topic discussion and
says go, 刘建华 (owners' committee) writes the plan, votes for it and classifies it under art.
278, 陈淑芬 (supervisory committee) co-signs, and 刘建华 notices the owners' vote: the stepper
walks to 公告. On the demo's open vote 刘建华 reads the turnout per building (a chart drawn with
data) and the voter roll (who, never how), enters a 2号楼 home's paper ballot, 陈淑芬 witnessing,
and 陈淑芬 confirms it at her desk (two more sheets go the same way through the API). Then the
clock moves past the closing: the vote is tallied, 陈淑芬 lands on the desk, reads both legs of
the tally and per building, certifies it, checks an owner's receipt and recomputes the audit
chain; building 1's convention shows the clauses the demo's finished vote adopted. Before the
clock moved 王秀英 rated the committee on her phone; now 陈淑芬 closes the year's rating at the desk
(below the bar: a correction proposal opens) and exports the results. Every screen is checked
with axe-core and saved to be looked at."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect

from tests.browser.desk import (
    AXE,
    DESK,
    DIST,
    PASSWORD,
    SLOW,
    WANG,
    ZHAO,
    check_screen,
    choose,
    drawn_charts,
    login,
    phone,
)
from tests.e2e.conftest import Embedded, free_port
from tests.helpers import ok, until

LIU, CHEN = "13800000005", "13800000006"
OPEN_TITLE = "使用维修资金更换2号楼单元门禁"
API = "/api/v1/deliberation"


@pytest.fixture
def street_with_votes(tmp_path: Path, migrated: Path) -> Iterator[Embedded]:
    if not DIST.is_file() or not AXE.is_file():
        pytest.fail("web/dist or web/node_modules is missing: run `make web` first (make test does)")
    node = Embedded(tmp_path, free_port(), template=migrated)
    node.start(DEMO_SIZE="1")
    node.wait_ready(timeout=240)
    yield node
    node.stop()


def at_desk(browser: Any, base: str, mobile: str, errors: list[str], landing: bool = False) -> tuple[Any, Page]:
    """A desk of its own, logged in through the login screen, on the committee desk (asked for,
    or where the login lands the person)."""
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{mobile}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{mobile}: {e}"))
    page.goto(base + ("/login" if landing else "/login?next=/console/deliberation"))
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="议事工作台")).to_be_visible()
    return context, page


def open_proposal(page: Page, title: str) -> None:
    page.get_by_test_id("proposals").get_by_text(title, exact=True).click()
    expect(page.get_by_test_id("proposal-panel").get_by_role("heading", name=title)).to_be_visible()


def test_the_committee_walks_a_proposal_to_its_notice_and_certifies_the_tally(
    street_with_votes: Embedded, browser: Any
) -> None:
    node = street_with_votes
    base = node.base
    wang, zhao, liu, chen = (login(base, m) for m in (WANG, ZHAO, LIU, CHEN))
    compound_id = int(ok(SLOW.get(f"{base}/api/v1/registry/me/home", headers=wang))["dwelling"]["compound_id"])

    def call(method: str, path: str, who: dict[str, str], body: Any = None, status: int = 200) -> Any:
        return ok(SLOW.request(method, base + API + path, json=body, headers=who), status)

    def proposals() -> list[Any]:
        answer = SLOW.get(f"{base}{API}/proposals", params={"compound_id": compound_id}, headers=liu)
        return list(answer.json()) if answer.status_code == 200 else []

    until(lambda: len(proposals()) >= 2, "the demo's two votes", within_s=120)
    p = call("POST", "/proposals", wang, {"compound_id": compound_id, "title": "2号楼楼顶防水维修"}, 201)
    p = call("POST", f"/proposals/{p['id']}/triage", zhao, {"version": p["version"], "triage": "minor"})
    expect.set_options(timeout=30_000)  # four services answer each screen on a busy machine
    errors: list[str] = []

    # The council meets and says go.
    context, page = at_desk(browser, base, WANG, errors)
    open_proposal(page, "2号楼楼顶防水维修")
    page.get_by_label("会议地点").fill("2号楼院坝")
    page.get_by_role("button", name="记录会议").click()
    expect(page.get_by_role("status")).to_contain_text("会议已记录")
    page.get_by_test_id("step-action").get_by_role("button", name="办", exact=True).click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("业委会制定方案中（怎么办）")
    context.close()

    # 刘建华 plans, votes and classifies.
    context, page = at_desk(browser, base, LIU, errors)
    open_proposal(page, "2号楼楼顶防水维修")
    page.get_by_label("方案内容").fill("2号楼楼顶重做防水层，使用维修资金。")
    page.get_by_label("预算（元）").fill("36000")
    choose(page, "plan-funding", "维修资金")
    page.get_by_role("button", name="保存方案").click()
    expect(page.get_by_role("status")).to_contain_text("方案已保存")
    page.get_by_test_id("plan-for").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("待业主表决")
    choose(page, "classify-matter-0", "使用建筑物及其附属设施的维修资金")
    page.get_by_role("button", name="保存定性").click()
    expect(page.get_by_test_id("classification")).to_contain_text("双过半")
    check_screen(page, "console-committee-classified")
    context.close()

    # 陈淑芬 co-signs (she lands on the desk: the supervisory committee's desk is this one).
    context, page = at_desk(browser, base, CHEN, errors)
    open_proposal(page, "2号楼楼顶防水维修")
    page.get_by_test_id("cosign").click()
    expect(page.get_by_role("status")).to_contain_text("监委会已会签定性")
    context.close()

    # 刘建华 notices the vote: the earliest opening the regulations allow is offered.
    context, page = at_desk(browser, base, LIU, errors)
    open_proposal(page, "2号楼楼顶防水维修")
    page.get_by_test_id("notice").click()
    expect(page.get_by_test_id("proposal-status")).to_have_text("业主表决中")
    expect(page.get_by_test_id("vote-status")).to_have_text("已公告，待开始")
    expect(page.locator(".el-step__head.is-success")).to_have_count(6)
    check_screen(page, "console-committee-noticed")

    # The demo's open vote: turnout per building drawn, the roll, a paper ballot entered.
    open_proposal(page, OPEN_TITLE)
    expect(page.get_by_test_id("vote-status")).to_have_text("表决中")
    expect(page.get_by_test_id("turnout-total")).to_contain_text("已投票 6 / 12 人")
    until(lambda: drawn_charts(page) >= 1, "the turnout chart drawn with data")
    roll = page.get_by_test_id("roll")
    expect(roll).to_contain_text("已投票")
    expect(roll).not_to_contain_text("赞成")  # who, never how
    choose(page, "roll-building", "2号楼")
    choose(page, "paper-dwelling", "2号楼")
    page.get_by_role("radio", name="赞成").first.check(force=True)
    choose(page, "paper-witness", "陈淑芬")
    page.get_by_label("票号").fill("纸-101")
    page.get_by_role("button", name="录入纸质选票").click()
    expect(page.get_by_role("status")).to_contain_text("纸-101 已录入")
    expect(page.get_by_test_id("paper-sheets")).to_contain_text("待见证人确认")
    page.get_by_role("heading", name="逐栋参与情况").scroll_into_view_if_needed()
    check_screen(page, "console-committee-open-vote")
    context.close()

    # Two more sheets the same way (the API the desk calls), then 陈淑芬 confirms all three.
    vote = next(p for p in proposals() if p["title"] == OPEN_TITLE)["votes"][-1]
    vote_id = vote["id"]
    detail = call("GET", f"/votes/{vote_id}", liu)
    item = detail["items"][0]["id"]
    chen_id = ok(SLOW.get(f"{base}/api/v1/registry/me", headers=chen))["person_id"]
    waiting = []
    for building in sorted({b["building_id"] for b in call("GET", f"/votes/{vote_id}/turnout", liu)["buildings"]}):
        waiting += [
            d["dwelling_id"]
            for d in call("GET", f"/votes/{vote_id}/roll?building_id={building}", liu)["dwellings"]
            if not d["voted"] and not d["awaiting_witness"]
        ]
    for n, dwelling in enumerate(waiting[:2]):
        sheet = {
            "dwelling_id": dwelling,
            "choices": [{"item_id": item, "choice": "for"}],
            "witness_person_id": chen_id,
            "sheet_no": f"纸-10{n + 2}",
        }
        call("POST", f"/votes/{vote_id}/paper-ballots", liu, sheet, 201)
    context, page = at_desk(browser, base, CHEN, errors)
    open_proposal(page, OPEN_TITLE)
    for _ in range(3):
        page.get_by_test_id("witness-confirm").first.click()
        expect(page.get_by_role("status")).to_contain_text("已确认纸质选票")
    expect(page.get_by_test_id("turnout-total")).to_contain_text("已投票 9 / 12 人")
    context.close()

    # The year's rating of the committee, opened by the supervisory committee to close with the
    # vote: 王秀英 rates on her phone (two stars); 刘建华's and 陈淑芬's households answer too.
    rating = call(
        "POST",
        f"/compounds/{compound_id}/committee-evaluations",
        chen,
        {"year": int(vote["closes_at"][:4]), "closes_at": vote["closes_at"]},
        201,
    )
    phone_page = phone(browser, base, WANG, errors)
    phone_page.goto(base + "/committee-rating")
    phone_page.locator(".van-rate__item").nth(1).click()
    phone_page.get_by_label("意见").fill("账目公示不及时")
    phone_page.get_by_role("button", name="提交测评").click()
    expect(phone_page.get_by_test_id("rated")).to_contain_text("本户已参与本年度测评")
    check_screen(phone_page, "phone-committee-rating")
    phone_page.context.close()
    for who, score in ((liu, 3), (chen, 2)):
        call("POST", f"/committee-evaluations/{rating['id']}/answers", who, {"score": score})

    # The clock moves past the closing (the platform restarts on the same data 11 days on); the
    # vote clock tallies the vote.
    node.stop()
    offset = int(os.environ.get("CLOCK_OFFSET_SECONDS", "0")) + 11 * 86_400
    node.start(DEMO_SIZE="1", CLOCK_OFFSET_SECONDS=str(offset))
    node.wait_ready(timeout=240)
    liu, chen = login(base, LIU), login(base, CHEN)
    until(lambda: call("GET", f"/votes/{vote_id}", liu)["status"] == "closed", "the vote closed", within_s=90)

    context, page = at_desk(browser, base, CHEN, errors, landing=True)
    expect(page).to_have_url(f"{base}/console/deliberation")
    open_proposal(page, OPEN_TITLE)
    tally = page.get_by_test_id("tally")
    expect(tally).to_contain_text("专有部分面积（㎡）")
    expect(tally).to_contain_text("业主人数（人）")
    expect(page.get_by_test_id(f"tally-buildings-{item}")).to_contain_text("2号楼")
    page.get_by_test_id("vote-certify").click()
    expect(page.get_by_role("status")).to_contain_text("监委会已确认计票结果")
    expect(tally).to_contain_text("已经监委会确认")
    receipt = call("GET", f"/votes/{vote_id}/receipts", chen)[0]["receipts"][0]
    page.get_by_test_id("receipt-input").fill(receipt)
    page.get_by_role("button", name="核对").click()
    expect(page.get_by_test_id("receipt-check")).to_contain_text("已计入公布的计票结果")
    until(lambda: drawn_charts(page) >= 1, "the turnout chart drawn after closing")
    page.get_by_role("heading", name="计票结果：通过").scroll_into_view_if_needed()
    check_screen(page, "console-committee-certified")
    assert call("GET", f"/votes/{vote_id}", chen)["tally_certified_by"] == chen_id

    page.get_by_role("tab", name="审计核验").click()
    page.get_by_test_id("audit-verify").click()
    expect(page.get_by_test_id("audit-result")).to_contain_text("审计链完整")
    check_screen(page, "console-committee-audit")
    page.get_by_role("tab", name="公约").click()
    expect(page.get_by_test_id("conventions")).to_contain_text("1号楼文明公约")
    expect(page.get_by_test_id("clauses")).to_contain_text("爱护楼道扶手等公共设施")  # the finished vote's decision
    check_screen(page, "console-committee-conventions")

    # 陈淑芬 closes the rating: three households, none satisfied, below the 60% bar: a correction
    # proposal opens on the 131 path; the results (anonymous) go out as .xlsx.
    page.get_by_role("tab", name="业委会测评").click()
    page.get_by_test_id("evaluation-close").click()
    expect(page.get_by_test_id("evaluation-rounds")).to_contain_text("低于阈值，已提请纠错")
    until(lambda: drawn_charts(page) >= 1, "the rating's scores drawn")
    check_screen(page, "console-committee-rating")
    with page.expect_download() as download:
        page.get_by_test_id("evaluation-export").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book["业委会测评结果"].iter_rows(values_only=True))
    assert rows[1][3:9] == (12, 3, "2.33", "0.00", "60.00", "是")
    assert list(book["分数分布"].iter_rows(values_only=True))[1] == (rows[1][1], 0, 2, 1, 0, 0)
    assert any(p["title"].startswith("业委会纠错或更换成员") for p in proposals())
    context.close()
    assert errors == []
