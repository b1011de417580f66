"""The compound read model that dispatch, billing and deliberation each keep from registry
events (services never read each other's tables). Each service owns its own copy of the table
in its own database; this module gives them one definition, one handler and one route."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Column, FromClause, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import CurrentPrincipal, Place, Principal, Role, is_staff_of
from shared.contracts.registry import CompoundCreated, CompoundFields, CompoundUpdated
from shared.db import UTCDateTime
from shared.errors import NotFound
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.events.projection import newest, upsert_newest
from shared.http import Session


def compound_projection_table(metadata: MetaData) -> Table:
    return Table(
        "compound_projection",
        metadata,
        Column("compound_id", Integer, primary_key=True, autoincrement=False),
        Column("name", String(100), nullable=False),
        Column("community_id", Integer, nullable=False),
        Column("street_id", Integer, nullable=True),
        Column("grid_id", Integer, nullable=True),
        Column("kind", String(30), nullable=False),
        Column("management_model", String(30), nullable=False),
        Column("version", Integer, nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("projected_at", UTCDateTime, nullable=False),
    )


def project_compounds(handlers: EventHandlers, table: Table) -> None:
    """Register the handler that keeps `table` in step with the registry's compounds: set-based,
    so a run of events costs one statement, not a few per event."""

    async def apply(session: AsyncSession, items: list[tuple[CloudEvent, CompoundFields]]) -> None:
        # The newest version of each compound in the run wins; versions only move forward, so
        # an older event arriving late changes nothing (one upsert for the whole run).
        now = datetime.now(UTC)
        rows = [
            {
                "compound_id": data.compound_id,
                "name": data.name,
                "community_id": data.community_id,
                "street_id": data.street_id,
                "grid_id": data.grid_id,
                "kind": data.kind,
                "management_model": data.management_model,
                "version": data.version,
                "event_id": event.id,
                "projected_at": now,
            }
            for event, data in items
        ]
        await upsert_newest(session, table, "compound_id", newest(rows, "compound_id"))

    handlers.on_batch(CompoundCreated)(apply)
    handlers.on_batch(CompoundUpdated)(apply)


class CompoundView(BaseModel):
    """A compound as this service knows it from registry events."""

    compound_id: int
    name: str
    community_id: int
    street_id: int | None = None
    grid_id: int | None = None
    kind: str
    management_model: str
    version: int
    event_id: str
    projected_at: datetime


async def is_of_compound(
    session: AsyncSession, principal: Principal, compound: Table, households: FromClause, compound_id: int
) -> bool:
    """Someone of this compound or above it: a resident of one of its households (`households`:
    the service's household projection, with household_id and compound_id), whoever holds a role
    scoped to it, and its staff (grid worker, admins of its community and street, auditors, ops).
    False also when the service has not heard of the compound."""
    row = (
        await session.execute(
            select(compound.c.street_id, compound.c.community_id, compound.c.grid_id).where(
                compound.c.compound_id == compound_id
            )
        )
    ).first()
    if row is None:
        return False
    place = Place(street_id=row.street_id, community_id=row.community_id, grid_id=row.grid_id, compound_id=compound_id)
    if is_staff_of(principal, place, Role.grid_worker, Role.auditor) or principal.holds_role_at_compound(compound_id):
        return True
    mine = principal.households()
    return (
        bool(mine)
        and (
            await session.scalar(
                select(households.c.household_id)
                .where(households.c.household_id.in_(mine), households.c.compound_id == compound_id)
                .limit(1)
            )
        )
        is not None
    )


def compound_projection_routes(router: APIRouter, table: Table, households: FromClause) -> None:
    """GET <prefix>/compounds/{id}: this service's view of a compound, for the people of the
    compound and its staff (404 to anyone else, as if it did not exist)."""

    @router.get(
        "/compounds/{compound_id}",
        response_model=CompoundView,
        summary="本服务所知的小区 (this service's projection of a compound)",
    )
    async def get_projected_compound(compound_id: int, session: Session, principal: CurrentPrincipal) -> CompoundView:
        row = (await session.execute(select(table).where(table.c.compound_id == compound_id))).first()
        if row is None or not await is_of_compound(session, principal, table, households, compound_id):
            raise NotFound(
                f"本服务尚无小区 {compound_id} 的信息（可能尚未同步）",
                f"Compound {compound_id} is not known here (yet)",
                details={"compound_id": compound_id},
            )
        return CompoundView.model_validate(row._asdict())
