"""A newcomer's notice board is not empty: on the demo street (embedded mode) the supervisory
committee of the demo compound has published its quarter's accounts, the owners' committee has
set up building 1's convention, and the community has published last month's red list, which
names 赵师傅 for his completed orders. Each is added once, whatever the tickers' rounds."""

from __future__ import annotations

from typing import Any

from services.dispatch.demo_lists import last_month
from services.registry.demo import add_demo_organisation, add_demo_people, build_demo_street
from tests.api.conftest import Platform
from tests.api.registry.builders import demo_login
from tests.helpers import ok


async def test_the_demo_board_has_a_disclosure_a_convention_and_a_list(platform: Platform) -> None:
    registry_runtime = platform.apps["registry"].state.runtime
    async with registry_runtime.db.sessionmaker() as session:
        demo = await build_demo_street(session)
        await add_demo_people(session, platform.settings, demo)
        await add_demo_organisation(session, demo)
        await session.commit()
    registry_runtime.relay.wake()
    runtimes = {name: platform.apps[name].state.runtime for name in ("dispatch", "deliberation")}
    for runtime in runtimes.values():
        runtime.settings = runtime.settings.model_copy(update={"seed_demo": True})
    wang = await demo_login(platform, "13800000004")
    home = ok(await platform.clients["registry"].get("/api/v1/registry/me/home", headers=wang))
    compound = home["dwelling"]["compound_id"]
    deliberation, dispatch = platform.clients["deliberation"], platform.clients["dispatch"]

    async def board() -> Any:
        await runtimes["deliberation"].tick("demo_board")
        await runtimes["dispatch"].tick("demo_lists")
        answers = [
            await deliberation.get(f"/api/v1/deliberation/compounds/{compound}/disclosures", headers=wang),
            await deliberation.get(f"/api/v1/deliberation/compounds/{compound}/conventions", headers=wang),
            await dispatch.get(
                "/api/v1/dispatch/points/lists/published", params={"compound_id": compound}, headers=wang
            ),
        ]
        if any(a.status_code == 404 for a in answers):
            return None  # the demo street has not reached deliberation or dispatch yet
        notices, conventions, lists = (ok(a) for a in answers)
        return (notices, conventions, lists["items"]) if notices and conventions and lists["items"] else None

    notices, conventions, lists = await platform.eventually(board, within_s=30)
    assert [(d["title"], d["kind_label"]) for d in notices] == [("2026年第三季度小区公共收益及支出公示", "收支公示")]
    assert "结余 3,520.00 元" in notices[0]["body"]
    assert [(c["title"], c["level_label"]) for c in conventions] == [("1号楼文明公约", "楼栋公约")]
    [published] = lists
    period, _ = last_month(runtimes["dispatch"].clock())
    assert published["period"] == period
    assert published["honor_roll"][0]["name"] == "赵师傅"
    assert published["honor_roll"][0]["points"] == 40  # three orders at 10, two good ratings at 5

    # Added once: further rounds add nothing.
    assert await runtimes["deliberation"].tick("demo_board") == 0
    assert await runtimes["dispatch"].tick("demo_lists") == 0
