"""bench/projections: a 100,000-resident ledger import reaching dispatch, billing and deliberation.

Issue 17's aim: the import visible in all three projections within 60 s of its commit. On
PostgreSQL at 127.0.0.1:5432 (databases linli_bench_import_{registry,dispatch,billing,
deliberation}, recreated and dropped) with a Tansu broker:

1. the registry's outbox relay runs in this process, as it runs inside the registry service;
2. each of the three services' real `ConsumerRunner` with its real handlers
   (`services.<name>.consumers.handlers`) runs as a process of its own (`--consumer <name>`),
   with the settings' defaults (batch size, fetch wait), and joins its group before the import;
3. the import is bench/registry's: one super-large compound drawn by
   `services/registry/ledgers/generator.py`, written as .xlsx, imported all_or_nothing by
   `ledgers.service.import_file` in a child process (one transaction, ~208,000 events);
4. from the moment the import's commit shows (its events appear in the registry's outbox,
   polled every 50 ms), each projection's tables are counted every 0.25 s until they hold every
   building, entrance, dwelling, household, ownership and person the registry holds (the ones
   each service keeps).

    .venv/bin/python -m bench.projections                 # 100,000 residents; --rows N, --seed S, --keep

Results, with the command and the load average before and after, go to
bench/results/projections-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.harness import Proc, machine_info, tansu
from bench.registry import new_job, run_child, skeleton
from services.registry.ledgers.domain import ImportMode
from services.registry.ledgers.generator import plan_street, write_residents_xlsx
from services.registry.ledgers.models import ImportJob
from shared.db import Database
from shared.events.consumer import ConsumerRunner, EventHandlers, topics_to_create
from shared.events.kafka import KafkaTransport
from shared.events.relay import Relay
from shared.observability import Metrics
from shared.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SERVICES = ("dispatch", "billing", "deliberation")
AIM_SECONDS = 60.0
# What each service keeps of an import: (its table, the registry table it mirrors).
KEPT: dict[str, list[tuple[str, str]]] = {
    "dispatch": [
        ("buildings", "buildings"),
        ("entrances", "entrances"),
        ("dwellings", "dwellings"),
        ("households", "households"),
    ],
    "billing": [
        ("building_projection", "buildings"),
        ("dwelling_projection", "dwellings"),
        ("household_projection", "households"),
        ("ownership_projection", "ownerships"),
        ("person_projection", "people"),
    ],
    "deliberation": [
        ("building_projection", "buildings"),
        ("entrance_projection", "entrances"),
        ("dwelling_projection", "dwellings"),
        ("household_projection", "households"),
        ("ownership_projection", "ownerships"),
    ],
}


def url_of(base: str, service: str) -> str:
    u = make_url(base)
    return str(u.set(database=f"{u.database}_{service}").render_as_string(hide_password=False))


def dsn(url: str, database: str | None = None) -> str:
    u = make_url(url)
    return f"postgresql://{u.username or 'root'}@{u.host}:{u.port or 5432}/{database or u.database}"


async def recreate(urls: list[str]) -> str:
    conn = await asyncpg.connect(dsn(urls[0], "postgres"))
    try:
        for url in urls:
            name = make_url(url).database
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def drop(urls: list[str]) -> None:
    conn = await asyncpg.connect(dsn(urls[0], "postgres"))
    try:
        for url in urls:
            await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await conn.close()


def migrate(service: str, url: str) -> None:
    """Each service's migrations in a process of its own (Alembic keeps module-level state)."""
    code = "import sys; from shared.migrate import upgrade_head; upgrade_head(sys.argv[1], sys.argv[2])"
    subprocess.run([sys.executable, "-c", code, service, url], cwd=ROOT, check=True, capture_output=True)


def settings_for(url: str, bootstrap: str) -> Settings:
    return Settings(database_url=url, event_bus="kafka", kafka_bootstrap=bootstrap, seed_demo=False, log_json=False)


# --- a consumer process ---------------------------------------------------------------------------


async def consumer_main(service: str, url: str, bootstrap: str) -> None:
    """One service's consumer group member, as the service runs it, until SIGTERM."""
    settings = settings_for(url, bootstrap)
    handlers: EventHandlers = importlib.import_module(f"services.{service}.consumers").handlers
    db = Database(url, settings.db_pool_size)
    transport = KafkaTransport(settings, client_id=f"bench-{service}")
    await transport.start()
    await transport.ensure_topics(topics_to_create(service, handlers))
    runner = ConsumerRunner(
        service,
        db,
        transport,
        handlers,
        Metrics(service),
        max_attempts=settings.consumer_max_attempts,
        backoff_base_ms=settings.consumer_backoff_base_ms,
        backoff_max_ms=settings.consumer_backoff_max_ms,
        batch_size=settings.consumer_batch_size,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    task = asyncio.create_task(runner.run())
    wanted = len(handlers.topics()) * settings.kafka_partitions
    while len(runner.subscription.assignment()) < wanted:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    print("ready", flush=True)
    cpu_at_ready = time.process_time()
    await stop.wait()
    runner.stop()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 30)
    # This process's CPU while it consumed (the machine is shared: CPU per event is the figure
    # that moves least with the load).
    print(json.dumps({"cpu_s": round(time.process_time() - cpu_at_ready, 2)}), flush=True)
    await transport.stop()
    await db.dispose()


# --- the run ----------------------------------------------------------------------------------


async def counts(conn: Any, tables: list[str]) -> dict[str, int]:
    return {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in tables}


def wait_ready(procs: dict[str, Proc], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    waiting = set(procs)
    while waiting:
        for name in list(waiting):
            proc = procs[name]
            if proc.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.process.returncode}\n{proc.tail()}")
            if "ready" in proc.tail():
                waiting.discard(name)
        if time.monotonic() > deadline:
            raise TimeoutError("consumers not ready: " + "\n".join(procs[n].tail() for n in waiting))
        time.sleep(0.1)


async def run(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    registry_url = url_of(args.database_url, "registry")
    urls = {s: url_of(args.database_url, s) for s in SERVICES}
    every_url = [registry_url, *urls.values()]
    report: dict[str, Any] = {
        "command": " ".join([".venv/bin/python -m bench.projections", *map(shlex.quote, argv)]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "seed": args.seed,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "aim_seconds": AIM_SECONDS,
    }
    pg = await recreate(every_url)
    report["machine"] = machine_info(pg, ("sqlalchemy", "asyncpg", "aiokafka"))
    broker, bootstrap = tansu()
    procs: dict[str, Proc] = {}
    relay: Relay | None = None
    relay_task: asyncio.Task[None] | None = None
    transport: KafkaTransport | None = None
    db: Database | None = None
    work = Path(tempfile.mkdtemp(prefix="linli-bench-projections-"))
    try:
        await asyncio.gather(
            *(asyncio.to_thread(migrate, s, u) for s, u in [("registry", registry_url), *urls.items()])
        )
        settings = settings_for(registry_url, bootstrap)
        report["settings"] = settings.model_dump(
            include={"kafka_partitions", "kafka_fetch_max_wait_ms", "relay_batch_size", "consumer_batch_size"}
        )
        db = Database(registry_url, settings.db_pool_size)
        transport = KafkaTransport(settings, client_id="bench-registry")
        await transport.start()
        await transport.ensure_topics(topics_to_create("registry", EventHandlers()))
        relay = Relay(
            "registry", db, transport, Metrics("registry"), settings.relay_batch_size, settings.relay_poll_interval_ms
        )
        relay_task = asyncio.create_task(relay.run())
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "PYTHONUNBUFFERED": "1"}
        for service, url in urls.items():
            command = [sys.executable, "-m", "bench.projections", "--consumer", service]
            command += ["--database-url", url, "--bootstrap", bootstrap]
            procs[service] = Proc(service, command, env, stop_timeout_s=40, die_with_parent=True)
        await asyncio.to_thread(wait_ready, procs, 120)
        (compound_id,) = await skeleton(db, ["基准超大型小区"])

        plan = plan_street(args.rows // 2, args.seed, compounds=1, residents_limit=args.rows).compounds[0]
        xlsx = work / "residents.xlsx"
        await asyncio.to_thread(write_residents_xlsx, xlsx, plan)
        job_id = await new_job(db, work, xlsx, compound_id, ImportMode.all_or_nothing)
        print(f"importing {len(plan.rows):,} residents ({plan.households:,} households)…", flush=True)
        registry = await asyncpg.connect(dsn(registry_url))
        before = await registry.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        importing = asyncio.create_task(asyncio.to_thread(run_child, registry_url, work, job_id, False))
        committed: float | None = None
        while committed is None and not importing.done():
            # The import is one transaction: its events appear in the outbox when it commits.
            if await registry.fetchval("SELECT coalesce(max(id), 0) FROM outbox") > before:
                committed = time.time()
            else:
                await asyncio.sleep(0.05)
        imported = await importing
        returned = time.time()
        await registry.close()
        report["import"] = imported
        if committed is None:
            async with db.sessionmaker() as session:
                finished = (await session.scalars(select(ImportJob.finished_at).where(ImportJob.id == job_id))).one()
            assert finished is not None
            committed = finished.timestamp()
        registry = await asyncpg.connect(dsn(registry_url))
        try:
            expected = await counts(
                registry, ["buildings", "entrances", "dwellings", "households", "ownerships", "people"]
            )
        finally:
            await registry.close()
        report["expected"] = expected
        print(f"  imported in {imported['wall_s']} s, {imported['events']:,} events; waiting for the projections…")

        relay_cpu = time.process_time()  # this process now only relays (and counts rows)
        conns = {s: await asyncpg.connect(dsn(u)) for s, u in urls.items()}
        visible: dict[str, float] = {}
        relay_done: float | None = None
        seen: dict[str, dict[str, int]] = {}
        try:
            deadline = returned + args.timeout
            while len(visible) < len(SERVICES) and time.time() < deadline:
                for service in SERVICES:
                    if service in visible:
                        continue
                    seen[service] = await counts(conns[service], [t for t, _ in KEPT[service]])
                    if all(seen[service][t] >= expected[r] for t, r in KEPT[service]):
                        visible[service] = time.time() - committed
                        print(f"  {service}: all visible {visible[service]:.1f} s after the commit", flush=True)
                if relay_done is None and await relay.backlog() == 0:
                    relay_done = time.time() - committed
                    relay_cpu = time.process_time() - relay_cpu
                await asyncio.sleep(0.25)
        finally:
            for conn in conns.values():
                await conn.close()
        report["seconds_after_commit"] = {s: round(visible[s], 2) if s in visible else None for s in SERVICES}
        report["counts_when_done"] = seen
        report["relay_outbox_empty_after_commit_s"] = None if relay_done is None else round(relay_done, 2)
        if relay_done is not None:
            report["relay_cpu_us_per_event"] = round(relay_cpu / imported["events"] * 1e6, 1)
        applied: dict[str, int] = {}
        for service in SERVICES:
            conn = await asyncpg.connect(dsn(urls[service]))
            try:
                applied[service] = int(await conn.fetchval("SELECT count(*) FROM inbox"))
            finally:
                await conn.close()
        report["events_applied"] = applied
        report["commit_to_child_return_s"] = round(returned - committed, 2)
        worst = max(visible.values()) if len(visible) == len(SERVICES) else None
        report["all_visible_s"] = None if worst is None else round(worst, 2)
        report["aim_met"] = worst is not None and worst <= AIM_SECONDS
    finally:
        if relay is not None:
            relay.stop()
        if relay_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(relay_task, 10)
        consumer_cpu: dict[str, float] = {}
        for service, proc in procs.items():
            await asyncio.to_thread(proc.terminate)
            for line in reversed(proc.tail().splitlines()):
                if line.startswith('{"cpu_s"'):
                    consumer_cpu[service] = json.loads(line)["cpu_s"]
                    break
            proc.stop()
        report["consumer_cpu_s"] = consumer_cpu
        if transport is not None:
            await transport.stop()
        if db is not None:
            await db.dispose()
        broker.stop()
        if not args.keep:
            with contextlib.suppress(Exception):
                await drop(every_url)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.projections", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="residents in the imported ledger")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the projections")
    parser.add_argument("--database-url", default="postgresql+asyncpg://root@127.0.0.1:5432/linli_bench_import")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--consumer", choices=SERVICES, help=argparse.SUPPRESS)
    parser.add_argument("--bootstrap", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if make_url(args.database_url).host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the bench only talks to this machine (127.0.0.1)")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.consumer:
        asyncio.run(consumer_main(args.consumer, args.database_url, args.bootstrap))
        return 0
    report = asyncio.run(run(args, argv))
    print(
        f"\n{args.rows:,} residents, {report['import']['events']:,} events: import {report['import']['wall_s']} s; "
        f"after its commit: " + ", ".join(f"{s} {v} s" for s, v in report["seconds_after_commit"].items())
    )
    print(f"all three within {report['all_visible_s']} s (aim ≤ {AIM_SECONDS:.0f} s: {report['aim_met']})")
    applied = report.get("events_applied") or {}
    per_event = {
        s: round(cpu / applied[s] * 1e6, 1) for s, cpu in report.get("consumer_cpu_s", {}).items() if applied.get(s)
    }
    report["consumer_cpu_us_per_event"] = per_event
    print(f"CPU µs per event: relay {report.get('relay_cpu_us_per_event')}, consumers {per_event}")
    out = args.out or RESULTS / f"projections-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
