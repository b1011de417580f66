"""Recording a household's points (staff, or an inspection of its care zone) and undoing an entry
by a new one: the ledger is only ever appended to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.credit import reading
from services.dispatch.credit import schemas as s
from services.dispatch.credit.access import household_of, require_compound_staff
from services.dispatch.credit.domain import MANUAL, CreditReason
from services.dispatch.credit.models import CreditEntry, ShopItem
from services.dispatch.credit.rules import rules_for
from shared.auth import Principal
from shared.clock import month_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound


async def add_entry(
    session: AsyncSession,
    *,
    household_id: int,
    reason: CreditReason,
    note: str,
    by_person_id: int | None,
    now: datetime,
    source: str | None = None,
) -> CreditEntry | None:
    """An entry by the compound's rules; None when the rules give the reason no points (a
    compound that does not count it). `source` names the record it follows from, once."""
    household = await household_of(session, household_id)
    rules, _ = await rules_for(session, household.compound_id)
    points = rules.points_for(reason)
    if points == 0:
        return None
    entry = CreditEntry(
        compound_id=household.compound_id,
        household_id=household_id,
        period=month_of(now),
        reason=reason.value,
        points=points,
        note=note,
        source=source,
        by_person_id=by_person_id,
        at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def record(
    session: AsyncSession, principal: Principal, body: s.CreditEntryCreate, now: datetime
) -> s.CreditEntryOut:
    """Staff record what a household did (志愿服务、垃圾分类检查、公约、邻里互助)."""
    household = await household_of(session, body.household_id)
    await require_compound_staff(session, principal, household.compound_id)
    if body.reason not in MANUAL:
        raise InvalidInput(
            f"「{body.reason.label}」不能手工记分（来自责任区检查或积分兑换）",
            f"{body.reason.value} is not recorded by hand",
            details=[{"field": "reason", "allowed": sorted(r.value for r in MANUAL)}],
        )
    entry = await add_entry(
        session,
        household_id=body.household_id,
        reason=body.reason,
        note=body.note,
        by_person_id=principal.person_id,
        now=now,
    )
    if entry is None:
        raise InvalidInput(
            f"本小区积分规则中「{body.reason.label}」为 0 分，无需记录",
            "The compound's rules give this reason no points",
            details=[{"field": "reason"}],
        )
    [out] = await reading.show(session, [entry])
    return out


async def reverse(
    session: AsyncSession, principal: Principal, entry_id: int, body: s.CreditReversal, now: datetime
) -> s.CreditEntryOut:
    """Undo an entry with its opposite, once, saying why; it counts for the month of the entry
    it undoes. Undoing a redemption puts the goods back on the shelf."""
    entry = await session.get(CreditEntry, entry_id)
    if entry is None:
        raise NotFound(f"积分记录 {entry_id} 不存在", f"Credit entry {entry_id} not found")
    await require_compound_staff(session, principal, entry.compound_id)
    if entry.reverses_entry_id is not None:
        raise Conflict(
            "这条记录本身是冲正记录，不能再冲正；如有错误请重新记分",
            "A reversal cannot be reversed; record the entry again instead",
            code=ErrorCode.already_reversed,
        )
    done = await session.scalar(select(CreditEntry.id).where(CreditEntry.reverses_entry_id == entry_id))
    if done is not None:
        raise Conflict(
            f"积分记录 {entry_id} 已被记录 {done} 冲正",
            f"Credit entry {entry_id} was already reversed by entry {done}",
            code=ErrorCode.already_reversed,
            details={"reversed_by_entry_id": done},
        )
    if entry.item_id is not None and entry.quantity is not None:
        item = await session.get(ShopItem, entry.item_id)
        if item is not None:
            item.stock, item.version = item.stock + entry.quantity, item.version + 1
    opposite = CreditEntry(
        compound_id=entry.compound_id,
        household_id=entry.household_id,
        period=entry.period,
        reason=entry.reason,
        points=-entry.points,
        note=body.note,
        item_id=entry.item_id,
        quantity=entry.quantity,
        reverses_entry_id=entry.id,
        by_person_id=principal.person_id,
        at=now,
    )
    session.add(opposite)
    await session.flush()
    [out] = await reading.show(session, [opposite])
    return out
