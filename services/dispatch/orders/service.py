"""Order use cases: take an order in, triage it, match and dispatch it, and carry it through
work, confirmation and rating. Every transition goes through `transition`, which moves the
row with a guarded UPDATE (state and version as read), writes the timeline, the event, the
clocks and the live feed in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue import service as catalogue
from services.dispatch.catalogue.domain import Category, DispatchMode, Urgency, check_fields
from services.dispatch.catalogue.models import CategoryRow
from services.dispatch.matching.domain import Candidate, Member, OrderNeeds, rank
from services.dispatch.orders import schemas as s
from services.dispatch.orders.domain import (
    Action,
    Channel,
    EscalationLevel,
    OrderKind,
    OrderState,
    Provider,
    Triage,
    TriageDecision,
    after_rating,
    next_level,
    next_state,
)
from services.dispatch.orders.models import Offer, Order, OrderEntry
from services.dispatch.points import service as points
from services.dispatch.projections.models import (
    CheckInView,
    CompoundArea,
    HouseholdView,
    MemberHouseholdLink,
    MemberView,
)
from services.dispatch.sla.models import Deadline
from services.dispatch.sla.service import start_clock
from services.dispatch.stream.service import notify
from shared.auth import Principal, Role
from shared.contracts import dispatch as events
from shared.contracts.deliberation import ExecutionTaskCreated
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.envelope import EventData
from shared.events.outbox import emit
from shared.ids import uuid7

EVENT_OF: dict[Action, type[events.OrderChangedFields]] = {
    Action.create: events.OrderCreated,
    Action.triage_major: events.OrderTriaged,
    Action.triage_private: events.OrderTriaged,
    Action.triage_deliberate: events.OrderTriaged,
    Action.triage_dispatch: events.OrderTriaged,
    Action.referral_update: events.OrderReferralUpdated,
    Action.referral_resolved: events.OrderClosed,
    Action.offer: events.OrderOffered,
    Action.assign_shared_property: events.OrderAssigned,
    Action.offer_expired: events.OrderOfferExpired,
    Action.accept: events.OrderAssigned,
    Action.claim: events.OrderAssigned,
    Action.decline: events.OrderDeclined,
    Action.start: events.OrderStarted,
    Action.note: events.OrderNoted,
    Action.complete: events.OrderCompleted,
    Action.confirm: events.OrderConfirmed,
    Action.auto_confirm: events.OrderConfirmed,
    Action.reopen: events.OrderReopened,
    Action.rate: events.OrderRated,
    Action.follow_up_done: events.OrderClosed,
    Action.cancel: events.OrderCancelled,
    Action.mark_duplicate: events.OrderCancelled,
    Action.mark_invalid: events.OrderCancelled,
    Action.escalate: events.OrderEscalated,
    Action.remind: events.OrderReminded,
}

# Where the assignee stands while an order is theirs (counts against their cap).
HELD = (OrderState.accepted.value, OrderState.in_progress.value)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass
class Change:
    """One transition to apply: the action, who did it, and what else changes with it."""

    action: Action
    actor_person_id: int | None
    now: datetime
    choice: OrderState | None = None
    values: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    recipients: list[str] = field(default_factory=list)
    # Restart the state's clock even if the state stays (re-offer, escalation).
    restart_clock: bool = False
    expected_version: int | None = None


# --- reading -------------------------------------------------------------------------------


async def get_order(session: AsyncSession, order_id: str) -> Order:
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(f"工单 {order_id} 不存在", f"Order {order_id} not found", details={"order_id": order_id})
    return order


async def category_of(session: AsyncSession, order: Order) -> Category:
    return catalogue.to_domain(await catalogue.get_row(session, order.category))


async def offered_person_ids(session: AsyncSession, order_id: str) -> set[int]:
    return set((await session.scalars(select(Offer.person_id).where(Offer.order_id == order_id))).all())


# --- who may do what -----------------------------------------------------------------------


def is_area_staff(principal: Principal, order: Order) -> bool:
    """The grid worker of the order's grid, an admin of its community or street, or ops."""
    return (
        principal.has(Role.ops)
        or (order.grid_id is not None and principal.has(Role.grid_worker, "grid", order.grid_id))
        or principal.has(Role.community_admin, "community", order.community_id)
        or (order.street_id is not None and principal.has(Role.street_admin, "street", order.street_id))
        or any(g.role == Role.street_admin and g.scope_kind is None for g in principal.grants)
    )


def is_requester_side(principal: Principal, order: Order) -> bool:
    """The person who asked, or a resident of the household it is for."""
    return (principal.person_id is not None and principal.person_id == order.requester_person_id) or (
        order.household_id is not None and principal.has(Role.resident, "household", order.household_id)
    )


def is_assignee(principal: Principal, order: Order) -> bool:
    if order.provider == Provider.shared_property.value:
        return principal.has(Role.property_staff) or is_area_staff(principal, order)
    return principal.person_id is not None and principal.person_id == order.assignee_person_id


async def require_view(session: AsyncSession, principal: Principal, order: Order) -> None:
    if is_area_staff(principal, order) or is_requester_side(principal, order) or is_assignee(principal, order):
        return
    if order.kind == OrderKind.execution_task.value and (
        principal.has(Role.owners_committee, "compound", order.compound_id)
        or principal.has(Role.supervisory_committee, "compound", order.compound_id)
    ):
        return
    if principal.person_id is not None and principal.person_id in await offered_person_ids(session, order.id):
        return
    if order.kind == OrderKind.wish.value and principal.has(Role.party_member, "compound", order.compound_id):
        return
    if any(g.role in (Role.grid_worker, Role.community_admin, Role.street_admin) for g in principal.grants):
        raise _deny(
            "处理此工单：只有本网格网格员或社区、街道管理员可以操作", "act on an order outside your grid or area"
        )
    # 404 rather than 403 for anyone else: a stranger should not learn that the order exists.
    raise NotFound(f"工单 {order.id} 不存在", f"Order {order.id} not found", details={"order_id": order.id})


def _deny(what: str, what_en: str) -> Forbidden:
    return Forbidden(f"无权{what}", f"Forbidden: {what_en}")


def require_area_staff(principal: Principal, order: Order, what: str, what_en: str) -> None:
    if not is_area_staff(principal, order):
        raise _deny(f"{what}：只有本网格网格员或社区、街道管理员可以操作", what_en + " (grid worker of the grid only)")


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The SQL condition for the orders a caller may list."""
    if principal.has(Role.ops) or any(g.role == Role.street_admin and g.scope_kind is None for g in principal.grants):
        return Order.id.is_not(None)
    by_scope: dict[str, list[int]] = {}
    for g in principal.grants:
        if g.scope_id is not None:
            by_scope.setdefault(f"{g.role.value}:{g.scope_kind}", []).append(g.scope_id)
    conditions: list[ColumnElement[bool]] = []
    for key, column in (
        ("grid_worker:grid", Order.grid_id),
        ("community_admin:community", Order.community_id),
        ("street_admin:street", Order.street_id),
        ("resident:household", Order.household_id),
        ("owner:household", Order.household_id),
    ):
        if by_scope.get(key):
            conditions.append(column.in_(by_scope[key]))
    if principal.person_id is not None:
        me = principal.person_id
        conditions.append(Order.requester_person_id == me)
        conditions.append(Order.assignee_person_id == me)
        conditions.append(Order.id.in_(select(Offer.order_id).where(Offer.person_id == me)))
    return or_(*conditions) if conditions else false()


# --- the one way an order changes ------------------------------------------------------------


async def transition(session: AsyncSession, order: Order, change: Change) -> Order:
    """Apply one transition with a guarded UPDATE; 409 if the order moved meanwhile."""
    seen_state, seen_version = OrderState(order.state), order.version
    if change.expected_version is not None and change.expected_version != seen_version:
        raise _stale(order, change.expected_version)
    target = next_state(seen_state, change.action, change.choice)
    values = {**change.values, "state": target.value, "version": seen_version + 1, "updated_at": change.now}
    result = await session.execute(
        update(Order)
        .where(Order.id == order.id, Order.state == seen_state.value, Order.version == seen_version)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _stale(order, seen_version)
    await session.refresh(order)
    session.add(
        OrderEntry(
            order_id=order.id,
            at=change.now,
            action=change.action.value,
            from_state=seen_state.value,
            to_state=target.value,
            actor_person_id=change.actor_person_id,
            note=change.note,
            details=change.details,
        )
    )
    await _announce(session, order, change, seen_state)
    if target != seen_state or change.restart_clock:
        category = await category_of(session, order)
        await start_clock(
            session,
            order.id,
            category,
            Urgency(order.urgency),
            target,
            EscalationLevel(order.escalation_level),
            change.now,
        )
    if change.recipients:
        await notify(
            session, change.recipients, change.action.value, _feed_payload(order, change), change.now, order.id
        )
    await points.on_transition(session, order, change.action, change.details, change.now)
    return order


def _stale(order: Order, seen: int) -> Conflict:
    return Conflict(
        f"工单已被他人处理（你看到的版本 {seen}，请刷新后重试）",
        f"Order {order.id} changed meanwhile (version {seen} is stale); reload and retry",
        code="stale_version",
        details={"order_id": order.id, "version": seen},
    )


def _event_data(order: Order, change: Change, from_state: OrderState | None) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "compound_id": order.compound_id,
        "grid_id": order.grid_id,
        "community_id": order.community_id,
        "kind": order.kind,
        "category": order.category,
        "urgency": order.urgency,
        "action": change.action.value,
        "from_state": from_state.value if from_state is not None else None,
        "state": order.state,
        "version": order.version,
        "actor_person_id": change.actor_person_id,
        "assignee_person_id": order.assignee_person_id,
        "escalation_level": order.escalation_level,
        "at": iso(change.now),
        "details": change.details,
    }


async def _announce(session: AsyncSession, order: Order, change: Change, from_state: OrderState | None) -> None:
    data: EventData = EVENT_OF[change.action].model_validate(_event_data(order, change, from_state))
    await emit(session, data, subject=order.id, key=order.compound_id)


def _feed_payload(order: Order, change: Change) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "action": change.action.value,
        "action_label": change.action.label,
        "state": order.state,
        "state_label": OrderState(order.state).label,
        "title": order.title,
        "category": order.category,
        "urgency": order.urgency,
        "compound_id": order.compound_id,
        "escalation_level": order.escalation_level,
        "version": order.version,
        "note": change.note,
        "details": change.details,
        "at": iso(change.now),
    }


def grid_feed(order: Order) -> list[str]:
    """The grid workers' feed for the order's grid (the community's when it has no grid)."""
    return [f"grid:{order.grid_id}"] if order.grid_id is not None else [f"community:{order.community_id}"]


# --- intake --------------------------------------------------------------------------------


async def _area(session: AsyncSession, compound_id: int) -> tuple[CompoundArea, int | None]:
    area = await session.get(CompoundArea, compound_id)
    if area is None:
        raise InvalidInput(
            f"compound_id：小区 {compound_id} 不存在（或尚未同步）",
            f"compound_id: compound {compound_id} is not known here",
            details=[{"field": "compound_id", "value": compound_id}],
        )
    return area, area.street_id


async def _household(session: AsyncSession, household_id: int) -> HouseholdView:
    household = await session.get(HouseholdView, household_id)
    if household is None or household.removed:
        raise InvalidInput(
            f"household_id：住户 {household_id} 不存在（或尚未同步）",
            f"household_id: household {household_id} is not known here",
            details=[{"field": "household_id", "value": household_id}],
        )
    return household


@dataclass(frozen=True)
class Placed:
    """A new order with the rows written beside it, so its detail needs no second look."""

    order: Order
    entry: OrderEntry
    deadline: Deadline | None
    category_name: str


async def create_order(
    session: AsyncSession,
    body: s.OrderCreate,
    principal: Principal,
    now: datetime,
    kind: OrderKind = OrderKind.order,
    channel: Channel | None = None,
) -> Order:
    """A resident orders help for their home or a public place of their compound, or a grid
    worker records it for them (door-knocking, phone)."""
    return (await place_order(session, body, principal, now, kind, channel)).order


async def place_order(
    session: AsyncSession,
    body: s.OrderCreate,
    principal: Principal,
    now: datetime,
    kind: OrderKind = OrderKind.order,
    channel: Channel | None = None,
) -> Placed:
    """`create_order`, answering with the rows it wrote."""
    row = await catalogue.get_row(session, body.category, for_new_order=True)
    category = catalogue.to_domain(row)
    fields = check_fields(category, body.fields)
    resident_households = [g.scope_id for g in principal.grants if g.role == Role.resident and g.scope_id]
    household_id = body.household_id
    if household_id is None and body.compound_id is None and len(resident_households) == 1:
        household_id = resident_households[0]
    if household_id is not None:
        household = await _household(session, household_id)
        compound_id = household.compound_id
        dwelling_id: int | None = household.dwelling_id
        if body.compound_id is not None and body.compound_id != compound_id:
            raise InvalidInput(
                "compound_id 与住户所在小区不符",
                "compound_id does not match the household's compound",
                details=[{"field": "compound_id"}],
            )
    elif body.compound_id is not None:
        compound_id, dwelling_id = body.compound_id, None
        if not (body.place or "").strip():
            raise InvalidInput(
                "公共区域报事须写明位置 (place)", "A public-place order needs `place`", details=[{"field": "place"}]
            )
    else:
        raise InvalidInput(
            "请指明住户 (household_id) 或小区公共区域 (compound_id + place)",
            "Give household_id, or compound_id and place",
            details=[{"field": "household_id"}],
        )
    area, street_id = await _area(session, compound_id)
    own_home = household_id is not None and principal.has(Role.resident, "household", household_id)
    home_compounds = {
        h.compound_id for h in [await session.get(HouseholdView, i) for i in resident_households] if h is not None
    }
    neighbour = household_id is None and (
        compound_id in home_compounds
        or principal.has(Role.owner, "compound", compound_id)
        or principal.has(Role.party_member, "compound", compound_id)
    )
    staff = (
        principal.has(Role.ops)
        or (area.grid_id is not None and principal.has(Role.grid_worker, "grid", area.grid_id))
        or principal.has(Role.community_admin, "community", area.community_id)
        or (street_id is not None and principal.has(Role.street_admin, "street", street_id))
    )
    if not (own_home or neighbour or staff):
        raise _deny(
            "为该住户或小区点单：居民只能为自家或本小区公共区域点单，网格员只能为本网格代录",
            "order for this household or compound",
        )
    on_behalf = staff and not own_home
    if on_behalf and body.channel not in (None, Channel.door_knocking, Channel.phone):
        raise InvalidInput(
            "代录渠道只能是 door_knocking 或 phone",
            "channel must be door_knocking or phone",
            details=[{"field": "channel"}],
        )
    channel = channel or ((body.channel or Channel.door_knocking) if on_behalf else Channel.app)
    requester = body.requester_person_id if on_behalf else principal.person_id
    wish = kind == OrderKind.wish
    order = Order(
        id=str(uuid7()),
        kind=kind.value,
        channel=channel.value,
        # A wish needs no triage: it is a small thing party members may claim at once.
        state=(OrderState.awaiting_dispatch if wish else OrderState.submitted).value,
        version=1,
        compound_id=compound_id,
        grid_id=area.grid_id,
        community_id=area.community_id,
        street_id=street_id,
        household_id=household_id,
        dwelling_id=dwelling_id,
        place=(body.place or "").strip() or None,
        requester_person_id=requester,
        recorded_by_person_id=principal.person_id,
        category=category.code,
        title=body.title.strip(),
        description=body.description.strip(),
        fields=fields,
        photos=list(body.photos),
        urgency=body.urgency.value,
        dispatch_mode=(DispatchMode.grab if wish else category.dispatch_mode).value,
        triage=Triage.minor.value if wish else None,
        triage_note={},
        offers_made=0,
        escalation_level=EscalationLevel.compound.value,
        co_handlers=[],
        submitted_at=now,
        sla_breached=False,
    )
    entry, deadline = await _open(session, order, category, principal.person_id, now)
    return Placed(order, entry, deadline, category.name)


async def _open(
    session: AsyncSession, order: Order, category: Category, actor_person_id: int | None, now: datetime
) -> tuple[OrderEntry, Deadline | None]:
    session.add(order)
    change = Change(Action.create, actor_person_id, now, details={"channel": order.channel})
    entry = OrderEntry(
        order_id=order.id,
        at=now,
        action=Action.create.value,
        from_state=None,
        to_state=order.state,
        actor_person_id=actor_person_id,
        note=None,
        details=change.details,
    )
    session.add(entry)
    await _announce(session, order, change, None)
    state = OrderState(order.state)
    deadline = await start_clock(
        session, order.id, category, Urgency(order.urgency), state, EscalationLevel.compound, now, new_order=True
    )
    if order.kind == OrderKind.wish.value:
        await notify(session, [f"compound:{order.compound_id}"], "wish", _feed_payload(order, change), now, order.id)
    await notify(session, grid_feed(order), Action.create.value, _feed_payload(order, change), now, order.id)
    await session.flush()
    return entry, deadline


async def open_execution_task(session: AsyncSession, data: ExecutionTaskCreated) -> None:
    """A passed plan's milestone becomes an order recorded on the committee's behalf, already
    triaged as minor (the residents decided), waiting to be dispatched."""
    source_ref = f"task:{data.task_id}"
    if await session.scalar(select(Order.id).where(Order.source_ref == source_ref)) is not None:
        return
    row = await session.get(CategoryRow, data.category) or await catalogue.get_row(session, "other")
    category = catalogue.to_domain(row)
    area, street_id = await _area(session, data.compound_id)
    now = datetime.now(UTC)
    order = Order(
        id=str(uuid7()),
        kind=OrderKind.execution_task.value,
        channel=Channel.committee.value,
        state=OrderState.awaiting_dispatch.value,
        version=1,
        compound_id=data.compound_id,
        grid_id=area.grid_id,
        community_id=area.community_id,
        street_id=street_id,
        household_id=None,
        dwelling_id=None,
        place=None,
        requester_person_id=data.created_by_person_id,
        recorded_by_person_id=data.created_by_person_id,
        category=category.code,
        title=data.title[:200],
        description=data.description,
        fields={},
        photos=[],
        urgency=Urgency.normal.value,
        dispatch_mode=category.dispatch_mode.value,
        triage=Triage.minor.value,
        triage_note={"proposal_id": data.proposal_id, "task_id": data.task_id},
        offers_made=0,
        escalation_level=EscalationLevel.compound.value,
        co_handlers=[],
        source_ref=source_ref,
        submitted_at=now,
        sla_breached=False,
    )
    await _open(session, order, category, data.created_by_person_id, now)


# --- triage (三事分流) ----------------------------------------------------------------------


async def triage(session: AsyncSession, order: Order, body: s.TriageBody, principal: Principal, now: datetime) -> Order:
    """The grid worker of the order's grid sorts it: major → a department, private → advice,
    minor → dispatch, or deliberation when residents must decide."""
    require_area_staff(principal, order, "分流此工单", "triage this order")
    decision = TriageDecision(body.triage, body.refer_to_deliberation, body.department, body.reference_no, body.advice)
    decision.check()
    given: dict[str, Any] = {
        "department": body.department,
        "reference_no": body.reference_no,
        "advice": body.advice,
        "referral_updates": [] if body.triage == Triage.major else None,
    }
    note = {k: v for k, v in given.items() if v is not None}
    values: dict[str, Any] = {"triage": body.triage.value, "triage_note": note, "triaged_at": now}
    if decision.action == Action.triage_private:
        values["closed_at"] = now
    change = Change(
        decision.action,
        principal.person_id,
        now,
        values=values,
        note=body.note,
        details={"triage": body.triage.value, **note},
        expected_version=body.version,
    )
    await transition(session, order, change)
    if decision.action == Action.triage_deliberate:
        await emit(
            session,
            events.OrderReferredToDeliberation(
                order_id=order.id,
                compound_id=order.compound_id,
                household_id=order.household_id,
                requester_person_id=order.requester_person_id,
                referred_by_person_id=principal.person_id or 0,
                category=order.category,
                title=order.title,
                description=order.description,
            ),
            subject=order.id,
            key=order.compound_id,
        )
    return order


async def referral_update(
    session: AsyncSession, order: Order, body: s.ReferralUpdateBody, principal: Principal, now: datetime
) -> Order:
    """A department's progress on a major matter flows back; `resolved` closes the order."""
    require_area_staff(principal, order, "登记转办进展", "record referral progress")
    resolved = body.status == "resolved"
    note = dict(order.triage_note)
    note["referral_updates"] = [
        *note.get("referral_updates", []),
        {"at": iso(now), "status": body.status, "note": body.note},
    ]
    values: dict[str, Any] = {"triage_note": note}
    if resolved:
        values["closed_at"] = now
    change = Change(
        Action.referral_resolved if resolved else Action.referral_update,
        principal.person_id,
        now,
        values=values,
        note=body.note,
        details={"status": body.status},
        recipients=[f"person:{order.requester_person_id}"] if order.requester_person_id else [],
        expected_version=body.version,
    )
    return await transition(session, order, change)


# --- matching and dispatch ----------------------------------------------------------------


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
            last_assigned_at=_aware(history[m.party_member_id][1]) if m.party_member_id in history else None,
        )
        for m in members
    ]
    return rank(pool, OrderNeeds(category.skills, order.household_id))


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands timestamps back naive; they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


async def dispatch(
    session: AsyncSession, order: Order, body: s.DispatchBody, principal: Principal, now: datetime
) -> Order:
    """The grid worker assigns one member, offers the order to all eligible (grab), or sends
    the shared property company at its per-visit price."""
    require_area_staff(principal, order, "派单", "dispatch this order")
    category = await category_of(session, order)
    mode = body.mode or order.dispatch_mode
    if mode == "shared_property":
        if category.shared_property_price_fen is None:
            raise InvalidInput(
                f"类别「{category.name}」没有共享物业按次服务价格，不能派共享物业",
                f"Category {category.code} has no shared-property price",
                details=[{"field": "mode"}],
            )
        return await transition(
            session,
            order,
            Change(
                Action.assign_shared_property,
                principal.person_id,
                now,
                values={"provider": Provider.shared_property.value, "accepted_at": now, "dispatch_mode": mode},
                note=body.note,
                details={"provider": Provider.shared_property.value, "price_fen": category.shared_property_price_fen},
                recipients=grid_feed(order),
                expected_version=body.version,
            ),
        )
    ranked = await candidates(session, order)
    if mode == "assign":
        if body.party_member_id is None:
            raise InvalidInput(
                "指派须指定党员 (party_member_id)",
                "assign needs party_member_id",
                details=[{"field": "party_member_id"}],
            )
        chosen = next((c for c in ranked if c.member.party_member_id == body.party_member_id), None)
        if chosen is None or not chosen.eligible:
            why = "、".join(chosen.excluded_because) if chosen else "不是本小区党员"
            raise Conflict(
                f"不能指派给党员 {body.party_member_id}：{why}",
                f"Party member {body.party_member_id} is not eligible",
                code="not_eligible",
                details={
                    "party_member_id": body.party_member_id,
                    "excluded_because": chosen.excluded_because if chosen else [],
                },
            )
        offered = [chosen]
    else:
        offered = [c for c in ranked if c.eligible]
        if not offered:
            raise Conflict(
                "没有符合条件的党员可以抢单（可改派共享物业或升级）",
                "No eligible party member to offer the order to",
                code="no_candidates",
            )
    return await offer_to(session, order, offered, mode, principal.person_id, now, body.note, body.version)


async def offer_to(
    session: AsyncSession,
    order: Order,
    offered: list[Candidate],
    mode: str,
    actor_person_id: int | None,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
    restart_clock: bool = False,
) -> Order:
    """Offer the order to these members (a new round); each finds it on their stream."""
    round_ = order.offers_made + 1
    people = [c.member.person_id for c in offered]
    await transition(
        session,
        order,
        Change(
            Action.offer,
            actor_person_id,
            now,
            values={"offers_made": round_, "dispatch_mode": mode},
            note=note,
            details={
                "mode": mode,
                "round": round_,
                "party_member_ids": [c.member.party_member_id for c in offered],
                "person_ids": people,
            },
            recipients=[f"person:{p}" for p in people],
            expected_version=expected_version,
            restart_clock=restart_clock,
        ),
    )
    session.add_all(
        Offer(
            order_id=order.id,
            round=round_,
            party_member_id=c.member.party_member_id,
            person_id=c.member.person_id,
            status="open",
            offered_at=now,
        )
        for c in offered
    )
    await session.flush()
    return order


async def _open_offer(session: AsyncSession, order: Order, principal: Principal) -> Offer:
    offer = await session.scalar(
        select(Offer).where(
            Offer.order_id == order.id,
            Offer.round == order.offers_made,
            Offer.person_id == principal.person_id,
            Offer.status == "open",
        )
    )
    if offer is None:
        raise Forbidden("此工单未派给你或你已答复", "This order is not (or no longer) offered to you")
    return offer


async def accept(session: AsyncSession, order: Order, body: s.Versioned, principal: Principal, now: datetime) -> Order:
    """A party member accepts an order offered to them; under grab the first wins and the
    others' offers lapse (a concurrent second accept finds the order moved: 409)."""
    if order.state != OrderState.offered.value:
        next_state(OrderState(order.state), Action.accept)
    offer = await _open_offer(session, order, principal)
    await transition(
        session,
        order,
        Change(
            Action.accept,
            principal.person_id,
            now,
            values={
                "provider": Provider.party_member.value,
                "assignee_member_id": offer.party_member_id,
                "assignee_person_id": offer.person_id,
                "accepted_at": now,
            },
            details={"party_member_id": offer.party_member_id, "round": offer.round},
            recipients=[
                *grid_feed(order),
                *([f"person:{order.requester_person_id}"] if order.requester_person_id else []),
            ],
            expected_version=body.version,
        ),
    )
    await _close_offers(session, order.id, now, winner=offer.id)
    return order


async def _close_offers(session: AsyncSession, order_id: str, now: datetime, winner: int | None = None) -> None:
    await session.execute(
        update(Offer)
        .where(Offer.order_id == order_id, Offer.status == "open")
        .values(status="lapsed", answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if winner is not None:
        await session.execute(
            update(Offer)
            .where(Offer.id == winner)
            .values(status="accepted")
            .execution_options(synchronize_session=False)
        )


async def decline(
    session: AsyncSession, order: Order, body: s.ReasonBody, principal: Principal, now: datetime
) -> Order:
    """A member declines with a reason; when no open offer is left the order goes back to the
    grid worker to be offered again."""
    if order.state != OrderState.offered.value:
        next_state(OrderState(order.state), Action.decline)
    offer = await _open_offer(session, order, principal)
    offer.status, offer.reason, offer.answered_at = "declined", body.reason.strip(), now
    await session.flush()
    others = await session.scalar(
        select(func.count()).where(Offer.order_id == order.id, Offer.round == order.offers_made, Offer.status == "open")
    )
    return await transition(
        session,
        order,
        Change(
            Action.decline,
            principal.person_id,
            now,
            choice=OrderState.offered if others else OrderState.awaiting_dispatch,
            note=body.reason.strip(),
            details={"party_member_id": offer.party_member_id, "open_offers_left": int(others or 0)},
            recipients=grid_feed(order),
            expected_version=body.version,
        ),
    )


async def claim_wish(session: AsyncSession, order: Order, principal: Principal, now: datetime) -> Order:
    """A party member of the compound claims a micro-wish (微心愿) directly."""
    if order.kind != OrderKind.wish.value:
        raise Conflict("只有微心愿可以认领", "Only a wish can be claimed", code="not_a_wish")
    member = await session.scalar(
        select(MemberView).where(MemberView.person_id == principal.person_id, MemberView.removed.is_(False))
    )
    ranked = await candidates(session, order)
    mine = next((c for c in ranked if member is not None and c.member.party_member_id == member.party_member_id), None)
    if mine is None or not mine.eligible:
        raise Forbidden(
            "只有在本小区报到、在岗且未超上限的党员可以认领微心愿"
            + (f"（{'、'.join(mine.excluded_because)}）" if mine else ""),
            "Only an eligible party member of the compound can claim a wish",
        )
    await transition(
        session,
        order,
        Change(
            Action.claim,
            principal.person_id,
            now,
            values={
                "provider": Provider.party_member.value,
                "assignee_member_id": mine.member.party_member_id,
                "assignee_person_id": mine.member.person_id,
                "accepted_at": now,
            },
            details={"party_member_id": mine.member.party_member_id},
            recipients=[
                *grid_feed(order),
                *([f"person:{order.requester_person_id}"] if order.requester_person_id else []),
            ],
        ),
    )
    await _close_offers(session, order.id, now)
    return order


# --- work ----------------------------------------------------------------------------------


def _require_assignee(principal: Principal, order: Order, what: str, what_en: str) -> None:
    if not is_assignee(principal, order):
        raise _deny(f"{what}：只有接单人可以操作", f"{what_en} (the assignee only)")


async def start(
    session: AsyncSession, order: Order, body: s.OptionalNoteBody, principal: Principal, now: datetime
) -> Order:
    _require_assignee(principal, order, "开工", "start")
    return await transition(
        session, order, Change(Action.start, principal.person_id, now, note=body.note, expected_version=body.version)
    )


async def add_note(session: AsyncSession, order: Order, body: s.NoteBody, principal: Principal, now: datetime) -> Order:
    if not (is_assignee(principal, order) or is_area_staff(principal, order)):
        raise _deny("记录进展：只有接单人或本网格网格员可以操作", "add a note (assignee or grid worker)")
    return await transition(
        session, order, Change(Action.note, principal.person_id, now, note=body.note, expected_version=body.version)
    )


async def complete(
    session: AsyncSession, order: Order, body: s.CompleteBody, principal: Principal, now: datetime
) -> Order:
    """The assignee finishes with a summary; a shared-property visit is announced for billing."""
    _require_assignee(principal, order, "完工", "complete")
    await transition(
        session,
        order,
        Change(
            Action.complete,
            principal.person_id,
            now,
            values={"summary": body.summary.strip(), "completed_at": now},
            note=body.summary.strip(),
            recipients=[
                *([f"person:{order.requester_person_id}"] if order.requester_person_id else []),
                *grid_feed(order),
            ],
            expected_version=body.version,
        ),
    )
    if order.provider == Provider.shared_property.value:
        category = await category_of(session, order)
        await emit(
            session,
            events.SharedPropertyVisitCompleted(
                visit_id=f"{order.id}:v{order.version}",
                order_id=order.id,
                compound_id=order.compound_id,
                household_id=order.household_id,
                dwelling_id=order.dwelling_id,
                category=order.category,
                provider="共享物业",
                price_fen=category.shared_property_price_fen or 0,
                market_price_fen=category.market_price_fen or category.shared_property_price_fen or 0,
                charge_to="household"
                if order.household_id is not None and category.charge_to.value == "household"
                else "compound_fund",
                completed_at=iso(now),
            ),
            subject=order.id,
            key=order.compound_id,
        )
    return order


def _require_requester(principal: Principal, order: Order, what: str, what_en: str) -> None:
    if not is_requester_side(principal, order):
        raise _deny(f"{what}：只有点单居民可以操作", f"{what_en} (the requester only)")


async def confirm(session: AsyncSession, order: Order, body: s.Versioned, principal: Principal, now: datetime) -> Order:
    _require_requester(principal, order, "确认完成", "confirm")
    return await transition(
        session,
        order,
        Change(
            Action.confirm,
            principal.person_id,
            now,
            recipients=[f"person:{order.assignee_person_id}"] if order.assignee_person_id else [],
            expected_version=body.version,
        ),
    )


async def reopen(session: AsyncSession, order: Order, body: s.ReasonBody, principal: Principal, now: datetime) -> Order:
    _require_requester(principal, order, "要求重新处理", "reopen")
    recipients = [f"person:{order.assignee_person_id}"] if order.assignee_person_id else grid_feed(order)
    return await transition(
        session,
        order,
        Change(
            Action.reopen,
            principal.person_id,
            now,
            values={"completed_at": None},
            note=body.reason.strip(),
            recipients=[*recipients, *grid_feed(order)],
            expected_version=body.version,
        ),
    )


async def rate(session: AsyncSession, order: Order, body: s.RateBody, principal: Principal, now: datetime) -> Order:
    """Rate 1–5 once; 1–2 schedules the grid worker's follow-up visit (回访) before closing."""
    _require_requester(principal, order, "评价", "rate")
    if order.rating is not None:
        raise Conflict("该工单已评价过，不能重复评价", "Order already rated", code="already_rated")
    outcome = after_rating(body.rating)
    follow_up = outcome == OrderState.follow_up
    return await transition(
        session,
        order,
        Change(
            Action.rate,
            principal.person_id,
            now,
            choice=outcome,
            values={"rating": body.rating, "rating_comment": body.comment, **({} if follow_up else {"closed_at": now})},
            note=body.comment,
            details={"rating": body.rating, "follow_up": follow_up},
            recipients=grid_feed(order) if follow_up else [],
            expected_version=body.version,
        ),
    )


async def follow_up_done(
    session: AsyncSession, order: Order, body: s.NoteBody, principal: Principal, now: datetime
) -> Order:
    require_area_staff(principal, order, "登记回访", "record the follow-up visit")
    return await transition(
        session,
        order,
        Change(
            Action.follow_up_done,
            principal.person_id,
            now,
            values={"closed_at": now},
            note=body.note,
            expected_version=body.version,
        ),
    )


async def cancel(session: AsyncSession, order: Order, body: s.ReasonBody, principal: Principal, now: datetime) -> Order:
    """The requester (or the grid worker) cancels before a member has accepted."""
    if not (is_requester_side(principal, order) or is_area_staff(principal, order)):
        raise _deny("取消：只有点单居民或本网格网格员可以操作", "cancel (requester or grid worker)")
    people = await offered_person_ids(session, order.id)
    await transition(
        session,
        order,
        Change(
            Action.cancel,
            principal.person_id,
            now,
            values={"closed_at": now},
            note=body.reason.strip(),
            details={"reason_kind": "cancelled"},
            recipients=[f"person:{p}" for p in people] + grid_feed(order),
            expected_version=body.version,
        ),
    )
    await _close_offers(session, order.id, now)
    return order


async def dismiss(
    session: AsyncSession, order: Order, body: s.DismissBody, principal: Principal, now: datetime
) -> Order:
    """The grid worker marks an order a duplicate (of another) or invalid, with a reason."""
    require_area_staff(principal, order, "标记重复或无效", "mark duplicate or invalid")
    if body.kind == "duplicate":
        if not body.duplicate_of or body.duplicate_of == order.id:
            raise InvalidInput(
                "标记重复须指明原工单 (duplicate_of)", "duplicate_of is required", details=[{"field": "duplicate_of"}]
            )
        await get_order(session, body.duplicate_of)
    action = Action.mark_duplicate if body.kind == "duplicate" else Action.mark_invalid
    return await transition(
        session,
        order,
        Change(
            action,
            principal.person_id,
            now,
            values={"closed_at": now},
            note=body.reason.strip(),
            details={"reason_kind": body.kind, "duplicate_of": body.duplicate_of},
            recipients=[f"person:{order.requester_person_id}"] if order.requester_person_id else [],
            expected_version=body.version,
        ),
    )


# --- escalation ----------------------------------------------------------------------------


def escalation_feed(order: Order, level: EscalationLevel) -> list[str]:
    """The feed of the level that now answers; a street not (yet) known here falls back to the
    community, the nearest level above the grid that is."""
    if level == EscalationLevel.street and order.street_id is not None:
        return [f"street:{order.street_id}"]
    if level in (EscalationLevel.community, EscalationLevel.street):
        return [f"community:{order.community_id}"]
    return grid_feed(order)


def owner_feed(order: Order) -> list[str]:
    """Who answers for the order now: the assignee once accepted, else the grid worker."""
    if order.assignee_person_id is not None and order.state in HELD:
        return [f"person:{order.assignee_person_id}"]
    return grid_feed(order)


async def escalate(
    session: AsyncSession,
    order: Order,
    actor_person_id: int | None,
    now: datetime,
    reason: str,
    *,
    breach: bool = False,
    co_handlers: list[int] | None = None,
    expected_version: int | None = None,
) -> Order:
    """One level up (compound → community → street), each level with its own clock; the street
    level may add co-handlers. At the street a breach only reminds (there is no level above)."""
    current = EscalationLevel(order.escalation_level)
    up = next_level(current)
    values: dict[str, Any] = {"sla_breached": True} if breach else {}
    if up is None:
        if co_handlers:
            values["co_handlers"] = sorted({*order.co_handlers, *co_handlers})
            return await transition(
                session,
                order,
                Change(
                    Action.escalate,
                    actor_person_id,
                    now,
                    values=values,
                    note=reason,
                    details={"level": current.value, "co_handlers": values["co_handlers"]},
                    recipients=[f"person:{p}" for p in co_handlers] + owner_feed(order),
                    expected_version=expected_version,
                ),
            )
        if not breach:
            raise Conflict("工单已在街道层级，无法再升级", "Order is already at the street level", code="top_level")
        return await transition(
            session,
            order,
            Change(
                Action.remind,
                actor_person_id,
                now,
                values=values,
                note=reason,
                details={"level": current.value},
                recipients=escalation_feed(order, current) + owner_feed(order),
            ),
        )
    values["escalation_level"] = up.value
    return await transition(
        session,
        order,
        Change(
            Action.escalate,
            actor_person_id,
            now,
            values=values,
            note=reason,
            details={"from_level": current.value, "level": up.value, "breach": breach},
            recipients=escalation_feed(order, up) + owner_feed(order),
            restart_clock=True,
            expected_version=expected_version,
        ),
    )


async def escalate_by_hand(
    session: AsyncSession, order: Order, body: s.EscalateBody, principal: Principal, now: datetime
) -> Order:
    require_area_staff(principal, order, "升级", "escalate")
    if body.co_handler_person_ids and not (
        principal.has(Role.ops)
        or (order.street_id is not None and principal.has(Role.street_admin, "street", order.street_id))
        or any(g.role == Role.street_admin and g.scope_kind is None for g in principal.grants)
    ):
        raise _deny("添加协办人：只有街道层级可以操作", "add co-handlers (street level only)")
    if body.co_handler_person_ids and order.escalation_level != EscalationLevel.street.value:
        order = await escalate(session, order, principal.person_id, now, body.reason, expected_version=body.version)
        if order.escalation_level != EscalationLevel.street.value:
            order = await escalate(session, order, principal.person_id, now, body.reason)
        return await escalate(
            session, order, principal.person_id, now, body.reason, co_handlers=body.co_handler_person_ids
        )
    return await escalate(
        session,
        order,
        principal.person_id,
        now,
        body.reason,
        co_handlers=body.co_handler_person_ids or None,
        expected_version=body.version,
    )


# --- views ---------------------------------------------------------------------------------


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
        submitted_at=_aware(order.submitted_at) or order.submitted_at,
        triaged_at=_aware(order.triaged_at),
        accepted_at=_aware(order.accepted_at),
        completed_at=_aware(order.completed_at),
        closed_at=_aware(order.closed_at),
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
        await session.scalars(
            select(Deadline).where(Deadline.order_id == order.id, Deadline.cancelled_at.is_(None)).order_by(Deadline.id)
        )
    ).all()
    return detail_of(order, names.get(order.category, order.category), entries, offers, deadlines)


def placed_detail(placed: Placed) -> s.OrderDetail:
    """A new order's detail from the rows just written."""
    deadlines = [placed.deadline] if placed.deadline is not None else []
    return detail_of(placed.order, placed.category_name, [placed.entry], [], deadlines)


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
                at=_aware(e.at) or e.at,
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
                offered_at=_aware(o.offered_at) or o.offered_at,
                answered_at=_aware(o.answered_at),
            )
            for o in offers
        ],
        deadlines=[
            {
                "stage": d.stage,
                "level": d.level,
                "due_at": iso(_aware(d.due_at) or d.due_at),
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


async def list_orders(
    session: AsyncSession, principal: Principal, filters: Filters, cursor: str | None, limit: int
) -> s.OrderPage:
    """The caller's visible orders, newest first, `limit` at a time (cursor = last id seen)."""
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
    if cursor:
        query = query.where(Order.id < cursor)
    rows = (await session.scalars(query.order_by(Order.id.desc()).limit(limit + 1))).all()
    names = await category_names(session)
    items = [show(o, names.get(o.category, o.category)) for o in rows[:limit]]
    return s.OrderPage(items=items, next_cursor=rows[limit - 1].id if len(rows) > limit else None)


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
    items = [show(o, names.get(o.category, o.category)) for o in rows[:limit]]
    return s.OrderPage(items=items, next_cursor=rows[limit - 1].id if len(rows) > limit else None)
