"""A real browser for the web app's stories: Debian's Chromium (/usr/bin/chromium) driven by the
Python `playwright` package (its own browser downloads are never used), on `linli run` started
as a process with the demo street. The fixtures are here; what the stories share (logging in,
waiting, checking a screen) is in desk.py."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.desk import AXE, CHROMIUM, CHROMIUM_ARGS, DIST
from tests.browser.lighthouse import LIGHTHOUSE
from tests.e2e.conftest import Embedded, free_port
from tests.helpers import LOCAL, unavailable, until


@pytest.fixture(autouse=True)
def _web_app(web_built: None) -> None:
    """Every story needs the built app (and axe-core and Lighthouse from web/node_modules)."""


@pytest.fixture
def platform_process(tmp_path: Path, migrated: Path) -> Iterator[Embedded]:
    if not DIST.is_file() or not AXE.is_file():
        pytest.fail("web/dist or web/node_modules is missing: run `make web` first (make test does)")
    node = Embedded(tmp_path, free_port(), template=migrated)
    node.start()
    # Start-up runs every service's migrations; a machine shared with other builds may take minutes.
    node.wait_ready(timeout=240)
    yield node
    node.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        unavailable("needs Debian's Chromium: apt-get install chromium fonts-noto-cjk (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _listening(chromium: subprocess.Popen[bytes], port: int) -> bool:
    assert chromium.poll() is None, f"Chromium exited with {chromium.returncode} before it listened"
    try:
        return LOCAL.get(f"http://127.0.0.1:{port}/json/version", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def debug_chromium(tmp_path: Path) -> Any:
    if not CHROMIUM.exists():
        unavailable("needs Debian's Chromium: apt-get install chromium fonts-noto-cjk")
    if not LIGHTHOUSE.is_file():
        pytest.fail("web/node_modules/lighthouse is missing: run `make web` first (make test does)")
    port = free_port()
    args = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    args += [f"--remote-debugging-port={port}", f"--user-data-dir={tmp_path / 'profile'}", "about:blank"]
    chromium = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Its DevTools port opens a moment after the process starts, later on a busy machine:
        # connecting at once was refused once in a full run (3 December 2026).
        until(lambda: _listening(chromium, port), "Chromium's DevTools port opens")
        yield port
    finally:
        chromium.terminate()
        chromium.wait(30)
