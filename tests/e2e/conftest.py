"""What every embedded-mode test needs: `linli run` as a child process on a free port with its
own data folder, stopped (or killed) at the end."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.settings import SERVICES
from tests import zygote
from tests.helpers import LOCAL
from tests.zygote import ROOT, Forked


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Embedded:
    """`linli run` in `data_dir`. With `template` (the session's `migrated` folder), the first
    start finds its four databases already at head, as after an earlier run, and skips the
    Alembic upgrade from nothing (a quarter of a start; the newcomer's story keeps that)."""

    def __init__(self, data_dir: Path, port: int, template: Path | None = None) -> None:
        self.data_dir = data_dir
        self.template = template
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.proc: Forked | subprocess.Popen[bytes] | None = None
        # Forked from the zygote (tests/zygote.py), or executed as a newcomer's shell would.
        self.forked = True
        self.log = data_dir / "linli.log"

    def start(self, **extra_env: str) -> None:
        if self.template is not None:
            for service in SERVICES:
                if not (self.data_dir / f"{service}.db").exists():
                    shutil.copyfile(self.template / f"{service}.db", self.data_dir / f"{service}.db")
        env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"} | {
            "DATA_DIR": str(self.data_dir),
            "PORT": str(self.port),
            "LOG_JSON": "true",
            # Commits that write events wake the relay; its poll is the fallback, and at 100 ms it
            # doubled an idle platform's CPU (0.15 against 0.075 CPU seconds a second).
            "RELAY_POLL_INTERVAL_MS": "1000",
            # The stories count the demo street's own records; the dashboard's story asks for
            # the year of history (DEMO_SIZE=1) itself.
            "DEMO_SIZE": "0",
            **extra_env,
        }
        env.pop("LINLI_FAILPOINTS", None) if "LINLI_FAILPOINTS" not in extra_env else None
        self.proc = zygote.start([sys.executable, "-m", "linli.cli", "run"], env, ROOT, self.log, self.forked)

    # As generous as the integration suite's READY_TIMEOUT: on a loaded machine (two pytest workers
    # beside other work) importing every service, migrating and seeding the demo street can take
    # over a minute; how long it takes is bench/'s business, not a test's.
    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"linli run exited {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if LOCAL.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)


@pytest.fixture
def embedded(tmp_path: Path, migrated: Path) -> Iterator[Embedded]:
    node = Embedded(tmp_path, free_port(), template=migrated)
    yield node
    if node.proc is not None and node.proc.poll() is None:
        node.proc.kill()
        node.proc.wait()
