"""The registry's business measures for /metrics (issue 17): notification deliveries by
channel and status (sent, failed: given up, pending, skipped). Rates come from the events
counter (linli_relay_published_total); these say what is true now."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.notifications.models import Delivery
from shared.observability import Measure, MeasureRows


async def _deliveries(session: AsyncSession) -> MeasureRows:
    rows = await session.execute(
        select(Delivery.channel, Delivery.status, func.count()).group_by(Delivery.channel, Delivery.status)
    )
    return [((channel, status), float(n)) for channel, status, n in rows]


MEASURES = (
    Measure(
        "linli_notification_deliveries",
        "Notification deliveries by channel and status (failed: given up after retries)",
        ("channel", "status"),
        _deliveries,
    ),
)
