"""The points shop's shelf: the compound's staff put goods on it, restock or take them off; the
compound's people see what there is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.credit import schemas as s
from services.dispatch.credit.access import require_compound_staff
from services.dispatch.credit.models import ShopItem
from shared.auth import Principal
from shared.errors import InvalidInput, NotFound
from shared.locking import check_version
from shared.pagination import int_cursor, keyset_page


async def get_item(session: AsyncSession, item_id: int) -> ShopItem:
    item = await session.get(ShopItem, item_id)
    if item is None:
        raise NotFound(f"兑换物品 {item_id} 不存在", f"Shop item {item_id} not found")
    return item


async def add_item(session: AsyncSession, principal: Principal, body: s.ShopItemCreate, now: datetime) -> s.ShopItemOut:
    await require_compound_staff(session, principal, body.compound_id)
    item = ShopItem(
        compound_id=body.compound_id, name=body.name, points=body.points, stock=body.stock, active=True, created_at=now
    )
    item.version = 1
    session.add(item)
    await session.flush()
    return s.ShopItemOut.model_validate(item)


async def restock(session: AsyncSession, principal: Principal, item_id: int, body: s.ShopRestock) -> s.ShopItemOut:
    item = await get_item(session, item_id)
    await require_compound_staff(session, principal, item.compound_id)
    check_version("兑换物品", "The shop item", item.version, body.version)
    if item.stock + body.add < 0:
        raise InvalidInput(
            f"库存只有 {item.stock} 件，不能减少 {-body.add} 件",
            f"Only {item.stock} in stock; cannot take {-body.add} off",
            details=[{"field": "add", "stock": item.stock}],
        )
    item.stock += body.add
    if body.active is not None:
        item.active = body.active
    item.version += 1
    await session.flush()
    return s.ShopItemOut.model_validate(item)


async def items_of(session: AsyncSession, compound_id: int, cursor: str | None, limit: int) -> s.ShopItemPage:
    query = select(ShopItem).where(ShopItem.compound_id == compound_id)
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(ShopItem.id > after)
    rows = (await session.scalars(query.order_by(ShopItem.id).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda i: i.id)
    return s.ShopItemPage(items=[s.ShopItemOut.model_validate(i) for i in page], next_cursor=next_cursor)
