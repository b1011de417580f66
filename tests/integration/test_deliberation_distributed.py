"""Seed 003 distributed: registry, deliberation, billing and the gateway as processes on
PostgreSQL and a Kafka-protocol broker.

The clerk imports the residents ledger of a compound of 312 dwellings through the gateway;
deliberation learns the dwellings, owners and committee seats from registry events. The
proposal to enclose the courtyard and light it goes through triage, the council, the
committee's plan (a levy by area) and a co-signed classification; the vote is noticed 15 days
ahead. Deliberation is restarted 15 days later (CLOCK_OFFSET_SECONDS), the owners vote through
the gateway, it is restarted again after the closing time, the vote closes and passes, and the
levy reaches billing over Kafka. The clause lands in the convention and the audit chain
verifies on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Grant, Role
from tests.api.deliberation.builders import area_of, ledger_row
from tests.integration.conftest import (
    Cluster,
    Service,
    clock_ahead,
    create_compound,
    eventually,
    pg_fetch,
    pg_value,
    seed_community,
    suite_now,
)

pytestmark = pytest.mark.integration

DWELLINGS = 312
PER_BUILDING = 52
LEVY_FEN = 15_600_000
API = "/api/v1/deliberation"


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    procs = {name: cluster.service(name) for name in ("registry", "billing", "deliberation")}
    cluster.start(*procs.values())
    gateway = cluster.service("gateway", env=cluster.gateway_env(*procs.values()))
    cluster.start(gateway)
    procs["gateway"] = gateway
    return procs


class Client:
    def __init__(self, http: httpx.AsyncClient, cluster: Cluster, gateway: Service, compound_id: int) -> None:
        self.http, self.cluster, self.base, self.compound_id = http, cluster, gateway.url, compound_id

    def owner(self, person_id: int) -> dict[str, str]:
        token = self.cluster.token(Grant(Role.owner, "compound", self.compound_id), person=person_id)
        return {"Authorization": f"Bearer {token}"}

    def party(self) -> dict[str, str]:
        token = self.cluster.token(Grant(Role.party_member, "compound", self.compound_id), person=9_000_001)
        return {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, headers: dict[str, str], body: Any = None, expect: int = 200) -> Any:
        answer = await self.http.request(method, f"{self.base}{API}{path}", json=body, headers=headers)
        assert answer.status_code == expect, answer.text
        return answer.json()


async def test_seed_003_through_the_gateway_with_restarts_across_the_notice_period(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    gateway, deliberation = services["gateway"], services["deliberation"]
    admin = cluster.auth()
    community = await seed_community(http, gateway.url, admin, "长生桥镇", "移民社区")
    compound_id = (await create_compound(http, gateway.url, admin, community, "长生桥镇移民小区"))["id"]
    rows = [
        ledger_row(
            i,
            i // PER_BUILDING + 1,
            f"{(i % PER_BUILDING) // 8 + 1}{i % 8 + 1:02d}",
            area_of(i),
            (i % PER_BUILDING) // 8 + 1,
        )
        for i in range(DWELLINGS)
    ]
    content = ("楼栋号,单元号,房号,建筑面积,楼层,姓名,身份证号,人员类别\n" + "\n".join(rows) + "\n").encode()
    job = await http.post(
        f"{gateway.url}/api/v1/registry/imports",
        files={"file": ("移民小区居民台账.csv", content, "text/csv")},
        data={"ledger": "residents", "mode": "all_or_nothing", "compound_id": str(compound_id)},
        headers=admin,
    )
    assert job.status_code == 202, job.text
    db = cluster.database("deliberation")

    async def owners_projected() -> list[Any] | None:
        found = await pg_fetch(
            db,
            "SELECT o.person_id FROM ownership_projection o "
            "JOIN dwelling_projection d ON d.dwelling_id = o.dwelling_id "
            "WHERE d.compound_id = $1 ORDER BY d.dwelling_id",
            compound_id,
        )
        return found if len(found) == DWELLINGS else None

    owners = [r["person_id"] for r in await eventually(owners_projected, within=90, what="owners reach deliberation")]
    bodies = {"council": owners[3:6], "owners_committee": owners[6:11], "supervisory_committee": owners[11:14]}
    for body, people in bodies.items():
        for person in people:
            made = await http.post(
                f"{gateway.url}/api/v1/registry/memberships",
                json={"person_id": person, "body": body, "compound_id": compound_id},
                headers=admin,
            )
            assert made.status_code == 201, made.text

    async def seated() -> bool:
        return (
            int(await pg_value(db, "SELECT count(*) FROM membership_projection WHERE compound_id = $1", compound_id))
            == 11
        )

    await eventually(seated, what="seats reach deliberation")
    c = Client(http, cluster, gateway, compound_id)
    committee = [c.owner(p) for p in bodies["owners_committee"]]
    council, supervisor, resident = (
        c.owner(bodies["council"][0]),
        c.owner(bodies["supervisory_committee"][0]),
        c.owner(owners[0]),
    )
    t0 = suite_now()

    p = await c.call(
        "POST", "/proposals", resident, {"compound_id": compound_id, "title": "围合小区并安装路灯"}, expect=201
    )
    pid = p["id"]
    p = await c.call("POST", f"/proposals/{pid}/triage", c.party(), {"version": p["version"], "triage": "minor"})
    await c.call(
        "POST", f"/proposals/{pid}/meetings", council, {"kind": "opinion", "held_at": t0.isoformat()}, expect=201
    )
    p = await c.call(
        "POST", f"/proposals/{pid}/council-resolution", council, {"version": p["version"], "resolution": "go"}
    )
    p = await c.call(
        "PUT", f"/proposals/{pid}/plan", committee[0],
        {
            "version": p["version"], "summary": "围墙、门禁与路灯", "budget_fen": LEVY_FEN,
            "funding_source": "levy", "levy_total_fen": LEVY_FEN,
        },
    )  # fmt: skip
    for member in committee[:3]:
        p = await c.call("POST", f"/proposals/{pid}/plan/committee-votes", member, {"choice": "for"})
    assert p["status"] == "awaiting_vote"
    p = await c.call(
        "PUT", f"/proposals/{pid}/classification", committee[0],
        {"version": p["version"], "items": [{"title": "围合小区并安装路灯（改建共有部分）", "matter": "rebuild"}]},
    )  # fmt: skip
    p = await c.call("POST", f"/proposals/{pid}/classification/cosign", supervisor, {"version": p["version"]})
    vote = await c.call(
        "POST", f"/proposals/{pid}/votes", committee[0],
        {
            "version": p["version"],
            "opens_at": (t0 + timedelta(days=15, minutes=10)).isoformat(),
            "closes_at": (t0 + timedelta(days=22)).isoformat(),
        },
        expect=201,
    )  # fmt: skip
    vid, item = vote["id"], vote["items"][0]["id"]
    early = await c.call(
        "POST", f"/votes/{vid}/ballots", resident, {"choices": [{"item_id": item, "choice": "for"}]}, expect=409
    )
    assert early["error"]["code"] == "vote_not_open"

    # Fifteen days later: the vote clock opens it at start-up (or the committee does).
    assert cluster.restart(deliberation, env=clock_ahead(timedelta(days=15, hours=1))) == 0
    answer = await http.post(f"{gateway.url}{API}/votes/{vid}/open", headers=committee[0])
    assert answer.status_code in (200, 409), answer.text
    assert (await c.call("GET", f"/votes/{vid}", resident))["status"] == "open"

    voters = owners[:240]
    for position, person in enumerate(voters):
        choice = "for" if position < 200 else "against"
        await c.call(
            "POST",
            f"/votes/{vid}/ballots",
            c.owner(person),
            {"choices": [{"item_id": item, "choice": choice}]},
            expect=201,
        )
    again = await c.call(
        "POST",
        f"/votes/{vid}/ballots",
        c.owner(voters[0]),
        {"choices": [{"item_id": item, "choice": "for"}]},
        expect=409,
    )
    assert again["error"]["code"] == "already_voted"
    turnout = await c.call("GET", f"/votes/{vid}/turnout", resident)
    assert (turnout["persons"], turnout["voted_persons"]) == (DWELLINGS, 240)

    # After the closing time: the vote clock closes and tallies it; closing again is refused.
    assert cluster.restart(deliberation, env=clock_ahead(timedelta(days=22, hours=1))) == 0

    async def closed() -> dict[str, Any] | None:
        v = await c.call("GET", f"/votes/{vid}", resident)
        return v if v["status"] == "closed" else None

    answer = await http.post(f"{gateway.url}{API}/votes/{vid}/close", headers=committee[0])
    assert answer.status_code in (200, 409), answer.text
    vote = await eventually(closed, what="the vote closes")
    assert vote["outcome"] == "passed"
    twice = await c.call("POST", f"/votes/{vid}/close", committee[0], expect=409)
    assert twice["error"]["code"] == "illegal_transition"
    tally = await c.call("GET", f"/votes/{vid}/tally", resident)
    strict = tally["items"][0]["strict"]
    assert (strict["participating_persons"], strict["for_persons"], strict["total_persons"]) == (240, 200, DWELLINGS)
    assert strict["approval_persons"] == "5/6"
    await c.call("POST", f"/votes/{vid}/tally/certify", supervisor)

    # The levy reaches billing over the broker, one bill per household, by area.
    async def levied() -> list[dict[str, Any]] | None:
        answer = await http.get(
            f"{gateway.url}/api/v1/billing/levies", params={"compound_id": compound_id}, headers=admin
        )
        return answer.json() if answer.status_code == 200 and answer.json() else None

    levy = (await eventually(levied, within=60, what="the levy reaches billing"))[0]
    assert levy["decision_id"] == f"vote-{vid}"
    assert levy["formula"] == "by_area"
    assert levy["bill_count"] == DWELLINGS
    assert levy["amount_fen"] == LEVY_FEN

    convention = await c.call(
        "POST", "/conventions", committee[0],
        {"compound_id": compound_id, "level": "compound", "place_id": compound_id, "title": "移民小区居民公约"},
        expect=201,
    )  # fmt: skip
    convention = await c.call(
        "POST", f"/conventions/{convention['id']}/clauses", committee[0],
        {"proposal_id": pid, "text": "小区实行围合管理；路灯电费按专有面积分摊。"}, expect=201,
    )  # fmt: skip
    assert convention["clauses"][0]["vote_id"] == vid
    verified = await c.call("GET", f"/compounds/{compound_id}/audit/verify", resident)
    assert verified["ok"] is True
    assert verified["entries"] > 240
