"""create_app for dispatch."""

from __future__ import annotations

from fastapi import FastAPI

from services.dispatch.api import ROUTERS
from services.dispatch.consumers import handlers
from services.dispatch.demo import DEMO_TICKER
from services.dispatch.demo_lists import DEMO_LISTS_TICKER
from services.dispatch.history import DEMO_HISTORY_TICKER
from services.dispatch.measures import MEASURES
from services.dispatch.sla.ticker import SLA_TICKER
from shared.events.transport import Transport
from shared.service_app import ServiceSpec, build_service_app
from shared.settings import Settings

NAME = "dispatch"


def create_app(settings: Settings, transport: Transport | None = None) -> FastAPI:
    spec = ServiceSpec(
        name=NAME,
        title="Linli 派单服务 (dispatch)",
        routers=ROUTERS,
        handlers=handlers,
        tickers=[SLA_TICKER, DEMO_TICKER, DEMO_HISTORY_TICKER, DEMO_LISTS_TICKER],
        measures=MEASURES,
    )
    return build_service_app(spec, settings, transport)
