"""Builders for billing stories: registry records made through the registry's API (so their
events reach billing's projections as in production), then billing's own calls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from services.billing.payments.channels import WeChatPayTestSigner
from services.billing.payments.domain import Channel
from shared.auth import Grant, Role
from shared.events.envelope import CloudEvent, EventData
from tests import helpers
from tests.api.conftest import Platform


@dataclass
class Compound:
    street_id: int
    community_id: int
    compound_id: int
    building_ids: list[int] = field(default_factory=list)
    dwelling_ids: list[int] = field(default_factory=list)
    household_ids: dict[int, int] = field(default_factory=dict)  # dwelling -> household


async def compound(
    platform: Platform,
    *,
    name: str = "杏花岭小区",
    management_model: str = "professional",
    street: str = "三桥街道",
    community: str = "杏花岭社区",
) -> Compound:
    street_id = (await platform.post("/streets", {"name": street}))["id"]
    community_id = (await platform.post("/communities", {"street_id": street_id, "name": community}))["id"]
    compound_id = (
        await platform.post(
            "/compounds",
            {"name": name, "community_id": community_id, "kind": "old", "management_model": management_model},
        )
    )["id"]
    return Compound(street_id, community_id, compound_id)


async def building(
    platform: Platform,
    c: Compound,
    *,
    number: str,
    dwellings: int,
    area_m2: str = "100.00",
    structure: str = "multi_storey",
    households: bool = True,
    **dwelling_fields: Any,
) -> list[int]:
    """A building with one entrance and `dwellings` dwellings (each with a household unless
    told otherwise); returns the dwelling ids."""
    building_id = (
        await platform.post(
            "/buildings", {"compound_id": c.compound_id, "number": number, "structure": structure, "floors": 18}
        )
    )["id"]
    c.building_ids.append(building_id)
    entrance_id = (await platform.post("/entrances", {"building_id": building_id, "number": "1"}))["id"]
    made = []
    for i in range(dwellings):
        dwelling_id = (
            await platform.post(
                "/dwellings",
                {"entrance_id": entrance_id, "room": f"{101 + i}", "area_m2": area_m2, **dwelling_fields},
            )
        )["id"]
        made.append(dwelling_id)
        if households:
            c.household_ids[dwelling_id] = (await platform.post("/households", {"dwelling_id": dwelling_id}))["id"]
    c.dwelling_ids.extend(made)
    return made


def staff(platform: Platform, compound_id: int, person: int = 900) -> dict[str, str]:
    """物业人员 of the compound."""
    return platform.token(Grant(Role.property_staff, "compound", compound_id), person=person)


def resident(platform: Platform, household_id: int, person: int = 901) -> dict[str, str]:
    return platform.token(Grant(Role.resident, "household", household_id), person=person)


def money(headers: dict[str, str]) -> dict[str, str]:
    """`headers` with a fresh Idempotency-Key: every money-moving POST must carry one."""
    return {**headers, "Idempotency-Key": str(uuid.uuid4())}


def billing(platform: Platform) -> httpx.AsyncClient:
    return platform.clients["billing"]


async def wait_for_dwellings(platform: Platform, compound_id: int, count: int) -> None:
    """Until billing's projection holds `count` dwellings of the compound."""
    headers = staff(platform, compound_id)

    async def probe() -> bool:
        answer = await billing(platform).get(f"/api/v1/billing/compounds/{compound_id}/dwellings", headers=headers)
        return answer.status_code == 200 and answer.json()["dwellings"] == count

    await platform.eventually(probe, within_s=30)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    """tests.helpers.ok, awaitable (billing's stories were written with `await ok(...)`)."""
    return helpers.ok(response, status)


async def rate_card(
    platform: Platform, compound_id: int, rate: str, *, structure: str = "multi_storey", **extra: Any
) -> dict[str, Any]:
    body = {
        "scope_id": compound_id,
        "structure": structure,
        "management_model": extra.pop("management_model", "professional"),
        "rate_yuan_per_m2_month": rate,
        "effective_from": extra.pop("effective_from", "2026-01-01"),
        **extra,
    }
    result: dict[str, Any] = await ok(
        await billing(platform).post("/api/v1/billing/rate-cards", json=body, headers=staff(platform, compound_id)), 201
    )
    return result


async def bill_run(platform: Platform, compound_id: int, period: str) -> dict[str, Any]:
    result: dict[str, Any] = await ok(
        await billing(platform).post(
            "/api/v1/billing/bill-runs",
            json={"scope_id": compound_id, "period": period},
            headers=money(staff(platform, compound_id)),
        ),
        201,
    )
    return result


async def publish(platform: Platform, data: EventData, key: int, event: CloudEvent | None = None) -> CloudEvent:
    """Put an event from another service on the bus, as its relay would (same id = redelivery)."""
    event = event or CloudEvent.of(data, subject=key, key=key)
    await platform.apps["billing"].state.runtime.transport.publish([event.to_message(data.topic())])
    return event


# --- two quarters billed, and the books balanced (from test_payments.py) ---------------------


async def two_quarters_billed(platform: Platform) -> Compound:
    """Two 100 m² dwellings at 0.50 yuan: 150.00 yuan a quarter each, Q1 and Q2 billed on
    5 January 2026 (so Q1 is due on 31 January and Q2 on 1 May, as the arrears stories expect)."""
    platform.set_clock(datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    c = await compound(platform)
    await building(platform, c, number="1", dwellings=2)
    await wait_for_dwellings(platform, c.compound_id, 2)
    await rate_card(platform, c.compound_id, "0.50")
    await bill_run(platform, c.compound_id, "2026-Q1")
    await bill_run(platform, c.compound_id, "2026-Q2")
    return c


async def books_ok(platform: Platform, compound_id: int) -> dict[str, Any]:
    check: dict[str, Any] = await ok(
        await billing(platform).get(
            "/api/v1/billing/journal/check", params={"compound_id": compound_id}, headers=staff(platform, compound_id)
        )
    )
    assert check["ok"] is True, check
    return check


def wechat(platform: Platform) -> WeChatPayTestSigner:
    """The billing service's WeChat Pay channel (the test signer signs notifications as WeChat would)."""
    adapter: WeChatPayTestSigner = platform.apps["billing"].state.billing_channels[Channel.wechat]
    return adapter


def wechat_transaction(adapter: WeChatPayTestSigner, order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A successful WeChat Pay transaction for a payment order (as its notification carries it)."""
    return {
        "mchid": adapter.merchant_id,
        "appid": "wx-linli",
        "out_trade_no": order["out_trade_no"],
        "transaction_id": "4200000001202611250000000001",
        "trade_state": "SUCCESS",
        "amount": {"total": order["amount_fen"], "currency": "CNY"},
        "success_time": "2026-11-25T10:00:00+08:00",
        **changes,
    }
