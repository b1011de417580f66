"""The red and black lists a compound has published (上榜公示), newest period first: what its
notice board shows, without the reader having to guess which month was published last."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.points import schemas as s
from services.dispatch.points.models import PublishedLists
from shared.errors import InvalidInput
from shared.pagination import keyset_page


async def published_lists(session: AsyncSession, compound_id: int, cursor: str | None, limit: int) -> s.ListsPage:
    query = select(PublishedLists).where(PublishedLists.compound_id == compound_id)
    if cursor is not None:
        # The cursor is the last period of the page before (one published row per compound and period).
        if not s.PERIOD.fullmatch(cursor):
            raise InvalidInput(
                "cursor 无效：请使用上一页返回的 next_cursor",
                "cursor is not valid: send the previous page's next_cursor",
                details=[{"field": "cursor", "value": cursor}],
            )
        query = query.where(PublishedLists.period < cursor)
    rows = (await session.scalars(query.order_by(PublishedLists.period.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda r: r.period)
    return s.ListsPage(
        items=[
            s.ListsOut(
                compound_id=r.compound_id,
                period=r.period,
                published=True,
                published_at=r.published_at,
                honor_roll=[s.TotalOut(**t) for t in r.honor_roll],
                warning_list=[s.TotalOut(**t) for t in r.warning_list],
            )
            for r in page
        ],
        next_cursor=next_cursor,
    )
