"""Named crash points for fault tests: LINLI_FAILPOINTS=relay.after_publish makes the
process die right there, as a power cut would, so tests can prove nothing is lost."""

from __future__ import annotations

import os


class FailpointError(RuntimeError):
    """Raised by a failpoint that is set to fail rather than to crash."""


def _active() -> set[str]:
    return {p.strip() for p in os.environ.get("LINLI_FAILPOINTS", "").split(",") if p.strip()}


def crash_point(name: str) -> None:
    """Kill the process on the spot (no cleanup) if the failpoint `name` is set."""
    if name in _active():
        os._exit(137)


def fail_point(name: str) -> None:
    """Raise FailpointError if the failpoint `name` is set."""
    if name in _active():
        raise FailpointError(f"failpoint {name} is set")
