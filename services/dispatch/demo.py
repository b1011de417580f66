"""Demo data for embedded mode: once the registry's demo street has reached dispatch (events
arrive after start-up, so a ticker waits for them), one public-place order the grid worker
recorded while knocking on doors, waiting to be triaged. Never in production; added once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.dispatch.orders import schemas as s
from services.dispatch.orders.domain import Channel
from services.dispatch.orders.intake import create_order
from services.dispatch.orders.models import Order
from services.dispatch.projections.models import CompoundArea, GridWorkerView
from shared.auth import Grant, Principal, Role
from shared.service_app import ServiceRuntime, Ticker

DEMO_COMPOUND = "杏花岭片区·老旧小区"
DEMO_REF = "demo:stairwell-1"
_done: set[int] = set()


async def seed_demo_orders(runtime: ServiceRuntime) -> int:
    """Add the demo order when the demo street is known here; 1 if added, else 0."""
    settings = runtime.settings
    if not settings.seed_demo or settings.environment == "production" or id(runtime) in _done:
        return 0
    try:
        added = await _add_demo_order(runtime)
    except IntegrityError:
        added = False  # a concurrent round (the background ticker, or `tick`) added it first
    if added is None:
        return 0
    _done.add(id(runtime))
    return 1 if added else 0


async def _add_demo_order(runtime: ServiceRuntime) -> bool | None:
    """True if added now, False if it was there, None if the demo street has not arrived."""
    async with runtime.transaction() as session:
        if await session.scalar(select(Order.id).where(Order.source_ref == DEMO_REF)) is not None:
            return False
        area = await session.scalar(select(CompoundArea).where(CompoundArea.name == DEMO_COMPOUND))
        workers = (await session.scalars(select(GridWorkerView).where(GridWorkerView.removed.is_(False)))).all()
        worker = next((w for w in workers if area is not None and area.grid_id in w.grid_ids), None)
        if area is None or worker is None or area.grid_id is None:
            return None  # the registry's events have not all arrived yet
        recorder = Principal(worker.person_id, (Grant(Role.grid_worker, "grid", area.grid_id),))
        body = s.OrderCreate(
            category="stairwell_lighting",
            title="1号楼1单元楼道灯不亮",
            description="敲门走访时居民反映：1号楼1单元三楼到五楼的楼道灯坏了一周，老人晚上上下楼不方便",
            compound_id=area.compound_id,
            place="1号楼1单元 3–5 层楼道",
            fields={"location": "1号楼1单元"},
            channel=Channel.door_knocking,
        )
        order = await create_order(session, body, recorder, runtime.clock())
        order.source_ref = DEMO_REF
    return True


DEMO_TICKER = Ticker("demo", interval_s=2.0, step=seed_demo_orders)
