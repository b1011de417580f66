"""Periodic jobs of a service: they keep running through a failing round and stop with the app."""

from __future__ import annotations

import asyncio
from pathlib import Path

from shared.events.inprocess import InProcessTransport
from shared.service_app import ServiceRuntime, ServiceSpec, Ticker, build_service_app
from shared.settings import Settings


async def test_a_ticker_survives_a_failing_round_and_stops_with_the_app(tmp_path: Path) -> None:
    rounds: list[int] = []

    async def step(runtime: ServiceRuntime) -> int:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("the first round fails")
        return 1

    settings = Settings(data_dir=tmp_path, seed_demo=False)
    transport = InProcessTransport(settings.bus_url())
    spec = ServiceSpec(name="dispatch", title="t", routers=[], tickers=[Ticker("sla", 0.01, step)])
    app = build_service_app(spec, settings, transport)
    runtime: ServiceRuntime = app.state.runtime
    async with app.router.lifespan_context(app):
        while len(rounds) < 3:
            await asyncio.sleep(0.01)
        assert runtime.dead_tasks() == []
        assert await runtime.tick("sla") == 1
    seen = len(rounds)
    await asyncio.sleep(0.05)
    assert len(rounds) == seen, "the ticker kept running after stop"
    await transport.close()
