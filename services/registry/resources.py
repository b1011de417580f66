"""The five routes every registry entity has (create, list, get, update, remove), generated
from one description, so each entity states only what is its own: how it is built from a
request, where it lies (for authorisation) and how it is shown."""

# No `from __future__ import annotations` here: FastAPI reads the generated endpoints'
# annotations at runtime, and they are the resource's own schema classes.

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query, status
from pydantic import BaseModel
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.base import Base
from services.registry.entities import EntityKind
from services.registry.scope import Area, CallerReach, Reach, require_admin
from shared.auth import CurrentPrincipal, Principal
from shared.errors import Conflict
from shared.http import Session
from shared.pagination import DEFAULT_LIMIT, Limit

M = TypeVar("M", bound=Base)


class VersionedChange(BaseModel):
    """Every update names the version it was based on (optimistic lock)."""

    version: int


@dataclass(frozen=True)
class Resource(Generic[M]):
    path: str
    kind: EntityKind[M]
    create_schema: type[BaseModel]
    update_schema: type[VersionedChange]
    out_schema: type[BaseModel]
    show: Callable[[M], BaseModel]
    # Validate a create request against the database and build the entity (not yet added).
    build: Callable[[AsyncSession, Any], Awaitable[M]]
    # Where an entity lies, for the admin check.
    area: Callable[[AsyncSession, M], Awaitable[Area]]
    # Validate an update's changed fields against the database; returns the changes to apply.
    check_changes: Callable[[AsyncSession, M, dict[str, Any]], Awaitable[dict[str, Any]]] | None = None
    duplicate: Callable[[M], Conflict] | None = None
    # Query parameters that filter the list, by column name.
    filters: tuple[str, ...] = field(default=())
    # Who may write: by default the area's admins.
    authorise: Callable[[Principal, Area], None] = require_admin
    # Who may read: the rows a caller's reach covers, as a predicate on the model, so the list
    # filters in SQL and one entity outside it answers 404. Every resource states it.
    readable: Callable[[Reach], ColumnElement[bool]] | None = None
    # Refuse a removal while something still refers to the entity (409, nothing changed); the
    # database's foreign keys catch what it does not name.
    before_remove: Callable[[AsyncSession, M], Awaitable[None]] | None = None


def mount(router: APIRouter, r: Resource[M]) -> None:
    """Add POST/GET list/GET one/PATCH/DELETE for `r` to `router`."""
    kind, model = r.kind, r.kind.model
    if r.readable is None:
        raise TypeError(f"resource {r.path} does not say who may read it (readable)")
    readable = r.readable
    tag = f"{kind.name_zh} ({kind.name_en})"

    async def create(body: r.create_schema, session: Session, principal: CurrentPrincipal) -> BaseModel:  # type: ignore[name-defined]
        entity = await r.build(session, body)
        r.authorise(principal, await r.area(session, entity))
        saved = await entities.create(session, kind, entity, r.duplicate(entity) if r.duplicate else None)
        return r.show(saved)

    async def list_all(
        session: Session,
        reach: CallerReach,
        limit: Limit = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0)] = 0,
        **filters: int | None,
    ) -> list[BaseModel]:
        query = select(model).where(readable(reach)).order_by(model.id).limit(limit).offset(offset)  # type: ignore[attr-defined]
        for name, value in filters.items():
            if value is not None:
                query = query.where(getattr(model, name) == value)
        return [r.show(e) for e in (await session.scalars(query)).all()]

    async def get_one(entity_id: int, session: Session, reach: CallerReach) -> BaseModel:
        return r.show(await entities.get_visible_or_404(session, kind, entity_id, readable(reach)))

    async def update(entity_id: int, body: r.update_schema, session: Session, principal: CurrentPrincipal) -> BaseModel:  # type: ignore[name-defined]
        entity = await entities.get_or_404(session, kind, entity_id)
        r.authorise(principal, await r.area(session, entity))
        changes = body.model_dump(exclude_unset=True, exclude={"version"})
        if r.check_changes is not None:
            changes = await r.check_changes(session, entity, changes)
        saved = await entities.update(
            session, kind, entity, body.version, changes, r.duplicate(entity) if r.duplicate else None
        )
        return r.show(saved)

    async def delete(
        entity_id: int,
        session: Session,
        principal: CurrentPrincipal,
        version: Annotated[int, Query(description="你看到的版本号 (the version you read)")],
    ) -> None:
        entity = await entities.get_or_404(session, kind, entity_id)
        r.authorise(principal, await r.area(session, entity))
        entities.check_version(kind, entity, version)
        if r.before_remove is not None:
            await r.before_remove(session, entity)
        await entities.remove(session, kind, entity, version)

    _with_filters(list_all, r.filters)
    router.add_api_route(
        r.path,
        create,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        response_model=r.out_schema,
        summary=f"新建{kind.name_zh} (create {kind.name_en})",
        tags=[tag],
    )
    router.add_api_route(
        r.path,
        list_all,
        methods=["GET"],
        response_model=list[r.out_schema],  # type: ignore[name-defined]
        summary=f"{kind.name_zh}列表 (list {kind.name_en})",
        tags=[tag],
    )
    router.add_api_route(
        f"{r.path}/{{entity_id}}",
        get_one,
        methods=["GET"],
        response_model=r.out_schema,
        summary=f"{kind.name_zh}详情 (one {kind.name_en})",
        tags=[tag],
    )
    router.add_api_route(
        f"{r.path}/{{entity_id}}",
        update,
        methods=["PATCH"],
        response_model=r.out_schema,
        summary=f"修改{kind.name_zh} (update {kind.name_en})",
        tags=[tag],
    )
    router.add_api_route(
        f"{r.path}/{{entity_id}}",
        delete,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        summary=f"删除{kind.name_zh} (remove {kind.name_en})",
        tags=[tag],
    )


def _with_filters(endpoint: Callable[..., Any], names: tuple[str, ...]) -> None:
    """Give the list endpoint one optional integer query parameter per filter column."""
    import inspect

    signature = inspect.signature(endpoint)
    params = [p for p in signature.parameters.values() if p.kind != inspect.Parameter.VAR_KEYWORD]
    params += [
        inspect.Parameter(
            n, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[int | None, Query(gt=0)]
        )
        for n in names
    ]
    endpoint.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
