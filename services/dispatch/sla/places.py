"""A place's SLA sheet (时限设置): read every category's clocks as they run at a street,
community or grid, and set the place's own figures. Staff of the place or above do both; a
grid worker works on his grid's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue import service as catalogue
from services.dispatch.catalogue.domain import Category, check_sla
from services.dispatch.catalogue.models import CategoryRow
from services.dispatch.projections.models import CompoundArea
from services.dispatch.sla import schemas as s
from services.dispatch.sla.domain import Sheet, SlaSource, merged, resolve
from services.dispatch.sla.models import SlaOverride
from shared.auth import Place, Principal, Role, require_staff_of
from shared.errors import NotFound
from shared.locking import check_version


async def place_at(session: AsyncSession, level: s.Level, place_id: int) -> Place:
    """The place with the places above it, from any compound that lies in it."""
    if level == "street":
        return Place(street_id=place_id)
    column = CompoundArea.community_id if level == "community" else CompoundArea.grid_id
    area = await session.scalar(select(CompoundArea).where(column == place_id).limit(1))
    if area is None:
        raise NotFound(f"{level} {place_id} 不存在（或尚未同步）", f"{level} {place_id} is not known here")
    if level == "community":
        return Place(street_id=area.street_id, community_id=place_id)
    return Place(street_id=area.street_id, community_id=area.community_id, grid_id=place_id)


def _levels(place: Place) -> list[tuple[SlaSource, int]]:
    found = [
        (SlaSource.street, place.street_id),
        (SlaSource.community, place.community_id),
        (SlaSource.grid, place.grid_id),
    ]
    return [(level, place_id) for level, place_id in found if place_id is not None]


async def _overrides(session: AsyncSession, place: Place, codes: list[str]) -> dict[str, dict[SlaSource, SlaOverride]]:
    """Each category's figures at the place and the places above it."""
    levels = _levels(place)
    if not levels or not codes:
        return {}
    rows = await session.scalars(
        select(SlaOverride).where(
            SlaOverride.category.in_(codes),
            or_(*(and_(SlaOverride.level == lv.value, SlaOverride.place_id == pid) for lv, pid in levels)),
        )
    )
    out: dict[str, dict[SlaSource, SlaOverride]] = {}
    for row in rows:
        out.setdefault(row.category, {})[SlaSource(row.level)] = row
    return out


async def category_at(session: AsyncSession, category: Category, place: Place) -> Category:
    """The category as an order at the place runs against it (the places' figures merged in)."""
    found = (await _overrides(session, place, [category.code])).get(category.code, {})
    return merged(category, {level: row.sla for level, row in found.items()}) if found else category


def _show(row: CategoryRow, found: dict[SlaSource, SlaOverride], here: SlaSource) -> s.SlaCategoryOut:
    mine = found.get(here)
    clocks = resolve(catalogue.to_domain(row), {level: r.sla for level, r in found.items()})
    return s.SlaCategoryOut(
        code=row.code,
        name=row.name,
        own=mine.sla if mine else {},
        version=mine.version if mine else 0,
        cells=[
            s.SlaCell(
                urgency=urgency,
                urgency_label=urgency.label,
                stage=stage,
                stage_label=stage.label,
                seconds=seconds,
                source=source,
                source_label=source.label,
            )
            for (urgency, stage), (seconds, source) in clocks.items()
        ],
    )


async def sheet(session: AsyncSession, principal: Principal, level: s.Level, place_id: int) -> s.SlaSheetOut:
    place = await place_at(session, level, place_id)
    require_staff_of(principal, place, Role.grid_worker)
    rows = list(await session.scalars(select(CategoryRow).where(CategoryRow.active).order_by(CategoryRow.code)))
    found = await _overrides(session, place, [r.code for r in rows])
    here = SlaSource(level)
    return s.SlaSheetOut(
        level=level, place_id=place_id, categories=[_show(r, found.get(r.code, {}), here) for r in rows]
    )


async def set_figures(
    session: AsyncSession,
    principal: Principal,
    level: s.Level,
    place_id: int,
    code: str,
    body: s.SlaPlaceUpdate,
    now: datetime,
) -> s.SlaCategoryOut:
    """Set the place's own figures for one category; orders whose clock starts from now on run
    against them (clocks already running keep their deadline)."""
    place = await place_at(session, level, place_id)
    require_staff_of(principal, place, Role.grid_worker)
    row = await session.get(CategoryRow, code)
    if row is None:
        raise NotFound(f"服务类别 {code} 不存在", f"Category {code} not found")
    check_sla(body.sla)
    here = SlaSource(level)
    mine = (await _overrides(session, place, [code])).get(code, {}).get(here)
    check_version("时限设置", "The place's SLA figures", mine.version if mine else 0, body.version)
    sla: Sheet = {urgency: dict(stages) for urgency, stages in body.sla.items() if stages}
    if mine is None:
        mine = SlaOverride(level=level, place_id=place_id, category=code, version=0)
        session.add(mine)
    mine.sla = sla
    mine.version += 1
    mine.updated_at = now
    mine.updated_by_person_id = principal.person_id
    await session.flush()
    found = (await _overrides(session, place, [code])).get(code, {})
    return _show(row, found, here)
