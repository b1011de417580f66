"""The demo compound's red and black lists (embedded mode only): the party members checked in
there earned points last month (orders completed, good ratings), and the community published
that month's lists, so the notice board and the party member's screen show them. Never in
production; added once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from services.dispatch.demo import DEMO_COMPOUND
from services.dispatch.points import service as points
from services.dispatch.points.domain import PointsReason
from services.dispatch.points.models import PointsEntry, PublishedLists
from services.dispatch.points.schemas import PublishBody
from services.dispatch.projections.models import CheckInView, CompoundArea
from shared.auth import Grant, Principal, Role
from shared.clock import LOCAL_TZ, month_of
from shared.service_app import ServiceRuntime, Ticker

# (completed orders, good ratings) of each checked-in member, in the order they checked in.
EARNED = [(3, 2), (1, 1), (1, 0)]
_done: set[int] = set()


def last_month(now: datetime) -> tuple[str, datetime]:
    """The month before `now`'s (in the compound's zone) and a moment in the middle of it."""
    first = now.astimezone(LOCAL_TZ).replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    middle = (first - timedelta(days=1)).replace(day=15)
    return month_of(middle), middle


async def seed_demo_lists(runtime: ServiceRuntime) -> int:
    """Points for last month and its published lists, once the demo compound's check-ins are
    known here; 1 if published, else 0."""
    settings = runtime.settings
    if not settings.seed_demo or settings.environment == "production" or id(runtime) in _done:
        return 0
    async with runtime.transaction() as session:
        area = await session.scalar(select(CompoundArea).where(CompoundArea.name == DEMO_COMPOUND))
        if area is None:
            return 0  # the registry's events have not arrived yet
        if await session.scalar(select(PublishedLists.id).where(PublishedLists.compound_id == area.compound_id)):
            _done.add(id(runtime))
            return 0
        members = (
            await session.scalars(
                select(CheckInView.party_member_id)
                .where(CheckInView.compound_id == area.compound_id, CheckInView.active.is_(True))
                .order_by(CheckInView.check_in_id)
            )
        ).all()
        if not members:
            return 0
        now = runtime.clock()
        period, at = last_month(now)
        for member, (completed, praised) in zip(members, EARNED, strict=False):
            for n in range(completed):
                ref = f"demo-points-{member}-{n}"
                session.add(_entry(member, area.compound_id, period, ref, PointsReason.completed, 10, at))
                if n < praised:
                    session.add(_entry(member, area.compound_id, period, ref, PointsReason.rating_bonus, 5, at))
        # The community publishes (ops acts for it in the demo: the lists name no publisher).
        await points.publish(
            session, PublishBody(compound_id=area.compound_id, period=period), Principal(None, (Grant(Role.ops),)), now
        )
    _done.add(id(runtime))
    return 1


def _entry(
    member: int, compound_id: int, period: str, ref: str, reason: PointsReason, value: int, at: datetime
) -> PointsEntry:
    return PointsEntry(
        party_member_id=member,
        compound_id=compound_id,
        period=period,
        order_id=ref,
        reason=reason.value,
        ref=ref,
        points=value,
        at=at,
    )


DEMO_LISTS_TICKER = Ticker("demo_lists", interval_s=3.0, step=seed_demo_lists)
