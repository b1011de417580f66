"""The committee previews October's statement before it goes on the notice board: the preview is
the page publishing would print, marked as a draft, with the hash publishing then stores; nothing
is stored by looking, and a month not over yet or a stranger are refused as publishing is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.auth import Grant, Role
from tests.api.billing.builders import bill_run, billing, building, compound, ok, rate_card, wait_for_dwellings
from tests.api.conftest import Platform

API = "/api/v1/billing"


async def test_the_committee_previews_october_then_publishes_the_same_statement(platform: Platform) -> None:
    platform.set_clock(datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
    c = await compound(platform, name="邛崃·预览小区")
    cid = c.compound_id
    await building(platform, c, number="1", dwellings=2, area_m2="100.00")
    await wait_for_dwellings(platform, cid, 2)
    await rate_card(platform, cid, "0.20")
    await bill_run(platform, cid, "2026-10")
    supervisor = platform.token(Grant(Role.supervisory_committee, "compound", cid), person=70)
    asked: dict[str, Any] = {"compound_id": cid, "period": "2026-10", "cosigner": "监委会 陈淑芬"}

    preview = await billing(platform).get(f"{API}/disclosures/preview.html", params=asked, headers=supervisor)
    assert preview.status_code == 200, preview.text
    assert preview.headers["content-type"].startswith("text/html")
    page = preview.text
    assert "预览稿：尚未发布" in page
    assert "监委会 陈淑芬" in page
    assert (
        await ok(await billing(platform).get(f"{API}/disclosures", params={"compound_id": cid}, headers=supervisor))
        == []
    )

    published = await ok(await billing(platform).post(f"{API}/disclosures", json=asked, headers=supervisor), 201)
    assert published["content_hash"] in page
    printed = await billing(platform).get(f"{API}/disclosures/{published['id']}.html", headers=supervisor)
    assert "预览稿" not in printed.text

    # The same refusals as publishing: November is not over; a stranger sees no compound here.
    november = await billing(platform).get(
        f"{API}/disclosures/preview.html", params={**asked, "period": "2026-11"}, headers=supervisor
    )
    assert (november.status_code, november.json()["error"]["code"]) == (409, "period_not_ended")
    stranger = platform.token(Grant(Role.owners_committee, "compound", cid + 100), person=71)
    refused = await billing(platform).get(f"{API}/disclosures/preview.html", params=asked, headers=stranger)
    assert refused.status_code in (403, 404)
    bad = await billing(platform).get(
        f"{API}/disclosures/preview.html", params={**asked, "notice_days": 3}, headers=supervisor
    )
    assert bad.status_code == 422
