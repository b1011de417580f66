"""积分兑换生活用品: a household spends its points on goods from its compound's shop. The stock is
taken by one guarded UPDATE (never below zero, and the database refuses it besides), the
household's row is locked so two redemptions cannot spend the same points twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.credit import reading
from services.dispatch.credit import schemas as s
from services.dispatch.credit.access import require_redeemer
from services.dispatch.credit.domain import CreditReason
from services.dispatch.credit.models import CreditEntry, ShopItem
from services.dispatch.credit.stocking import get_item
from services.dispatch.projections.models import HouseholdView
from shared.auth import Principal
from shared.clock import month_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict, NotFound


async def redeem(
    session: AsyncSession, principal: Principal, item_id: int, body: s.CreditRedemption, now: datetime
) -> s.CreditRedemptionOut:
    household = await require_redeemer(session, principal, body.household_id)
    item = await get_item(session, item_id)
    if item.compound_id != household.compound_id or not item.active:
        raise NotFound(f"本小区没有兑换物品 {item_id}", f"No shop item {item_id} in the household's compound")
    # Serialise a household's spending (PostgreSQL: the row lock; SQLite writes one at a time).
    await session.execute(
        select(HouseholdView.household_id).where(HouseholdView.household_id == household.household_id).with_for_update()
    )
    cost = item.points * body.quantity
    balance = await reading.balance_of(session, household.household_id)
    if balance < cost:
        raise Conflict(
            f"积分不足：需要 {cost} 分，现有 {balance} 分",
            f"Not enough points: {cost} needed, {balance} held",
            code=ErrorCode.insufficient_points,
            details={"needed": cost, "balance": balance},
        )
    taken = await session.execute(
        update(ShopItem)
        .where(ShopItem.id == item.id, ShopItem.stock >= body.quantity)
        .values(stock=ShopItem.stock - body.quantity, version=ShopItem.version + 1)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        await session.refresh(item)
        raise Conflict(
            f"「{item.name}」库存不足：现有 {item.stock} 件",
            f"Not enough {item.name} in stock: {item.stock} left",
            code=ErrorCode.out_of_stock,
            details={"stock": item.stock},
        )
    entry = CreditEntry(
        compound_id=household.compound_id,
        household_id=household.household_id,
        period=month_of(now),
        reason=CreditReason.redeemed.value,
        points=-cost,
        note=f"兑换「{item.name}」× {body.quantity}",
        item_id=item.id,
        quantity=body.quantity,
        by_person_id=principal.person_id,
        at=now,
    )
    session.add(entry)
    await session.flush()
    await session.refresh(item)
    [out] = await reading.show(session, [entry])
    return s.CreditRedemptionOut(entry=out, item=s.ShopItemOut.model_validate(item), balance=balance - cost)
