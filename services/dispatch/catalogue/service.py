"""The catalogue's use cases: read a category as the domain sees it, list, add and change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue import schemas as s
from services.dispatch.catalogue.domain import (
    DEFAULT_CATALOGUE,
    Category,
    ChargeTo,
    DispatchMode,
    FieldSpec,
    check_prices,
    check_sla,
)
from services.dispatch.catalogue.models import CategoryRow
from shared.auth import Principal, Role, require_anywhere
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound
from shared.locking import check_version


def to_domain(row: CategoryRow) -> Category:
    return Category(
        code=row.code,
        name=row.name,
        skills=tuple(row.skills),
        dispatch_mode=DispatchMode(row.dispatch_mode),
        fields=tuple(FieldSpec(**f) for f in row.fields),
        shared_property_price_fen=row.shared_property_price_fen,
        market_price_fen=row.market_price_fen,
        charge_to=ChargeTo(row.charge_to),
        max_offers=row.max_offers,
        sla=row.sla,
    )


def show(row: CategoryRow) -> s.CategoryOut:
    return s.CategoryOut(
        code=row.code,
        name=row.name,
        skills=list(row.skills),
        dispatch_mode=DispatchMode(row.dispatch_mode),
        dispatch_mode_label=DispatchMode(row.dispatch_mode).label,
        fields=[s.FieldSpecBody(**f) for f in row.fields],
        shared_property_price_fen=row.shared_property_price_fen,
        market_price_fen=row.market_price_fen,
        charge_to=ChargeTo(row.charge_to),
        max_offers=row.max_offers,
        sla=row.sla,
        active=row.active,
        version=row.version,
    )


def default_rows() -> list[dict[str, object]]:
    """The default catalogue as rows (the migration inserts them)."""
    return [
        {
            "code": c.code,
            "name": c.name,
            "skills": list(c.skills),
            "dispatch_mode": c.dispatch_mode.value,
            "fields": [{"name": f.name, "label": f.label, "required": f.required} for f in c.fields],
            "shared_property_price_fen": c.shared_property_price_fen,
            "market_price_fen": c.market_price_fen,
            "charge_to": c.charge_to.value,
            "max_offers": c.max_offers,
            "sla": c.sla,
            "active": True,
            "version": 1,
        }
        for c in DEFAULT_CATALOGUE
    ]


async def get_row(session: AsyncSession, code: str, *, for_new_order: bool = False) -> CategoryRow:
    row = await session.get(CategoryRow, code)
    if row is None or (for_new_order and not row.active):
        codes = (await session.scalars(select(CategoryRow.code).where(CategoryRow.active))).all()
        raise InvalidInput(
            f"category：未知或已停用的服务类别「{code}」；可选：{'、'.join(codes)}",
            f"category: unknown or inactive category {code!r}",
            details=[{"field": "category", "value": code}],
        )
    return row


async def list_categories(session: AsyncSession, include_inactive: bool) -> list[s.CategoryOut]:
    query = select(CategoryRow).order_by(CategoryRow.code)
    if not include_inactive:
        query = query.where(CategoryRow.active)
    return [show(r) for r in await session.scalars(query)]


def _require_catalogue_admin(principal: Principal) -> None:
    # The catalogue belongs to no one place: every street's orders use it.
    require_anywhere(principal, Role.street_admin)


def _values(body: s.CategoryBody) -> dict[str, object]:
    check_sla(body.sla)
    check_prices(body.shared_property_price_fen, body.market_price_fen)
    return {
        "name": body.name.strip(),
        "skills": sorted(set(body.skills)),
        "dispatch_mode": body.dispatch_mode.value,
        "fields": [f.model_dump() for f in body.fields],
        "shared_property_price_fen": body.shared_property_price_fen,
        "market_price_fen": body.market_price_fen,
        "charge_to": body.charge_to.value,
        "max_offers": body.max_offers,
        "sla": body.sla,
        "active": body.active,
    }


async def create_category(session: AsyncSession, body: s.CategoryCreate, principal: Principal) -> s.CategoryOut:
    _require_catalogue_admin(principal)
    if await session.get(CategoryRow, body.code) is not None:
        raise Conflict(f"服务类别 {body.code} 已存在", f"Category {body.code} exists", code=ErrorCode.duplicate)
    row = CategoryRow(code=body.code, version=1, **_values(body))
    session.add(row)
    await session.flush()
    return show(row)


async def update_category(
    session: AsyncSession, code: str, body: s.CategoryUpdate, principal: Principal
) -> s.CategoryOut:
    _require_catalogue_admin(principal)
    row = await session.get(CategoryRow, code)
    if row is None:
        raise NotFound(f"服务类别 {code} 不存在", f"Category {code} not found")
    check_version("服务类别", "The category", row.version, body.version)
    for name, value in _values(body).items():
        setattr(row, name, value)
    row.version += 1
    await session.flush()
    return show(row)
