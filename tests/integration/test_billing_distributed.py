"""Billing as it runs in production: registry and billing as their own processes on
PostgreSQL, events over the Tansu broker, every call through the gateway.

A street office registers a compound's dwellings; billing learns of them from registry
events and issues October's bills. Two clerks take the same bill's money at the same moment:
one payment books, the other is refused, nothing is over-allocated. A resident pays online and
WeChat delivers the notification three times at once: one payment is booked. The month closes
with a disclosure whose chain verifies.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from services.billing.payments.channels import WeChatPayTestSigner, signer_channels
from services.billing.payments.domain import Channel
from shared.auth import Grant, Role
from shared.settings import Settings
from tests.integration.conftest import (
    Cluster,
    Service,
    create_compound,
    eventually,
    pg_fetch,
    seed_community,
)

pytestmark = pytest.mark.integration
BILLING = "/api/v1/billing"


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    procs = {name: cluster.service(name) for name in ("registry", "billing")}
    cluster.start(*procs.values())
    gateway = cluster.service("gateway", env=cluster.gateway_env(*procs.values()))
    cluster.start(gateway)
    procs["gateway"] = gateway
    return procs


async def post(http: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    # A fresh Idempotency-Key on every create: billing's money-moving POSTs require one.
    answer = await http.post(url, json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_bills_payments_and_a_disclosure_across_processes(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    base = services["gateway"].url
    admin = cluster.auth()
    community = await seed_community(http, base, admin, "三桥街道", "杏花岭社区")
    compound = await create_compound(http, base, admin, community, "杏花岭小区", "old", "professional")
    cid = compound["id"]
    reg = f"{base}/api/v1/registry"
    building = await post(
        http, f"{reg}/buildings", {"compound_id": cid, "number": "1", "structure": "multi_storey", "floors": 6}, admin
    )
    entrance = await post(http, f"{reg}/entrances", {"building_id": building["id"], "number": "1"}, admin)
    dwellings, households = [], []
    for room in ("101", "102", "103"):
        dwelling = await post(
            http, f"{reg}/dwellings", {"entrance_id": entrance["id"], "room": room, "area_m2": "100.00"}, admin
        )
        dwellings.append(dwelling["id"])
        households.append((await post(http, f"{reg}/households", {"dwelling_id": dwelling["id"]}, admin))["id"])

    staff = {"Authorization": f"Bearer {cluster.token(Grant(Role.property_staff, 'compound', cid), person=900)}"}
    other_clerk = {
        "Authorization": f"Bearer {cluster.token(Grant(Role.owners_committee, 'compound', cid), person=901)}"
    }

    async def projected() -> bool:
        answer = await http.get(f"{base}{BILLING}/compounds/{cid}/dwellings", headers=staff)
        return answer.status_code == 200 and answer.json()["dwellings"] == 3

    await eventually(projected, what="billing projects the three dwellings")
    await post(
        http,
        f"{base}{BILLING}/rate-cards",
        {
            "scope_id": cid,
            "structure": "multi_storey",
            "management_model": "professional",
            "rate_yuan_per_m2_month": "0.50",
            "effective_from": "2026-01-01",
        },
        staff,
    )
    run = await post(http, f"{base}{BILLING}/bill-runs", {"scope_id": cid, "period": "2026-10"}, staff)
    assert (run["issued_count"], run["issued_fen"]) == (3, 15_000)

    # Two clerks, one bill, the same moment: exactly one payment books.
    both = await asyncio.gather(
        http.post(
            f"{base}{BILLING}/payments",
            json={"dwelling_id": dwellings[0], "amount_fen": 5_000},
            headers={**staff, "Idempotency-Key": "clerk-1"},
        ),
        http.post(
            f"{base}{BILLING}/payments",
            json={"dwelling_id": dwellings[0], "amount_fen": 5_000},
            headers={**other_clerk, "Idempotency-Key": "clerk-2"},
        ),
    )
    assert sorted(r.status_code for r in both) == [201, 422], [r.text for r in both]
    paid = await pg_fetch(
        cluster.database("billing"), "SELECT paid_fen, amount_fen FROM bills WHERE dwelling_id = $1", dwellings[0]
    )
    assert [(r["paid_fen"], r["amount_fen"]) for r in paid] == [(5_000, 5_000)]

    # A resident pays online; WeChat sends the notification three times at once.
    resident = {
        "Authorization": f"Bearer {cluster.token(Grant(Role.resident, 'household', households[1]), person=902)}"
    }
    order = await post(
        http, f"{base}{BILLING}/payment-orders", {"dwelling_id": dwellings[1], "channel": "wechat"}, resident
    )
    wechat = signer_channels(Settings().payment_channel_secret.get_secret_value())[Channel.wechat]
    assert isinstance(wechat, WeChatPayTestSigner)
    headers, body = wechat.sign(
        {
            "mchid": wechat.merchant_id,
            "out_trade_no": order["out_trade_no"],
            "transaction_id": "4200000001202610310000000042",
            "trade_state": "SUCCESS",
            "amount": {"total": order["amount_fen"], "currency": "CNY"},
        }
    )
    answers = await asyncio.gather(
        *(http.post(f"{base}{BILLING}/payment-notifications/wechat", content=body, headers=headers) for _ in range(3))
    )
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    booked = await pg_fetch(
        cluster.database("billing"), "SELECT receipt_seq FROM payments WHERE compound_id = $1 ORDER BY receipt_seq", cid
    )
    assert [r["receipt_seq"] for r in booked] == [1, 2]
    mine = await http.get(f"{base}{BILLING}/payments", params={"household_id": households[1]}, headers=resident)
    assert [p["out_trade_no"] for p in mine.json()["items"]] == [order["out_trade_no"]]

    # October closes: the supervisory committee publishes, and the chain verifies.
    supervisor = {
        "Authorization": f"Bearer {cluster.token(Grant(Role.supervisory_committee, 'compound', cid), person=903)}"
    }
    disclosure = await post(http, f"{base}{BILLING}/disclosures", {"compound_id": cid, "period": "2026-10"}, supervisor)
    assert disclosure["content"]["collection_rate"]["rate"] == "66.67%"
    verified = await http.get(f"{base}{BILLING}/disclosures/verify", params={"compound_id": cid}, headers=supervisor)
    assert verified.json()["ok"] is True
    check = await http.get(f"{base}{BILLING}/journal/check", params={"compound_id": cid}, headers=supervisor)
    assert check.json()["ok"] is True, check.text
