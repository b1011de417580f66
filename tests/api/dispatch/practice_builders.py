"""A courtyard of households for the household practices (credit, care zones): building 3 of
杏花岭片区, its households as dispatch knows them, the grid worker and the community admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from services.dispatch.projections.models import DwellingView, HouseholdView
from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import Dwelling, dwelling_in, resident, xinghualing_dwelling


@dataclass(frozen=True)
class Courtyard:
    """Households of building 3 by door (3-1-301 is 王秀英's), the compound and its people."""

    homes: dict[str, Dwelling]
    zhang: int

    @property
    def compound_id(self) -> int:
        return self.homes["3-1-301"].compound_id

    def resident(self, platform: Platform, door: str, person: int = 500) -> dict[str, str]:
        return platform.token(Grant(Role.resident, "household", self.homes[door].household_id), person=person)

    def grid_worker(self, platform: Platform) -> dict[str, str]:
        return platform.token(Grant(Role.grid_worker, "grid", self.homes["3-1-301"].grid_id), person=self.zhang)

    def community(self, platform: Platform) -> dict[str, str]:
        return platform.token(Grant(Role.community_admin, "community", self.homes["3-1-301"].community_id), person=800)

    def building_head(self, platform: Platform, building: str = "3", person: int = 801) -> dict[str, str]:
        building_id = next(h.building_id for door, h in self.homes.items() if door.startswith(f"{building}-"))
        return platform.token(Grant(Role.building_head, "building", building_id), person=person)


async def courtyard(platform: Platform, doors: tuple[str, ...] = ("3-1-301", "3-1-302", "3-1-401")) -> Courtyard:
    """Seed 002's old compound, the given doors of building 3 (and any other building named),
    with dispatch holding every household and its door."""
    first = await xinghualing_dwelling(platform)
    homes = {"3-1-301": first}
    for door in doors:
        if door in homes:
            continue
        building, entrance, room = door.split("-")
        same = next((h for d, h in homes.items() if d.split("-")[0] == building), None)
        if same is None:
            homes[door] = await dwelling_in(
                platform,
                street_id=first.street_id,
                community_id=first.community_id,
                grid_id=first.grid_id,
                compound_id=first.compound_id,
                building=building,
                entrance=entrance,
                room=room,
            )
            continue
        dwelling_id = (
            await platform.post(
                "/dwellings", {"entrance_id": same.entrance_id, "room": room, "area_m2": "86.50", "floor": 3}
            )
        )["id"]
        household_id = (await platform.post("/households", {"dwelling_id": dwelling_id}))["id"]
        homes[door] = Dwelling(
            first.street_id,
            first.community_id,
            first.grid_id,
            first.compound_id,
            same.building_id,
            same.entrance_id,
            dwelling_id,
            household_id,
        )
    zhang = (await resident(platform, "张丽", compound_id=first.compound_id))["id"]
    await platform.post("/grid-workers", {"person_id": zhang, "kind": "full_time", "grid_ids": [first.grid_id]})
    db = platform.apps["dispatch"].state.runtime.db

    async def arrived() -> bool:
        async with db.sessionmaker() as session:
            counts = [
                await session.scalar(select(func.count()).select_from(model)) for model in (HouseholdView, DwellingView)
            ]
        return counts == [len(homes), len(homes)]

    await platform.eventually(arrived)
    return Courtyard(homes, zhang)
