"""create_app for billing."""

from __future__ import annotations

from fastapi import FastAPI

from services.billing.api import ROUTERS
from services.billing.bills.running import RESUME_TICKER
from services.billing.consumers import handlers
from services.billing.history import DEMO_BILLS_TICKER
from services.billing.measures import MEASURES
from services.billing.payments.channels import channels_from_settings
from services.billing.payments.ticker import requery_ticker
from shared.events.transport import Transport
from shared.service_app import ServiceSpec, build_service_app
from shared.settings import Settings

NAME = "billing"


def create_app(settings: Settings, transport: Transport | None = None) -> FastAPI:
    # Real verifiers for the channels whose keys are configured; test signers for the others
    # outside production (README, production). Refuses to start on a half or missing setup.
    channels = channels_from_settings(settings)
    spec = ServiceSpec(
        name=NAME,
        title="Linli 收费服务 (billing)",
        routers=ROUTERS,
        handlers=handlers,
        tickers=[requery_ticker(channels), DEMO_BILLS_TICKER, RESUME_TICKER],
        measures=MEASURES,
    )
    app = build_service_app(spec, settings, transport)
    app.state.billing_channels = channels
    return app
