"""Billing on PostgreSQL: a bill run for 1,000,000 dwellings beside a raw INSERT … SELECT of the
same rows, then payment intake through the gateway.

Everything runs on this machine, against PostgreSQL at 127.0.0.1:5432 (user root, trust auth):

1. bill run: a fresh database (linli_bench_billing) migrated to billing's head; the projection
   rows billing would hold from registry events are generated with SQL (one street, 1,000
   compounds of 10 buildings of 100 dwellings; one building in five high-rise; 5% unsold, 10%
   vacant, 1% sold on 1 July so their year is prorated; street rate cards 0.35 / 1.00 yuan and
   a 0.50 card of its own for every tenth compound). Then, each in a child process so its wall
   time and peak memory (ru_maxrss) are its own:
   a. the bill run for the street's year 2026 (bills.running.start_run, the function behind
      POST /bill-runs, without HTTP): bills, lines, totals, journal entries, one transaction
      per compound as the route runs it;
   b. the same run again (idempotent: issues nothing, answers with the report);
   c. a raw INSERT … SELECT of the same bills (same joins and amounts, no lines, no journal)
      into a plain copy of the table's columns, and again into a copy with bills' indexes and
      constraints (LIKE bills INCLUDING ALL), for the ratios.
2. payment intake: Tansu broker, billing and the gateway as their own processes on a second
   database; 50 compounds × 200 dwellings billed for a month through the gateway, then N
   counter payments (POST /api/v1/billing/payments, each settling one bill) from C concurrent
   clients; payments/s, latency percentiles, and afterwards gapless receipts and balanced
   entries are checked.

It prints a table and writes JSON to bench/results/. See bench/README.md (## bench/billing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.events import drop_database, postgres_version, recreate_database
from bench.harness import Proc, free_port, percentiles, service_env, tansu, wait_http
from services.billing.bills import running
from services.billing.bills.schemas import BillRunCreate
from services.billing.rates.domain import RateScope
from shared.auth import Grant, Principal, Role, TokenCodec
from shared.db import Database
from shared.migrate import upgrade_head
from shared.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
RUN_URL = "postgresql+asyncpg://root@127.0.0.1:5432/linli_bench_billing"
PAY_PREFIX = "linli_bench_billing_pay"
SECRET = "bench-billing-secret-" + "邛崃".encode().hex()
RATIO_AIM = 3.0  # issue 17: ≤ 3× the raw INSERT … SELECT with the same indexes
NOW = datetime(2026, 1, 5, tzinfo=UTC)


# --- generated projections ---------------------------------------------------------------------


def generation_sql(compounds: int, buildings_per: int, dwellings_per: int) -> list[str]:
    """INSERT … SELECT statements that fill billing's projections as registry events would."""
    buildings = compounds * buildings_per
    dwellings = buildings * dwellings_per
    july = (datetime(2026, 7, 1) - datetime(1970, 1, 1)).days
    return [
        "INSERT INTO community_projection VALUES (1, 1, 1)",
        f"""INSERT INTO compound_projection
            SELECT i, '小区' || i, 1, 'resettlement', 'professional', 1, 'bench', now()
            FROM generate_series(1, {compounds}) i""",
        f"""INSERT INTO building_projection
            SELECT i, (i - 1) / {buildings_per} + 1, (i % {buildings_per})::text,
                   CASE WHEN i % 5 = 0 THEN 'high_rise' ELSE 'multi_storey' END, true, 1
            FROM generate_series(1, {buildings}) i""",
        f"""INSERT INTO dwelling_projection
            SELECT i, ((i - 1) / {dwellings_per}) / {buildings_per} + 1, (i - 1) / {dwellings_per} + 1,
                   (i % {dwellings_per})::text, 5000 + (i::bigint * 7919) % 10000, 4500 + (i::bigint * 7919) % 9000,
                   'residential', CASE WHEN i % 20 = 0 THEN 'unsold' ELSE 'sold' END, true, true, 1
            FROM generate_series(1, {dwellings}) i""",
        f"""INSERT INTO household_projection
            SELECT i, i, ((i - 1) / {dwellings_per}) / {buildings_per} + 1, true, 1
            FROM generate_series(1, {dwellings}) i WHERE i % 10 <> 0""",
        f"""INSERT INTO ownership_projection
            SELECT i, i, ((i - 1) / {dwellings_per}) / {buildings_per} + 1, i, 10000,
                   NULL, CASE WHEN i % 100 = 1 THEN {july - 1} END, true, 1
            FROM generate_series(1, {dwellings}) i WHERE i % 20 <> 0""",
        f"""INSERT INTO ownership_projection
            SELECT {dwellings} + i, i, ((i - 1) / {dwellings_per}) / {buildings_per} + 1, {dwellings} + i, 10000,
                   {july}, NULL, true, 1
            FROM generate_series(1, {dwellings}) i WHERE i % 100 = 1""",
        """INSERT INTO rate_cards (scope_kind, scope_id, structure, management_model, rate_units, vacancy_percent,
                                   effective_from, created_at)
           VALUES ('street', 1, 'multi_storey', 'professional', 3500, 70, '2026-01-01', now()),
                  ('street', 1, 'high_rise', 'professional', 10000, 70, '2026-01-01', now())""",
        f"""INSERT INTO rate_cards (scope_kind, scope_id, structure, management_model, rate_units, vacancy_percent,
                                    effective_from, created_at)
            SELECT 'compound', i, 'multi_storey', 'professional', 5000, 100, '2026-01-01', now()
            FROM generate_series(10, {compounds}, 10) i""",
        "ANALYZE",
    ]


async def execute_all(url: str, statements: list[str]) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await db.dispose()


RAW_SQL = """
CREATE TABLE {table} (LIKE bills {including});
INSERT INTO {table} (id, compound_id, building_id, dwelling_id, household_id, kind, period_start, period_end,
                       period_label, bill_run_id, source_id, description, payer_kind, payer_person_id, area_c,
                       rate_units, vacancy_percent, amount_fen, paid_fen, status, due_date, issued_at, version)
SELECT d.dwelling_id, d.compound_id, d.building_id, d.dwelling_id, h.household_id, 'property_fee',
       '2026-01-01', '2026-12-31', '2026', 0, '', '2026 物业费',
       CASE WHEN d.sale_status = 'sold' THEN 'owner' ELSE 'developer' END, o.person_id,
       d.area_c, COALESCE(own.rate_units, st.rate_units),
       CASE WHEN h.household_id IS NULL THEN COALESCE(own.vacancy_percent, st.vacancy_percent) ELSE 100 END,
       (2 * d.area_c::bigint * COALESCE(own.rate_units, st.rate_units) * 12 * 365
          * CASE WHEN h.household_id IS NULL THEN COALESCE(own.vacancy_percent, st.vacancy_percent) ELSE 100 END
          + 1000000 * 365) / (2 * 1000000 * 365),
       0, 'issued', '2026-01-31', now(), 1
FROM dwelling_projection d
JOIN building_projection b ON b.building_id = d.building_id
JOIN compound_projection c ON c.compound_id = d.compound_id
LEFT JOIN household_projection h ON h.dwelling_id = d.dwelling_id
LEFT JOIN ownership_projection o ON o.dwelling_id = d.dwelling_id AND o.until_day IS NULL
LEFT JOIN rate_cards own ON own.scope_kind = 'compound' AND own.scope_id = d.compound_id
     AND own.structure = b.structure AND own.management_model = c.management_model
LEFT JOIN rate_cards st ON st.scope_kind = 'street' AND st.scope_id = 1
     AND st.structure = b.structure AND st.management_model = c.management_model
WHERE d.active;
"""


# --- child processes (their own wall time and peak memory) --------------------------------------


def _child(conn: Connection, kind: str, url: str) -> None:
    async def run() -> dict[str, Any]:
        db = Database(url)
        try:
            start = time.perf_counter()
            if kind == "bill_run":

                @contextlib.asynccontextmanager
                async def transaction() -> AsyncIterator[AsyncSession]:
                    async with db.sessionmaker() as step, step.begin():
                        yield step

                # As the route runs it: one compound per transaction (runtime.transaction).
                async with db.sessionmaker() as session, session.begin():
                    report = await running.start_run(
                        session,
                        Principal(1, (Grant(Role.ops),)),
                        BillRunCreate(scope_kind=RateScope.street, scope_id=1, period="2026"),
                        NOW,
                        transactions=transaction,
                    )
                out = {
                    "issued_now_count": report.issued_now_count,
                    "issued_now_fen": report.issued_now_fen,
                    "issued_count": report.issued_count,
                    "skipped_no_rate": report.skipped_no_rate,
                }
            else:
                # "raw": a plain copy of the columns; "raw_indexed": the same with bills' indexes
                # and constraints, so the ratio shows what the run adds beyond the table's own cost.
                table, including = (
                    ("raw_bills", "INCLUDING DEFAULTS") if kind == "raw" else ("raw_indexed", "INCLUDING ALL")
                )
                async with db.engine.begin() as c:
                    for statement in RAW_SQL.format(table=table, including=including).split(";"):
                        if statement.strip():
                            await c.execute(text(statement))
                    count = (await c.execute(text(f"SELECT count(*), sum(amount_fen) FROM {table}"))).one()
                out = {"rows": int(count[0]), "amount_fen": int(count[1])}
            out["seconds"] = round(time.perf_counter() - start, 3)  # type: ignore[assignment]
            return out
        finally:
            await db.dispose()

    try:
        result = asyncio.run(run())
    except Exception as exc:  # the parent re-raises it: a failed child must not leave it waiting
        conn.send({"error": f"{type(exc).__name__}: {str(exc)[:3000]}"})
        conn.close()
        return
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    conn.send(result)
    conn.close()


def in_child(kind: str, url: str) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, kind, url))
    proc.start()
    result: dict[str, Any] = parent.recv()
    proc.join()
    if "error" in result:
        raise RuntimeError(f"{kind} failed: {result['error']}")
    return result


async def bench_bill_run(dwellings: int) -> dict[str, Any]:
    per_building = 100
    buildings_per = 10
    compounds = max(1, dwellings // (per_building * buildings_per))
    await recreate_database(RUN_URL)
    await asyncio.to_thread(upgrade_head, "billing", RUN_URL)
    start = time.perf_counter()
    await execute_all(RUN_URL, generation_sql(compounds, buildings_per, per_building))
    generated_s = time.perf_counter() - start
    first = in_child("bill_run", RUN_URL)
    again = in_child("bill_run", RUN_URL)
    raw = in_child("raw", RUN_URL)
    raw_indexed = in_child("raw_indexed", RUN_URL)
    db = Database(RUN_URL)
    try:
        async with db.engine.connect() as conn:
            lines = (await conn.execute(text("SELECT count(*) FROM bill_lines"))).scalar_one()
            entries = (await conn.execute(text("SELECT count(*) FROM journal_entries"))).scalar_one()
            unbalanced = (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM (SELECT entry_id FROM journal_lines GROUP BY entry_id "
                        "HAVING sum(debit_fen) <> sum(credit_fen)) x"
                    )
                )
            ).scalar_one()
            doubled = (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM (SELECT dwelling_id FROM bills WHERE source_id = '' "
                        "GROUP BY dwelling_id HAVING count(*) > 1) x"
                    )
                )
            ).scalar_one()
            lines_off = (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM bills b LEFT JOIN (SELECT bill_id, sum(amount_fen) s FROM bill_lines "
                        "GROUP BY bill_id) l ON l.bill_id = b.id WHERE b.amount_fen <> COALESCE(l.s, 0)"
                    )
                )
            ).scalar_one()
            receivable = (
                await conn.execute(
                    text(
                        "SELECT sum(debit_fen) FROM journal_lines l JOIN accounts a ON a.id = l.account_id "
                        "WHERE a.kind = 'fee_receivable'"
                    )
                )
            ).scalar_one()
    finally:
        await db.dispose()
    ratio = first["seconds"] / raw_indexed["seconds"]
    return {
        "dwellings": compounds * buildings_per * per_building,
        "compounds": compounds,
        "generate_projections_s": round(generated_s, 1),
        "bill_run": first,
        "bill_run_again": again,
        "raw_insert_select": raw,
        "raw_insert_select_indexed": raw_indexed,
        "ratio_to_raw": round(first["seconds"] / raw["seconds"], 2),
        "ratio_to_raw_indexed": round(ratio, 2),
        "dwellings_billed_twice": int(doubled),
        "bills_not_equal_to_their_lines": int(lines_off),
        "ratio_aim": RATIO_AIM,
        "ratio_met": ratio <= RATIO_AIM,
        "bill_lines": int(lines),
        "journal_entries": int(entries),
        "unbalanced_entries": int(unbalanced),
        "journal_receivable_equals_bills": int(receivable or 0) == first["issued_now_fen"],
    }


# --- payment intake through the gateway ---------------------------------------------------------


async def bench_payments(payments: int, clients: int) -> dict[str, Any]:
    db_url = f"postgresql+asyncpg://root@127.0.0.1:5432/{PAY_PREFIX}_billing"
    await recreate_database(db_url)
    procs: list[Proc] = []
    try:
        broker, bootstrap = tansu()
        procs.append(broker)
        billing_port, gateway_port = free_port(), free_port()
        tuning = {
            "DATA_DIR": tempfile.mkdtemp(prefix="bench-billing-"),
            # One caller at hundreds of payments a second: lift the gateway's limit.
            "RATE_LIMIT_PER_MINUTE": "100000000",
            "RATE_LIMIT_BURST": "100000000",
            "DB_POOL_SIZE": "10",
        }
        database_url = f"postgresql+asyncpg://root@127.0.0.1:5432/{PAY_PREFIX}_{{service}}"

        def service(name: str, port: int, extra: dict[str, str]) -> Proc:
            env = service_env(port, bootstrap, database_url=database_url, jwt_secret=SECRET, extra=extra)
            procs.append(Proc(name, [sys.executable, "-m", f"services.{name}"], env))
            return procs[-1]

        billing = service("billing", billing_port, tuning)
        gateway = service("gateway", gateway_port, tuning | {"BILLING_URL": f"http://127.0.0.1:{billing_port}"})
        gateway_url = f"http://127.0.0.1:{gateway_port}"
        wait_http(billing, f"http://127.0.0.1:{billing_port}/readyz")
        # The gateway's /readyz wants all four services; only billing runs here.
        wait_http(gateway, f"{gateway_url}/healthz")
        async with httpx.AsyncClient(timeout=60) as http:
            compounds, per = 50, max(1, payments // 50)
            await execute_all(db_url, [*generation_sql(compounds, 1, per)[:-3], "ANALYZE"])
            await execute_all(
                db_url,
                [
                    """INSERT INTO rate_cards (scope_kind, scope_id, structure, management_model, rate_units,
                       vacancy_percent, effective_from, created_at) VALUES
                       ('street', 1, 'multi_storey', 'professional', 3500, 70, '2026-01-01', now()),
                       ('street', 1, 'high_rise', 'professional', 10000, 70, '2026-01-01', now())"""
                ],
            )
            codec = TokenCodec(Settings(jwt_secret=SECRET))
            admin = {"Authorization": f"Bearer {codec.issue(1, [Grant(Role.street_admin)])}"}
            run = await http.post(
                f"{gateway_url}/api/v1/billing/bill-runs",
                json={"scope_kind": "street", "scope_id": 1, "period": "2026-01"},
                headers={**admin, "Idempotency-Key": "bench-run-2026-01"},
            )
            assert run.status_code == 201, run.text
            db = Database(db_url)
            async with db.engine.connect() as conn:
                bills = [
                    (int(d), int(a))
                    for d, a in await conn.execute(text("SELECT dwelling_id, amount_fen FROM bills ORDER BY random()"))
                ]
            await db.dispose()
            queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
            for item in bills[:payments]:
                queue.put_nowait(item)
            latencies: list[float] = []
            errors: dict[int, int] = {}

            async def client() -> None:
                async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=1)) as own:
                    while True:
                        try:
                            dwelling, amount = queue.get_nowait()
                        except asyncio.QueueEmpty:
                            return
                        t0 = time.perf_counter()
                        answer = await own.post(
                            f"{gateway_url}/api/v1/billing/payments",
                            json={"dwelling_id": dwelling, "amount_fen": amount},
                            headers={**admin, "Idempotency-Key": f"bench-pay-{dwelling}"},
                        )
                        latencies.append(time.perf_counter() - t0)
                        if answer.status_code != 201:
                            errors[answer.status_code] = errors.get(answer.status_code, 0) + 1

            start = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(clients)))
            elapsed = time.perf_counter() - start
            db = Database(db_url)
            async with db.engine.connect() as conn:
                gaps = (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM (SELECT compound_id, max(receipt_seq) m, count(*) n FROM payments "
                            "GROUP BY compound_id) x WHERE m <> n"
                        )
                    )
                ).scalar_one()
                unbalanced = (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM (SELECT entry_id FROM journal_lines GROUP BY entry_id "
                            "HAVING sum(debit_fen) <> sum(credit_fen)) x"
                        )
                    )
                ).scalar_one()
                over = (await conn.execute(text("SELECT count(*) FROM bills WHERE paid_fen > amount_fen"))).scalar_one()
            await db.dispose()
            done = len(latencies)
            latency = percentiles(latencies, (0.50, 0.95, 0.99), count=False)
            return {
                "payments": done,
                "clients": clients,
                "compounds": compounds,
                "seconds": round(elapsed, 2),
                "payments_per_s": round(done / elapsed, 1),
                "latency_ms": {key.removesuffix("_ms"): value for key, value in latency.items()},
                "errors": errors,
                "receipt_gaps": int(gaps),
                "unbalanced_entries": int(unbalanced),
                "over_allocated_bills": int(over),
            }
    except BaseException:
        for proc in procs:
            print(proc.tail(), file=sys.stderr)
        raise
    finally:
        for proc in reversed(procs):
            proc.stop()
        await drop_database(db_url)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "note": "2 cores shared with two other helpers' test runs; PostgreSQL on the same machine",
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {
        "bench": "billing",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "postgres": await postgres_version(RUN_URL),
        "command": " ".join([Path(sys.executable).name, "-m", "bench.billing", *sys.argv[1:]]),
        "load_average_at_start": os.getloadavg(),
    }
    if not args.skip_run:
        result["bill_run"] = await bench_bill_run(args.dwellings)
        if not args.keep:
            await drop_database(RUN_URL)
    if not args.skip_payments:
        result["payment_intake"] = await bench_payments(args.payments, args.clients)
    result["load_average_at_end"] = os.getloadavg()
    return result


def report(result: dict[str, Any]) -> None:
    run = result.get("bill_run")
    if run:
        first, again, raw = run["bill_run"], run["bill_run_again"], run["raw_insert_select"]
        print(f"bill run, {run['dwellings']:,} dwellings ({run['compounds']} compounds, one street, year 2026):")
        print(
            f"  bill run            {first['seconds']:>8.1f} s  peak {first['peak_rss_mb']:>6.1f} MB"
            f"  issued {first['issued_now_count']:,} bills, {run['bill_lines']:,} lines"
        )
        print(f"  same run again      {again['seconds']:>8.1f} s  issued {again['issued_now_count']}")
        print(f"  raw INSERT … SELECT {raw['seconds']:>8.1f} s  peak {raw['peak_rss_mb']:>6.1f} MB  (plain table)")
        indexed = run["raw_insert_select_indexed"]
        print(f"  raw, bills' indexes {indexed['seconds']:>8.1f} s  ratio {run['ratio_to_raw_indexed']}×")
        met = "met" if run["ratio_met"] else "NOT met"
        print(
            f"  ratio to the indexed raw {run['ratio_to_raw_indexed']}× (aim ≤ {RATIO_AIM}×: {met}), plain"
            f" {run['ratio_to_raw']}×; unbalanced {run['unbalanced_entries']}; billed twice"
            f" {run['dwellings_billed_twice']}; bills ≠ their lines {run['bills_not_equal_to_their_lines']}"
        )
    pay = result.get("payment_intake")
    if pay:
        lat = pay["latency_ms"]
        print(f"payment intake through the gateway: {pay['payments']:,} payments, {pay['clients']} clients")
        print(
            f"  {pay['payments_per_s']} payments/s; p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms;"
            f" errors {pay['errors']}; receipt gaps {pay['receipt_gaps']}; over-allocated {pay['over_allocated_bills']}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dwellings", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=3_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--skip-run", action="store_true")
    parser.add_argument("--skip-payments", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bill-run database for inspection")
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments))
    report(outcome)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"billing-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(outcome, ensure_ascii=False, indent=2) + "\n")
    print(f"written {path}")
