"""Periodic jobs of a service: they keep running through a failing round and stop with the app."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.events.inprocess import InProcessTransport
from shared.service_app import ServiceRuntime, ServiceSpec, Ticker, build_service_app
from shared.settings import Settings


async def test_a_ticker_survives_a_failing_round_and_stops_with_the_app(tmp_path: Path) -> None:
    rounds: list[int] = []
    third_round = asyncio.Event()

    async def step(runtime: ServiceRuntime) -> int:
        rounds.append(len(rounds))
        if len(rounds) == 3:
            third_round.set()
        if len(rounds) == 1:
            raise RuntimeError("the first round fails")
        return 1

    settings = Settings(data_dir=tmp_path, seed_demo=False)
    transport = InProcessTransport(settings.bus_url())
    spec = ServiceSpec(name="dispatch", title="t", routers=[], tickers=[Ticker("sla", 0.01, step)])
    app = build_service_app(spec, settings, transport)
    runtime: ServiceRuntime = app.state.runtime
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(third_round.wait(), timeout=10)
        assert runtime.dead_tasks() == []
        assert await runtime.tick("sla") == 1
    seen = len(rounds)
    await asyncio.sleep(0.05)
    assert len(rounds) == seen, "the ticker kept running after stop"
    await transport.close()


async def test_a_round_asked_for_while_the_loop_runs_one_waits_for_it(tmp_path: Path) -> None:
    """A seeder checks "done yet?" and then writes: two rounds at once would both write (the
    demo's votes came out twice when a test's tick() met the background round)."""
    inside = 0
    most = 0
    entered = asyncio.Event()
    release = asyncio.Event()

    async def step(runtime: ServiceRuntime) -> int:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        entered.set()
        await release.wait()
        inside -= 1
        return 1

    settings = Settings(data_dir=tmp_path, seed_demo=False)
    runtime = ServiceRuntime(
        ServiceSpec(name="dispatch", title="t", routers=[], tickers=[Ticker("seed", 60, step)]), settings, None
    )
    first = asyncio.create_task(runtime.tick("seed"))
    await entered.wait()
    second = asyncio.create_task(runtime.tick("seed"))
    await asyncio.sleep(0)
    assert not second.done()
    release.set()
    assert list(await asyncio.gather(first, second)) == [1, 1]
    assert most == 1


def test_the_clock_offset_moves_a_service_forward_and_production_refuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOCK_OFFSET_SECONDS", raising=False)
    settings = Settings(data_dir=tmp_path, seed_demo=False, clock_offset_seconds=16 * 86_400)
    runtime = ServiceRuntime(ServiceSpec(name="deliberation", title="t", routers=[]), settings, None)
    ahead = runtime.clock() - datetime.now(UTC)
    assert timedelta(days=15, hours=23) < ahead < timedelta(days=16, minutes=1)
    with pytest.raises(ValueError, match="CLOCK_OFFSET_SECONDS"):
        Settings(environment="production", jwt_secret="x" * 40, clock_offset_seconds=60)
