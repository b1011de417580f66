"""Building, entrance and courtyard heads (楼长、单元长、院落长): appoint, change, remove, read and list."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.registry import entities
from services.registry.entities import get_or_404
from services.registry.people import schemas as s
from services.registry.people.domain import (
    HeadKind,
)
from services.registry.people.kinds import HEAD
from services.registry.people.models import Head, Person
from services.registry.people.staff import living_person
from services.registry.places.models import Building, Courtyard, Entrance
from services.registry.scope import Reach, compound_area, require_admin
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.responses import row_with

# For each kind of head: the headed place's id and compound columns, and its Chinese name.
_HEADED: dict[HeadKind, tuple[InstrumentedAttribute[int], InstrumentedAttribute[int], str]] = {
    HeadKind.building: (Building.id, Building.compound_id, "楼栋"),
    HeadKind.entrance: (Entrance.id, Entrance.compound_id, "单元"),
    HeadKind.courtyard: (Courtyard.id, Courtyard.compound_id, "院落"),
}


def show_head(e: Head, person_name: str) -> s.HeadOut:
    return s.HeadOut.model_validate(row_with(e, person_name=person_name))


def _duplicate_head(kind: HeadKind, place_id: int, holder: int | None = None) -> Conflict:
    place_zh = _HEADED[kind][2]
    held = f"（人员 {holder}）" if holder is not None else ""
    return Conflict(
        f"{place_zh} {place_id} 已有{kind.label}{held}，一处只设一名",
        f"{kind.value} {place_id} already has a head",
        code=ErrorCode.duplicate,
        details={"field": "place_id", "value": place_id},
    )


async def create_head(session: AsyncSession, principal: Principal, body: s.HeadCreate) -> s.HeadOut:
    id_column, compound_column, place_zh = _HEADED[body.kind]
    compound_id = await session.scalar(select(compound_column).where(id_column == body.place_id))
    if compound_id is None:
        raise InvalidInput(
            f"place_id：{place_zh} {body.place_id} 不存在",
            f"place_id: {body.kind.value} {body.place_id} not found",
            details=[{"field": "place_id", "value": body.place_id}],
        )
    require_admin(principal, await compound_area(session, compound_id))
    person = await living_person(session, body.person_id)
    holder = await session.scalar(
        select(Head.person_id).where(Head.kind == body.kind.value, Head.place_id == body.place_id)
    )
    if holder is not None:
        raise _duplicate_head(body.kind, body.place_id, holder)
    head = Head(kind=body.kind.value, place_id=body.place_id, compound_id=compound_id, person_id=person.id)
    saved = await entities.create(session, HEAD, head, _duplicate_head(body.kind, body.place_id))
    return show_head(saved, person.name)


async def _head_person_name(session: AsyncSession, head: Head) -> str:
    return await session.scalar(select(Person.name).where(Person.id == head.person_id)) or ""


def head_readable(reach: Reach) -> ColumnElement[bool]:
    """Heads are known in their compound (residents turn to them)."""
    return reach.sees_compound(Head.compound_id)


async def get_head(session: AsyncSession, reach: Reach, head_id: int) -> s.HeadOut:
    head = await entities.get_visible_or_404(session, HEAD, head_id, head_readable(reach))
    return show_head(head, await _head_person_name(session, head))


async def update_head(session: AsyncSession, principal: Principal, head_id: int, body: s.HeadUpdate) -> s.HeadOut:
    head = await get_or_404(session, HEAD, head_id)
    require_admin(principal, await compound_area(session, head.compound_id))
    person = await living_person(session, body.person_id)
    saved = await entities.update(session, HEAD, head, body.version, {"person_id": person.id})
    return show_head(saved, person.name)


async def remove_head(session: AsyncSession, principal: Principal, head_id: int, version: int) -> None:
    head = await get_or_404(session, HEAD, head_id)
    require_admin(principal, await compound_area(session, head.compound_id))
    await entities.remove(session, HEAD, head, version)


async def list_heads(
    session: AsyncSession,
    reach: Reach,
    *,
    compound_id: int | None,
    kind: HeadKind | None,
    person_id: int | None,
    limit: int,
    offset: int,
) -> list[s.HeadOut]:
    query = (
        select(Head, Person.name)
        .join(Person, Person.id == Head.person_id)
        .where(head_readable(reach))
        .order_by(Head.id)
        .limit(limit)
        .offset(offset)
    )
    if compound_id is not None:
        query = query.where(Head.compound_id == compound_id)
    if kind is not None:
        query = query.where(Head.kind == kind.value)
    if person_id is not None:
        query = query.where(Head.person_id == person_id)
    return [show_head(head, name) for head, name in (await session.execute(query)).all()]
