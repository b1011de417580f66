"""What every test process shares."""

import bisect
import fcntl
import os
from pathlib import Path

import pytest

from shared import collector
from tests.helpers import until

# Passwords hashed at argon2's lowest cost in tests only: a login or a demo seed otherwise spends a
# third of a CPU second per hash, hundreds of times a run. Child processes (`linli run` in the
# e2e and browser stories) inherit it. Production refuses it, and the strong default is tested
# (tests/unit/test_settings.py).
TEST_ARGON2 = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "1"}
for _key, _value in TEST_ARGON2.items():
    os.environ.setdefault(_key, _value)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four service databases migrated to head once per run (Alembic upgrade, so the
    migrations are tested too); an API test's platform and a browser story's `linli run` start
    from copies of these files. The first xdist worker migrates, under a lock in the run's
    shared tmp folder, and the others reuse its files: each migrating its own cost four CPU
    seconds a worker. The newcomer's own first start (tests/e2e) migrates from nothing."""
    from linli.embedded import migrate_all
    from shared.settings import Settings

    shared = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        shared = shared.parent  # the run's folder, above each worker's own
    folder = shared / "migrated"
    with (shared / "migrated.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            folder.mkdir(exist_ok=True)
            migrate_all(Settings(data_dir=folder, seed_demo=False))
            (folder / "done").touch()
    return folder


# `make test` builds the web app (npm ci, vite build) beside pytest instead of before it, where
# the build's 40 seconds left one core idle; it writes the build's exit status to this file.
WEB_BUILD_STATUS = "LINLI_WEB_BUILD_STATUS"


@pytest.fixture(scope="session")
def web_built() -> None:
    """web/node_modules and web/dist are in place: at once when the app was built before pytest
    started, else once `make test`'s build beside it has finished (its status file appears)."""
    status = os.environ.get(WEB_BUILD_STATUS)
    if not status:
        return
    path = Path(status)
    until(path.exists, f"the web app's build beside pytest writes its status to {path}", within_s=900)
    code = path.read_text().strip()
    if code != "0":
        log = path.with_name("web-build.log")
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        pytest.fail(f"the web app's build failed (exit {code}); {log}:\n{tail}")


# Longest first. Under `--dist loadscope` a worker takes whole modules, in collection order (the
# Makefile turns off xdist's own reordering, which puts the modules with fewest tests last: the
# one-story modules that take longest). Left for the end, the fuzz sweeps ran alone for two
# minutes while three workers stood idle (fresh-clone run of 3 December 2026); started first,
# the short API and unit modules fill the workers in around them.
_LONGEST_FIRST = (
    "tests/fuzz/",
    "tests/browser/test_console_committee.py",
    "tests/browser/test_three_person_story.py",
    "tests/integration/test_dlq_and_replay.py",
    "tests/browser/test_console_party_rules.py",
    "tests/browser/test_api_docs_offline.py",
    "tests/browser/",
    "tests/api/test_authorisation_matrix.py",
    # Given out among the last API modules, the generated web types' check (18 s: Node runs
    # openapi-typescript) held a Lighthouse module behind it, so the two audits, which end the
    # run, did not overlap (fresh-clone run of 4 December 2026, per-test timeline).
    "tests/contracts/",
)

# Modules that mostly wait (service processes starting and restarting, a broker's group joins,
# PostgreSQL) are given out between the API modules, which keep a core busy: handed out one
# after another they left both cores idle a quarter of the time for a minute (09:24 UTC run of
# 4 December 2026, /proc/stat every 5 s). One waiting module to every two busy ones puts the last
# of them well before the end, where the short API and deploy modules fill in.
_WAITING = ("tests/integration/", "tests/e2e/")
_BUSY_PER_WAITING = 2

# Near the end: the Lighthouse audits, which measure the machine as much as the screens while the
# other workers saturate it (indexes of 83 to 655 against 2,000 idle, fresh-clone runs of 3
# December 2026). Given out before only the unit modules (a few CPU seconds a worker), they start
# their platform and sign in while those finish, and audit on cores that are nearly free (an
# audit waits for a quiet moment itself); given out last, they ran alone for 25 to 40 s, one core
# half used (runs of 4 December 2026). The two screens are two classes, so two workers audit them
# side by side: one after the other they still ran alone for the suite's last 30 s.
_LAST = "tests/browser/test_lighthouse.py"
_AFTER_LAST = "tests/unit/"


def _tier(item: pytest.Item) -> int:
    """The named modules in their order, then every other module (interleaved, see _WAITING),
    then Lighthouse, then the unit modules."""
    if item.nodeid.startswith(_LAST):
        return len(_LONGEST_FIRST) + 1
    if item.nodeid.startswith(_AFTER_LAST):
        return len(_LONGEST_FIRST) + 2
    return next((n for n, prefix in enumerate(_LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(_LONGEST_FIRST))


def _scopes(items: list[pytest.Item]) -> list[list[pytest.Item]]:
    """The items grouped as `--dist loadscope` gives them out (a module's functions, a class's
    methods: the node id without its last part), in their order."""
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(item.nodeid.rsplit("::", 1)[0], []).append(item)
    return list(groups.values())


def _interleaved(items: list[pytest.Item], sparse: str | tuple[str, ...], per_sparse: int) -> list[pytest.Item]:
    """The scopes whose path starts with `sparse` spread out, `per_sparse` others after each."""
    scopes = _scopes(items)
    spread = [m for m in scopes if m[0].nodeid.startswith(sparse)]
    others = [m for m in scopes if not m[0].nodeid.startswith(sparse)]
    out: list[pytest.Item] = []
    while spread or others:
        if spread:
            out.extend(spread.pop(0))
        for _ in range(per_sparse):
            if others:
                out.extend(others.pop(0))
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_tier)  # stable: a module's tests keep their order
    tiers = [_tier(i) for i in items]
    rest = len(_LONGEST_FIRST)  # the tier of every module not named above
    start, end = bisect.bisect_left(tiers, rest), bisect.bisect_right(tiers, rest)
    items[start:end] = _interleaved(items[start:end], _WAITING, _BUSY_PER_WAITING)
    # A unit module between the two Lighthouse classes: xdist gives a worker another scope
    # while it has two tests or fewer left, so one-test scopes given out one after the other
    # went to the same worker, and the two audits ran one after the other after all.
    items[end:] = _interleaved(items[end:], _LAST, 1)


# A worker's API tests allocate millions of short-lived objects beside the 400,000 it imported:
# with the collector's defaults, a tenth of its CPU. It settles as a serving process does
# (shared/collector.py). The registry and deliberation API modules in two processes side by
# side, with and without: 177 -> 164 CPU s, peak memory 328 -> 363 MB (3 December 2026).
def pytest_collection_finish(session: pytest.Session) -> None:
    collector.settle()
