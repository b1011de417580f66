"""Demo data for embedded mode: a street modelled on seed 002 (Xinghualing, Taiyuan)."""

from __future__ import annotations

from sqlalchemy import func, select

from services.registry import service
from services.registry.domain import CompoundKind, ManagementModel
from services.registry.models import Compound
from services.registry.schemas import CompoundCreate
from shared.service_app import ServiceRuntime

DEMO_COMPOUNDS = (
    CompoundCreate(
        name="杏花岭片区·老旧小区",
        community_id=1,
        kind=CompoundKind.old,
        management_model=ManagementModel.community_custody,
    ),
    CompoundCreate(
        name="滨河花园", community_id=1, kind=CompoundKind.commercial, management_model=ManagementModel.professional
    ),
    CompoundCreate(
        name="城东安置小区",
        community_id=1,
        kind=CompoundKind.resettlement,
        management_model=ManagementModel.self_managed,
    ),
)


async def seed_demo(runtime: ServiceRuntime) -> None:
    """Add the demo street to an empty registry (a no-op afterwards)."""
    if not runtime.settings.seed_demo:
        return
    async with runtime.db.sessionmaker() as session:
        if await session.scalar(select(func.count()).select_from(Compound)):
            return
        for body in DEMO_COMPOUNDS:
            await service.create_compound(session, body)
        await session.commit()
    runtime.relay.wake()
