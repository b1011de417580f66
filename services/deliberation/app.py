"""create_app for deliberation."""

from __future__ import annotations

from fastapi import FastAPI

from services.deliberation.api import ROUTERS
from services.deliberation.consumers import handlers
from services.deliberation.demo import DEMO_BOARD_TICKER
from services.deliberation.demo_votes import DEMO_VOTES_TICKER
from services.deliberation.measures import MEASURES
from services.deliberation.tickers import TICKERS
from shared.events.transport import Transport
from shared.service_app import ServiceSpec, build_service_app
from shared.settings import Settings

NAME = "deliberation"


def create_app(settings: Settings, transport: Transport | None = None) -> FastAPI:
    spec = ServiceSpec(
        name=NAME,
        title="Linli 议事服务 (deliberation)",
        routers=ROUTERS,
        handlers=handlers,
        tickers=[*TICKERS, DEMO_BOARD_TICKER, DEMO_VOTES_TICKER],
        measures=MEASURES,
    )
    return build_service_app(spec, settings, transport)
