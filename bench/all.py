"""`make bench`: every bench in a quick profile, one after the other, and one table of figures and
ratios with the aims beside them (issue 17).

Each bench runs as its own process, exactly as its README shows (so a figure here can be
reproduced alone), with smaller sizes: the quick profile finishes in under ten minutes on the
2-core machine. Each writes its own JSON under bench/results/ as usual; this runner reads the
new files and prints the table, then writes it with the command and the machine's load to
bench/results/all-<time>.md. Only ratios measured in one run mean anything on shared machines:
the table gives both sides of each.

    .venv/bin/python -m bench.all            # quick profile (make bench)
    .venv/bin/python -m bench.all --only events dispatch
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Row:
    bench: str
    figure: str
    value: str
    aim: str = ""
    met: bool | None = None


def dig(data: Any, *path: str | int) -> Any:
    """data[path[0]][path[1]]…, or None where a step is missing (a bench that stopped early)."""
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def num(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}{unit}"
    return str(value)


def ratio(a: Any, b: Any) -> float | None:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or b == 0:
        return None
    return a / b


def check(value: float | None, at_most: float | None = None, at_least: float | None = None) -> bool | None:
    if value is None:
        return None
    if at_most is not None and value > at_most:
        return False
    return not (at_least is not None and value < at_least)


# --- what each bench gives ---------------------------------------------------------------------


def events_rows(d: dict[str, Any]) -> list[Row]:
    raw = dig(d, "raw", "end_to_end", "per_second")
    ours = dig(d, "pipeline", "throughput", "per_second")
    share = ratio(ours, raw)
    paced = next((run for run in dig(d, "pipeline", "latency") or [] if run.get("rate_asked") == 1000), None)
    p99 = dig(paced, "from_event_time", "p99_ms")
    return [
        Row("events", "raw aiokafka end to end (events/s)", num(raw, digits=0)),
        Row(
            "events",
            "outbox → Kafka → projection + inbox (events/s)",
            num(ours, digits=0),
            "≥ 5,000",
            check(ours, at_least=5000),
        ),
        Row("events", "Linli / raw", num(share, digits=3), "≥ 0.30", check(share, at_least=0.30)),
        Row(
            "events",
            "consumer CPU per applied event (µs; 1e6 / it = events/s per core)",
            num(dig(d, "pipeline", "throughput", "consumer", "cpu_us_per_event")),
        ),
        Row("events", "p99 at 1,000 events/s offered (ms)", num(p99), "< 250", check(p99, at_most=250)),
        Row("events", "offered rate achieved (events/s)", num(dig(paced, "achieved_per_second"), digits=0), "1,000"),
    ]


def dispatch_rows(d: dict[str, Any]) -> list[Row]:
    share = d.get("intake_vs_bare")
    cpu = dig(d, "intake_through_gateway", "cpu_ms_per_request", "gateway")
    push = next((run for run in d.get("push_latency") or [] if run.get("rate_asked") == 50), None)
    p99 = dig(push, "post_to_stream", "p99_ms")
    return [
        Row("dispatch", "intake through the gateway (orders/s)", num(dig(d, "intake_through_gateway", "per_second"))),
        Row("dispatch", "bare one-row insert (requests/s)", num(dig(d, "bare_insert", "per_second"))),
        Row("dispatch", "intake / bare insert", num(share, digits=3), "≥ 0.60", check(share, at_least=0.60)),
        Row("dispatch", "gateway CPU per proxied request (ms)", num(cpu, digits=2), "≤ 1.5", check(cpu, at_most=1.5)),
        Row("dispatch", "POST → SSE p99 at 50 orders/s (ms)", num(p99), "< 250", check(p99, at_most=250)),
    ]


def deliberation_rows(d: dict[str, Any]) -> list[Row]:
    tally = dig(d, "tally", "service_tally_median_ms")
    raw = dig(d, "tally", "raw_sql_group_by_median_ms")
    times = ratio(tally, raw)
    return [
        Row("deliberation", f"tally of {num(d.get('dwellings'), digits=0)} dwellings (ms)", num(tally)),
        Row("deliberation", "raw GROUP BY of the same ballots (ms)", num(raw)),
        Row("deliberation", "tally / raw aggregate", num(times, "×", 2), "≤ 3×", check(times, at_most=3)),
        Row("deliberation", "ballots cast (per s)", num(dig(d, "intake", "ballots_per_s"))),
        Row("deliberation", "none lost, none doubled", num(dig(d, "checks", "none_lost_none_doubled"))),
    ]


def billing_rows(d: dict[str, Any]) -> list[Row]:
    run = dig(d, "bill_run", "bill_run", "seconds")
    raw = dig(d, "bill_run", "raw_insert_select_indexed", "seconds")
    times = ratio(run, raw)
    return [
        Row(
            "billing", f"bill run of {num(dig(d, 'bill_run', 'dwellings'), digits=0)} dwellings (s)", num(run, digits=2)
        ),
        Row("billing", "raw INSERT … SELECT, same indexes (s)", num(raw, digits=2)),
        Row("billing", "bill run / raw", num(times, "×", 2), "≤ 3×", check(times, at_most=3)),
        Row("billing", "journal balanced", num(dig(d, "bill_run", "journal_receivable_equals_bills"))),
    ]


def registry_rows(d: dict[str, Any]) -> list[Row]:
    first = next(iter((d.get("imports") or {}).values()), None)
    wall, rss = dig(first, "wall_s"), dig(first, "peak_rss_mb")
    return [
        Row("registry", f"ledger import of {num(d.get('rows'), digits=0)} residents (s)", num(wall)),
        Row("registry", "import / raw COPY", num(d.get("ratio_import_to_copy"), "×")),
        Row("registry", "peak RSS of the import (MB)", num(rss), "≤ 500", check(rss, at_most=500)),
    ]


def notifications_rows(d: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "notifications",
            f"{num(d.get('owners'), digits=0)} owners: event → last inbox row (ms)",
            num(d.get("event_to_last_inbox_row_ms")),
        ),
        Row("notifications", "event → last e-mail handed to SMTP (ms)", num(d.get("event_to_last_channel_handoff_ms"))),
    ]


def projections_rows(d: dict[str, Any]) -> list[Row]:
    rows = d.get("rows")
    worst = d.get("all_visible_s")
    full = rows == 100_000  # the aim is for the 100,000-resident import; smaller runs show the trend
    return [
        Row(
            "projections",
            f"ledger import of {num(rows, digits=0)} residents: events",
            num(dig(d, "import", "events"), digits=0),
        ),
        *(
            Row("projections", f"commit → all visible in {service} (s)", num(seconds))
            for service, seconds in (d.get("seconds_after_commit") or {}).items()
        ),
        Row(
            "projections",
            "commit → visible in all three (s)",
            num(worst),
            "≤ 60 (100,000 residents)",
            check(worst, at_most=60) if full else None,
        ),
    ]


@dataclass(frozen=True)
class Bench:
    name: str
    args: tuple[str, ...]
    rows: Callable[[dict[str, Any]], list[Row]]


QUICK: tuple[Bench, ...] = (
    Bench(
        "events",
        ("--events", "20000", "--latency-seconds", "5", "--light-rate", "0", "--drain-seconds", "15"),
        events_rows,
    ),
    Bench("dispatch", ("--seconds", "5", "--push-seconds", "5", "--rate", "50"), dispatch_rows),
    Bench("deliberation", ("--dwellings", "4000", "--per-building", "100", "--repeat", "3"), deliberation_rows),
    Bench("billing", ("--dwellings", "100000", "--payments", "300"), billing_rows),
    Bench("registry", ("--rows", "10000", "--no-good-rows"), registry_rows),
    Bench("projections", ("--rows", "10000"), projections_rows),
    Bench("notifications", ("--owners", "312"), notifications_rows),
)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(bench: Bench) -> tuple[list[Row], float]:
    before = set(RESULTS.glob(f"{bench.name}-*.json"))
    command = [sys.executable, "-m", f"bench.{bench.name}", *bench.args]
    print(f"\n$ {' '.join(['.venv/bin/python', *command[1:]])}   (load {load()})", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, check=False)
    seconds = time.monotonic() - started
    new = sorted(set(RESULTS.glob(f"{bench.name}-*.json")) - before, key=lambda p: p.stat().st_mtime)
    if done.returncode != 0 or not new:
        return [Row(bench.name, "bench failed", f"exit {done.returncode}", met=False)], seconds
    return bench.rows(json.loads(new[-1].read_text(encoding="utf-8"))), seconds


def table(rows: list[Row]) -> str:
    lines = ["| bench | figure | value | aim | met |", "|---|---|---|---|---|"]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.bench} | {r.figure} | {r.value} | {r.aim} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", choices=[b.name for b in QUICK], help="run these benches only")
    args = parser.parse_args(argv)
    chosen = [b for b in QUICK if not args.only or b.name in args.only]
    started_at, load_before = datetime.now(UTC), load()
    rows: list[Row] = []
    for bench in chosen:
        found, seconds = run(bench)
        rows += [*found, Row(bench.name, "wall time of the quick run (s)", num(seconds, digits=0))]
    text = "\n".join(
        [
            f"# make bench, {started_at:%Y-%m-%d %H:%M} UTC",
            "",
            f"Command: `.venv/bin/python -m bench.all {' '.join(argv or sys.argv[1:])}`".rstrip(),
            f"Machine: {os.cpu_count()} CPUs; load average before {load_before}, after {load()}.",
            "",
            table(rows),
            "",
        ]
    )
    print("\n" + text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"all-{started_at:%Y%m%dT%H%M%SZ}.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
