"""Every service's create_app, by name. The only module that imports all services."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from services.billing.app import create_app as billing_app
from services.deliberation.app import create_app as deliberation_app
from services.dispatch.app import create_app as dispatch_app
from services.registry.app import create_app as registry_app
from shared.events.transport import Transport
from shared.settings import Settings

ServiceFactory = Callable[[Settings, Transport | None], FastAPI]

SERVICE_FACTORIES: dict[str, ServiceFactory] = {
    "registry": registry_app,
    "dispatch": dispatch_app,
    "billing": billing_app,
    "deliberation": deliberation_app,
}
