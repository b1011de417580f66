"""Reading orders: one order and its category, the members who could take it (ranked with
reasons), the caller's list and a compound's wish wall (newest first, cursor = last id seen),
and the detail with its timeline, offers and deadlines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue import service as catalogue
from services.dispatch.catalogue.domain import Category, Urgency
from services.dispatch.catalogue.models import CategoryRow
from services.dispatch.matching import service as eligibility
from services.dispatch.matching.domain import (
    Candidate,
    Member,
    OrderNeeds,
    Volunteer,
    VolunteerCandidate,
    rank,
    rank_volunteers,
)
from services.dispatch.orders import schemas as s
from services.dispatch.orders.access import place_of, visible_to
from services.dispatch.orders.domain import Action, Channel, EscalationLevel, OrderKind, OrderState, Triage
from services.dispatch.orders.models import Offer, Order, OrderEntry
from services.dispatch.projections.models import CheckInView, MemberHouseholdLink, MemberView, VolunteerView
from services.dispatch.sla.models import Deadline
from services.dispatch.sla.places import category_at
from shared.auth import Principal
from shared.errors import InvalidInput, NotFound
from shared.pagination import keyset_page
from shared.party import PartyLedger

# Where the assignee stands while an order is theirs (counts against their cap).
HELD = (OrderState.accepted.value, OrderState.in_progress.value)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def get_order(session: AsyncSession, order_id: str) -> Order:
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(f"工单 {order_id} 不存在", f"Order {order_id} not found", details={"order_id": order_id})
    return order


async def category_of(session: AsyncSession, order: Order) -> Category:
    """The order's category with the SLA figures of the street, community and grid it lies in."""
    category = catalogue.to_domain(await catalogue.get_row(session, order.category))
    return await category_at(session, category, place_of(order))


async def candidates(session: AsyncSession, order: Order) -> list[Candidate]:
    """Every party member of the compound (checked in there or living there), ranked with reasons."""
    category = await category_of(session, order)
    checked_in = set(
        (
            await session.scalars(
                select(CheckInView.party_member_id).where(
                    CheckInView.compound_id == order.compound_id, CheckInView.active
                )
            )
        ).all()
    )
    members = (
        await session.scalars(
            select(MemberView).where(
                MemberView.removed.is_(False),
                or_(MemberView.compound_id == order.compound_id, MemberView.party_member_id.in_(checked_in)),
            )
        )
    ).all()
    ids = [m.party_member_id for m in members]
    load = dict(
        (
            await session.execute(
                select(Order.assignee_member_id, func.count())
                .where(Order.assignee_member_id.in_(ids), Order.state.in_(HELD))
                .group_by(Order.assignee_member_id)
            )
        ).all()
    )
    history = {
        r[0]: (r[1], r[2])
        for r in (
            await session.execute(
                select(Order.assignee_member_id, func.avg(Order.rating), func.max(Order.accepted_at))
                .where(Order.assignee_member_id.in_(ids))
                .group_by(Order.assignee_member_id)
            )
        ).all()
    }
    paired: set[int] = set()
    if order.household_id is not None:
        paired = set(
            (
                await session.scalars(
                    select(MemberHouseholdLink.party_member_id).where(
                        MemberHouseholdLink.household_id == order.household_id
                    )
                )
            ).all()
        )
    pool = [
        Member(
            party_member_id=m.party_member_id,
            person_id=m.person_id,
            name=m.name,
            skills=tuple(m.skills),
            on_duty=m.on_duty,
            checked_in=m.party_member_id in checked_in,
            open_orders=int(load.get(m.party_member_id, 0)),
            max_open_orders=m.max_open_orders,
            household_id=m.household_id,
            paired_with_household=m.party_member_id in paired,
            average_rating=float(history[m.party_member_id][0])
            if m.party_member_id in history and history[m.party_member_id][0] is not None
            else None,
            last_assigned_at=history[m.party_member_id][1] if m.party_member_id in history else None,
            ledger=PartyLedger(m.ledger),
            lives_in_compound=m.compound_id == order.compound_id,
        )
        for m in members
    ]
    rule, _ = await eligibility.rule_for(session, order.compound_id)
    return rank(pool, OrderNeeds(category.skills, order.household_id), rule)


async def volunteer_candidates(
    session: AsyncSession, order: Order, members: list[Candidate]
) -> list[VolunteerCandidate]:
    """The compound's active volunteers who are not also among the party members, ranked after
    the eligible members (seed 001: 特长户 come last in the service chain)."""
    people = {c.member.person_id for c in members}
    rows = (
        await session.scalars(
            select(VolunteerView)
            .where(VolunteerView.compound_id == order.compound_id, VolunteerView.active.is_(True))
            .order_by(VolunteerView.volunteer_id)
        )
    ).all()
    volunteers = [
        Volunteer(
            volunteer_id=v.volunteer_id,
            person_id=v.person_id,
            name=v.name,
            skills=tuple(v.skills),
            household_id=v.household_id,
            team_names=tuple(v.team_names),
        )
        for v in rows
        if v.person_id not in people
    ]
    category = await category_of(session, order)
    after = sum(1 for c in members if c.eligible)
    return rank_volunteers(volunteers, OrderNeeds(category.skills, order.household_id), after)


def show(order: Order, category_name: str) -> s.OrderOut:
    return s.OrderOut(
        id=order.id,
        kind=order.kind,
        kind_label=OrderKind(order.kind).label,
        channel=order.channel,
        channel_label=Channel(order.channel).label,
        state=order.state,
        state_label=OrderState(order.state).label,
        version=order.version,
        compound_id=order.compound_id,
        grid_id=order.grid_id,
        community_id=order.community_id,
        street_id=order.street_id,
        household_id=order.household_id,
        place=order.place,
        lat=order.lat,
        long=order.long,
        requester_person_id=order.requester_person_id,
        recorded_by_person_id=order.recorded_by_person_id,
        category=order.category,
        category_name=category_name,
        title=order.title,
        description=order.description,
        fields=order.fields,
        photos=order.photos,
        urgency=order.urgency,
        urgency_label=Urgency(order.urgency).label,
        dispatch_mode=order.dispatch_mode,
        triage=order.triage,
        triage_label=Triage(order.triage).label if order.triage else None,
        triage_note=order.triage_note,
        provider=order.provider,
        assignee_member_id=order.assignee_member_id,
        assignee_person_id=order.assignee_person_id,
        offers_made=order.offers_made,
        escalation_level=order.escalation_level,
        escalation_level_label=EscalationLevel(order.escalation_level).label,
        co_handlers=order.co_handlers,
        summary=order.summary,
        rating=order.rating,
        rating_comment=order.rating_comment,
        sla_breached=order.sla_breached,
        submitted_at=order.submitted_at,
        triaged_at=order.triaged_at,
        accepted_at=order.accepted_at,
        completed_at=order.completed_at,
        closed_at=order.closed_at,
    )


async def category_names(session: AsyncSession) -> dict[str, str]:
    rows = (await session.execute(select(CategoryRow.code, CategoryRow.name))).all()
    return {row.code: row.name for row in rows}


async def detail(session: AsyncSession, order: Order) -> s.OrderDetail:
    names = await category_names(session)
    entries = (
        await session.scalars(select(OrderEntry).where(OrderEntry.order_id == order.id).order_by(OrderEntry.id))
    ).all()
    offers = (await session.scalars(select(Offer).where(Offer.order_id == order.id).order_by(Offer.id))).all()
    deadlines = (
        await session.scalars(select(Deadline).where(Deadline.clocks_of(order.id)).order_by(Deadline.id))
    ).all()
    return detail_of(order, names.get(order.category, order.category), entries, offers, deadlines)


def detail_of(
    order: Order,
    category_name: str,
    entries: Sequence[OrderEntry],
    offers: Sequence[Offer],
    deadlines: Sequence[Deadline],
) -> s.OrderDetail:
    return s.OrderDetail(
        **show(order, category_name).model_dump(),
        timeline=[
            s.EntryOut(
                at=e.at,
                action=e.action,
                action_label=Action(e.action).label,
                from_state=e.from_state,
                to_state=e.to_state,
                to_state_label=OrderState(e.to_state).label,
                actor_person_id=e.actor_person_id,
                note=e.note,
                details=e.details,
            )
            for e in entries
        ],
        offers=[
            s.OfferOut(
                party_member_id=o.party_member_id,
                person_id=o.person_id,
                round=o.round,
                status=o.status,
                reason=o.reason,
                offered_at=o.offered_at,
                answered_at=o.answered_at,
            )
            for o in offers
        ],
        deadlines=[
            {
                "stage": d.stage,
                "level": d.level,
                "due_at": iso(d.due_at),
                "fired": d.fired_at is not None,
            }
            for d in deadlines
        ],
    )


@dataclass(frozen=True)
class Filters:
    state: list[str] = field(default_factory=list)
    category: str | None = None
    kind: str | None = None
    triage: str | None = None
    urgency: str | None = None
    compound_id: int | None = None
    grid_id: int | None = None
    household_id: int | None = None
    assignee_person_id: int | None = None
    escalation_level: str | None = None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _filtered(principal: Principal, filters: Filters) -> Select[Order]:
    """The caller's visible orders under the list's filters (the list and its counts alike)."""
    query = select(Order).where(visible_to(principal))
    for column, value in (
        (Order.category, filters.category),
        (Order.kind, filters.kind),
        (Order.triage, filters.triage),
        (Order.urgency, filters.urgency),
        (Order.compound_id, filters.compound_id),
        (Order.grid_id, filters.grid_id),
        (Order.household_id, filters.household_id),
        (Order.assignee_person_id, filters.assignee_person_id),
        (Order.escalation_level, filters.escalation_level),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.state:
        query = query.where(Order.state.in_(filters.state))
    return query


def _waiting_key(order: Order) -> str:
    """The oldest-first cursor: when the order came in (UTC microseconds) and its id."""
    return f"{(order.submitted_at - EPOCH) // MICROSECOND}_{order.id}"


def _after_waiting(cursor: str) -> ColumnElement[bool]:
    """Orders after the cursor of an oldest-first page; 422 for a cursor of another list."""
    micros, _, order_id = cursor.partition("_")
    try:
        if not (micros.isascii() and micros.isdigit() and len(micros) <= 18 and order_id):
            raise ValueError(cursor)
        at = EPOCH + int(micros) * MICROSECOND
    except (ValueError, OverflowError):
        raise InvalidInput(
            "cursor 无效：请使用上一页返回的 next_cursor",
            "cursor is not valid: send the previous page's next_cursor",
            details=[{"field": "cursor", "value": cursor}],
        ) from None
    return or_(Order.submitted_at > at, and_(Order.submitted_at == at, Order.id > order_id))


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    filters: Filters,
    cursor: str | None,
    limit: int,
    oldest_first: bool = False,
) -> s.OrderPage:
    """The caller's visible orders, newest first (cursor = last id seen), or the longest
    waiting first (by when they came in, then id)."""
    query = _filtered(principal, filters)
    if oldest_first:
        if cursor:
            query = query.where(_after_waiting(cursor))
        query = query.order_by(Order.submitted_at, Order.id)
        key = _waiting_key
    else:
        if cursor:
            query = query.where(Order.id < cursor)
        query = query.order_by(Order.id.desc())
        key = _newest_key
    rows = (await session.scalars(query.limit(limit + 1))).all()
    names = await category_names(session)
    page, next_cursor = keyset_page(rows, limit, key)
    return s.OrderPage(items=[show(o, names.get(o.category, o.category)) for o in page], next_cursor=next_cursor)


def _newest_key(order: Order) -> str:
    return order.id


async def count_orders(session: AsyncSession, principal: Principal, filters: Filters) -> s.OrderCounts:
    """How many of the caller's visible orders stand in each state under the list's filters
    (every state of the machine, none left out), so a board's columns need not load them all."""
    query = _filtered(principal, filters).subquery()
    rows: dict[str, int] = {
        state: int(n)
        for state, n in (await session.execute(select(query.c.state, func.count()).group_by(query.c.state))).all()
    }
    states = [st for st in OrderState if not filters.state or st.value in filters.state]
    return s.OrderCounts(
        total=sum(rows.get(st.value, 0) for st in states),
        by_state=[s.StateCount(state=st, label=st.label, orders=rows.get(st.value, 0)) for st in states],
    )


async def list_wishes(
    session: AsyncSession, principal: Principal, compound_id: int, cursor: str | None, limit: int
) -> s.OrderPage:
    """A compound's wishes waiting for a party member, newest first; the wish wall is public
    to everyone signed in (上墙公示)."""
    query = select(Order).where(
        Order.kind == OrderKind.wish.value,
        Order.compound_id == compound_id,
        Order.state.in_([OrderState.awaiting_dispatch.value, OrderState.offered.value]),
    )
    if cursor:
        query = query.where(Order.id < cursor)
    rows = (await session.scalars(query.order_by(Order.id.desc()).limit(limit + 1))).all()
    names = await category_names(session)
    page, next_cursor = keyset_page(rows, limit, lambda o: o.id)
    return s.OrderPage(items=[show(o, names.get(o.category, o.category)) for o in page], next_cursor=next_cursor)
