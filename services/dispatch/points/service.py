"""Points use cases: entries follow an order's transitions (in the same transaction), totals
per compound and period, the red and black lists, and the rules per compound."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.base import compound_projection
from services.dispatch.catalogue.domain import DispatchMode
from services.dispatch.orders.domain import Action, OrderKind, OrderState, Provider
from services.dispatch.orders.models import Order
from services.dispatch.points import schemas as s
from services.dispatch.points.domain import (
    MemberTotal,
    PointsReason,
    PointsRules,
    completion_points,
    compute_lists,
    period_of,
    rating_points,
)
from services.dispatch.points.models import PointsEntry, PointsRuleRow, PublishedLists
from services.dispatch.points.month_lists import Lines, LiveLists, MonthLists, month_lists, publish_month
from services.dispatch.projections.models import CompoundArea, HouseholdView, MemberView
from shared.auth import Principal, Role, is_staff_of, require_staff_of
from shared.contracts.dispatch import PointsListsPublished
from shared.error_codes import ErrorCode
from shared.errors import Conflict, NotFound
from shared.events.outbox import emit
from shared.locking import check_version
from shared.projections import is_of_compound

DEFAULT_RULES_KEY = 0


def _rules(data: dict[str, Any]) -> PointsRules:
    data = {**data, "rating_bonus": {int(k): v for k, v in data.get("rating_bonus", {}).items()}}
    return PointsRules(**data)


async def rules_for(session: AsyncSession, compound_id: int) -> tuple[PointsRules, PointsRuleRow | None]:
    """The compound's own rules, else the default row, else the built-in defaults."""
    for key in (compound_id, DEFAULT_RULES_KEY):
        row = await session.get(PointsRuleRow, key)
        if row is not None:
            return _rules(row.rules), row if key == compound_id else None
    return PointsRules(), None


async def _add(
    session: AsyncSession, order: Order, member_id: int, reason: PointsReason, points: int, ref: str, now: datetime
) -> None:
    if points == 0:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # One entry per (order, member, reason, ref): a replayed transition adds nothing.
    await session.execute(
        insert(PointsEntry)
        .values(
            party_member_id=member_id,
            compound_id=order.compound_id,
            period=period_of(now),
            order_id=order.id,
            reason=reason.value,
            ref=ref,
            points=points,
            at=now,
        )
        .on_conflict_do_nothing()
    )


async def on_transition(
    session: AsyncSession, order: Order, action: Action, details: dict[str, Any], now: datetime
) -> None:
    """Points that follow from one transition of `order`."""
    by_member = order.provider == Provider.party_member.value and order.assignee_member_id is not None
    if action in (Action.confirm, Action.auto_confirm) and by_member:
        rules, _ = await rules_for(session, order.compound_id)
        wish = order.kind == OrderKind.wish.value
        points = completion_points(rules, order.category, wish)
        reason = PointsReason.wish if wish else PointsReason.completed
        await _add(session, order, order.assignee_member_id or 0, reason, points, "1", now)
    elif action == Action.rate and by_member and order.rating is not None:
        rules, _ = await rules_for(session, order.compound_id)
        bonus = rating_points(rules, order.rating)
        await _add(session, order, order.assignee_member_id or 0, PointsReason.rating_bonus, bonus, "1", now)
    elif action == Action.offer_expired and details.get("mode") == DispatchMode.assign.value:
        # Only an assignment lapsing costs points: it named one member who is on duty, and being
        # on duty is the promise to answer. A grab offered to everyone eligible asks no one in
        # particular, so letting it pass is nobody's lapse (penalising it put every active member
        # of a compound on the black list after one quiet half hour).
        rules, _ = await rules_for(session, order.compound_id)
        for member_id in details.get("party_member_ids", []):
            ref = f"round:{details.get('round')}"
            await _add(session, order, member_id, PointsReason.accept_timeout, rules.accept_timeout_penalty, ref, now)
    elif action == Action.escalate and details.get("breach") and order.state == OrderState.accepted.value and by_member:
        rules, _ = await rules_for(session, order.compound_id)
        ref = f"level:{details.get('level')}"
        await _add(session, order, order.assignee_member_id or 0, PointsReason.no_show, rules.no_show_penalty, ref, now)


async def require_compound_reader(session: AsyncSession, principal: Principal, compound_id: int) -> None:
    """The compound's lists and rules are for its people and its staff; 404 to anyone else."""
    if not await is_of_compound(session, principal, compound_projection, HouseholdView.__table__, compound_id):
        raise NotFound(f"小区 {compound_id} 不存在（或尚未同步）", f"Compound {compound_id} is not known here")


async def require_member_reader(session: AsyncSession, principal: Principal, party_member_id: int) -> None:
    """A member's points are his own, and the business of the staff of the compounds where he
    lives or earned them; 404 to anyone else, as if there were no such member."""
    member = await session.get(MemberView, party_member_id)
    if member is not None and principal.person_id is not None and member.person_id == principal.person_id:
        return
    compounds = set(
        await session.scalars(select(PointsEntry.compound_id).where(PointsEntry.party_member_id == party_member_id))
    )
    if member is not None and member.compound_id is not None:
        compounds.add(member.compound_id)
    areas = (await session.scalars(select(CompoundArea).where(CompoundArea.compound_id.in_(compounds)))).all()
    if any(is_staff_of(principal, area.place, Role.grid_worker) for area in areas):
        return
    raise NotFound(f"党员 {party_member_id} 不存在", f"Party member {party_member_id} not found")


async def member_points(session: AsyncSession, party_member_id: int, period: str | None) -> s.MemberPoints:
    query = select(PointsEntry).where(PointsEntry.party_member_id == party_member_id)
    if period:
        query = query.where(PointsEntry.period == period)
    entries = (await session.scalars(query.order_by(PointsEntry.id))).all()
    return s.MemberPoints(
        party_member_id=party_member_id,
        period=period,
        total=sum(e.points for e in entries),
        entries=[
            s.EntryOut(
                order_id=e.order_id,
                reason=e.reason,
                reason_label=PointsReason(e.reason).label,
                points=e.points,
                period=e.period,
                at=e.at,
            )
            for e in entries
        ],
    )


async def totals(session: AsyncSession, compound_id: int, period: str) -> list[MemberTotal]:
    """Each member's net points, completions and penalties for the compound and period."""
    completions = (PointsReason.completed.value, PointsReason.wish.value)
    rows = (
        await session.execute(
            select(
                PointsEntry.party_member_id,
                func.coalesce(MemberView.name, "").label("name"),
                func.sum(PointsEntry.points).label("points"),
                func.sum(case((PointsEntry.reason.in_(completions), 1), else_=0)).label("completed"),
                func.sum(case((PointsEntry.points < 0, 1), else_=0)).label("penalties"),
            )
            .outerjoin(MemberView, MemberView.party_member_id == PointsEntry.party_member_id)
            .where(PointsEntry.compound_id == compound_id, PointsEntry.period == period)
            .group_by(PointsEntry.party_member_id, MemberView.name)
        )
    ).all()
    return [MemberTotal(r.party_member_id, r.name, int(r.points), int(r.completed), int(r.penalties)) for r in rows]


def _live(session: AsyncSession, compound_id: int, period: str) -> LiveLists:
    async def compute() -> tuple[Lines, Lines]:
        rules, _ = await rules_for(session, compound_id)
        lists = compute_lists(await totals(session, compound_id, period), rules)
        return [asdict(t) for t in lists.honor_roll], [asdict(t) for t in lists.warning_list]

    return compute


def _shown(compound_id: int, period: str, lists: MonthLists) -> s.ListsOut:
    return s.ListsOut(
        compound_id=compound_id,
        period=period,
        published=lists.published,
        published_at=lists.published_at,
        honor_roll=[s.TotalOut(**t) for t in lists.honor_roll],
        warning_list=[s.TotalOut(**t) for t in lists.warning_list],
    )


async def lists(session: AsyncSession, compound_id: int, period: str) -> s.ListsOut:
    """The published lists of the period if there are any, else computed now (unpublished)."""
    month = await month_lists(session, PublishedLists, compound_id, period, _live(session, compound_id, period))
    return _shown(compound_id, period, month)


async def require_compound_admin(session: AsyncSession, principal: Principal, compound_id: int) -> None:
    area = await session.get(CompoundArea, compound_id)
    if area is None:
        raise NotFound(f"小区 {compound_id} 不存在（或尚未同步）", f"Compound {compound_id} is not known here")
    require_staff_of(principal, area.place)


async def publish(session: AsyncSession, body: s.PublishBody, principal: Principal, now: datetime) -> s.ListsOut:
    """Fix the period's lists (上榜公示) and announce them; a period is published once."""
    await require_compound_admin(session, principal, body.compound_id)
    already = Conflict(
        f"{body.period} 的红黑榜已公示，不能重复公示",
        f"Lists for {body.period} already published",
        code=ErrorCode.duplicate,
    )
    live = _live(session, body.compound_id, body.period)
    month = await publish_month(session, PublishedLists, body.compound_id, body.period, live, principal, now, already)
    await emit(
        session,
        PointsListsPublished(
            compound_id=body.compound_id,
            period=body.period,
            honor_roll=month.honor_roll,
            warning_list=month.warning_list,
            published_by_person_id=principal.person_id,
            published_at=now.isoformat(),
        ),
        subject=f"{body.compound_id}:{body.period}",
        key=body.compound_id,
    )
    return _shown(body.compound_id, body.period, month)


def _show_rules(compound_id: int, rules: PointsRules, row: PointsRuleRow | None) -> s.RulesOut:
    """Not read from a row: a compound without its own rules has none (the defaults apply,
    version 0)."""
    return s.RulesOut(compound_id=compound_id, version=row.version if row else 0, own=row is not None, **asdict(rules))


async def get_rules(session: AsyncSession, compound_id: int) -> s.RulesOut:
    rules, row = await rules_for(session, compound_id)
    return _show_rules(compound_id, rules, row)


async def set_rules(session: AsyncSession, compound_id: int, body: s.RulesUpdate, principal: Principal) -> s.RulesOut:
    await require_compound_admin(session, principal, compound_id)
    data = body.model_dump(exclude={"version"})
    rules = _rules(data)
    rules.check()
    row = await session.get(PointsRuleRow, compound_id)
    seen = row.version if row is not None else 0
    check_version("积分规则", "The points rules", seen, body.version)
    stored = {**data, "rating_bonus": {str(k): v for k, v in rules.rating_bonus.items()}}
    if row is None:
        row = PointsRuleRow(compound_id=compound_id, rules=stored, version=1)
        session.add(row)
    else:
        row.rules, row.version = stored, row.version + 1
    await session.flush()
    return _show_rules(compound_id, rules, row)
