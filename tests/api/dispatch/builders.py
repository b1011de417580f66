"""The cast of dispatch stories, built through the registry's API so its events reach
dispatch's projections as in production (seed 002, Xinghualing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select

from services.dispatch.projections.models import CheckInView, CompoundArea, MemberHouseholdLink, MemberView
from shared.auth import Grant, Role
from shared.service_app import ServiceRuntime
from tests.api.conftest import Platform
from tests.api.registry.builders import Dwelling, dwelling_in, resident, xinghualing_dwelling
from tests.helpers import ok

API = "/api/v1/dispatch"


@dataclass(frozen=True)
class Cast:
    """王秀英 of 3-1-301 orders; 张丽 is the grid worker; 赵师傅 (plumber, paired with her
    household) and 孙师傅 (plumber) are checked in; 钱老师 teaches; 李师傅 is a plumber who has
    not checked in."""

    home: Dwelling
    wang: int
    zhang: int
    zhao: dict[str, Any]
    sun: dict[str, Any]
    qian: dict[str, Any]
    li: dict[str, Any]
    branch: int

    def resident(self, platform: Platform) -> dict[str, str]:
        return platform.token(Grant(Role.resident, "household", self.home.household_id), person=self.wang)

    def grid_worker(self, platform: Platform) -> dict[str, str]:
        return platform.token(Grant(Role.grid_worker, "grid", self.home.grid_id), person=self.zhang)

    def member(self, platform: Platform, who: dict[str, Any]) -> dict[str, str]:
        return platform.token(Grant(Role.party_member, "compound", self.home.compound_id), person=who["person_id"])


async def _member(
    platform: Platform, home: Dwelling, branch: int, name: str, building: str, skills: list[str], check_in: bool
) -> dict[str, Any]:
    place = await dwelling_in(
        platform,
        street_id=home.street_id,
        community_id=home.community_id,
        grid_id=home.grid_id,
        compound_id=home.compound_id,
        building=building,
    )
    person = await resident(platform, name, household_id=place.household_id)
    member = await platform.post(
        "/party-members",
        {"person_id": person["id"], "ledger": "in_service", "party_org_id": branch, "skills": skills},
    )
    if check_in:
        await platform.post(
            "/check-ins", {"party_member_id": member["id"], "compound_id": home.compound_id, "post": "志愿服务岗"}
        )
    return {"id": member["id"], "person_id": person["id"], "household_id": place.household_id}


async def xinghualing_cast(platform: Platform) -> Cast:
    home = await xinghualing_dwelling(platform)
    wang = (await resident(platform, "王秀英", household_id=home.household_id))["id"]
    zhang = (await resident(platform, "张丽", compound_id=home.compound_id))["id"]
    await platform.post("/grid-workers", {"person_id": zhang, "kind": "full_time", "grid_ids": [home.grid_id]})
    parent = None
    for level, name, place_id in (
        ("street_committee", "三桥街道党工委", home.street_id),
        ("community_committee", "杏花岭社区党委", home.community_id),
        ("grid_branch_general", "第一网格党总支", home.grid_id),
        ("compound_branch", "杏花岭片区小区党支部", home.compound_id),
    ):
        parent = (
            await platform.post(
                "/party-orgs", {"level": level, "name": name, "place_id": place_id, "parent_id": parent}
            )
        )["id"]
    assert parent is not None
    zhao = await _member(platform, home, parent, "赵师傅", "1", ["plumber", "electrician", "repair"], True)
    sun = await _member(platform, home, parent, "孙师傅", "2", ["plumber"], True)
    qian = await _member(platform, home, parent, "钱老师", "4", ["teacher"], True)
    li = await _member(platform, home, parent, "李师傅", "5", ["plumber"], False)
    await platform.post(
        "/pairings",
        {
            "kind": "member_household",
            "compound_id": home.compound_id,
            "party_member_id": zhao["id"],
            "household_id": home.household_id,
        },
    )
    cast = Cast(home, wang, zhang, zhao, sun, qian, li, parent)
    await synced(platform, cast)
    return cast


async def synced(platform: Platform, cast: Cast) -> None:
    """Wait until dispatch has projected the whole cast."""
    db = platform.apps["dispatch"].state.runtime.db

    async def probe() -> bool:
        async with db.sessionmaker() as session:
            counts = [
                await session.scalar(select(func.count()).select_from(model))
                for model in (CompoundArea, MemberView, CheckInView, MemberHouseholdLink)
            ]
        return counts == [1, 4, 3, 1]

    await platform.eventually(probe)


async def events_of(platform: Platform, prefix: str = "linli.dispatch.") -> list[dict[str, Any]]:
    """Dispatch's outbox, oldest first: (type, data) of every event it queued."""
    import json

    from shared.events.outbox import outbox

    db = platform.apps["dispatch"].state.runtime.db
    async with db.sessionmaker() as session:
        rows = (await session.execute(select(outbox.c.type, outbox.c.value).order_by(outbox.c.id))).all()
    return [{"type": t, **json.loads(v)} for t, v in rows if t.startswith(prefix)]


# --- an order and the service clock (from test_story.py and test_sla.py) ------------------------

LEAK: dict[str, Any] = {
    "category": "water_leak",
    "title": "厨房水管漏水",
    "description": "厨房水槽下面的水管一直滴水，楼下邻居说天花板渗水了",
    "urgency": "urgent",
    "fields": {"location": "厨房水槽下"},
    "photos": ["orders/2026/leak-1.jpg"],
}


async def order_leak(platform: Platform, cast: Cast) -> Any:
    dispatch = platform.clients["dispatch"]
    return ok(await dispatch.post(f"{API}/orders", json=LEAK, headers=cast.resident(platform)), 201)


def runtime_of(app: FastAPI) -> ServiceRuntime:
    runtime: ServiceRuntime = app.state.runtime
    return runtime


class Clock:
    """The dispatch service's clock, stopped and moved by hand."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self._clock = runtime.clock
        self._clock.freeze()

    @property
    def now(self) -> datetime:
        return self._clock()

    @now.setter
    def now(self, at: datetime) -> None:
        self._clock.freeze(at)

    def advance(self, **delta: float) -> datetime:
        return self._clock.advance(timedelta(**delta))
