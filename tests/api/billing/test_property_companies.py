"""Property companies: contract, performance and credit (Wenjiang, seed 004: 履约评价, 信用评价,
红黑名单, 收费价格与服务标准衔接). The fee standard is Qionglai's (seed 000): multi-storey 0.55,
high-rise 1.00 yuan/m²/month."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from shared.auth import Grant, Role
from tests.api.billing.builders import billing, ok, rate_card, staff
from tests.api.billing.practice_builders import API, committee, compound_with_households, residents_of
from tests.api.conftest import Platform
from tests.helpers import refused

DECEMBER = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)
ITEMS = [
    {"title": "门岗24小时值守", "weight": 30},
    {"title": "公共区域环境卫生", "weight": 30},
    {"title": "设施设备维护", "weight": 25},
    {"title": "物业服务信息公开", "weight": 15},
]


async def test_contract_survey_review_and_the_streets_red_and_black_lists(platform: Platform) -> None:
    platform.set_clock(DECEMBER)
    bay = await compound_with_households(platform, "洲际·亚洲湾", 4, street="涌泉街道", community="江浦路社区")
    cid = bay.compound_id
    street = platform.token(Grant(Role.street_admin, "street", bay.street_id), person=5)
    board = committee(platform, cid)

    async def company(name: str, code: str) -> dict[str, Any]:
        body = {"street_id": bay.street_id, "name": name, "credit_code": code}
        made: dict[str, Any] = await ok(
            await billing(platform).post(f"{API}/property-companies", json=body, headers=street), 201
        )
        return made

    honest = await company("温江诚信物业服务有限公司", "91510115MA61AB1C2D")
    lax = await company("温江松散物业管理有限公司", "91510115MA61EF3G4H")
    refused(
        await billing(platform).post(
            f"{API}/property-companies",
            json={"street_id": bay.street_id, "name": "某物业", "credit_code": "91510115MA61AB1C2D"},
            headers=board,
        ),
        403,
    )

    contract_body = {
        "compound_id": cid,
        "company_id": honest["id"],
        "starts_on": "2026-07-01",
        "ends_on": "2027-06-30",
        "multi_storey_rate": "0.55",
        "high_rise_rate": "1.00",
        "items": ITEMS,
    }
    # The property staff do not sign their own contract; weights must add up to 100.
    refused(
        await billing(platform).post(f"{API}/service-contracts", json=contract_body, headers=staff(platform, cid)), 403
    )
    bad = refused(
        await billing(platform).post(
            f"{API}/service-contracts", json={**contract_body, "items": ITEMS[:3]}, headers=board
        ),
        422,
    )
    assert "合计须为 100" in bad["message"]
    contract = await ok(
        await billing(platform).post(f"{API}/service-contracts", json=contract_body, headers=board), 201
    )
    assert (contract["company_name"], contract["multi_storey_rate"], contract["high_rise_rate"]) == (
        "温江诚信物业服务有限公司",
        "0.55",
        "1.00",
    )
    refused(
        await billing(platform).post(
            f"{API}/service-contracts",
            json={**contract_body, "company_id": lax["id"], "starts_on": "2027-01-01", "ends_on": "2027-12-31"},
            headers=board,
        ),
        409,
        "contract_overlap",
    )

    # Price beside quality: the multi-storey card charges the contract's standard; a high-rise
    # card of 1.20 charges more than the contract's 1.00.
    await rate_card(platform, cid, "0.55", effective_from="2026-07-01")
    await rate_card(platform, cid, "1.20", structure="high_rise", effective_from="2026-07-01")
    cards = await ok(
        await billing(platform).get(f"{API}/rate-cards", params={"scope_id": cid}, headers=staff(platform, cid))
    )
    beside = {c["structure"]: c["contract_standard"] for c in cards}
    assert (beside["multi_storey"]["contract_rate"], beside["multi_storey"]["in_step"]) == ("0.55", True)
    assert (beside["high_rise"]["contract_rate"], beside["high_rise"]["in_step"]) == ("1.00", False)
    assert beside["multi_storey"]["items"] == [i["title"] for i in ITEMS]
    assert beside["multi_storey"]["latest_review_total"] is None

    # The owners' survey: one household, one answer; the results say nothing of who said what.
    survey = await ok(
        await billing(platform).post(
            f"{API}/satisfaction-surveys",
            json={
                "contract_id": contract["id"],
                "title": "2026年度物业服务满意度测评",
                "opens_on": "2026-12-01",
                "closes_on": "2026-12-31",
            },
            headers=board,
        ),
        201,
    )
    owners = residents_of(platform, bay)
    households = [bay.household_ids[d] for d in bay.dwelling_ids]
    for headers, household, score, comment in zip(
        owners, households, (5, 5, 5, 4), ("门岗很负责", "", "保洁及时", "电梯维修慢了些"), strict=True
    ):
        await ok(
            await billing(platform).post(
                f"{API}/satisfaction-surveys/{survey['id']}/answers",
                json={"household_id": household, "score": score, "comment": comment},
                headers=headers,
            ),
            201,
        )
    twice = refused(
        await billing(platform).post(
            f"{API}/satisfaction-surveys/{survey['id']}/answers",
            json={"household_id": households[0], "score": 1},
            headers=owners[0],
        ),
        409,
        "survey_already_answered",
    )
    assert "一户一答" in twice["message"]
    # Last month's survey is closed: no answer is taken, and none is counted.
    november = await ok(
        await billing(platform).post(
            f"{API}/satisfaction-surveys",
            json={
                "contract_id": contract["id"],
                "title": "11月测评",
                "opens_on": "2026-11-01",
                "closes_on": "2026-11-30",
            },
            headers=board,
        ),
        201,
    )
    closed = refused(
        await billing(platform).post(
            f"{API}/satisfaction-surveys/{november['id']}/answers",
            json={"household_id": households[1], "score": 2},
            headers=owners[1],
        ),
        409,
    )
    assert "2026-11-30" in closed["message"]
    empty = await ok(await billing(platform).get(f"{API}/satisfaction-surveys/{november['id']}/results", headers=board))
    assert (empty["answers"], empty["satisfaction_percent"]) == (0, None)
    mine = await ok(
        await billing(platform).get(f"{API}/satisfaction-surveys", params={"compound_id": cid}, headers=owners[0])
    )
    assert [(m["title"], m["open"]) for m in mine] == [("11月测评", False), ("2026年度物业服务满意度测评", True)]
    assert (mine[1]["open"], mine[1]["answered_by_me"], mine[1]["company_name"]) == (
        True,
        True,
        "温江诚信物业服务有限公司",
    )
    results = await ok(
        await billing(platform).get(f"{API}/satisfaction-surveys/{survey['id']}/results", headers=owners[1])
    )
    assert (results["answers"], results["households"], results["satisfaction_percent"]) == (4, 4, 95)
    assert results["distribution"] == {"5": 3, "4": 1, "3": 0, "2": 0, "1": 0}
    assert results["comments"] == sorted(["门岗很负责", "保洁及时", "电梯维修慢了些"])
    assert set(results) == {
        "survey_id",
        "title",
        "answers",
        "households",
        "distribution",
        "satisfaction_percent",
        "comments",
    }  # no household, no person, no order of answering

    # December's performance review by the committee: 28 + 27 + 24 + 13 = 92.
    items = {i["title"]: i["id"] for i in contract["items"]}
    scores = {
        items["门岗24小时值守"]: 28,
        items["公共区域环境卫生"]: 27,
        items["设施设备维护"]: 24,
        items["物业服务信息公开"]: 13,
    }
    review = await ok(
        await billing(platform).post(
            f"{API}/performance-reviews",
            json={"contract_id": contract["id"], "period": "2026-12", "scores": scores, "note": "电梯维修响应偏慢"},
            headers=board,
        ),
        201,
    )
    assert review["total"] == 92
    over = refused(
        await billing(platform).post(
            f"{API}/performance-reviews",
            json={
                "contract_id": contract["id"],
                "period": "2026-11",
                "scores": {**scores, items["物业服务信息公开"]: 16},
            },
            headers=board,
        ),
        422,
    )
    assert "0 到 15" in over["message"]

    # The lax company serves a second compound of the street and reviews badly: 55.
    second = (
        await platform.post(
            "/compounds",
            {
                "name": "春天广场",
                "community_id": bay.community_id,
                "kind": "commercial",
                "management_model": "professional",
            },
        )
    )["id"]
    await platform.eventually(lambda: _known(platform, second), within_s=30)
    lax_contract = await ok(
        await billing(platform).post(
            f"{API}/service-contracts",
            json={
                **contract_body,
                "compound_id": second,
                "company_id": lax["id"],
                "items": [{"title": "门岗值守", "weight": 100}],
            },
            headers=committee(platform, second),
        ),
        201,
    )
    await ok(
        await billing(platform).post(
            f"{API}/performance-reviews",
            json={
                "contract_id": lax_contract["id"],
                "period": "2026-12",
                "scores": {lax_contract["items"][0]["id"]: 55},
            },
            headers=committee(platform, second),
        ),
        201,
    )

    # Credit across the street: 70% × 92 + 30% × 95 = 92.9 → 93, red; 55, black.
    lists = await ok(
        await billing(platform).get(
            f"{API}/property-companies/credit", params={"street_id": bay.street_id}, headers=owners[2]
        )
    )
    assert [(c["name"], c["score"], c["list_label"]) for c in lists["companies"]] == [
        ("温江诚信物业服务有限公司", 93, "红名单"),
        ("温江松散物业管理有限公司", 55, "黑名单"),
    ]
    assert [c["name"] for c in lists["honor_roll"]] == ["温江诚信物业服务有限公司"]
    assert [c["name"] for c in lists["warning_list"]] == ["温江松散物业管理有限公司"]

    # The rate card now shows the latest review beside the price; the reviews as .xlsx.
    cards = await ok(await billing(platform).get(f"{API}/rate-cards", params={"scope_id": cid}, headers=owners[0]))
    assert {c["contract_standard"]["latest_review_total"] for c in cards} == {92}
    sheet = await billing(platform).get(
        f"{API}/performance-reviews.xlsx", params={"compound_id": cid}, headers=staff(platform, cid)
    )
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "洲际·亚洲湾 物业服务履约评价台账"
    assert rows[2] == ("2026-12", "温江诚信物业服务有限公司", "门岗24小时值守", 30, 28, 92, "电梯维修响应偏慢")
    assert len(rows) == 2 + len(ITEMS)
    # Residents do not read the review ledger.
    refused(
        await billing(platform).get(f"{API}/performance-reviews", params={"compound_id": cid}, headers=owners[0]), 403
    )


async def _known(platform: Platform, compound_id: int) -> bool:
    answer = await billing(platform).get(f"{API}/compounds/{compound_id}", headers=staff(platform, compound_id))
    return answer.status_code == 200
