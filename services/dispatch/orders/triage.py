"""Triage (三事分流): the grid worker sorts an order, and a referred major matter's progress
flows back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.orders import schemas as s
from services.dispatch.orders.access import require_area_staff
from services.dispatch.orders.domain import Action, Triage, TriageDecision
from services.dispatch.orders.models import Order
from services.dispatch.orders.reading import iso
from services.dispatch.orders.transition import Change, transition
from shared.auth import Principal
from shared.contracts import dispatch as events
from shared.events.outbox import emit


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
