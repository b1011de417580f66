"""create_app for the registry."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.api import ROUTERS
from services.registry.demo import seed_demo
from shared.events.transport import Transport
from shared.service_app import ServiceSpec, build_service_app
from shared.settings import Settings

NAME = "registry"


def create_app(settings: Settings, transport: Transport | None = None) -> FastAPI:
    settings.check_pii_keys()
    spec = ServiceSpec(name=NAME, title="Linli 登记服务 (registry)", routers=ROUTERS, on_started=seed_demo)
    return build_service_app(spec, settings, transport)
