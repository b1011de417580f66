"""Embedded mode: the gateway on PORT and the four services on loopback ports beside it, one
process, one event loop, SQLite files under DATA_DIR, events over the in-process log."""

from __future__ import annotations

import asyncio
import logging
import socket

from linli.apps import SERVICE_FACTORIES
from linli.secret import with_local_secret
from services.gateway.app import create_app as gateway_app
from shared.events.inprocess import InProcessTransport
from shared.events.transport import Transport
from shared.migrate import upgrade_head
from shared.server import Listener, serve_apps
from shared.settings import SERVICES, Settings

log = logging.getLogger("linli.embedded")


def loopback_socket() -> socket.socket:
    """A socket bound to a loopback port the kernel picks, held until its service serves on it.
    A port picked, released and bound again at start-up could be taken in between, by another
    process's outgoing connection for one (a test run's `linli run` exited 3 on "address already
    in use", 3 December 2026). It names TCP as its protocol: asyncio turns Nagle's algorithm off
    only on such sockets, and without that every answer through the gateway waited 40 ms for a
    delayed ACK."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    return sock


def embedded_listeners(settings: Settings, transport: Transport | None = None) -> tuple[list[Listener], Settings]:
    """The five apps of embedded mode, with the gateway pointed at the services' ports."""
    sockets = {s: loopback_socket() for s in SERVICES}
    ports = {s: int(sock.getsockname()[1]) for s, sock in sockets.items()}
    settings = settings.model_copy(update={f"{s}_url": f"http://127.0.0.1:{p}" for s, p in ports.items()})
    # The services believe the gateway beside them on loopback about who the client is (the
    # per-address login back-off needs the real address); the gateway keeps TRUSTED_PROXIES.
    trusted = ",".join(p for p in (settings.trusted_proxies, "127.0.0.1") if p)
    behind_gateway = settings.model_copy(update={"trusted_proxies": trusted})
    listeners = [
        Listener(SERVICE_FACTORIES[s](behind_gateway, transport), "127.0.0.1", ports[s], sockets[s]) for s in SERVICES
    ]
    listeners.append(Listener(gateway_app(settings), settings.host, settings.port))
    return listeners, settings


def migrate_all(settings: Settings) -> None:
    for service in SERVICES:
        upgrade_head(service, settings.database_url_for(service))


async def run_embedded(settings: Settings) -> None:
    """Migrate, then serve everything until Ctrl-C or SIGTERM."""
    settings = with_local_secret(settings)
    await asyncio.to_thread(migrate_all, settings)
    transport = InProcessTransport(settings.bus_url()) if settings.event_bus == "inprocess" else None
    listeners, settings = embedded_listeners(settings, transport)
    log.info("Linli embedded: http://%s:%d (docs at /docs)", settings.host, settings.port)
    try:
        await serve_apps(listeners, settings.shutdown_timeout_seconds, settings.shutdown_drain_seconds)
    finally:
        if transport is not None:
            await transport.close()
