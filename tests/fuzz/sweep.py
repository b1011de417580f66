"""A bounded, repeatable schemathesis sweep: every operation of an OpenAPI document, a fixed
number of generated requests each (valid and invalid), and every 5xx collected. Generating and
sending are apart, so that the requests generated once are sent as each caller.

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
from schemathesis.core.result import Err

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
class Generated:
    """The requests generated for one operation in one mode (valid or invalid), or why none were."""

    operation: str
    mode: str
    cases: list[Any] = field(default_factory=list)
    error: str = ""
    streams: bool = False  # its 200 is an event stream (text/event-stream)


@dataclass
class Sweep:
    failures: list[ServerError] = field(default_factory=list)
    sent: int = 0


def generate(base_url: str, *, max_examples: int, fixed_seed: int) -> list[Generated]:
    """Up to `max_examples` requests per operation of base_url's /openapi.json and mode. What is
    generated depends on the document and the seed alone, never on an answer, so one generation
    serves every caller's sweep (hypothesis' generation is most of a sweep's CPU)."""
    # The merged spec is assembled from four services on first request: a machine busy with
    # other workers took over schemathesis' default 10 s to answer it once.
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=120)
    generated: list[Generated] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            generated.append(Generated("(the document)", "-", error=repr(result.err())[:300]))
            continue
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            batch = Generated(operation.label, mode.value, streams=_streams(operation))
            try:
                _draw(operation, mode, max_examples, fixed_seed, batch.cases)
            except Exception as exc:
                batch.error = repr(exc)[:300]
            generated.append(batch)
    return generated


def _draw(operation: Any, mode: GenerationMode, max_examples: int, fixed_seed: int, into: list[Any]) -> None:
    @seed(fixed_seed)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def keep(case: Any) -> None:
        into.append(case)

    keep()


def _streams(operation: Any) -> bool:
    ok = operation.definition.raw.get("responses", {}).get("200", {})
    return "text/event-stream" in ok.get("content", {})


def _answer(case: Any, batch: Generated, base_url: str, session: requests.Session, headers: dict[str, str]) -> Any:
    """The answer to one generated request. An event stream never ends: schemathesis reads one
    until the request's timeout (10 s a request, a minute of each sweep), so its answer is its
    status line and, unless it is a stream after all, its body."""
    if not batch.streams:
        return case.call(base_url=base_url, session=session, headers=headers, timeout=REQUEST_TIMEOUT_S)
    kwargs = case.as_transport_kwargs(base_url=base_url, headers=headers)
    answer = session.request(**kwargs, stream=True, timeout=REQUEST_TIMEOUT_S)
    if "text/event-stream" not in answer.headers.get("content-type", ""):
        answer.content  # noqa: B018  (read now, within the timeout, as schemathesis would)
    answer.close()
    return answer


def send(generated: list[Generated], base_url: str, headers: dict[str, str]) -> Sweep:
    """Every generated request to base_url as the caller `headers` names; every 5xx, and every
    request with no answer in time, is a failure."""
    done = Sweep()
    session = requests.Session()
    for batch in generated:
        if batch.error:
            done.failures.append(ServerError(batch.operation, batch.mode, -1, "", batch.error))
        for case in batch.cases:
            done.sent += 1
            try:
                answer = _answer(case, batch, base_url, session, headers)
            except requests.RequestException as exc:
                failure = ServerError(batch.operation, batch.mode, 0, case.as_curl_command(), repr(exc))
                done.failures.append(failure)
                continue
            if answer.status_code >= 500:
                curl = case.as_curl_command(headers=headers)
                done.failures.append(
                    ServerError(batch.operation, batch.mode, answer.status_code, curl, answer.text[:300])
                )
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
    generated = generate(base, max_examples=examples, fixed_seed=1)
    done = send(generated, base, {"Authorization": f"Bearer {login.json()['access_token']}"})
    print(f"{done.sent} requests in {time.monotonic() - start:.1f}s")
    print(report(done.failures))


if __name__ == "__main__":
    main()
