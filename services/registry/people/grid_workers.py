"""Grid workers with their grids: appoint, change, remove, read and list; every change announced."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from services.registry import entities
from services.registry.entities import get_or_404
from services.registry.people import schemas as s
from services.registry.people.kinds import GRID_WORKER
from services.registry.people.models import GridAssignment, GridWorker, Person
from services.registry.people.staff import living_person
from services.registry.places.models import Grid
from services.registry.scope import Reach, community_area, require_admin
from shared.auth import Principal
from shared.contracts import registry as c
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.events.outbox import emit
from shared.responses import row_with


async def grid_ids_of(session: AsyncSession, worker_id: int) -> list[int]:
    rows = await session.scalars(
        select(GridAssignment.grid_id)
        .where(GridAssignment.grid_worker_id == worker_id)
        .order_by(GridAssignment.grid_id)
    )
    return list(rows.all())


async def show_grid_worker(session: AsyncSession, e: GridWorker) -> s.GridWorkerOut:
    name = await session.scalar(select(Person.name).where(Person.id == e.person_id))
    return s.GridWorkerOut.model_validate(row_with(e, name=name or "", grid_ids=await grid_ids_of(session, e.id)))


async def announce_grid_worker(session: AsyncSession, view: s.GridWorkerOut, verb: entities.Verb) -> None:
    """The grid worker's event, from the view that already holds the name and the grids."""
    created, updated, removed = c.LIFECYCLE[c.GridWorkerFields]
    contract = {"created": created, "updated": updated, "removed": removed}[verb]
    data = contract.model_validate(
        {
            "grid_worker_id": view.id,
            "person_id": view.person_id,
            "name": view.name,
            "kind": view.kind.value,
            "grid_ids": view.grid_ids,
            "version": view.version,
        }
    )
    await emit(session, data, subject=view.id, key=view.id)


async def _grids_to_serve(session: AsyncSession, principal: Principal, grid_ids: list[int]) -> list[int]:
    """The distinct grids, each existing and in a community the caller administers."""
    distinct = sorted(set(grid_ids))
    for grid_id in distinct:
        grid = await session.get(Grid, grid_id)
        if grid is None:
            raise InvalidInput(
                f"grid_ids：网格 {grid_id} 不存在",
                f"grid_ids: grid {grid_id} not found",
                details=[{"field": "grid_ids", "value": grid_id}],
            )
        require_admin(principal, await community_area(session, grid.community_id))
    return distinct


async def create_grid_worker(session: AsyncSession, principal: Principal, body: s.GridWorkerCreate) -> s.GridWorkerOut:
    person = await living_person(session, body.person_id)
    grid_ids = await _grids_to_serve(session, principal, body.grid_ids)
    duplicate = Conflict(
        f"人员 {person.id}（{person.name}）已是网格员",
        f"person {person.id} is already a grid worker",
        code=ErrorCode.duplicate,
        details={"field": "person_id", "value": person.id},
    )
    if await session.scalar(select(GridWorker.id).where(GridWorker.person_id == person.id)) is not None:
        raise duplicate
    worker = GridWorker(person_id=person.id, kind=body.kind.value)
    session.add(worker)
    try:
        await session.flush()
    except IntegrityError:
        raise duplicate from None
    session.add_all(GridAssignment(grid_worker_id=worker.id, grid_id=g) for g in grid_ids)
    await session.flush()
    await session.refresh(worker)
    view = await show_grid_worker(session, worker)
    await announce_grid_worker(session, view, "created")
    return view


async def _authorise_worker(session: AsyncSession, principal: Principal, worker: GridWorker) -> None:
    """An admin of every community the worker currently serves in."""
    for grid_id in await grid_ids_of(session, worker.id):
        grid = await session.get(Grid, grid_id)
        if grid is not None:
            require_admin(principal, await community_area(session, grid.community_id))


async def update_grid_worker(
    session: AsyncSession, principal: Principal, worker_id: int, body: s.GridWorkerUpdate
) -> s.GridWorkerOut:
    worker = await get_or_404(session, GRID_WORKER, worker_id)
    await _authorise_worker(session, principal, worker)
    entities.check_version(GRID_WORKER, worker, body.version)
    if body.grid_ids is not None:
        grid_ids = await _grids_to_serve(session, principal, body.grid_ids)
        await session.execute(delete(GridAssignment).where(GridAssignment.grid_worker_id == worker.id))
        session.add_all(GridAssignment(grid_worker_id=worker.id, grid_id=g) for g in grid_ids)
    # Changed only after the statements above, whose autoflush would otherwise write the row
    # (and move its version) once more. The grids live in another table: touch the row so the
    # version moves whatever changed.
    if body.kind is not None:
        worker.kind = body.kind.value
    flag_modified(worker, "kind")
    await entities.flush_versioned(session, GRID_WORKER, worker, body.version)
    await session.refresh(worker)
    view = await show_grid_worker(session, worker)
    await announce_grid_worker(session, view, "updated")
    return view


async def remove_grid_worker(session: AsyncSession, principal: Principal, worker_id: int, version: int) -> None:
    worker = await get_or_404(session, GRID_WORKER, worker_id)
    await _authorise_worker(session, principal, worker)
    entities.check_version(GRID_WORKER, worker, version)
    view = await show_grid_worker(session, worker)
    await session.execute(delete(GridAssignment).where(GridAssignment.grid_worker_id == worker.id))
    await session.delete(worker)
    await entities.flush_versioned(session, GRID_WORKER, worker, version)
    await announce_grid_worker(session, view, "removed")


def grid_worker_readable(reach: Reach) -> ColumnElement[bool]:
    """A grid worker is known to those who see one of their grids (the residents they serve)."""
    return or_(
        GridWorker.id.in_(select(GridAssignment.grid_worker_id).where(reach.sees_grid(GridAssignment.grid_id))),
        reach.is_self(GridWorker.person_id),
    )


async def get_grid_worker(session: AsyncSession, reach: Reach, worker_id: int) -> s.GridWorkerOut:
    return await show_grid_worker(
        session, await entities.get_visible_or_404(session, GRID_WORKER, worker_id, grid_worker_readable(reach))
    )


async def list_grid_workers(
    session: AsyncSession, reach: Reach, *, grid_id: int | None, person_id: int | None, limit: int, offset: int
) -> list[s.GridWorkerOut]:
    query = select(GridWorker).where(grid_worker_readable(reach)).order_by(GridWorker.id).limit(limit).offset(offset)
    if grid_id is not None:
        query = query.where(
            GridWorker.id.in_(select(GridAssignment.grid_worker_id).where(GridAssignment.grid_id == grid_id))
        )
    if person_id is not None:
        query = query.where(GridWorker.person_id == person_id)
    return [await show_grid_worker(session, w) for w in (await session.scalars(query)).all()]
