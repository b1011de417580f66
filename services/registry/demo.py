"""Demo data for embedded mode: a street modelled on seed 002 (Xinghualing, Taiyuan)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.places import service as places
from services.registry.places.models import (
    Building,
    Cluster,
    Community,
    Compound,
    Dwelling,
    Entrance,
    Grid,
    Household,
    Street,
)
from shared.service_app import ServiceRuntime


async def seed_demo(runtime: ServiceRuntime) -> None:
    """Add the demo street to an empty registry (a no-op afterwards, and never in production)."""
    if not runtime.settings.seed_demo or runtime.settings.environment == "production":
        return
    async with runtime.db.sessionmaker() as session:
        if await session.scalar(select(func.count()).select_from(Street)):
            return
        await build_demo_street(session)
        await session.commit()
    runtime.relay.wake()


async def build_demo_street(session: AsyncSession) -> dict[str, int]:
    """三桥街道 → 杏花岭社区 → two grids; an old compound merged into a cluster, a high-rise
    compound and a resettlement compound; buildings, entrances and dwellings with real areas."""
    street = await entities.create(session, places.STREET, Street(name="三桥街道"))
    community = await entities.create(session, places.COMMUNITY, Community(street_id=street.id, name="杏花岭社区"))
    grid_one = await entities.create(session, places.GRID, Grid(community_id=community.id, name="第一网格"))
    grid_two = await entities.create(session, places.GRID, Grid(community_id=community.id, name="第二网格"))
    cluster = await entities.create(session, places.CLUSTER, Cluster(community_id=community.id, name="三桥片区"))
    old = await entities.create(
        session,
        places.COMPOUND,
        Compound(
            name="杏花岭片区·老旧小区",
            community_id=community.id,
            grid_id=grid_one.id,
            cluster_id=cluster.id,
            kind="old",
            management_model="community_custody",
        ),
    )
    high_rise = await entities.create(
        session,
        places.COMPOUND,
        Compound(
            name="滨河花园",
            community_id=community.id,
            grid_id=grid_two.id,
            kind="commercial",
            management_model="professional",
        ),
    )
    await entities.create(
        session,
        places.COMPOUND,
        Compound(
            name="城东安置小区",
            community_id=community.id,
            grid_id=grid_two.id,
            kind="resettlement",
            management_model="self_managed",
        ),
    )
    dwellings = 0
    for compound, structure, floors, number_of_buildings, areas in (
        (old, "multi_storey", 6, 2, (Decimal("86.50"), Decimal("62.30"))),
        (high_rise, "high_rise", 18, 1, (Decimal("118.00"), Decimal("96.40"))),
    ):
        for b in range(1, number_of_buildings + 1):
            building = await entities.create(
                session,
                places.BUILDING,
                Building(compound_id=compound.id, number=str(b), structure=structure, floors=floors),
            )
            entrance = await entities.create(
                session, places.ENTRANCE, Entrance(building_id=building.id, compound_id=compound.id, number="1")
            )
            for floor in range(1, 4):
                for door, area in enumerate(areas, start=1):
                    dwelling = await entities.create(
                        session,
                        places.DWELLING,
                        Dwelling(
                            entrance_id=entrance.id,
                            building_id=building.id,
                            compound_id=compound.id,
                            room=f"{floor}0{door}",
                            floor=floor,
                            area_m2=area,
                            exclusive_area_m2=area - Decimal("8.00"),
                            usage="residential",
                            sale_status="sold",
                            delivered=True,
                        ),
                    )
                    await entities.create(
                        session,
                        places.HOUSEHOLD,
                        Household(dwelling_id=dwelling.id, compound_id=compound.id, needy=(floor == 1 and door == 2)),
                    )
                    dwellings += 1
    return {
        "street_id": street.id,
        "community_id": community.id,
        "old_compound_id": old.id,
        "high_rise_compound_id": high_rise.id,
        "dwellings": dwellings,
    }
