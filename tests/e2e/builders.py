"""Records written straight into an embedded platform's files, for stories that need many of them
(hundreds of open orders on a board) without as many requests. What is written is what the
service itself writes for such a record; nothing announces it (no event, no live feed), so a
story reads it back through the API like any other."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.dispatch.orders.domain import Channel, EscalationLevel, OrderKind, OrderState
from services.dispatch.orders.models import Order, OrderEntry
from services.dispatch.projections.models import CompoundArea
from shared.ids import uuid7
from tests.e2e.conftest import Embedded

OPEN_REF = "test:open:"


def platform_now() -> datetime:
    """The platform's clock as the child process runs it (the wall clock moved by the offset)."""
    return datetime.now(UTC) + timedelta(seconds=int(os.environ.get("CLOCK_OFFSET_SECONDS", "0")))


def open_orders(node: Embedded, grid_id: int, states: Sequence[tuple[OrderState, int]]) -> int:
    """Orders waiting in the given states on the compounds of one grid, recorded by a grid worker
    at the door one minute apart (the longest waiting came in first), in one transaction of the
    dispatch service's database; how many were written. No deadlines are set, so no ticker moves
    them while a story looks."""
    engine = create_engine(f"sqlite:///{node.data_dir / 'dispatch.db'}", connect_args={"timeout": 30})
    now = platform_now()
    written = 0
    with Session(engine) as session, session.begin():
        areas = session.scalars(
            select(CompoundArea).where(CompoundArea.grid_id == grid_id).order_by(CompoundArea.compound_id)
        ).all()
        assert areas, f"grid {grid_id} has not reached dispatch"
        total = sum(n for _, n in states)
        for state, n in states:
            for _ in range(n):
                area = areas[written % len(areas)]
                submitted = now - timedelta(minutes=total - written + 5)
                order = Order(
                    id=str(uuid7()),
                    kind=OrderKind.order.value,
                    channel=Channel.door_knocking.value,
                    state=state.value,
                    version=1,
                    compound_id=area.compound_id,
                    grid_id=area.grid_id,
                    community_id=area.community_id,
                    street_id=area.street_id,
                    place=f"{written % 3 + 1}号楼楼道",
                    category="stairwell_lighting",
                    title=f"楼道灯不亮（走访第 {written + 1} 件）",
                    description="走访时发现楼道灯不亮",
                    fields={},
                    photos=[],
                    urgency="normal",
                    dispatch_mode="assign",
                    triage=None if state == OrderState.submitted else "minor",
                    triage_note={},
                    escalation_level=EscalationLevel.compound.value,
                    co_handlers=[],
                    source_ref=f"{OPEN_REF}{written}",
                    sla_breached=False,
                    offers_made=0,
                    submitted_at=submitted,
                    created_at=submitted,
                    updated_at=submitted,
                )
                session.add(order)
                session.add(
                    OrderEntry(
                        order_id=order.id,
                        at=submitted,
                        action="create",
                        from_state=None,
                        to_state=OrderState.submitted.value,
                        actor_person_id=None,
                        note=None,
                        details={},
                    )
                )
                written += 1
    engine.dispose()
    return written
