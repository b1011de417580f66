"""Qionglai: multi-storey at 0.20 and high-rise at 1.00 yuan/m²/month, a month billed and
collected to 88.14%, closed with a disclosure (JSON, .xlsx, printable HTML) that is immutable
and hash-chained, and whose chain the supervisory committee can verify."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import text

from shared.auth import Grant, Role
from tests.api.billing.builders import (
    bill_run,
    billing,
    books_ok,
    building,
    compound,
    money,
    ok,
    rate_card,
    resident,
    staff,
    wait_for_dwellings,
)
from tests.api.conftest import Platform

API = "/api/v1/billing"


async def test_qionglai_month_closes_at_88_14_percent_with_a_disclosure_that_verifies(platform: Platform) -> None:
    # The story runs on 28 November 2026 (10:00 in Qionglai): October is billed and closed, and the
    # parking revenue received on the 20th is posted inside November, the month its disclosure covers.
    platform.set_clock(datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
    c = await compound(platform, name="邛崃·集中居住区")
    cid, headers = c.compound_id, staff(platform, c.compound_id)
    low = await building(platform, c, number="1", dwellings=10, area_m2="100.00")
    high = await building(platform, c, number="2", dwellings=2, area_m2="50.00", structure="high_rise")
    await wait_for_dwellings(platform, cid, 12)
    await rate_card(platform, cid, "0.20")
    await rate_card(platform, cid, "1.00", structure="high_rise")
    run = await bill_run(platform, cid, "2026-10")
    assert run["issued_fen"] == 10 * 2_000 + 2 * 5_000

    for dwelling, fen in [*((d, 2_000) for d in low[:8]), (low[8], 442), *((d, 5_000) for d in high)]:
        await ok(
            await billing(platform).post(
                f"{API}/payments", json={"dwelling_id": dwelling, "amount_fen": fen}, headers=money(headers)
            ),
            201,
        )
    rate = await ok(
        await billing(platform).get(
            f"{API}/collection-rate", params={"scope_id": cid, "period": "2026-10"}, headers=headers
        )
    )
    assert (rate["due_fen"], rate["paid_fen"], rate["collection_rate"]) == (30_000, 26_442, "88.14%")
    street_rate = await ok(
        await billing(platform).get(
            f"{API}/collection-rate",
            params={"scope_kind": "street", "scope_id": c.street_id, "period": "2026"},
            headers=platform.token(Grant(Role.street_admin, "street", c.street_id)),
        )
    )
    assert street_rate["collection_rate"] == "88.14%"

    supervisor = platform.token(Grant(Role.supervisory_committee, "compound", cid), person=70)
    october = await ok(
        await billing(platform).post(
            f"{API}/disclosures", json={"compound_id": cid, "period": "2026-10"}, headers=supervisor
        ),
        201,
    )
    assert october["seq"] == 1
    assert october["prev_hash"] == "0" * 64
    assert october["content"]["collection_rate"]["rate"] == "88.14%"
    rewrite = await billing(platform).post(
        f"{API}/disclosures", json={"compound_id": cid, "period": "2026-10"}, headers=supervisor
    )
    assert rewrite.status_code == 409
    # A resident reads the notice board but cannot publish.
    neighbour = resident(platform, c.household_ids[low[0]])
    listed = await ok(await billing(platform).get(f"{API}/disclosures", params={"compound_id": cid}, headers=neighbour))
    assert [d["period_label"] for d in listed] == ["2026-10"]
    # The notice board is the compound's own: to a resident of another compound it does not exist.
    stranger = resident(platform, 999_999)
    for path in ("/disclosures", "/disclosures/verify"):
        away = await billing(platform).get(f"{API}{path}", params={"compound_id": cid}, headers=stranger)
        assert away.status_code == 404
    assert (
        await billing(platform).get(f"{API}/disclosures/{listed[0]['id']}.html", headers=stranger)
    ).status_code == 404
    refused = await billing(platform).post(
        f"{API}/disclosures", json={"compound_id": cid, "period": "2026-11"}, headers=neighbour
    )
    assert refused.status_code == 403

    await ok(
        await billing(platform).post(
            f"{API}/revenues",
            json={
                "compound_id": cid,
                "source": "parking",
                "gross_fen": 50_000,
                "description": "临时停车费",
                "received_on": "2026-11-20",
            },
            headers=money(headers),
        ),
        201,
    )
    # November has not ended on the 28th: its notice would miss the rest of the month.
    early = await billing(platform).post(
        f"{API}/disclosures", json={"compound_id": cid, "period": "2026-11"}, headers=supervisor
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "period_not_ended"
    platform.set_clock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # 1 December, 10:00 in Qionglai
    november = await ok(
        await billing(platform).post(
            f"{API}/disclosures", json={"compound_id": cid, "period": "2026-11"}, headers=supervisor
        ),
        201,
    )
    assert november["prev_hash"] == october["content_hash"]
    incomes = {i["item"]: i["amount_fen"] for i in november["content"]["income"]}
    assert incomes["public_revenue:parking"] == 50_000

    xlsx = await billing(platform).get(f"{API}/disclosures/{october['id']}.xlsx", headers=neighbour)
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["物业费收取率"]["A4"].value == "收取率"
    assert float(book["物业费收取率"]["B4"].value) == 0.8814
    assert [r[1] for r in book["公示"].iter_rows(values_only=True) if r[0] == "本期核验码"] == [october["content_hash"]]
    page = await billing(platform).get(f"{API}/disclosures/{october['id']}.html", headers=neighbour)
    assert "88.14%" in page.text
    assert october["content_hash"] in page.text

    verified = await ok(
        await billing(platform).get(f"{API}/disclosures/verify", params={"compound_id": cid}, headers=supervisor)
    )
    assert verified["ok"] is True
    assert verified["count"] == 2
    assert verified["head_hash"] == november["content_hash"]

    # Someone edits the October snapshot behind the API: the chain shows it.
    runtime = platform.apps["billing"].state.runtime
    async with runtime.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE disclosures SET content = replace(content, '88.14%', '98.14%') WHERE id = :id"),
            {"id": october["id"]},
        )
    tampered = await ok(
        await billing(platform).get(f"{API}/disclosures/verify", params={"compound_id": cid}, headers=supervisor)
    )
    assert tampered["ok"] is False
    assert tampered["first_broken_seq"] == 1
    await books_ok(platform, cid)


async def revenue(platform: Platform, cid: int, fen: int, received_on: str, what: str) -> None:
    body = {"compound_id": cid, "source": "parking", "gross_fen": fen, "description": what, "received_on": received_on}
    await ok(await billing(platform).post(f"{API}/revenues", json=body, headers=money(staff(platform, cid))), 201)


def line(content: dict[str, Any], item: str) -> int:
    return int(next(i["amount_fen"] for i in content["income"] if i["item"] == item))


def pool(content: dict[str, Any]) -> int:
    return int(next(b["balance_fen"] for b in content["fund_balances"] if b["label"].endswith("待分配")))


async def test_a_month_is_disclosed_after_it_ends_by_value_date_and_late_entries_show_as_adjustments(
    platform: Platform,
) -> None:
    # 2 December 2026, 10:00 in Chengdu: November has ended, December has not.
    platform.set_clock(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    c = await compound(platform, name="杏花岭小区")
    cid = c.compound_id
    (home,) = await building(platform, c, number="1", dwellings=1)
    await wait_for_dwellings(platform, cid, 1)
    committee = platform.token(Grant(Role.owners_committee, "compound", cid), person=71)
    december = await billing(platform).post(
        f"{API}/disclosures", json={"compound_id": cid, "period": "2026-12"}, headers=committee
    )
    assert december.status_code == 409
    error = december.json()["error"]
    assert "尚未结束" in error["message"]
    assert "has not ended" in error["message_en"]

    # Parking money received on 20 November, entered on 2 December: November's money.
    await revenue(platform, cid, 30_000, "2026-11-20", "十一月临时停车费")
    # Received on 1 December and entered before November's notice: not in November's balances.
    await revenue(platform, cid, 5_000, "2026-12-01", "十二月一日停车费")
    notice = {
        "compound_id": cid,
        "period": "2026-11",
        "publisher": "杏花岭小区业主委员会",
        "cosigner": "业主监督委员会 李明",
        "notice_days": 15,
        "objection_to": "物业服务中心（1 号楼 101）",
    }
    november = await ok(await billing(platform).post(f"{API}/disclosures", json=notice, headers=committee), 201)
    assert line(november["content"], "public_revenue:parking") == 30_000
    assert pool(november["content"]) == 30_000  # at 30 November, not at publication
    assert november["content"]["adjustments"] == []

    # A November receipt found on 5 December: November is closed, so December's notice shows it.
    platform.set_clock(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    await revenue(platform, cid, 2_000, "2026-11-28", "补录十一月停车费")
    platform.set_clock(datetime(2027, 1, 2, 2, 0, tzinfo=UTC))
    dec = await ok(
        await billing(platform).post(
            f"{API}/disclosures", json={"compound_id": cid, "period": "2026-12"}, headers=committee
        ),
        201,
    )
    assert line(dec["content"], "public_revenue:parking") == 5_000
    assert [(a["value_date"], a["description"], a["amount_fen"]) for a in dec["content"]["adjustments"]] == [
        ("2026-11-28", "公共收益·停车：补录十一月停车费", 2_000)
    ]
    assert pool(dec["content"]) == 37_000

    # The notice board: dates, who, where to object; no API paths or formulas; numbers that sum.
    neighbour = resident(platform, c.household_ids[home])
    page = (await billing(platform).get(f"{API}/disclosures/{november['id']}.html", headers=neighbour)).text
    for words in [
        "发布日期",
        "2026年12月2日",
        "公示期",
        "2026年12月16日（15 天）",
        "杏花岭小区业主委员会",
        "业主监督委员会 李明",
        "物业服务中心（1 号楼 101）",
    ]:
        assert words in page, words
    assert "/api/" not in page
    assert "Σ" not in page
    assert "paid_fen" not in page
    adjusted = (await billing(platform).get(f"{API}/disclosures/{dec['id']}.html", headers=neighbour)).text
    assert "以前期间调整" in adjusted
    assert "补录十一月停车费" in adjusted
    xlsx = await billing(platform).get(f"{API}/disclosures/{november['id']}.xlsx", headers=neighbour)
    book = load_workbook(io.BytesIO(xlsx.content))
    amounts = [r[1] for r in book["收入"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(a, int | float) for a in amounts)
    assert round(sum(amounts), 2) == 300.00

    verified = await ok(
        await billing(platform).get(f"{API}/disclosures/verify", params={"compound_id": cid}, headers=committee)
    )
    assert verified["ok"] is True
    assert verified["count"] == 2
