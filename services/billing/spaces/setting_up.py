"""Staff set a space up (盘活闲置资源: a 架空层 or 地下室 becomes a shared space) with its opening
hours and its free and paid uses, and change its hours, capacity or whether it takes bookings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.spaces import access, domain, reading
from services.billing.spaces import schemas as s
from services.billing.spaces.models import shared_spaces, space_uses
from shared.auth import Principal
from shared.locking import update_versioned


async def create(session: AsyncSession, principal: Principal, body: s.SpaceCreate, now: datetime) -> s.SpaceOut:
    await access.require_space_staff(session, principal, body.compound_id)
    opens, closes = domain.minutes_of(body.opens_at), domain.minutes_of(body.closes_at)
    domain.check_hours(opens, closes)
    domain.check_uses([(u.name.strip(), u.pricing, u.fee_fen) for u in body.uses])
    space_id = (
        await session.execute(
            shared_spaces.insert()
            .values(
                compound_id=body.compound_id,
                name=body.name.strip(),
                kind=body.kind.value,
                capacity=body.capacity,
                opens_min=opens,
                closes_min=closes,
                description=body.description.strip(),
                active=True,
                version=1,
                created_by=principal.person_id,
                created_at=now,
            )
            .returning(shared_spaces.c.id)
        )
    ).scalar_one()
    await session.execute(
        space_uses.insert(),
        [
            {"space_id": space_id, "name": u.name.strip(), "pricing": u.pricing.value, "fee_fen": u.fee_fen}
            for u in body.uses
        ],
    )
    return await reading.show_space(session, space_id)


async def update(session: AsyncSession, principal: Principal, space_id: int, body: s.SpaceUpdate) -> s.SpaceOut:
    row = await reading.space_row(session, space_id)
    await access.require_space_staff(session, principal, row.compound_id)
    opens = domain.minutes_of(body.opens_at) if body.opens_at else row.opens_min
    closes = domain.minutes_of(body.closes_at) if body.closes_at else row.closes_min
    domain.check_hours(opens, closes)
    changes: dict[str, object] = {"opens_min": opens, "closes_min": closes}
    if body.capacity is not None:
        changes["capacity"] = body.capacity
    if body.active is not None:
        changes["active"] = body.active
    await update_versioned(
        session, shared_spaces, shared_spaces.c.id == space_id, body.version, changes, "共享空间", "The space"
    )
    return await reading.show_space(session, space_id)
