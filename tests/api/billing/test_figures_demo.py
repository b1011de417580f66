"""On the demo street with its year of bills (the console's demo): the dashboard's money figures
for the street and for 滨河花园 are the sums the services' own endpoints give, month by month
(GET /collection-rate), in arrears (GET /arrears) and in the funds (GET /funds)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from services.registry.demo import add_demo_organisation, add_demo_people, build_demo_street
from tests.api.billing.builders import billing, ok
from tests.api.conftest import Platform
from tests.api.registry.builders import demo_login

API = "/api/v1/billing"


async def test_the_demo_streets_figures_agree_with_the_compounds_own_endpoints(platform: Platform) -> None:
    registry_runtime = platform.apps["registry"].state.runtime
    async with registry_runtime.db.sessionmaker() as session:
        demo = await build_demo_street(session)
        await add_demo_people(session, platform.settings, demo)
        await add_demo_organisation(session, demo)
        await session.commit()
    registry_runtime.relay.wake()
    runtime = platform.apps["billing"].state.runtime
    runtime.settings = runtime.settings.model_copy(update={"seed_demo": True, "demo_size": 1})

    li = await demo_login(platform, "13800000001")  # 李建国, the street's admin
    street: dict[str, Any] = {"level": "street", "place_id": demo.street_id}

    async def booked() -> dict[str, Any] | None:
        await runtime.tick("demo_bills")  # (or the background ticker books it first)
        answer = await billing(platform).get(f"{API}/figures", params=street, headers=li)
        return answer.json() if answer.status_code == 200 and answer.json()["paid_fen"] else None

    now = await platform.eventually(booked, within_s=60)
    # The twelve months before this one, as the demo billed them.
    today = date.fromisoformat(now["date_to"])
    first = date(today.year - 1, today.month, 1)
    year = {
        "date_from": first.isoformat(),
        "date_to": (date(today.year, today.month, 1) - timedelta(days=1)).isoformat(),
    }
    figures: dict[str, Any] = await ok(
        await billing(platform).get(f"{API}/figures", params={**street, **year}, headers=li)
    )
    assert len(figures["by_month"]) == 12
    assert figures["bill_count"] == 72  # six dwellings, twelve months
    assert 0.85 < figures["paid_fen"] / figures["due_fen"] < 0.90  # near Qionglai's 88.14%
    for month in figures["by_month"]:
        own = await ok(
            await billing(platform).get(
                f"{API}/collection-rate",
                params={"scope_kind": "street", "scope_id": demo.street_id, "period": month["month"]},
                headers=li,
            )
        )
        assert (month["due_fen"], month["paid_fen"], month["collection_rate"]) == (
            own["due_fen"],
            own["paid_fen"],
            own["collection_rate"],
        )

    [high_rise] = [c for c in figures["by_compound"] if c["compound_name"] == "滨河花园"]
    owed = await ok(
        await billing(platform).get(
            f"{API}/arrears",
            params={"compound_id": high_rise["compound_id"], "by": "compound", "as_of": figures["date_to"]},
            headers=li,
        )
    )
    assert figures["arrears_fen"] == high_rise["arrears_fen"] == owed["total_outstanding_fen"] > 0
    funds = await ok(
        await billing(platform).get(f"{API}/funds", params={"compound_id": high_rise["compound_id"]}, headers=li)
    )
    by_fund: dict[str, int] = defaultdict(int)
    for line in funds["balances"]:
        by_fund[line["fund"]] += line["balance_fen"]
    assert {f["value"]: f["amount_fen"] for f in figures["fund_balances"]} == {
        "fund_pool": by_fund["fund_pool"],
        "shared_development_fund": by_fund["shared_development_fund"],
        "maintenance_fund": by_fund["maintenance_fund"],
    }
    # The 433 distribution was approved and made today, after the twelve months.
    assert now["distributed_fen"] == sum(p["amount_fen"] for p in now["distribution_by_part"]) > 0
    assert figures["revenue_fen"] == 1_674_000
