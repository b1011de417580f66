"""The compound read model that dispatch, billing and deliberation each keep from registry
events (services never read each other's tables). Each service owns its own copy of the table
in its own database; this module gives them one definition, one handler and one route."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import CurrentPrincipal
from shared.contracts.registry import CompoundCreated, CompoundFields, CompoundUpdated
from shared.errors import NotFound
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.http import Session


def compound_projection_table(metadata: MetaData) -> Table:
    return Table(
        "compound_projection",
        metadata,
        Column("compound_id", Integer, primary_key=True, autoincrement=False),
        Column("name", String(100), nullable=False),
        Column("community_id", Integer, nullable=False),
        Column("kind", String(30), nullable=False),
        Column("management_model", String(30), nullable=False),
        Column("version", Integer, nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("projected_at", DateTime(timezone=True), nullable=False),
    )


def project_compounds(handlers: EventHandlers, table: Table) -> None:
    """Register the handlers that keep `table` in step with the registry's compounds."""

    async def apply(session: AsyncSession, event: CloudEvent, data: CompoundFields) -> None:
        values: dict[str, Any] = {
            "name": data.name,
            "community_id": data.community_id,
            "kind": data.kind,
            "management_model": data.management_model,
            "version": data.version,
            "event_id": event.id,
            "projected_at": datetime.now(UTC),
        }
        current = await session.scalar(select(table.c.version).where(table.c.compound_id == data.compound_id))
        if current is None:
            await session.execute(table.insert().values(compound_id=data.compound_id, **values))
        elif data.version > current:
            # Versions only move forward: an older event arriving late changes nothing.
            await session.execute(update(table).where(table.c.compound_id == data.compound_id).values(**values))

    handlers.on(CompoundCreated)(apply)
    handlers.on(CompoundUpdated)(apply)


class CompoundView(BaseModel):
    """A compound as this service knows it from registry events."""

    compound_id: int
    name: str
    community_id: int
    kind: str
    management_model: str
    version: int
    event_id: str
    projected_at: datetime


def compound_projection_routes(router: APIRouter, table: Table) -> None:
    """GET <prefix>/compounds/{id}: this service's view of a compound."""

    @router.get(
        "/compounds/{compound_id}",
        response_model=CompoundView,
        summary="本服务所知的小区 (this service's projection of a compound)",
    )
    async def get_projected_compound(compound_id: int, session: Session, _: CurrentPrincipal) -> CompoundView:
        row = (await session.execute(select(table).where(table.c.compound_id == compound_id))).first()
        if row is None:
            raise NotFound(
                f"本服务尚无小区 {compound_id} 的信息（可能尚未同步）",
                f"Compound {compound_id} is not known here (yet)",
                details={"compound_id": compound_id},
            )
        return CompoundView.model_validate(row._asdict())
