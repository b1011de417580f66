"""Public revenue into the fund pool and its 433 distribution (Qionglai), the shared
development fund (Luxian), the maintenance fund, levies passed by the owners and
shared-property visits charged per visit; every story ends with the books checked."""

from __future__ import annotations

from typing import Any

from shared.auth import Grant, Role
from shared.contracts.deliberation import LevyPassed, MaintenanceFundUsePassed
from shared.contracts.dispatch import SharedPropertyVisitCompleted
from tests.api.billing.builders import (
    billing,
    books_ok,
    building,
    compound,
    money,
    ok,
    publish,
    staff,
    wait_for_dwellings,
)
from tests.api.conftest import Platform

API = "/api/v1/billing"


def member(platform: Platform, cid: int, person: int = 77) -> dict[str, str]:
    """A second person: an owners' committee member of the compound."""
    return platform.token(Grant(Role.owners_committee, "compound", cid), person=person)


async def approved(
    platform: Platform, cid: int, action: str, amount_fen: int, building_ids: list[int] | None = None
) -> int:
    """Property staff ask, a committee member approves (four eyes); the approval's id."""
    body = {"compound_id": cid, "action": action, "amount_fen": amount_fen, "building_ids": building_ids or []}
    asked = await ok(
        await billing(platform).post(f"{API}/fund-approvals", json=body, headers=staff(platform, cid)), 201
    )
    await ok(await billing(platform).post(f"{API}/fund-approvals/{asked['id']}/approve", headers=member(platform, cid)))
    return int(asked["id"])


async def test_public_revenue_net_of_costs_is_shared_433_to_the_fen(platform: Platform) -> None:
    c = await compound(platform, name="马湖村集中居住区")
    cid, headers = c.compound_id, staff(platform, c.compound_id)
    await platform.eventually(
        lambda: _known(platform, cid),
    )
    no_evidence = await billing(platform).post(
        f"{API}/revenues",
        json={
            "compound_id": cid,
            "source": "advertising",
            "gross_fen": 120_001,
            "cost_fen": 20_000,
            "description": "电梯广告",
            "received_on": "2026-06-30",
        },
        headers=money(headers),
    )
    assert no_evidence.status_code == 422
    revenue = await ok(
        await billing(platform).post(
            f"{API}/revenues",
            json={
                "compound_id": cid,
                "source": "advertising",
                "gross_fen": 120_001,
                "cost_fen": 20_000,
                "evidence": ["发票 No.0012345"],
                "description": "电梯广告",
                "received_on": "2026-06-30",
            },
            headers=money(headers),
        ),
        201,
    )
    assert revenue["net_fen"] == 100_001
    rule = await ok(await billing(platform).get(f"{API}/distribution-rules/{cid}", headers=headers))
    assert rule["shares"] == {"retained": 4000, "livelihood": 3000, "governance": 3000}
    bad_rule = await billing(platform).put(
        f"{API}/distribution-rules/{cid}", json={"shares": {"a": 5000, "b": 4999}}, headers=headers
    )
    assert bad_rule.status_code == 422

    approval = await approved(platform, cid, "distribution", 100_001)
    shared = await ok(
        await billing(platform).post(
            f"{API}/distributions", json={"compound_id": cid, "approval_id": approval}, headers=money(headers)
        ),
        201,
    )
    assert shared["parts"] == {"retained": 40_001, "livelihood": 30_000, "governance": 30_000}
    assert sum(shared["parts"].values()) == 100_001
    empty = await billing(platform).post(
        f"{API}/distributions", json={"compound_id": cid, "amount_fen": 1}, headers=money(headers)
    )
    assert empty.status_code == 409

    expense = {"compound_id": cid, "part": "governance", "purpose": "环境美化", "amount_fen": 30_001}
    assert (await billing(platform).post(f"{API}/expenses", json=expense, headers=money(headers))).status_code == 409
    await ok(
        await billing(platform).post(f"{API}/expenses", json={**expense, "amount_fen": 20_000}, headers=money(headers)),
        201,
    )

    funds = await ok(await billing(platform).get(f"{API}/funds", params={"compound_id": cid}, headers=headers))
    pool = {b["ref"]: b["balance_fen"] for b in funds["balances"] if b["fund"] == "fund_pool"}
    assert pool == {"": 0, "governance": 10_000, "livelihood": 30_000, "retained": 40_001}
    ledger = await ok(
        await billing(platform).get(
            f"{API}/funds/fund_pool/ledger", params={"compound_id": cid, "ref": "governance"}, headers=headers
        )
    )
    assert [line["balance_fen"] for line in ledger] == [30_000, 10_000]
    # The supervisory committee reads, and cannot book.
    supervisor = platform.token(Grant(Role.supervisory_committee, "compound", cid), person=77)
    assert (
        await billing(platform).get(f"{API}/revenues", params={"compound_id": cid}, headers=supervisor)
    ).status_code == 200
    refused = await billing(platform).post(f"{API}/distributions", json={"compound_id": cid}, headers=money(supervisor))
    assert refused.status_code == 403
    await books_ok(platform, cid)


async def _known(platform: Platform, compound_id: int) -> bool:
    answer = await billing(platform).get(f"{API}/compounds/{compound_id}", headers=staff(platform, compound_id))
    return answer.status_code == 200


async def test_shared_development_fund_never_goes_below_zero(platform: Platform) -> None:
    c = await compound(platform, name="玉蝉国际城")
    cid, headers = c.compound_id, staff(platform, c.compound_id)
    await platform.eventually(lambda: _known(platform, cid))
    url = f"{API}/funds/shared-development"
    deposit = {"compound_id": cid, "amount_fen": 500_000, "purpose": "活动经费预存", "counterparty": "某开发企业"}
    assert (
        await billing(platform).post(f"{url}/deposits", json=deposit, headers=money(headers))
    ).status_code == 422  # no source
    await ok(
        await billing(platform).post(f"{url}/deposits", json={**deposit, "source": "company"}, headers=money(headers)),
        201,
    )
    spend = {"compound_id": cid, "amount_fen": 600_000, "purpose": "共享空间阅览室"}
    assert (await billing(platform).post(f"{url}/disbursements", json=spend, headers=money(headers))).status_code == 409
    await ok(
        await billing(platform).post(
            f"{url}/disbursements", json={**spend, "amount_fen": 100_000}, headers=money(headers)
        ),
        201,
    )
    moves = await ok(
        await billing(platform).get(
            f"{API}/funds/shared_development_fund/movements", params={"compound_id": cid}, headers=headers
        )
    )
    assert [(m["direction"], m["amount_fen"]) for m in moves] == [("in", 500_000), ("out", 100_000)]
    await books_ok(platform, cid)


async def test_maintenance_fund_by_building_levy_by_area_and_visits_charged_once(platform: Platform) -> None:
    c = await compound(platform)
    cid, headers = c.compound_id, staff(platform, c.compound_id)
    first = await building(platform, c, number="1", dwellings=2, area_m2="100.00")
    second = await building(platform, c, number="2", dwellings=1, area_m2="60.50")
    await wait_for_dwellings(platform, cid, 3)

    for dwelling in [*first, *second]:
        await ok(
            await billing(platform).post(
                f"{API}/funds/maintenance/deposits",
                json={"dwelling_id": dwelling, "amount_fen": 10_000},
                headers=money(headers),
            ),
            201,
        )
    withdrawal: dict[str, Any] = {
        "compound_id": cid,
        "building_ids": [c.building_ids[0]],
        "amount_fen": 15_001,
        "purpose": "屋面防水",
    }
    undecided = await billing(platform).post(
        f"{API}/funds/maintenance/withdrawals", json=withdrawal, headers=money(headers)
    )
    assert undecided.json()["error"]["code"] == "decision_required"
    await publish(
        platform,
        MaintenanceFundUsePassed(
            decision_id="D-7",
            proposal_id="P-7",
            compound_id=cid,
            building_ids=[c.building_ids[0]],
            amount_fen=30_000,
            purpose="屋面防水",
        ),
        cid,
    )

    async def decided() -> bool:
        answer = await billing(platform).post(
            f"{API}/funds/maintenance/withdrawals", json={**withdrawal, "decision_id": "D-7"}, headers=money(headers)
        )
        return answer.status_code == 201

    await platform.eventually(decided)
    beyond = await billing(platform).post(
        f"{API}/funds/maintenance/withdrawals",
        json={
            **withdrawal,
            "amount_fen": 6_000,
            "emergency": True,
            "purpose": "电梯困人抢修",
            "approval_id": await approved(platform, cid, "emergency_withdrawal", 6_000, [c.building_ids[0]]),
        },
        headers=money(headers),
    )
    assert beyond.json()["error"]["code"] == "insufficient_funds"  # 4,999 fen left in each dwelling
    funds = await ok(await billing(platform).get(f"{API}/funds", params={"compound_id": cid}, headers=headers))
    maintenance = {b["ref"]: b["balance_fen"] for b in funds["balances"] if b["fund"] == "maintenance_fund"}
    assert maintenance == {f"building:{c.building_ids[0]}": 4_999, f"building:{c.building_ids[1]}": 10_000}

    levy = LevyPassed(
        decision_id="L-1", proposal_id="P-1", compound_id=cid, title="加装电梯", formula="by_area", total_fen=100_001
    )
    event = await publish(platform, levy, cid)
    await publish(platform, levy, cid, event)  # redelivered
    await publish(platform, levy, cid)  # the same decision again, under a new event id
    visit = SharedPropertyVisitCompleted(
        visit_id="V-1",
        order_id="O-1",
        compound_id=cid,
        household_id=c.household_ids[first[0]],
        dwelling_id=first[0],
        category="drain_clog",
        category_label="管道疏通",
        provider="共享物业服务站",
        price_fen=3_000,
        market_price_fen=8_000,
        charge_to="household",
        completed_at="2026-11-25T10:00:00+08:00",
    )
    await publish(platform, visit, cid)
    await publish(platform, visit, cid)
    await publish(
        platform,
        visit.model_copy(
            update={"visit_id": "V-2", "charge_to": "compound_fund", "household_id": None, "dwelling_id": None}
        ),
        cid,
    )

    async def visits() -> list[dict[str, Any]]:
        answer = await ok(
            await billing(platform).get(f"{API}/shared-property-visits", params={"compound_id": cid}, headers=headers)
        )
        return answer if len(answer) == 2 else []

    charged = await platform.eventually(visits)
    assert [(v["charge_to"], v["saving_fen"], v["bill_id"] is not None) for v in charged] == [
        ("household", 5_000, True),
        ("compound_fund", 5_000, False),
    ]
    visit_bill = await ok(await billing(platform).get(f"{API}/bills/{charged[0]['bill_id']}", headers=headers))
    assert visit_bill["description"] == "共享物业·管道疏通（共享物业服务站）"  # the label, not drain_clog
    levies = await ok(await billing(platform).get(f"{API}/levies", params={"compound_id": cid}, headers=headers))
    assert [(lv["decision_id"], lv["bill_count"], lv["amount_fen"]) for lv in levies] == [("L-1", 3, 100_001)]
    levy_bills = await ok(
        await billing(platform).get(f"{API}/bills", params={"compound_id": cid, "kind": "levy"}, headers=headers)
    )
    # 100.00 : 100.00 : 60.50 m² of 100,001 fen -> 38388.06, 38388.06, 23224.88: the leftover
    # fen goes to the largest remainder, so the three add up to the levy exactly.
    assert [b["amount_fen"] for b in levy_bills["items"]] == [38_388, 38_388, 23_225]
    assert {b["source_id"] for b in levy_bills["items"]} == {"L-1"}
    await books_ok(platform, cid)


async def test_a_distribution_needs_a_second_committee_members_approval_and_both_are_on_record(
    platform: Platform,
) -> None:
    # One committee member's token used to be enough to share out the whole pool.
    c = await compound(platform, name="马湖村集中居住区")
    cid, headers = c.compound_id, staff(platform, c.compound_id)
    await platform.eventually(lambda: _known(platform, cid))
    revenue = {
        "compound_id": cid,
        "source": "advertising",
        "gross_fen": 20_000,
        "evidence": ["发票 No.1"],
        "description": "电梯广告",
        "received_on": "2026-06-30",
    }
    await ok(await billing(platform).post(f"{API}/revenues", json=revenue, headers=money(headers)), 201)
    alone = await billing(platform).post(f"{API}/distributions", json={"compound_id": cid}, headers=money(headers))
    assert alone.status_code == 409
    assert alone.json()["error"]["code"] == "second_approval_required"
    assert "四眼" in alone.json()["error"]["message"]

    chair = member(platform, cid, person=71)
    asked = await ok(
        await billing(platform).post(
            f"{API}/fund-approvals",
            json={"compound_id": cid, "action": "distribution", "amount_fen": 10_000},
            headers=chair,
        ),
        201,
    )
    pending = await billing(platform).post(
        f"{API}/distributions",
        json={"compound_id": cid, "amount_fen": 10_000, "approval_id": asked["id"]},
        headers=money(chair),
    )
    assert pending.json()["error"]["code"] == "approval_not_usable"
    own = await billing(platform).post(f"{API}/fund-approvals/{asked['id']}/approve", headers=chair)
    assert own.status_code == 409
    assert own.json()["error"]["code"] == "same_person"
    clerk = await billing(platform).post(f"{API}/fund-approvals/{asked['id']}/approve", headers=headers)
    assert clerk.status_code == 403  # property staff are not committee members
    supervisor = platform.token(Grant(Role.supervisory_committee, "compound", cid), person=72)
    ok_ = await ok(await billing(platform).post(f"{API}/fund-approvals/{asked['id']}/approve", headers=supervisor))
    assert (ok_["status"], ok_["requested_by"], ok_["approved_by"]) == ("approved", 71, 72)

    other_amount = await billing(platform).post(
        f"{API}/distributions",
        json={"compound_id": cid, "amount_fen": 5_000, "approval_id": asked["id"]},
        headers=money(chair),
    )
    assert other_amount.json()["error"]["code"] == "approval_mismatch"
    shared = await ok(
        await billing(platform).post(
            f"{API}/distributions",
            json={"compound_id": cid, "amount_fen": 10_000, "approval_id": asked["id"]},
            headers=money(chair),
        ),
        201,
    )
    assert (shared["amount_fen"], shared["requested_by"], shared["approved_by"]) == (10_000, 71, 72)
    again = await billing(platform).post(
        f"{API}/distributions",
        json={"compound_id": cid, "amount_fen": 10_000, "approval_id": asked["id"]},
        headers=money(chair),
    )
    assert again.json()["error"]["code"] == "approval_not_usable"  # one approval books once
    trail = await ok(await billing(platform).get(f"{API}/fund-approvals", params={"compound_id": cid}, headers=chair))
    assert [(a["status"], a["requested_by"], a["approved_by"], a["used_for"]) for a in trail] == [
        ("used", 71, 72, f"distribution:{shared['id']}")
    ]

    # An emergency withdrawal (no owners' decision) needs the same second signature.
    (dwelling,) = await building(platform, c, number="1", dwellings=1)
    await wait_for_dwellings(platform, cid, 1)
    await ok(
        await billing(platform).post(
            f"{API}/funds/maintenance/deposits",
            json={"dwelling_id": dwelling, "amount_fen": 10_000},
            headers=money(headers),
        ),
        201,
    )
    urgent = {
        "compound_id": cid,
        "building_ids": [c.building_ids[0]],
        "amount_fen": 3_000,
        "purpose": "电梯困人抢修",
        "emergency": True,
    }
    unsigned = await billing(platform).post(f"{API}/funds/maintenance/withdrawals", json=urgent, headers=money(headers))
    assert unsigned.json()["error"]["code"] == "second_approval_required"
    signed = {
        **urgent,
        "approval_id": await approved(platform, cid, "emergency_withdrawal", 3_000, [c.building_ids[0]]),
    }
    out = await ok(
        await billing(platform).post(f"{API}/funds/maintenance/withdrawals", json=signed, headers=money(headers)), 201
    )
    assert out["emergency"] is True
    await books_ok(platform, cid)
