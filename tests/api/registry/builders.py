"""Small builders for registry stories, each going through the API as a clerk would.

Shared by the registry's test modules: add to it, do not change what is here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.conftest import Platform

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
