"""Serving one or several ASGI apps on one event loop, with container-friendly shutdown.

On SIGTERM/SIGINT every app starts draining (/readyz answers 503), uvicorn stops accepting
connections and finishes requests in flight, then each app's lifespan stops its consumer
(committing offsets, leaving the group) and relay. A second SIGINT forces the exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from shared import collector
from shared.observability import logging_as


class _QuietSignalsServer(uvicorn.Server):
    """uvicorn installs process-wide signal handlers per server; several servers on one loop
    would fight over them, so serve_apps installs one handler for all."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass(frozen=True)
class Listener:
    app: FastAPI
    host: str
    port: int
    # Already bound to host:port (embedded mode's loopback services), else uvicorn binds.
    sock: socket.socket | None = None


async def serve_apps(listeners: Sequence[Listener], shutdown_timeout: int = 25, drain_seconds: float = 0.0) -> None:
    """Serve every listener until a signal arrives, then shut all down gracefully: first
    `drain_seconds` of answering /readyz with 503 while still serving, then stop accepting."""
    collector.settle()
    servers = [
        _QuietSignalsServer(
            uvicorn.Config(
                listener.app,
                host=listener.host,
                port=listener.port,
                log_config=None,
                lifespan="on",
                timeout_graceful_shutdown=shutdown_timeout,
                access_log=False,
                # uvicorn would believe X-Forwarded-For from any loopback peer; the apps decide
                # whom to believe themselves (TRUSTED_PROXIES, shared/http.py client_address).
                proxy_headers=False,
            )
        )
        for listener in listeners
    ]

    draining = False

    def stop_accepting() -> None:
        for server in servers:
            server.should_exit = True

    def on_signal(sig: signal.Signals) -> None:
        nonlocal draining
        if draining:
            # A second signal: stop now (a second Ctrl-C also abandons requests in flight).
            for server in servers:
                server.force_exit = server.force_exit or (server.should_exit and sig == signal.SIGINT)
            stop_accepting()
            return
        draining = True
        for listener in listeners:
            listener.app.state.runtime.begin_draining()
        loop.call_later(drain_seconds, stop_accepting)

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)

    async def serve(server: uvicorn.Server, listener: Listener) -> None:
        try:
            # uvicorn's own lines (startup, shutdown) and the app's lifespan name the app served.
            with logging_as(listener.app.state.runtime.name):
                await server.serve(sockets=None if listener.sock is None else [listener.sock])
        except BaseException:
            # One server failed (say its port is taken): take the others down with it.
            for other in servers:
                other.should_exit = True
            raise

    try:
        results = await asyncio.gather(
            *(serve(s, li) for s, li in zip(servers, listeners, strict=True)), return_exceptions=True
        )
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]
