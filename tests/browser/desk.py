"""What the console's browser stories share (not a test module): logging in through the API,
waiting for events to cross services, and checking a desk screen with axe-core before saving it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page

from tests.browser.conftest import AXE, SCREENSHOTS

DESK = {"width": 1440, "height": 900}
PASSWORD = "linli-demo"
# Four services answer each screen on a busy machine; only a broken platform takes a minute.
SLOW = httpx.Client(timeout=60)


def login(base: str, mobile: str) -> dict[str, str]:
    answer = SLOW.post(f"{base}/api/v1/registry/auth/token", json={"mobile": mobile, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def until(probe: Callable[[], Any], what: str, within_s: float = 60) -> Any:
    """Events travel between services: poll (briefly) until the probe answers something truthy."""
    deadline = time.monotonic() + within_s
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {within_s}s: {what}")
        time.sleep(0.2)


def check_screen(page: Page, name: str) -> None:
    """axe-core on the screen as it is (serious and critical violations fail), then a screenshot."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))"""
    )
    assert violations == [], f"{name}: {violations}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
