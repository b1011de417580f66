"""The platforms the fuzz module sweeps: `linli run` with the demo street, its rate limit lifted
(the limit is the gateway's job, tested on its own), one per caller so that one person's sweep
never meets another's edits; and the requests, generated once and sent as each of them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Embedded, free_port
from tests.fuzz.sweep import Generated, generate, report, send
from tests.helpers import LOCAL

DEMO_PASSWORD = "linli-demo"
# Per operation and generation mode (valid, invalid); LINLI_FUZZ_EXAMPLES runs a deeper sweep.
EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", "2"))
SEED = 20261202


def demo_platform(folder: Path, migrated: Path) -> Iterator[Embedded]:
    node = Embedded(folder, free_port(), template=migrated)
    node.start(RATE_LIMIT_PER_MINUTE="100000000", RATE_LIMIT_BURST="100000000", LINLI_DEMO_PASSWORD=DEMO_PASSWORD)
    try:
        node.wait_ready()
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[Embedded]:
    """The resident's platform."""
    yield from demo_platform(Path(tmp_path_factory.mktemp("fuzz")), migrated)


@pytest.fixture(scope="module")
def admin_platform(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[Embedded]:
    """The street admin's platform: his sweep deletes and edits records at random."""
    yield from demo_platform(Path(tmp_path_factory.mktemp("fuzz-admin")), migrated)


@pytest.fixture(scope="module")
def generated(platform: Embedded) -> list[Generated]:
    """The requests of every sweep, from the gateway's /openapi.json (the same on every platform)."""
    return generate(platform.base, max_examples=EXAMPLES, fixed_seed=SEED)


def login(platform: Embedded, mobile: str) -> dict[str, str]:
    answer = LOCAL.post(
        f"{platform.base}/api/v1/registry/auth/token", json={"mobile": mobile, "password": DEMO_PASSWORD}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def sweep_as(platform: Embedded, generated: list[Generated], who: str, mobile: str) -> None:
    """Every operation with generated requests as `who`: whatever arrives, no 5xx."""
    done = send(generated, platform.base, login(platform, mobile))
    assert done.sent > 500, f"the sweep as {who} sent only {done.sent} requests: is /openapi.json complete?"
    assert not done.failures, f"as {who}: " + report(done.failures)
