"""Walk a proposal quickly to where a rule is to be tested (the story test walks it slowly)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.api.conftest import Platform
from tests.api.deliberation.builders import DELIBERATION, Compound, days, now, owner, party_lead, set_clock


async def call(
    platform: Platform, method: str, path: str, headers: dict[str, str], body: Any = None, expect: int = 200
) -> Any:
    answer = await platform.clients["deliberation"].request(method, f"{DELIBERATION}{path}", json=body, headers=headers)
    assert answer.status_code == expect, answer.text
    return answer.json()


@dataclass
class Walk:
    proposal_id: int
    t0: datetime
    committee: list[dict[str, str]]
    council: dict[str, str]
    supervisor: dict[str, str]
    resident: dict[str, str]
    vote_id: int = 0
    items: tuple[int, ...] = ()

    async def proposal(self, platform: Platform) -> Any:
        return await call(platform, "GET", f"/proposals/{self.proposal_id}", self.resident)


async def to_planning(platform: Platform, compound: Compound, title: str = "更换单元门禁") -> Walk:
    t0 = now(platform)
    set_clock(platform, t0)
    walk = Walk(
        0,
        t0,
        [owner(platform, compound, p) for p in compound.committee],
        owner(platform, compound, compound.council[0]),
        owner(platform, compound, compound.supervisors[0]),
        owner(platform, compound, compound.owners[0]),
    )
    p = await call(
        platform, "POST", "/proposals", walk.resident, {"compound_id": compound.compound_id, "title": title}, expect=201
    )
    walk.proposal_id = p["id"]
    p = await call(
        platform, "POST", f"/proposals/{p['id']}/triage", party_lead(platform, compound),
        {"version": p["version"], "triage": "minor"},
    )  # fmt: skip
    await call(
        platform, "POST", f"/proposals/{p['id']}/meetings", walk.council,
        {"kind": "topic_discussion", "held_at": t0.isoformat()}, expect=201,
    )  # fmt: skip
    await call(
        platform, "POST", f"/proposals/{p['id']}/council-resolution", walk.council,
        {"version": p["version"], "resolution": "go"},
    )  # fmt: skip
    return walk


async def to_awaiting_vote(platform: Platform, compound: Compound, plan: dict[str, Any] | None = None) -> Walk:
    walk = await to_planning(platform, compound)
    p = await walk.proposal(platform)
    body = plan or {"summary": "更换门禁", "budget_fen": 1_200_000, "funding_source": "maintenance_fund"}
    await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/plan", walk.committee[0], {"version": p["version"], **body}
    )
    for member in walk.committee:
        p = await call(
            platform, "POST", f"/proposals/{walk.proposal_id}/plan/committee-votes", member, {"choice": "for"}
        )
        if p["status"] != "planning":
            break
    assert p["status"] == "awaiting_vote"
    return walk


async def to_open_vote(
    platform: Platform,
    compound: Compound,
    *,
    extension_days: int | None = None,
    follow_majority: bool = False,
    plan: dict[str, Any] | None = None,
) -> Walk:
    walk = await to_awaiting_vote(platform, compound, plan)
    p = await walk.proposal(platform)
    p = await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/classification", walk.committee[0],
        {"version": p["version"], "items": [{"title": "使用维修资金更换门禁", "matter": "use_maintenance_fund"}]},
    )  # fmt: skip
    p = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/classification/cosign", walk.supervisor,
        {"version": p["version"]},
    )  # fmt: skip
    vote = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/votes", walk.committee[0],
        {
            "version": p["version"], "opens_at": (walk.t0 + days(15)).isoformat(),
            "closes_at": (walk.t0 + days(20)).isoformat(), "extension_days": extension_days,
            "non_voters_follow_majority": follow_majority,
        },
        expect=201,
    )  # fmt: skip
    walk.vote_id = vote["id"]
    walk.items = tuple(i["id"] for i in vote["items"])
    set_clock(platform, walk.t0 + days(15))
    await call(platform, "POST", f"/votes/{walk.vote_id}/open", walk.committee[0])
    return walk


def ballot(walk: Walk, choice: str = "for") -> dict[str, Any]:
    return {"choices": [{"item_id": i, "choice": choice} for i in walk.items]}
