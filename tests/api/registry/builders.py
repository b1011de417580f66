"""Small builders for registry stories, each going through the API as a clerk would.

Shared by the registry's test modules: add to it, do not change what is here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.demo import add_demo_organisation, add_demo_people, build_demo_street
from shared.events.outbox import outbox
from tests.api.conftest import Platform

API = "/api/v1/registry"
# A compound a clerk registers correctly (the bad-input stories spoil it one field at a time).
COMPOUNDS_URL = f"{API}/compounds"
GOOD_COMPOUND = {"name": "滨河花园", "kind": "commercial", "management_model": "professional"}

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card(first17: str) -> str:
    """A valid 18-digit ID-card number: the 17 digits and their GB 11643 check character
    (computed here independently of the code under test)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


@dataclass(frozen=True)
class Dwelling:
    """One dwelling of the old compound, from the street down to its household."""

    street_id: int
    community_id: int
    grid_id: int
    compound_id: int
    building_id: int
    entrance_id: int
    dwelling_id: int
    household_id: int


async def xinghualing_dwelling(
    platform: Platform,
    *,
    street: str = "三桥街道",
    community: str = "杏花岭社区",
    grid: str = "第一网格",
    compound: str = "杏花岭片区·老旧小区",
    building: str = "3",
    entrance: str = "1",
    room: str = "301",
    area_m2: str = "86.50",
) -> Dwelling:
    """Seed 002: dwelling 3-1-301 of 86.50 m² in an old multi-storey compound of 第一网格."""
    street_id = (await platform.post("/streets", {"name": street}))["id"]
    community_id = (await platform.post("/communities", {"street_id": street_id, "name": community}))["id"]
    grid_id = (await platform.post("/grids", {"community_id": community_id, "name": grid}))["id"]
    compound_id = (
        await platform.post(
            "/compounds",
            {
                "name": compound,
                "community_id": community_id,
                "kind": "old",
                "management_model": "community_custody",
                "grid_id": grid_id,
            },
        )
    )["id"]
    return await dwelling_in(
        platform,
        street_id=street_id,
        community_id=community_id,
        grid_id=grid_id,
        compound_id=compound_id,
        building=building,
        entrance=entrance,
        room=room,
        area_m2=area_m2,
    )


async def dwelling_in(
    platform: Platform,
    *,
    street_id: int,
    community_id: int,
    grid_id: int,
    compound_id: int,
    building: str,
    entrance: str = "1",
    room: str = "301",
    area_m2: str = "86.50",
) -> Dwelling:
    """A new building, entrance, dwelling and household in an existing compound."""
    building_id = (
        await platform.post(
            "/buildings", {"compound_id": compound_id, "number": building, "structure": "multi_storey", "floors": 6}
        )
    )["id"]
    entrance_id = (await platform.post("/entrances", {"building_id": building_id, "number": entrance}))["id"]
    dwelling_id = (
        await platform.post("/dwellings", {"entrance_id": entrance_id, "room": room, "area_m2": area_m2, "floor": 3})
    )["id"]
    household_id = (await platform.post("/households", {"dwelling_id": dwelling_id}))["id"]
    return Dwelling(street_id, community_id, grid_id, compound_id, building_id, entrance_id, dwelling_id, household_id)


async def resident(
    platform: Platform, name: str, headers: dict[str, str] | None = None, **fields: Any
) -> dict[str, Any]:
    """Register a person (a resident when a household is given) and return the response body."""
    return await platform.post("/residents", {"name": name, **fields}, headers)


def registry_session(platform: Platform) -> AsyncSession:
    """A session on the registry's own database, for checking rows behind the API."""
    session: AsyncSession = platform.apps["registry"].state.runtime.db.sessionmaker()
    return session


# --- the party organisation of an old compound (seed 002; from test_party.py) -----------------


@dataclass
class OldCompound:
    """三桥街道 → 杏花岭社区 → 第一网格; 三桥片区 (a cluster) holding one old compound."""

    street_id: int
    community_id: int
    grid_id: int
    cluster_id: int
    compound_id: int
    buildings: list[int] = field(default_factory=list)
    households: list[int] = field(default_factory=list)
    needy: list[int] = field(default_factory=list)


async def build_old_compound(
    platform: Platform,
    *,
    buildings: int = 2,
    entrances: int = 2,
    floors: int = 6,
    per_floor: int = 4,
    needy_every: int = 16,
    street: str = "三桥街道",
    name: str = "北大街3号院",
) -> OldCompound:
    """An old unit-dormitory compound (2 buildings × 2 entrances × 24 dwellings = 96 households
    by default), six-storey, 86.50 m² end flats and 62.30 m² middle flats; every 16th household
    is flagged needy (困难户)."""
    post = platform.post
    street_id = (await post("/streets", {"name": street}))["id"]
    community_id = (await post("/communities", {"street_id": street_id, "name": "杏花岭社区"}))["id"]
    grid_id = (await post("/grids", {"community_id": community_id, "name": "第一网格"}))["id"]
    cluster_id = (await post("/clusters", {"community_id": community_id, "name": "三桥片区"}))["id"]
    compound_id = (
        await post(
            "/compounds",
            {
                "name": name,
                "community_id": community_id,
                "kind": "old",
                "management_model": "community_custody",
                "grid_id": grid_id,
                "cluster_id": cluster_id,
            },
        )
    )["id"]
    built = OldCompound(street_id, community_id, grid_id, cluster_id, compound_id)
    for b in range(1, buildings + 1):
        building = await post(
            "/buildings", {"compound_id": compound_id, "number": str(b), "structure": "multi_storey", "floors": floors}
        )
        built.buildings.append(building["id"])
        for e in range(1, entrances + 1):
            entrance = await post("/entrances", {"building_id": building["id"], "number": str(e)})
            for floor in range(1, floors + 1):
                for position in range(1, per_floor + 1):
                    area = "86.50" if position in (1, per_floor) else "62.30"
                    dwelling = await post(
                        "/dwellings",
                        {"entrance_id": entrance["id"], "room": f"{floor}0{position}", "area_m2": area},
                    )
                    needy = (len(built.households) + 1) % needy_every == 0
                    household = await post("/households", {"dwelling_id": dwelling["id"], "needy": needy})
                    built.households.append(household["id"])
                    if needy:
                        built.needy.append(household["id"])
    return built


async def register_resident(
    platform: Platform,
    name: str,
    *,
    household_id: int | None = None,
    compound_id: int | None = None,
    mobile: str | None = None,
    id_card: str | None = None,
) -> int:
    """A person through POST /residents (the people helper's route); returns the person id."""
    body: dict[str, Any] = {"name": name}
    for key, value in (
        ("household_id", household_id),
        ("compound_id", compound_id),
        ("mobile", mobile),
        ("id_card", id_card),
    ):
        if value is not None:
            body[key] = value
    return int((await platform.post("/residents", body))["id"])


async def five_levels(platform: Platform, c: OldCompound) -> dict[str, int]:
    """街道党工委 → 社区党委 → 网格党总支 → 小区党支部 → 楼栋党小组, top to bottom."""
    orgs: dict[str, int] = {}
    for level, name, place_id, parent in (
        ("street_committee", "三桥街道党工委", c.street_id, None),
        ("community_committee", "杏花岭社区党委", c.community_id, "street_committee"),
        ("grid_branch_general", "第一网格党总支", c.grid_id, "community_committee"),
        ("compound_branch", "北大街3号院党支部", c.compound_id, "grid_branch_general"),
        ("building_group", "1号楼党小组", c.buildings[0], "compound_branch"),
    ):
        created = await platform.post(
            "/party-orgs",
            {"level": level, "name": name, "place_id": place_id, "parent_id": orgs[parent] if parent else None},
        )
        orgs[level] = created["id"]
    return orgs


async def events(platform: Platform, event_type: str) -> list[dict[str, Any]]:
    """The `data` of every queued registry event of one type, oldest first, with its key."""
    runtime = platform.apps["registry"].state.runtime
    async with runtime.db.sessionmaker() as session:
        rows = (
            await session.execute(
                select(outbox.c.key, outbox.c.value).where(outbox.c.type == event_type).order_by(outbox.c.id)
            )
        ).all()
    return [json.loads(row.value) | {"_key": row.key} for row in rows]


# --- accounts and logins (from test_accounts.py) ---------------------------------------------

# Passes the policy (10+ characters, not common, not the mobile); the demo street's published
# `linli-demo` is refused for every account but the seeded demo ones (test_demo.py).
PASSWORD = "xinghua-lane-1-301"


async def login(platform: Platform, mobile: str, password: str = PASSWORD) -> httpx.Response:
    return await platform.clients["registry"].post(f"{API}/auth/token", json={"mobile": mobile, "password": password})


async def open_account(platform: Platform, person_id: int, mobile: str, password: str = PASSWORD) -> dict[str, Any]:
    return await platform.post("/accounts", {"person_id": person_id, "mobile": mobile, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def demo_login(platform: Platform, mobile: str) -> dict[str, str]:
    """A demo person's bearer header, logged in with the demo password."""
    answer = await platform.clients["registry"].post(
        f"{API}/auth/token", json={"mobile": mobile, "password": "linli-demo"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def seed_demo_street(platform: Platform) -> None:
    """The demo street, its people and its party organisation, as `make run` seeds them."""
    runtime = platform.apps["registry"].state.runtime
    async with runtime.db.sessionmaker() as session:
        demo = await build_demo_street(session)
        await add_demo_people(session, platform.settings, demo)
        await add_demo_organisation(session, demo)
        await session.commit()
