"""A compound's volunteers, for its staff."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people.staff import require_area_staff
from services.registry.scope import compound_area
from services.registry.volunteers import schemas as s
from services.registry.volunteers.lookup import show
from services.registry.volunteers.models import Volunteer
from shared.auth import Principal
from shared.pagination import int_cursor, keyset_page


async def list_volunteers(
    session: AsyncSession, principal: Principal, compound_id: int, cursor: str | None, limit: int
) -> s.VolunteerPage:
    area = await compound_area(session, compound_id)
    require_area_staff(principal, area, "查看志愿者名册", "read the volunteers")
    query = select(Volunteer).where(Volunteer.compound_id == compound_id, Volunteer.active.is_(True))
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(Volunteer.id < after)
    rows = (await session.scalars(query.order_by(Volunteer.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda v: v.id)
    return s.VolunteerPage(items=[await show(session, v) for v in page], next_cursor=next_cursor)
