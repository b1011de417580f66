"""Consumers: typed handlers, applied once each (inbox), retried with back-off, then parked
on `<topic>.dlq` with the error; the replay command re-delivers parked events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from shared.db import Database
from shared.events.envelope import CloudEvent, EventData, Message, dlq_of
from shared.events.inbox import already_applied, claim, claim_one
from shared.events.transport import Transport
from shared.failpoints import fail_point
from shared.observability import Metrics, event_id_var, request_id_var
from shared.tracing import Span, Tracer, open_span, trace_var

log = logging.getLogger("linli.consumer")

# How long an idle consumer's fetch waits before it asks again. Records do not wait for it: a
# Kafka fetch returns as soon as they arrive, and an append in the embedded log wakes the
# process's readers. The re-read is for appends by another process (`linli replay`), seen
# within this; at 500 ms, four idle embedded consumers read the log eight times a second.
IDLE_FETCH_MS = 2_000


def event_span(tracer: Tracer | None, event: CloudEvent) -> Span:
    """The span of applying `event`: a child of the span that emitted it."""
    return open_span(tracer, f"apply {event.type}", event.extensions.get("traceparent"), server=False)


def end_event_span(span: Span, event: CloudEvent, service: str, *, failed: bool) -> None:
    attributes = {
        "messaging.consumer.group.name": service,
        "cloudevents.event_id": event.id,
        "cloudevents.event_type": event.type,
        "cloudevents.event_source": event.source,
    }
    span.end(f"apply {event.type}", attributes, failed=failed)


@contextmanager
def applying(event: CloudEvent, tracer: Tracer | None = None, service: str = "") -> Iterator[None]:
    """While a handler applies `event`, log lines (and the events it emits) name the event, the
    request that caused it and a span of that request's trace."""
    span = event_span(tracer, event)
    tokens = (
        event_id_var.set(event.id),
        request_id_var.set(event.extensions.get("requestid")),
        trace_var.set(span.context),
    )
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        trace_var.reset(tokens[2])
        request_id_var.reset(tokens[1])
        event_id_var.reset(tokens[0])
        end_event_span(span, event, service, failed=failed)


Handler = Callable[[Any, CloudEvent, Any], Awaitable[None]]
"""async def handler(session: AsyncSession, event: CloudEvent, data: <the contract>) -> None"""

BatchHandler = Callable[[Any, list[tuple[CloudEvent, Any]]], Awaitable[None]]
"""async def handler(session, [(event, data), …]) -> None: a run of consecutive events of one
type, in order, applied set-based (one query for many rows instead of one per event)."""

# Extension attributes a parked record carries (CloudEvents names: lower-case letters only).
DLQ_ERROR = "ce_linlierror"
DLQ_CONSUMER = "ce_linliconsumer"
DLQ_ATTEMPTS = "ce_linliattempts"
DLQ_TOPIC = "ce_linlitopic"


@dataclass(frozen=True)
class Registration:
    contract: type[EventData]
    handler: Handler
    batch_handler: BatchHandler | None = None


class EventHandlers:
    """The event types one service consumes and what it does with each."""

    def __init__(self) -> None:
        self._by_type: dict[str, Registration] = {}

    def on(self, contract: type[EventData]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._by_type[contract.event_type] = Registration(contract, handler)
            return handler

        return register

    def on_batch(self, contract: type[EventData]) -> Callable[[BatchHandler], BatchHandler]:
        """Register a set-based handler; a single event is a run of one."""

        def register(batch_handler: BatchHandler) -> BatchHandler:
            async def one(session: Any, event: CloudEvent, data: Any) -> None:
                await batch_handler(session, [(event, data)])

            self._by_type[contract.event_type] = Registration(contract, one, batch_handler)
            return batch_handler

        return register

    def get(self, event_type: str) -> Registration | None:
        return self._by_type.get(event_type)

    def topics(self) -> list[str]:
        return sorted({r.contract.topic() for r in self._by_type.values()})


class ConsumerRunner:
    """One service's consumer-group member: fetch, apply each record once, commit."""

    def __init__(
        self,
        service: str,
        db: Database,
        transport: Transport,
        handlers: EventHandlers,
        metrics: Metrics,
        *,
        max_attempts: int = 5,
        backoff_base_ms: int = 100,
        backoff_max_ms: int = 5_000,
        batch_size: int = 500,
        tracer: Tracer | None = None,
    ) -> None:
        self.service = service
        self.tracer = tracer
        self.db = db
        self.transport = transport
        self.handlers = handlers
        self.metrics = metrics
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base_ms / 1000
        self.backoff_max = backoff_max_ms / 1000
        self.batch_size = batch_size
        self._stopping = asyncio.Event()
        self.subscription = transport.subscribe(service, handlers.topics())
        self.started = asyncio.Event()
        # Set by replay_dead_letters while it runs: records to park again when it is done.
        self._deferred_parking: list[tuple[Message, str, int]] | None = None

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stop(); the batch in hand is finished and committed first."""
        await self.subscription.start()
        self.started.set()
        try:
            while not self._stopping.is_set():
                records = await self._fetch_unless_stopped()
                await self.handle_batch(records)
                await self.subscription.commit(records)
                for topic, lag in (await self.subscription.lag_by_topic()).items():
                    self.metrics.consumer_lag.labels(topic, self.service).set(lag)
        finally:
            await self.subscription.stop()

    async def _fetch_unless_stopped(self) -> list[Message]:
        """The next batch, or none once stop() is called: a stop (every test's teardown, every
        rolling restart) need not wait out an idle fetch. A batch that arrived with the stop is
        still handled and committed."""
        fetch = asyncio.ensure_future(self.subscription.fetch(self.batch_size, timeout_ms=IDLE_FETCH_MS))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait((fetch, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if fetch.done():
            return fetch.result()
        fetch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await fetch
        return []

    async def handle_batch(self, records: Sequence[Message]) -> None:
        """Apply a fetched batch in one transaction (one inbox insert for all of it); if any
        record fails, roll the batch back and apply its records one by one, so the good ones
        land and only the bad one is retried and parked. Order within a partition is kept."""
        if len(records) <= 1:
            for record in records:
                await self.handle(record)
            return
        batch: list[tuple[CloudEvent, Registration, EventData]] = []
        ignored: Counter[str] = Counter()
        for record in records:
            declared = record.header("ce_type")
            if declared is not None and self.handlers.get(declared) is None:
                ignored[declared] += 1  # a type this service does not keep: not even parsed
                continue
            try:
                event = CloudEvent.from_message(record)
                registration = self.handlers.get(event.type)
                if registration is None:
                    self.metrics.consumed.labels(event.type, "ignored").inc()
                    continue
                batch.append((event, registration, registration.contract.model_validate(event.data)))
            except (ValueError, UnicodeDecodeError):
                break  # unreadable or malformed: the one-by-one path parks it with its reason
        else:
            for event_type, n in ignored.items():
                self.metrics.consumed.labels(event_type, "ignored").inc(n)
            if not batch:
                return
            try:
                outcomes = await self._apply_together(batch)
            except Exception as exc:
                log.info("batch of %d rolled back (%s); applying one by one", len(batch), type(exc).__name__)
            else:
                self._count_batch([event for event, _, _ in batch], outcomes)
                return
        for record in records:
            await self.handle(record)

    async def _apply_together(self, batch: list[tuple[CloudEvent, Registration, EventData]]) -> list[str]:
        async with self.db.sessionmaker() as session, session.begin():
            # One statement claims the whole batch in the inbox; only what it returns is new.
            new = await claim(session, self.service, [(event.id, event.type) for event, _, _ in batch])
            outcomes: list[str] = []
            run: list[tuple[CloudEvent, Any]] = []
            run_handler: BatchHandler | None = None

            async def flush_run() -> None:
                if run and run_handler is not None:
                    # One span per event (each continues its own trace), all covering the run.
                    spans = [event_span(self.tracer, event) for event, _ in run]
                    failed = True
                    try:
                        await run_handler(session, list(run))
                        failed = False
                    finally:
                        for (event, _), span in zip(run, spans, strict=True):
                            end_event_span(span, event, self.service, failed=failed)
                run.clear()

            for event, registration, data in batch:
                if event.id not in new:
                    outcomes.append("duplicate")
                    continue
                new.discard(event.id)  # the same event twice in one batch is applied once
                fail_point(f"consumer.{self.service}.handler")
                if registration.batch_handler is not None:
                    # Consecutive events for the same set-based handler (created and updated
                    # alike) form one run; anything else in between closes it, keeping order.
                    if registration.batch_handler is not run_handler:
                        await flush_run()
                        run_handler = registration.batch_handler
                    run.append((event, data))
                else:
                    await flush_run()
                    run_handler = None
                    with applying(event, self.tracer, self.service):
                        await registration.handler(session, event, data)
                outcomes.append("applied")
            await flush_run()
        return outcomes

    async def handle(self, message: Message) -> str:
        """Apply one record; returns the outcome (applied, duplicate, ignored, parked)."""
        try:
            event = CloudEvent.from_message(message)
        except (ValueError, UnicodeDecodeError) as exc:
            await self.park(message, f"unreadable record: {exc}", attempts=0)
            return "parked"
        with applying(event, self.tracer, self.service):
            outcome = await self._apply(message, event)
        self._count(event, outcome)
        return outcome

    def _count_batch(self, events: list[CloudEvent], outcomes: list[str]) -> None:
        """The metrics of a batch: one counter step per (type, outcome), each applied event's age."""
        counts: Counter[tuple[str, str]] = Counter()
        now = datetime.now(UTC)
        for event, outcome in zip(events, outcomes, strict=True):
            counts[event.type, outcome] += 1
            if outcome == "applied":
                self.metrics.event_age.labels(event.type).observe(max(0.0, (now - event.time).total_seconds()))
        for (event_type, outcome), n in counts.items():
            self.metrics.consumed.labels(event_type, outcome).inc(n)

    def _count(self, event: CloudEvent, outcome: str) -> None:
        self.metrics.consumed.labels(event.type, outcome).inc()
        if outcome == "applied":
            # Wall clock on both sides: an event's time is stamped by the producer's wall clock.
            age = (datetime.now(UTC) - event.time).total_seconds()
            self.metrics.event_age.labels(event.type).observe(max(0.0, age))

    async def _apply(self, message: Message, event: CloudEvent) -> str:
        registration = self.handlers.get(event.type)
        if registration is None:
            return "ignored"  # a type this service does not need (or does not know yet)
        try:
            data = registration.contract.model_validate(event.data)
        except ValidationError as exc:
            await self.park(message, f"data does not match {event.type}: {exc}", attempts=0)
            return "parked"
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.db.sessionmaker() as session, session.begin():
                    # The inbox row first (one statement): nothing back means applied already.
                    if not await claim_one(session, self.service, event.id, event.type):
                        return "duplicate"
                    # LINLI_FAILPOINTS=consumer.<service>.handler: a handler that always fails.
                    fail_point(f"consumer.{self.service}.handler")
                    await registration.handler(session, event, data)
                return "applied"
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if await self._applied_meanwhile(event.id):
                    return "duplicate"  # a replica applied it concurrently; its inbox row won
                log.warning("handler for %s failed (attempt %d/%d): %s", event.type, attempt, self.max_attempts, error)
                if attempt < self.max_attempts:
                    await asyncio.sleep(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))
        await self.park(message, error, attempts=self.max_attempts)
        return "parked"

    async def _applied_meanwhile(self, event_id: str) -> bool:
        try:
            async with self.db.sessionmaker() as session:
                return await already_applied(session, self.service, event_id)
        except Exception:
            return False

    async def park(self, message: Message, error: str, attempts: int, *, defer: bool = True) -> None:
        """Put the record on its topic's dead-letter topic with the error and this consumer
        (during a replay, once the replay is done)."""
        if defer and self._deferred_parking is not None:
            self._deferred_parking.append((message, error, attempts))
            return
        source_topic = message.header(DLQ_TOPIC) or message.topic
        extra = {
            DLQ_ERROR: error[:2000],
            DLQ_CONSUMER: self.service,
            DLQ_ATTEMPTS: str(attempts),
            DLQ_TOPIC: source_topic,
        }
        headers = tuple((k, v) for k, v in message.headers if k not in extra)
        headers += tuple((k, v.encode()) for k, v in extra.items())
        dlq_topic = dlq_of(source_topic)
        parked = Message(topic=dlq_topic, key=message.key, value=message.value, headers=headers)
        failures = 0
        while True:
            try:
                await self.transport.publish([parked])
                break
            except Exception as exc:
                # The broker is unreachable: hold this partition (nothing is committed past the
                # record) rather than let the consumer task die; stop() ends the wait.
                failures += 1
                if self._stopping.is_set():
                    raise
                delay = min(self.backoff_max, self.backoff_base * 2 ** min(failures, 10))
                log.warning("could not park on %s (attempt %d), retrying in %.1fs: %s", dlq_topic, failures, delay, exc)
                await asyncio.sleep(delay)
        self.metrics.dlq.labels(dlq_topic).inc()
        log.error("parked event on %s after %d attempts: %s", dlq_topic, attempts, error)


class ReplayStalled(RuntimeError):
    """Parked records remain unread and the broker has not handed any over for a long while."""

    def __init__(self, topics: Sequence[str], waited_s: float) -> None:
        where = ", ".join(topics)
        super().__init__(
            f"回放中止：{where} 上仍有未读的记录，{waited_s:.0f} 秒内一条也未收到 "
            f"(replay stopped: records remain on {where} but none arrived in {waited_s:.0f}s)"
        )


async def replay_dead_letters(
    runner: ConsumerRunner, transport: Transport, idle_timeout_ms: int = 3_000, join_timeout_s: float = 60.0
) -> dict[str, int]:
    """Re-deliver this service's parked records to its handlers, once each; records parked by
    other services are passed over. Returns counts by outcome, once everything parked has
    been read and nothing more arrived for `idle_timeout_ms`. A record that fails again is
    parked again, so replay can be repeated after the next fix."""
    topics = [dlq_of(t) for t in runner.handlers.topics()]
    await transport.ensure_topics(topics)
    subscription = transport.subscribe(f"{runner.service}.dlq-replay", topics)
    await subscription.start()
    counts: dict[str, int] = {}
    # What fails again is parked again only when the run is over: parked at once, it would be
    # read back by this same run, failed again and re-parked, for ever.
    runner._deferred_parking = []
    uncommitted: list[Message] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + join_timeout_s
        records: list[Message] = []
        while not records and not subscription.assignment() and loop.time() < deadline:
            # Joining a group takes a few seconds; what arrives with the assignment is kept.
            records = await subscription.fetch(runner.batch_size, timeout_ms=200)
        last_read = loop.time()
        while True:
            if not records:
                records = await subscription.fetch(runner.batch_size, timeout_ms=idle_timeout_ms)
                if not records:
                    # Idle, and done once nothing parked is left unread. A fetch can also come
                    # back empty with records still waiting (a group still settling, a busy
                    # broker): stopping then replayed nothing and said so (a CI run, 3 Dec 2026).
                    if await subscription.at_end():
                        break
                    if loop.time() - last_read > join_timeout_s:
                        raise ReplayStalled(topics, join_timeout_s)
                    continue
            last_read = loop.time()
            for record in records:
                if record.header(DLQ_CONSUMER) != runner.service:
                    continue
                outcome = await runner.handle(_as_original(record))
                counts[outcome] = counts.get(outcome, 0) + 1
            uncommitted.extend(records)
            records = []
            if not runner._deferred_parking:
                await subscription.commit(uncommitted)
                uncommitted = []
        # Commit past a failed record only once it sits on the dead-letter topic again.
        for message, error, attempts in runner._deferred_parking:
            await runner.park(message, error, attempts, defer=False)
        await subscription.commit(uncommitted)
    finally:
        runner._deferred_parking = None
        await subscription.stop()
    return counts


def _as_original(record: Message) -> Message:
    """The parked record as it first arrived (same event id, so the inbox still guards it)."""
    topic = record.header(DLQ_TOPIC) or record.topic.removesuffix(".dlq")
    drop = {DLQ_ERROR, DLQ_CONSUMER, DLQ_ATTEMPTS}
    return Message(
        topic=topic,
        key=record.key,
        value=record.value,
        headers=tuple(h for h in record.headers if h[0] not in drop),
        partition=record.partition,
        offset=record.offset,
    )


def topics_to_create(service: str, handlers: EventHandlers) -> Sequence[str]:
    """The topics a service writes or reads, created at start-up rather than auto-created."""
    own = f"{service}.events"
    consumed = handlers.topics()
    return sorted({own, dlq_of(own), *consumed, *(dlq_of(t) for t in consumed)})
