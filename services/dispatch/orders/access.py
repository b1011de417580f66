"""Who may do what with an order: see it, list it, act on it as grid worker, requester or
assignee."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders.domain import OrderKind, Provider
from services.dispatch.orders.models import Offer, Order
from shared.auth import Place, Principal, Role, is_staff_of
from shared.errors import Forbidden, NotFound


async def offered_person_ids(session: AsyncSession, order_id: str) -> set[int]:
    return set((await session.scalars(select(Offer.person_id).where(Offer.order_id == order_id))).all())


def place_of(order: Order) -> Place:
    return Place(
        street_id=order.street_id, community_id=order.community_id, grid_id=order.grid_id, compound_id=order.compound_id
    )


def is_area_staff(principal: Principal, order: Order) -> bool:
    """The grid worker of the order's grid, an admin of its community or street, or ops."""
    return is_staff_of(principal, place_of(order), Role.grid_worker)


def is_requester_side(principal: Principal, order: Order) -> bool:
    """The person who asked, or a resident of the household it is for."""
    return (principal.person_id is not None and principal.person_id == order.requester_person_id) or (
        order.household_id is not None and principal.has(Role.resident, "household", order.household_id)
    )


def is_assignee(principal: Principal, order: Order) -> bool:
    if order.provider == Provider.shared_property.value:
        # The property company of the order's own compound, not of any compound it serves.
        return principal.has(Role.property_staff, "compound", order.compound_id) or is_area_staff(principal, order)
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
    # Staff of some other place learn that the order lies outside their area; anyone else is
    # told nothing (below). "Anywhere" is meant: this only chooses the answer's wording.
    if any(principal.holds_anywhere(r) for r in (Role.grid_worker, Role.community_admin, Role.street_admin)):
        raise deny(
            "处理此工单：只有本网格网格员或社区、街道管理员可以操作", "act on an order outside your grid or area"
        )
    # 404 rather than 403 for anyone else: a stranger should not learn that the order exists.
    raise NotFound(f"工单 {order.id} 不存在", f"Order {order.id} not found", details={"order_id": order.id})


def deny(what: str, what_en: str) -> Forbidden:
    return Forbidden(f"无权{what}", f"Forbidden: {what_en}")


def require_area_staff(principal: Principal, order: Order, what: str, what_en: str) -> None:
    if not is_area_staff(principal, order):
        raise deny(f"{what}：只有本网格网格员或社区、街道管理员可以操作", what_en + " (grid worker of the grid only)")


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The SQL condition for the orders a caller may list."""
    if principal.holds_everywhere(Role.ops) or principal.holds_everywhere(Role.street_admin):
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
    if by_scope.get("property_staff:compound"):
        # The property company lists the shared-property orders of its own compounds.
        conditions.append(
            Order.compound_id.in_(by_scope["property_staff:compound"])
            & (Order.provider == Provider.shared_property.value)
        )
    if principal.person_id is not None:
        me = principal.person_id
        conditions.append(Order.requester_person_id == me)
        conditions.append(Order.assignee_person_id == me)
        conditions.append(Order.id.in_(select(Offer.order_id).where(Offer.person_id == me)))
    return or_(*conditions) if conditions else false()


def require_assignee(principal: Principal, order: Order, what: str, what_en: str) -> None:
    if not is_assignee(principal, order):
        raise deny(f"{what}：只有接单人可以操作", f"{what_en} (the assignee only)")


def require_requester(principal: Principal, order: Order, what: str, what_en: str) -> None:
    if not is_requester_side(principal, order):
        raise deny(f"{what}：只有点单居民可以操作", f"{what_en} (the requester only)")
