"""Taking an order in: a resident's order or wish, one recorded on their behalf, and a passed
plan's execution task; each opens with its timeline row, event, clock and feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.catalogue import service as catalogue
from services.dispatch.catalogue.domain import Category, DispatchMode, Urgency, check_fields
from services.dispatch.catalogue.models import CategoryRow
from services.dispatch.orders import schemas as s
from services.dispatch.orders.access import deny, place_of
from services.dispatch.orders.domain import Action, Channel, EscalationLevel, OrderKind, OrderState, Triage
from services.dispatch.orders.models import Order, OrderEntry
from services.dispatch.orders.reading import detail_of
from services.dispatch.orders.transition import Change, announce, feed_payload, grid_feed
from services.dispatch.projections.models import CompoundArea, HouseholdView
from services.dispatch.sla.models import Deadline
from services.dispatch.sla.places import category_at
from services.dispatch.sla.service import start_clock
from services.dispatch.stream.service import notify
from shared.auth import Principal, Role, is_staff_of
from shared.clock import clock_of
from shared.contracts.deliberation import ExecutionTaskCreated
from shared.errors import InvalidInput
from shared.ids import uuid7


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
    resident_households = [
        g.scope_id for g in principal.grants if g.role == Role.resident and g.scope_kind == "household" and g.scope_id
    ]
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
    if (body.lat is None) != (body.long is None):
        raise InvalidInput(
            "手机定位须同时给出纬度和经度 (lat + long)",
            "A location needs both lat and long",
            details=[{"field": "lat" if body.lat is None else "long"}],
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
    staff = is_staff_of(principal, area.place, Role.grid_worker)
    if not (own_home or neighbour or staff):
        raise deny(
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
        lat=body.lat,
        long=body.long,
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
    state = OrderState(order.state)
    category = await category_at(session, category, place_of(order))
    deadline = await start_clock(
        session, order.id, category, Urgency(order.urgency), state, EscalationLevel.compound, now, new_order=True
    )
    await announce(session, order, change, None, category.name, deadline.due_at if deadline else None)
    if order.kind == OrderKind.wish.value:
        await notify(session, [f"compound:{order.compound_id}"], "wish", feed_payload(order, change), now, order.id)
    await notify(session, grid_feed(order), Action.create.value, feed_payload(order, change), now, order.id)
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
    now = clock_of(session)()
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


def placed_detail(placed: Placed) -> s.OrderDetail:
    """A new order's detail from the rows just written."""
    deadlines = [placed.deadline] if placed.deadline is not None else []
    return detail_of(placed.order, placed.category_name, [placed.entry], [], deadlines)
