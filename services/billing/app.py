"""create_app for billing."""

from __future__ import annotations

from fastapi import FastAPI

from services.billing.api import ROUTERS
from services.billing.consumers import handlers
from shared.events.transport import Transport
from shared.service_app import ServiceSpec, build_service_app
from shared.settings import Settings

NAME = "billing"


def create_app(settings: Settings, transport: Transport | None = None) -> FastAPI:
    spec = ServiceSpec(name=NAME, title="Linli 收费服务 (billing)", routers=ROUTERS, handlers=handlers)
    return build_service_app(spec, settings, transport)
