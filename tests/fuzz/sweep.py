"""A bounded, repeatable schemathesis sweep: every operation of an OpenAPI document, a fixed
number of generated requests each (valid and invalid), and every 5xx collected."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode


@dataclass(frozen=True)
class ServerError:
    operation: str
    mode: str
    status: int
    curl: str
    body: str


def sweep(
    base_url: str,
    headers: dict[str, str],
    *,
    max_examples: int,
    fixed_seed: int,
    skip: Iterable[str] = (),
    timeout_s: float = 10.0,
) -> tuple[list[ServerError], int]:
    """Call every operation of base_url's /openapi.json as the caller `headers` names; return
    the 5xx answers and how many requests were sent."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    session = requests.Session()
    failures: list[ServerError] = []
    sent = 0
    skipped = set(skip)
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in skipped:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(fixed_seed)
            @settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                derandomize=False,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                nonlocal sent
                sent += 1
                try:
                    answer = case.call(base_url=base_url, session=session, headers=headers, timeout=timeout_s)
                except requests.RequestException as exc:
                    failures.append(ServerError(operation.label, mode.value, 0, case.as_curl_command(), repr(exc)))
                    return
                if answer.status_code >= 500:
                    failures.append(
                        ServerError(
                            operation.label,
                            mode.value,
                            answer.status_code,
                            case.as_curl_command(headers=headers),
                            answer.text[:300],
                        )
                    )

            try:
                call()
            except Exception as exc:  # an operation schemathesis cannot generate for
                failures.append(ServerError(operation.label, mode.value, -1, "", repr(exc)[:300]))
    return failures, sent


if __name__ == "__main__":
    import sys

    import httpx

    base = sys.argv[1]
    mobile = sys.argv[2]
    n = int(sys.argv[3])
    token = httpx.post(
        f"{base}/api/v1/registry/auth/token", json={"mobile": mobile, "password": "linli-demo"}
    ).json()["access_token"]
    start = time.monotonic()
    found, count = sweep(base, {"Authorization": f"Bearer {token}"}, max_examples=n, fixed_seed=20261202)
    print(f"{count} requests in {time.monotonic() - start:.1f}s, {len(found)} 5xx")
    by_op: dict[str, list[ServerError]] = {}
    for f in found:
        by_op.setdefault(f.operation, []).append(f)
    for op, fs in by_op.items():
        print(f"== {op}: {len(fs)} ({fs[0].status}) {fs[0].curl}\n   {fs[0].body[:200]}")
