"""What every registry entity does alike: look it up or 404, save it and announce it in the
same transaction, refuse stale versions and duplicate natural keys with 409."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.base import Base
from shared import locking
from shared.contracts.registry import LIFECYCLE
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.envelope import EventData
from shared.events.outbox import emit

M = TypeVar("M", bound=Base)
Verb = Literal["created", "updated", "removed"]


@dataclass(frozen=True)
class EntityKind(Generic[M]):
    """One kind of registry entity: its table, its names and its event."""

    model: type[M]
    name_zh: str
    name_en: str
    fields: type[EventData]
    to_fields: Callable[[M], dict[str, Any]]
    # Kafka key: the compound the entity lies in, or its own id above compound level.
    key: Callable[[M], int]

    def event(self, entity: M, verb: Verb) -> EventData:
        created, updated, removed = LIFECYCLE[self.fields]
        contract = {"created": created, "updated": updated, "removed": removed}[verb]
        return contract.model_validate(self.to_fields(entity))


def not_found(kind: EntityKind[Any], entity_id: int) -> NotFound:
    return NotFound(
        f"{kind.name_zh} {entity_id} 不存在",
        f"{kind.name_en} {entity_id} not found",
        details={"id": entity_id, "kind": kind.name_en},
    )


async def get_or_404(session: AsyncSession, kind: EntityKind[M], entity_id: int) -> M:
    entity = await session.get(kind.model, entity_id)
    if entity is None:
        raise not_found(kind, entity_id)
    return entity


async def get_visible_or_404(session: AsyncSession, kind: EntityKind[M], entity_id: int, visible: Any) -> M:
    """The entity if the caller may read it (`visible`, a predicate on its row); 404 alike when
    it does not exist and when it is not the caller's to see, so a probe learns nothing."""
    model: Any = kind.model
    entity: M | None = await session.scalar(select(model).where(model.id == entity_id, visible))
    if entity is None:
        raise not_found(kind, entity_id)
    return entity


async def referenced(
    session: AsyncSession, model: type[Any], entity_id: int, field: str, label_zh: str, label_en: str | None = None
) -> Any:
    """The entity a request refers to by id in `field`; 422 naming the field and the value when it
    does not exist (a bad reference is the caller's mistake, not a missing resource)."""
    entity = await session.get(model, entity_id)
    if entity is None:
        raise InvalidInput(
            f"{field}：{label_zh} {entity_id} 不存在",
            f"{field}: {label_en or model.__name__} {entity_id} not found",
            details=[{"field": field, "value": entity_id}],
        )
    return entity


def check_version(kind: EntityKind[Any], entity: Any, seen: int) -> None:
    """Refuse (409 `stale_version`) a change based on a version other than the current one."""
    locking.check_version(kind.name_zh, f"The {kind.name_en}", entity.version, seen)


async def flush_versioned(session: AsyncSession, kind: EntityKind[Any], entity: Any, seen: int | None) -> None:
    """Write the entity's changes; one another request changed meanwhile is `stale_version`."""
    await locking.flush_versioned(
        session, kind.name_zh, f"The {kind.name_en}", getattr(entity, "version", 0), seen or 0
    )


async def announce(session: AsyncSession, kind: EntityKind[M], entity: M, verb: Verb) -> None:
    """Queue the entity's event in the current transaction."""
    await emit(session, kind.event(entity, verb), subject=entity.id, key=kind.key(entity))  # type: ignore[attr-defined]


async def _flush(
    session: AsyncSession, kind: EntityKind[Any], entity: Any, seen: int | None, duplicate: Conflict | None
) -> None:
    try:
        await flush_versioned(session, kind, entity, seen)
    except IntegrityError as exc:
        raise duplicate or Conflict(
            f"{kind.name_zh}与已有记录冲突",
            f"{kind.name_en} conflicts with existing data",
            code=ErrorCode.integrity_conflict,
            details={"reason": str(exc.orig)[:200]},
        ) from None


async def create(session: AsyncSession, kind: EntityKind[M], entity: M, duplicate: Conflict | None = None) -> M:
    """Insert and announce `created`; a natural-key clash becomes `duplicate` (409)."""
    session.add(entity)
    await _flush(session, kind, entity, None, duplicate)
    await session.refresh(entity)
    await announce(session, kind, entity, "created")
    return entity


async def update(
    session: AsyncSession,
    kind: EntityKind[M],
    entity: M,
    seen: int,
    changes: dict[str, Any],
    duplicate: Conflict | None = None,
) -> M:
    """Apply `changes` if the caller saw the current version; announce `updated`."""
    check_version(kind, entity, seen)
    for field, value in changes.items():
        setattr(entity, field, value)
    await _flush(session, kind, entity, seen, duplicate)
    await session.refresh(entity)
    await announce(session, kind, entity, "updated")
    return entity


async def remove(session: AsyncSession, kind: EntityKind[M], entity: M, seen: int) -> None:
    """Delete if nothing hangs below it (409 otherwise); announce `removed`."""
    check_version(kind, entity, seen)
    event = kind.event(entity, "removed")
    entity_id, key = entity.id, kind.key(entity)  # type: ignore[attr-defined]
    await session.delete(entity)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            f"{kind.name_zh} {entity_id} 下仍有关联记录，不能删除",
            f"{kind.name_en} {entity_id} still has records attached and cannot be removed",
            code=ErrorCode.still_referenced,
            details={"id": entity_id},
        ) from None
    await emit(session, event, subject=entity_id, key=key)
