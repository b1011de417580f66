"""create_app for the registry."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.api import ROUTERS
from services.registry.demo import seed_demo
from services.registry.ledgers.service import resume_unfinished_imports
from services.registry.measures import MEASURES
from services.registry.notifications.consumers import notification_handlers
from services.registry.notifications.service import delivery_ticker
from shared.events.transport import Transport
from shared.service_app import ServiceRuntime, ServiceSpec, build_service_app
from shared.settings import Settings

NAME = "registry"


def create_app(settings: Settings, transport: Transport | None = None) -> FastAPI:
    settings.check_pii_keys()
    spec = ServiceSpec(
        name=NAME,
        title="Linli 登记服务 (registry)",
        routers=ROUTERS,
        # The registry alone holds contacts, so it turns others' events into messages (issue 15).
        handlers=notification_handlers(settings),
        on_started=on_started,
        tickers=[delivery_ticker(settings)],
        measures=MEASURES,
    )
    return build_service_app(spec, settings, transport)


async def on_started(runtime: ServiceRuntime) -> None:
    """Seed the demo street into an empty registry, then pick up ledger imports a restart cut off."""
    await seed_demo(runtime)
    await resume_unfinished_imports(runtime)
