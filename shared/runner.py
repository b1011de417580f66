"""Starting one app as its own process (distributed mode)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from fastapi import FastAPI

from shared.migrate import upgrade_head
from shared.observability import configure_logging
from shared.server import Listener, serve_apps
from shared.settings import Settings


def serve_one(name: str, create_app: Callable[[Settings], FastAPI], migrate: bool = True) -> None:
    """Migrate (unless MIGRATE_ON_START=false) and serve on HOST:PORT until SIGTERM."""
    settings = Settings()
    configure_logging(name, settings.log_level, settings.log_json)
    if migrate and os.environ.get("MIGRATE_ON_START", "true").lower() != "false":
        upgrade_head(name, settings.database_url_for(name))
    app = create_app(settings)
    asyncio.run(
        serve_apps(
            [Listener(app, settings.host, settings.port)],
            settings.shutdown_timeout_seconds,
            settings.shutdown_drain_seconds,
        )
    )
