"""Import 100,000 residents with their dwellings from one .xlsx on PostgreSQL, beside a raw COPY.

Everything runs on this machine, against PostgreSQL at 127.0.0.1:5432 (user root, trust auth):

1. a fresh database (linli_bench_registry), migrated to the registry's head;
2. the generator (services/registry/ledgers/generator.py) draws one super-large compound of
   exactly N residents (default 100,000) and writes it as a residents-ledger .xlsx;
3. the ledger import (ledgers.service.import_file, the function behind POST /imports, without
   HTTP) runs in a child process, so its wall time and peak memory (ru_maxrss) are its own:
   a. all_or_nothing into the empty compound (every row written, one transaction);
   b. the same file again (every row unchanged: the re-import promise, at full size);
   c. good_rows, a second street's file into a second compound (chunks of 2,000 rows, each its
      own transaction with the job's progress);
4. asyncpg copy_records_to_table of the same rows into a plain 16-column table (raw COPY),
   for the ratio.

It prints a table and writes JSON to bench/results/. See bench/README.md (## bench/registry).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from services.registry import entities
from services.registry.ledgers.domain import ImportMode, Ledger
from services.registry.ledgers.generator import CompoundPlan, plan_street, write_residents_xlsx
from services.registry.ledgers.service import create_job, import_file, store_upload
from services.registry.people.models import Person
from services.registry.people.pii import PiiVault
from services.registry.places import service as places
from services.registry.places.models import Community, Compound, Dwelling, Household, Ownership, Street
from shared.db import Database
from shared.events.outbox import outbox
from shared.migrate import upgrade_head
from shared.service_app import ServiceRuntime, ServiceSpec
from shared.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_URL = "postgresql+asyncpg://root@127.0.0.1:5432/linli_bench_registry"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIME_AIM_S = 60.0
MEMORY_AIM_MB = 500.0
RAW_COLUMNS = (
    "building",
    "entrance",
    "room",
    "area_m2",
    "exclusive_area_m2",
    "floor",
    "name",
    "gender",
    "id_card",
    "mobile",
    "relation",
    "kind",
    "needy",
    "moved_in",
    "structure",
    "building_floors",
)


# --- the database ----------------------------------------------------------------------------


def _pg_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url)
    return f"postgresql://{u.username or 'root'}@{u.host}:{u.port or 5432}/{database or u.database}"


async def recreate_database(url: str) -> str:
    name = make_url(url).database
    conn = await asyncpg.connect(_pg_dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    conn = await asyncpg.connect(_pg_dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await conn.close()


async def skeleton(db: Database, names: list[str]) -> list[int]:
    """A street, a community and one super-large compound per name; their ids."""
    async with db.sessionmaker() as session:
        street = await entities.create(session, places.STREET, Street(name="基准街道"))
        community = await entities.create(session, places.COMMUNITY, Community(street_id=street.id, name="基准社区"))
        ids = []
        for name in names:
            compound = await entities.create(
                session,
                places.COMPOUND,
                Compound(name=name, community_id=community.id, kind="super_large", management_model="professional"),
            )
            ids.append(compound.id)
        await session.commit()
        return ids


async def new_job(db: Database, data_dir: Path, xlsx: Path, compound_id: int, mode: ImportMode) -> int:
    """Store the file as an upload would be stored and queue its job (what POST /imports does)."""

    # The child process that runs the job unseals it with the same (settings') key.
    vault = PiiVault(Settings(data_dir=data_dir, seed_demo=False, log_json=False))

    def store() -> tuple[str, Path]:
        with xlsx.open("rb") as source:
            return store_upload(data_dir, source, "xlsx", vault)

    sha, stored = await asyncio.to_thread(store)
    async with db.sessionmaker() as session:
        job = await create_job(
            session,
            ledger=Ledger.residents,
            mode=mode,
            compound_id=compound_id,
            filename=xlsx.name,
            sha256=sha,
            stored_path=stored,
            created_by=None,
        )
        await session.commit()
        return job.id


async def counts(db: Database) -> dict[str, int]:
    async with db.sessionmaker() as session:
        out = {}
        for name, table in (
            ("dwellings", Dwelling),
            ("households", Household),
            ("people", Person),
            ("ownerships", Ownership),
        ):
            out[name] = int(await session.scalar(select(func.count()).select_from(table)) or 0)
        out["outbox"] = int(await session.scalar(select(func.count()).select_from(outbox)) or 0)
        return out


# --- the raw COPY ----------------------------------------------------------------------------


def raw_records(compound: CompoundPlan) -> list[tuple[Any, ...]]:
    specs = {b.number: b for b in compound.buildings}
    return [
        (
            r.building,
            r.entrance,
            r.room,
            r.area_m2,
            r.exclusive_area_m2,
            r.floor,
            r.name,
            r.gender,
            r.id_card,
            r.mobile,
            r.relation,
            r.kind,
            bool(r.needy),
            r.moved_in,
            specs[r.building].structure,
            specs[r.building].floors,
        )
        for r in compound.rows
    ]


async def raw_copy(url: str, records: list[tuple[Any, ...]]) -> float:
    """Seconds for COPY of the rows into a plain table (no keys, no indexes)."""
    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        await conn.execute(
            """CREATE TABLE raw_residents (
                building text, entrance text, room text, area_m2 numeric(10, 2), exclusive_area_m2 numeric(10, 2),
                floor int, name text, gender text, id_card text, mobile text, relation text, kind text,
                needy boolean, moved_in date, structure text, building_floors int)"""
        )
        started = time.perf_counter()
        await conn.copy_records_to_table("raw_residents", records=records, columns=list(RAW_COLUMNS))
        elapsed = time.perf_counter() - started
        copied = await conn.fetchval("SELECT count(*) FROM raw_residents")
        assert copied == len(records), (copied, len(records))
        return elapsed
    finally:
        await conn.close()


# --- the import, in a child process ----------------------------------------------------------


def _rss_mb() -> float:
    statm = Path("/proc/self/statm").read_text().split()
    return int(statm[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


async def child(url: str, data_dir: Path, job_id: int, profile: bool) -> dict[str, Any]:
    settings = Settings(database_url=url, data_dir=data_dir, seed_demo=False, log_json=False)
    runtime = ServiceRuntime(ServiceSpec(name="registry", title="bench", routers=[]), settings, None)
    baseline = _rss_mb()
    timings: dict[str, float] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    job = await import_file(runtime, job_id, timings=timings)
    wall = time.perf_counter() - started
    if profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    await runtime.db.dispose()
    return {
        "job_id": job_id,
        "status": job.status,
        "mode": job.mode,
        "total_rows": job.total_rows,
        "written_rows": job.written_rows,
        "unchanged_rows": job.unchanged_rows,
        "bad_rows": job.bad_rows,
        "wall_s": round(wall, 2),
        "read_s": round(timings.get("read_s", 0.0), 2),
        "write_s": round(timings.get("write_s", 0.0), 2),
        "events": int(timings.get("events", 0)),
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu_s": round(time.process_time() - cpu_started, 2),
    }


def run_child(url: str, data_dir: Path, job_id: int, profile: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.registry", "--database-url", url, "--child-job", str(job_id)]
    command += ["--data-dir", str(data_dir)] + (["--profile"] if profile else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"import child failed ({done.returncode}):\n{done.stderr[-4000:]}")
    if profile:
        print(done.stderr, file=sys.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the run ---------------------------------------------------------------------------------


def machine_info(pg: str) -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = int(m.group(1)) if (m := re.search(r"MemTotal:\s+(\d+)", meminfo)) else 0
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = m.group(1).strip() if (m := re.search(r"model name\s*:\s*(.+)", cpuinfo)) else platform.processor()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg,
        "sqlalchemy": version("sqlalchemy"),
        "asyncpg": version("asyncpg"),
        "openpyxl": version("openpyxl"),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = args.database_url
    pg = await recreate_database(url)
    report: dict[str, Any] = {
        "command": " ".join([".venv/bin/python -m bench.registry", *sys.argv[1:]]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(pg),
        "rows": args.rows,
        "seed": args.seed,
        # The machine may be shared: its load average says how much of it this run had.
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    work = Path(tempfile.mkdtemp(prefix="linli-bench-registry-"))
    db = Database(url)
    try:
        await asyncio.to_thread(upgrade_head, "registry", url)
        names = ["基准超大型小区"] + (["基准超大型小区二期"] if args.good_rows else [])
        compound_ids = await skeleton(db, names)

        started = time.perf_counter()
        plans = [plan_street(args.rows // 2, args.seed, compounds=1, residents_limit=args.rows).compounds[0]]
        if args.good_rows:
            second = plan_street(args.rows // 2, args.seed + 1, compounds=1, residents_limit=args.rows)
            plans.append(second.compounds[0])
        report["generate_s"] = round(time.perf_counter() - started, 2)
        files = []
        started = time.perf_counter()
        for index, plan in enumerate(plans):
            path = work / f"residents-{index + 1}.xlsx"
            await asyncio.to_thread(write_residents_xlsx, path, plan)
            files.append(path)
        report["write_xlsx_s"] = round(time.perf_counter() - started, 2)
        report["xlsx_mb"] = round(files[0].stat().st_size / 1024 / 1024, 2)
        report["households"] = plans[0].households
        report["buildings"] = len(plans[0].buildings)
        print(
            f"generated {len(plans[0].rows):,} residents in {plans[0].households:,} households, "
            f"{len(plans[0].buildings)} buildings ({report['generate_s']} s); "
            f".xlsx {report['xlsx_mb']} MB written in {report['write_xlsx_s']} s",
            flush=True,
        )

        runs: dict[str, Any] = {}
        steps = [("all_or_nothing (fresh)", files[0], compound_ids[0], ImportMode.all_or_nothing)]
        steps.append(("re-import, unchanged", files[0], compound_ids[0], ImportMode.all_or_nothing))
        if args.good_rows:
            steps.append(("good_rows (fresh, 2k chunks)", files[1], compound_ids[1], ImportMode.good_rows))
        for name, path, compound_id, mode in steps:
            job_id = await new_job(db, work, path, compound_id, mode)
            before = await counts(db)
            result = await asyncio.to_thread(run_child, url, work, job_id, args.profile and name.startswith("all"))
            after = await counts(db)
            result["new_outbox_rows"] = after["outbox"] - before["outbox"]
            runs[name] = result
            print(
                f"{name:<30} {result['status']:<5} {result['total_rows']:>8,} rows"
                f"  written {result['written_rows']:>7,}"
                f"  unchanged {result['unchanged_rows']:>7,}  {result['wall_s']:>6.1f} s"
                f" (read {result['read_s']:.1f} s, write {result['write_s']:.1f} s)"
                f"  cpu {result['cpu_s']:>5.1f} s  peak {result['peak_rss_mb']:>4.0f} MB"
                f"  +{result['new_outbox_rows']:,} events",
                flush=True,
            )
        report["imports"] = runs
        report["tables"] = await counts(db)

        records = raw_records(plans[0])
        copy_s = await raw_copy(url, records)
        main = runs["all_or_nothing (fresh)"]
        report["raw_copy"] = {"rows": len(records), "seconds": round(copy_s, 3)}
        report["ratio_import_to_copy"] = round(main["wall_s"] / copy_s, 1)
        report["aim"] = {
            "time_s": TIME_AIM_S,
            "memory_mb": MEMORY_AIM_MB,
            "met": main["wall_s"] <= TIME_AIM_S and main["peak_rss_mb"] <= MEMORY_AIM_MB,
        }
        print(
            f"raw COPY of the same {len(records):,} rows: {copy_s:.2f} s; import / COPY = "
            f"{report['ratio_import_to_copy']}x; aim (≤ {TIME_AIM_S:.0f} s, ≤ {MEMORY_AIM_MB:.0f} MB): "
            f"{'met' if report['aim']['met'] else 'NOT met'}",
            flush=True,
        )
        async with db.sessionmaker() as session:
            report["database_mb"] = round(
                int(await session.scalar(text("SELECT pg_database_size(current_database())")) or 0) / 1024 / 1024
            )
        report["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        await db.dispose()
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            await drop_database(url)
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.registry", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="residents in the ledger (default 100,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="a PostgreSQL URL on 127.0.0.1 (recreated)")
    parser.add_argument("--no-good-rows", dest="good_rows", action="store_false", help="skip the good_rows run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true", help="cProfile the first import (to stderr)")
    parser.add_argument("--child-job", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    host = make_url(args.database_url).host
    if host not in LOOPBACK:
        parser.error(f"the bench only talks to this machine (127.0.0.1), not {host}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_job is not None:
        print(json.dumps(asyncio.run(child(args.database_url, args.data_dir, args.child_job, args.profile))))
        return 0
    report = asyncio.run(run(args))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"registry-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"written {out.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
