"""The leaking pipe, told by the three people in it, each on their own phone (three browser
contexts at 390×844, on `linli run` with the demo street): 王秀英 reports her leaking kitchen
pipe with a photo (compressed on the phone); 张丽's task inbox shows it arrive without a reload
(the dispatch stream, read with fetch and the Bearer header), she sees the photo, triages it as a
小事 and assigns it to 赵师傅 from the ranked candidates with their reasons; 赵师傅's screen shows
the offer arrive live, he accepts, starts and completes it with a photo; 王秀英's order page
follows by itself to 待确认, she sees both photos, confirms and rates; she pays her bill through
the simulated channel and reads the receipt; then (the clock moved to the opening of an owners'
vote the committees noticed 15 days ahead) she casts and changes her ballot and checks her receipt. Every main screen is
checked with axe-core and saved as a PNG; no page logs a console error."""

from __future__ import annotations

import os
import struct
import time
import zlib
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import WANG, ZHANG, ZHAO, check_screen, compound_of, login, notice_a_vote, phone
from tests.e2e.conftest import Embedded
from tests.helpers import LOCAL, ok, until

# Several services on a shared machine: a screen may take longer than Playwright's 5 s default.
expect.set_options(timeout=20_000)


def photo(path: Path, rgb: tuple[int, int, int]) -> Path:
    """A small PNG of one colour, as a phone's camera would hand the page a file."""
    width, height = 320, 240
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


def move_clock(node: Embedded, days: int) -> None:
    """The platform's clock moves on: it restarts on the same data with a larger offset."""
    node.stop()
    offset = int(os.environ.get("CLOCK_OFFSET_SECONDS", "0")) + days * 86_400
    node.start(CLOCK_OFFSET_SECONDS=str(offset))
    node.wait_ready(timeout=240)


def test_the_leaking_pipe_on_three_phones(platform_process: Embedded, browser: Any, tmp_path: Path) -> None:
    base = platform_process.base
    zhang_api = login(base, ZHANG)

    # The demo street reaches dispatch by events, a moment after start-up: wait until 赵师傅 is
    # a member dispatch knows (the demo order's candidates name him).
    def get(url: str) -> Any:
        return LOCAL.get(url, headers=zhang_api, timeout=60).json()  # a loaded machine answers slowly

    def zhao_known() -> bool:
        orders = get(f"{base}/api/v1/dispatch/orders").get("items", [])
        return any(
            c["name"] == "赵师傅" for o in orders for c in get(f"{base}/api/v1/dispatch/orders/{o['id']}/candidates")
        )

    until(zhao_known, "赵师傅 known to dispatch")

    errors: list[str] = []
    wang, zhang, zhao = (phone(browser, base, m, errors) for m in (WANG, ZHANG, ZHAO))

    # 张丽 opens her task inbox; the screen says it is live.
    zhang.get_by_role("link", name="网格任务").click()
    expect(zhang.get_by_text("实时更新中")).to_be_visible()
    check_screen(zhang, "10-grid-inbox")

    # 赵师傅 opens his party member screen: his check-in and his points.
    zhao.get_by_role("link", name="党员服务").click()
    expect(zhao.get_by_text("实时更新中")).to_be_visible()
    expect(zhao.get_by_text("岗位：水电维修服务岗", exact=False)).to_be_visible()
    expect(zhao.get_by_text("累计积分")).to_be_visible()
    check_screen(zhao, "11-party-home")

    # 王秀英 reports her leaking pipe.
    wang.get_by_role("link", name="报修求助").click()
    wang.get_by_role("radio", name="水管漏水").click()
    wang.get_by_label("事项").fill("厨房水管漏水")
    wang.get_by_label("漏水位置").fill("厨房水槽下")
    wang.get_by_label("详细描述").fill("厨房水槽下面的水管一直滴水")
    wang.get_by_label("拍照或选图").set_input_files(photo(tmp_path / "leak.png", (40, 90, 160)))
    expect(wang.get_by_role("img", name="照片 1", exact=True)).to_be_visible()
    expect(wang.get_by_text("最多 5 张，已选 1 张")).to_be_visible()
    check_screen(wang, "20-help-with-photo")
    wang.get_by_role("button", name="提交").click()
    expect(wang.locator(".state")).to_have_text("待分流")
    expect(wang.get_by_role("img", name="工单照片 1")).to_be_visible()

    # It arrives on 张丽's screen by itself: the notice, the badge and the row, no reload.
    expect(zhang.get_by_text("点单：厨房水管漏水（待分流）")).to_be_visible()
    row = zhang.locator(".van-cell", has_text="厨房水管漏水")
    expect(row).to_contain_text("新")
    expect(zhang.locator(".group", has_text="待分流")).to_contain_text("新")
    check_screen(zhang, "12-grid-inbox-new-order")
    row.click()
    expect(zhang.get_by_role("heading", name="三事分流")).to_be_visible()
    expect(zhang.get_by_role("img", name="工单照片 1")).to_be_visible()  # her photo, for the grid worker
    zhang.get_by_role("radio", name="小事：社区与居民协商解决（派党员）").click()
    check_screen(zhang, "13-grid-triage")
    zhang.get_by_role("button", name="提交分流").click()
    expect(zhang.locator(".state")).to_have_text("待派单")

    # The candidates with their reasons; she assigns 赵师傅.
    candidate = zhang.locator(".candidate", has_text="赵师傅")
    expect(candidate).to_be_visible()
    expect(candidate).to_contain_text("在办")
    check_screen(zhang, "14-grid-candidates")
    zhang.get_by_role("button", name="指派给赵师傅").click()
    expect(zhang.locator(".state")).to_have_text("待接单")
    expect(zhang.get_by_text("已派给赵师傅，等待接单")).to_be_visible()

    # 赵师傅's screen shows the offer by itself; he answers within the window.
    expect(zhao.get_by_text("新派单：厨房水管漏水，请尽快答复")).to_be_visible()
    offer = zhao.locator(".van-cell", has_text="厨房水管漏水")
    expect(offer).to_contain_text("待接单")
    check_screen(zhao, "15-party-offer")
    offer.click()
    expect(zhao.get_by_role("heading", name="派给您的工单")).to_be_visible()
    expect(zhao.get_by_text("前答复，超时将改派他人")).to_be_visible()
    check_screen(zhao, "16-party-offer-detail")
    zhao.get_by_role("button", name="接单", exact=True).click()
    expect(zhao.locator(".state")).to_have_text("已接单")
    # 王秀英's page follows the order without a reload.
    expect(wang.locator(".state")).to_have_text("已接单")
    zhao.get_by_role("button", name="开工").click()
    expect(zhao.locator(".state")).to_have_text("处理中")
    zhao.get_by_label("说明").fill("关阀检查，接头老化")
    zhao.get_by_role("button", name="记录进展").click()
    expect(zhao.locator(".steps")).to_contain_text("关阀检查，接头老化")
    zhao.get_by_label("说明").fill("更换水管接头两处，已不漏水")
    zhao.get_by_label("完工照片").set_input_files(photo(tmp_path / "fixed.png", (60, 160, 80)))
    expect(zhao.get_by_role("img", name="照片 1", exact=True)).to_be_visible()
    check_screen(zhao, "17-party-work")
    zhao.get_by_role("button", name="完工", exact=True).click()
    expect(zhao.locator(".state")).to_have_text("待确认")

    # 王秀英 sees it done, confirms and rates.
    expect(wang.locator(".state")).to_have_text("待确认")
    expect(wang.locator(".van-cell-group").first).to_contain_text("更换水管接头两处，已不漏水")
    expect(wang.get_by_role("img", name="工单照片 2")).to_be_visible()  # and his photo of the repair
    wang.get_by_role("button", name="确认已解决").click()
    expect(wang.locator(".state")).to_have_text("已确认")
    wang.get_by_label("留言").fill("赵师傅手艺好")
    wang.get_by_role("button", name="提交评价").click()
    expect(wang.locator(".state")).to_have_text("已办结")
    check_screen(wang, "18-order-rated")

    # Nothing waits on 张丽 for it any more: it is in none of her inbox's groups.
    zhang.get_by_text("返回").click()
    expect(zhang.get_by_text("实时更新中")).to_be_visible()
    for group in ("待分流", "待派单", "待接单", "处理中", "待回访"):
        zhang.locator(".group", has_text=group).click()
        expect(zhang.locator(".van-cell", has_text="厨房水管漏水")).to_have_count(0)

    # 缴费: the committee bills the year (their app; here the API, as in the resident's story);
    # she pays online through the simulated channel and reads her receipt.
    liu = login(base, "13800000005")
    card = {
        "scope_id": 1,
        "structure": "multi_storey",
        "management_model": "community_custody",
        "rate_yuan_per_m2_month": "0.50",
        "effective_from": "2020-01-01",
    }
    ok(LOCAL.post(f"{base}/api/v1/billing/rate-cards", headers=liu, json=card, timeout=60), 201)
    year = wang.evaluate("() => new Date().getFullYear()")
    run = ok(
        LOCAL.post(
            f"{base}/api/v1/billing/bill-runs",
            headers={**liu, "Idempotency-Key": f"three-phones-{time.time_ns()}"},
            json={"scope_id": 1, "period": str(year)},
            timeout=60,
        ),
        201,
    )
    assert run["issued_count"] > 0, run
    wang.goto(base + "/bills")
    expect(wang.locator(".owed")).to_contain_text("519.00")
    wang.get_by_role("button", name="在线缴费 519.00 元").click()
    expect(wang.get_by_text("开发环境：这里模拟支付渠道的收银台")).to_be_visible()
    check_screen(wang, "21-pay-simulated-channel")
    wang.get_by_role("button", name="确认支付 519.00 元").click()
    expect(wang.get_by_role("heading", name="缴费成功")).to_be_visible()
    expect(wang.locator(".hero")).to_contain_text("519.00 元")
    expect(wang.locator(".van-cell-group").first).to_contain_text("微信支付")
    check_screen(wang, "22-receipt")
    wang.get_by_text("我的账单").first.click()
    expect(wang.locator(".owed")).to_contain_text("0.00")
    expect(wang.get_by_role("button", name="在线缴费 519.00 元")).to_have_count(0)

    # 投票 and 公示栏: the screens as they are before any vote is noticed.
    wang.goto(base + "/votes")
    expect(wang.get_by_text("目前没有业主表决")).to_be_visible()
    wang.get_by_role("link", name="公示栏与公约").click()
    expect(wang.get_by_role("heading", name="收支公示")).to_be_visible()
    check_screen(wang, "23-board")

    # 投票: the committees notice an owners' vote 15 days ahead (their apps; here the API), the
    # clock moves to the opening (the platform restarts with its clock 16 days on), and she casts,
    # changes her ballot and checks her receipt on the screen.
    vote_id = notice_a_vote(base, compound_of(base))
    for page in (zhang, zhao):
        page.context.close()
    move_clock(platform_process, days=16)
    # Its opening time has passed: the deliberation service opens it by itself.
    liu = login(base, "13800000005")
    vote_url = f"{base}/api/v1/deliberation/votes/{vote_id}"
    until(lambda: LOCAL.get(vote_url, headers=liu, timeout=60).json()["status"] == "open", "the vote opened")
    wang.goto(base + "/votes")
    expect(wang.get_by_role("heading", name="更换单元门禁")).to_be_visible()
    # 16 days on, the server refused her access token once (401, logged by the browser) and the
    # app traded her refresh token for a new pair; the restart also dropped her live connection.
    errors.clear()
    wang.locator(".van-cell", has_text="业主表决").first.click()
    expect(wang.get_by_role("heading", name="表决公告")).to_be_visible()
    expect(wang.get_by_text("一般事项：须专有部分面积占比三分之二以上", exact=False)).to_be_visible()
    wang.get_by_role("radio", name="同意").first.click()
    check_screen(wang, "24-vote")
    wang.get_by_role("button", name="投票", exact=True).click()
    expect(wang.get_by_text("投票成功，请保存您的收据")).to_be_visible()
    expect(wang.get_by_text("第 1 项：同意")).to_be_visible()
    wang.get_by_role("radio", name="反对").first.click()
    wang.get_by_role("button", name="改票", exact=True).click()
    expect(wang.get_by_text("已改票，以截止前最后一次投票为准")).to_be_visible()
    expect(wang.get_by_text("第 1 项：反对")).to_be_visible()
    wang.get_by_role("button", name="核对").first.click()
    expect(wang.get_by_text("计为“反对”", exact=False)).to_be_visible()
    check_screen(wang, "25-vote-receipt")

    # 我的消息: her inbox screen, with the notifications the order's life sent her.
    wang.goto(base + "/inbox")
    expect(wang.get_by_role("heading", name="我的消息")).to_be_attached()
    check_screen(wang, "19-inbox")

    assert errors == []
    wang.context.close()
