"""Registry use cases: each changes rows and queues the event in the same transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from services.registry.domain import (
    CompoundKind,
    ManagementModel,
    check_version,
    normalise_compound_name,
    stale_version,
)
from services.registry.models import Compound
from services.registry.schemas import CompoundCreate, CompoundOut, CompoundUpdate
from shared.contracts.registry import CompoundCreated, CompoundUpdated
from shared.errors import Conflict, NotFound
from shared.events.outbox import emit


def compound_out(c: Compound) -> CompoundOut:
    kind, model = CompoundKind(c.kind), ManagementModel(c.management_model)
    return CompoundOut(
        id=c.id,
        name=c.name,
        community_id=c.community_id,
        kind=kind,
        kind_label=kind.label,
        management_model=model,
        management_model_label=model.label,
        version=c.version,
        created_at=c.created_at,
    )


async def _ensure_name_free(session: AsyncSession, community_id: int, name: str, except_id: int | None) -> None:
    clash = await session.scalar(
        select(Compound.id).where(Compound.community_id == community_id, Compound.name == name)
    )
    if clash is not None and clash != except_id:
        raise Conflict(
            f"社区 {community_id} 已有名为“{name}”的小区（编号 {clash}）",
            f"Community {community_id} already has a compound named {name!r} (id {clash})",
            code="duplicate_compound",
            details={"field": "name", "value": name, "existing_id": clash},
        )


def _fields(c: Compound) -> dict[str, object]:
    return {
        "compound_id": c.id,
        "name": c.name,
        "community_id": c.community_id,
        "kind": c.kind,
        "management_model": c.management_model,
        "version": c.version,
    }


async def create_compound(session: AsyncSession, body: CompoundCreate) -> Compound:
    name = normalise_compound_name(body.name)
    await _ensure_name_free(session, body.community_id, name, None)
    compound = Compound(
        name=name,
        community_id=body.community_id,
        kind=body.kind.value,
        management_model=body.management_model.value,
        version=1,
    )
    session.add(compound)
    await session.flush()
    await session.refresh(compound)
    await emit(session, CompoundCreated.model_validate(_fields(compound)), subject=compound.id, key=compound.id)
    return compound


async def get_compound(session: AsyncSession, compound_id: int) -> Compound:
    compound = await session.get(Compound, compound_id)
    if compound is None:
        raise NotFound(
            f"小区 {compound_id} 不存在", f"Compound {compound_id} not found", details={"compound_id": compound_id}
        )
    return compound


async def update_compound(session: AsyncSession, compound_id: int, body: CompoundUpdate) -> Compound:
    compound = await get_compound(session, compound_id)
    check_version(compound.version, body.version)
    if body.name is not None:
        name = normalise_compound_name(body.name)
        await _ensure_name_free(session, compound.community_id, name, compound.id)
        compound.name = name
    if body.kind is not None:
        compound.kind = body.kind.value
    if body.management_model is not None:
        compound.management_model = body.management_model.value
    try:
        await session.flush()
    except StaleDataError:
        raise stale_version(compound.version, body.version) from None
    await session.refresh(compound)
    await emit(session, CompoundUpdated.model_validate(_fields(compound)), subject=compound.id, key=compound.id)
    return compound


async def list_compounds(session: AsyncSession, community_id: int | None, limit: int, offset: int) -> list[Compound]:
    query = select(Compound).order_by(Compound.id).limit(limit).offset(offset)
    if community_id is not None:
        query = query.where(Compound.community_id == community_id)
    return list((await session.scalars(query)).all())
