"""Per-caller token buckets: `burst` requests at once, refilled at `per_minute`."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """In-memory, per gateway replica (each replica limits its own share of the traffic)."""

    def __init__(self, per_minute: int, burst: int, max_callers: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_callers = max_callers
        self._buckets: dict[str, _Bucket] = {}

    def take(self, caller: str, now: float | None = None) -> float:
        """0 if the request may pass, else the seconds to wait before retrying."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(caller)
        if bucket is None:
            if len(self._buckets) >= self.max_callers:
                self._forget_full_buckets(now)
            bucket = self._buckets[caller] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate if self.rate > 0 else math.inf

    def _forget_full_buckets(self, now: float) -> None:
        # A bucket that would be full again carries no information.
        refill = self.burst / self.rate if self.rate > 0 else math.inf
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.stamp < refill}
