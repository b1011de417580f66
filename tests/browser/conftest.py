"""A real browser for the web app's stories: Debian's Chromium (/usr/bin/chromium) driven by the
Python `playwright` package (its own browser downloads are never used), on `linli run` started
as a process with the demo street. The fixtures are here; what the stories share (logging in,
waiting, checking a screen) is in desk.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.desk import AXE, CHROMIUM, CHROMIUM_ARGS, DIST
from tests.e2e.conftest import Embedded, free_port
from tests.helpers import unavailable


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
