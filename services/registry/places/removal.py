"""Removing a place: refused (409 `still_referenced`, nothing changed) while anything still hangs
below it or refers to it: its children in the tree, its residents, its owners, the bills
issued on it, its heads, its party organisation, the admins granted it. The refusal counts what
is attached, in Chinese and English, so the clerk knows what to remove or move first.

What refers to a place is listed by table name (the registry's other packages build on places,
not the reverse); a reference this list misses is still caught by the database's foreign key
(entities.remove), with a less precise message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.base import Base
from services.registry.entities import EntityKind
from shared.error_codes import ErrorCode
from shared.errors import Conflict


@dataclass(frozen=True)
class Dependent:
    """Rows of `table` whose `column` names the place (and whose `kind_column`, when the
    reference names several kinds of place, is the place's kind)."""

    table: str
    column: str
    label_zh: str
    label_en: str
    kind_column: str | None = None


_GRANTS = Dependent("admin_grants", "scope_id", "个管理员授权", "admin grant(s)", kind_column="scope_kind")
_PARTY = Dependent("party_orgs", "place_id", "个党组织", "party organisation(s)", kind_column="place_kind")
_HEADS = Dependent("heads", "place_id", "位楼栋长/单元长/院落长", "head(s)", kind_column="kind")

DEPENDENTS: dict[str, tuple[Dependent, ...]] = {
    "street": (Dependent("communities", "street_id", "个社区", "community(ies)"), _GRANTS, _PARTY),
    "community": (
        Dependent("grids", "community_id", "个网格", "grid(s)"),
        Dependent("clusters", "community_id", "个片区", "cluster(s)"),
        Dependent("compounds", "community_id", "个小区", "compound(s)"),
        Dependent("resident_units", "community_id", "个驻地单位", "resident unit(s)"),
        _GRANTS,
        _PARTY,
    ),
    "grid": (
        Dependent("compounds", "grid_id", "个小区", "compound(s)"),
        Dependent("grid_assignments", "grid_id", "位网格员", "grid worker(s)"),
        Dependent("household_visits", "grid_id", "条走访记录", "household visit(s)"),
        _GRANTS,
        _PARTY,
    ),
    "cluster": (Dependent("compounds", "cluster_id", "个小区", "compound(s)"),),
    "compound": (
        Dependent("courtyards", "compound_id", "个院落", "courtyard(s)"),
        Dependent("buildings", "compound_id", "栋楼", "building(s)"),
        Dependent("people", "compound_id", "位登记人员", "registered person(s)"),
        Dependent("billed_places", "compound_id", "处有账单的房屋或住户", "billed dwelling(s) or household(s)"),
        _GRANTS,
        _PARTY,
    ),
    "courtyard": (Dependent("buildings", "courtyard_id", "栋楼", "building(s)"), _HEADS),
    "building": (Dependent("entrances", "building_id", "个单元", "entrance(s)"), _HEADS, _PARTY),
    "entrance": (Dependent("dwellings", "entrance_id", "套房屋", "dwelling(s)"), _HEADS),
    "dwelling": (
        Dependent("households", "dwelling_id", "户住户", "household(s)"),
        Dependent("ownerships", "dwelling_id", "份产权", "ownership(s)"),
        Dependent("billed_places", "dwelling_id", "条账单或缴费记录", "bill or payment record(s)"),
    ),
    "household": (
        Dependent("people", "household_id", "位居民", "resident(s)"),
        Dependent("billed_places", "household_id", "条缴费记录", "payment record(s)"),
        Dependent("center_households", "household_id", "条中心户记录", "center household record(s)"),
        Dependent("pairings", "household_id", "条包联记录", "pairing(s)"),
        Dependent("volunteers", "household_id", "位志愿者", "volunteer(s)"),
        Dependent("household_visits", "household_id", "条走访记录", "household visit(s)"),
    ),
}


def title_of(entity: Any) -> str:
    """How a clerk names the place: its name, number or room, else its id."""
    for field in ("name", "number", "room"):
        value = getattr(entity, field, None)
        if value:
            return str(value)
    return str(entity.id)


async def attached(session: AsyncSession, kind: EntityKind[Any], entity_id: int) -> list[tuple[Dependent, int]]:
    """What still refers to the place, with how many rows of each (none: it may go)."""
    found: list[tuple[Dependent, int]] = []
    for dependent in DEPENDENTS.get(kind.name_en, ()):
        table = Base.metadata.tables[dependent.table]
        query = select(func.count()).select_from(table).where(table.c[dependent.column] == entity_id)
        if dependent.kind_column is not None:
            query = query.where(table.c[dependent.kind_column] == kind.name_en)
        count = int(await session.scalar(query) or 0)
        if count:
            found.append((dependent, count))
    return found


async def refuse_if_attached(session: AsyncSession, kind: EntityKind[Any], entity: Any) -> None:
    """409 `still_referenced` naming what is attached; nothing is changed."""
    found = await attached(session, kind, entity.id)
    if not found:
        return
    title = title_of(entity)
    zh = "、".join(f"{count} {d.label_zh}" for d, count in found)
    en = ", ".join(f"{count} {d.label_en}" for d, count in found)
    raise Conflict(
        f"{kind.name_zh}“{title}”下还有 {zh}，不能删除；请先删除或移走它们",
        f"The {kind.name_en} {title!r} still has {en} attached and cannot be removed; remove or move them first",
        code=ErrorCode.still_referenced,
        details={"id": entity.id, "kind": kind.name_en, "attached": {d.table: count for d, count in found}},
    )


def guard(kind: EntityKind[Any]) -> Callable[[AsyncSession, Any], Awaitable[None]]:
    """The resource's `before_remove` for one kind of place."""

    async def check(session: AsyncSession, entity: Any) -> None:
        await refuse_if_attached(session, kind, entity)

    return check
