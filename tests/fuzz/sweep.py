"""A bounded, repeatable schemathesis sweep: every operation of an OpenAPI document, a fixed
number of generated requests each (valid and invalid), and every 5xx collected.

Also a command for a deeper look than `make test` affords, against a running platform:
    python -m tests.fuzz.sweep http://127.0.0.1:8000 13800000001 20
(base URL, a demo mobile to log in as, examples per operation and mode).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode

from tests.helpers import LOCAL

# A request that hangs is as bad as a 500: it counts as one.
REQUEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ServerError:
    operation: str
    mode: str
    status: int  # 0: no answer in time; -1: schemathesis could not generate for the operation
    curl: str
    body: str


@dataclass
class Sweep:
    base_url: str
    headers: dict[str, str]
    max_examples: int
    fixed_seed: int
    failures: list[ServerError] = field(default_factory=list)
    sent: int = 0
    session: requests.Session = field(default_factory=requests.Session)

    def run(self) -> None:
        # The merged spec is assembled from four services on first request: a machine busy with
        # other workers took over schemathesis' default 10 s to answer it once.
        schema = schemathesis.openapi.from_url(f"{self.base_url}/openapi.json", timeout=120)
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    self._operation(operation, mode)
                except Exception as exc:
                    self.failures.append(ServerError(operation.label, mode.value, -1, "", repr(exc)[:300]))

    def _operation(self, operation: Any, mode: GenerationMode) -> None:
        @seed(self.fixed_seed)
        @settings(
            max_examples=self.max_examples,
            deadline=None,  # the request timeout bounds each example instead
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: Any) -> None:
            self.sent += 1
            try:
                answer = case.call(
                    base_url=self.base_url, session=self.session, headers=self.headers, timeout=REQUEST_TIMEOUT_S
                )
            except requests.RequestException as exc:
                failure = ServerError(operation.label, mode.value, 0, case.as_curl_command(), repr(exc))
                self.failures.append(failure)
                return
            if answer.status_code >= 500:
                curl = case.as_curl_command(headers=self.headers)
                failure = ServerError(operation.label, mode.value, answer.status_code, curl, answer.text[:300])
                self.failures.append(failure)

        call()


def sweep(base_url: str, headers: dict[str, str], *, max_examples: int, fixed_seed: int) -> Sweep:
    """Call every operation of base_url's /openapi.json as the caller `headers` names."""
    done = Sweep(base_url, headers, max_examples, fixed_seed)
    done.run()
    return done


def report(failures: list[ServerError]) -> str:
    """One line per failing operation, with a curl command that reproduces it."""
    lines = [f"{len(failures)} answers were 5xx:"]
    seen: set[str] = set()
    for failure in failures:
        if failure.operation in seen:
            continue
        seen.add(failure.operation)
        lines.append(f"- {failure.operation} ({failure.mode}) → {failure.status}: {failure.body[:200]}")
        lines.append(f"  {failure.curl}")
    return "\n".join(lines)


def main() -> None:
    base, mobile, examples = sys.argv[1], sys.argv[2], int(sys.argv[3])
    login = LOCAL.post(f"{base}/api/v1/registry/auth/token", json={"mobile": mobile, "password": "linli-demo"})
    start = time.monotonic()
    done = sweep(base, {"Authorization": f"Bearer {login.json()['access_token']}"}, max_examples=examples, fixed_seed=1)
    print(f"{done.sent} requests in {time.monotonic() - start:.1f}s")
    print(report(done.failures))


if __name__ == "__main__":
    main()
