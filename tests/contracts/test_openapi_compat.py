"""The public API loses nothing: every operation, request parameter and response field of the
baseline (the combined /openapi.json before issue 12's refactoring, commit 94eb6cd) is still
offered. Additions are fine; a removal or rename fails here with the list of what went missing.

operationIds are not part of the surface compared here: issue 12 replaced FastAPI's ids made of
function names (`take_payment_api_v1_billing_payments_post`) once by ids made of the method and
path (`billing_post_payments`, shared/openapi.py), which test_openapi_conventions pins; they are
as stable as the paths this test guards.

When an addition is deliberate nothing needs doing. The baseline changes only when the project
decides to break a client (a new API version), never to make this test pass."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.contracts.openapi_surface import combined_openapi, surface

BASELINE = Path(__file__).with_name("openapi-baseline.json")
SHOWN = 200  # lines of a report; the count says how many more


def missing(baseline: dict[str, Any], today: dict[str, Any]) -> dict[str, list[str]]:
    before, now = surface(baseline), surface(today)
    return {kind: sorted(before[kind] - now[kind]) for kind in before if before[kind] - now[kind]}


def report(gone: dict[str, list[str]]) -> str:
    lines = ["The public API lost what clients of the baseline use (tests/contracts/openapi-baseline.json):"]
    for kind, items in gone.items():
        lines.append(f"\n{len(items)} {kind}(s) missing:")
        lines.extend(f"  - {item}" for item in items[:SHOWN])
        if len(items) > SHOWN:
            lines.append(f"  … and {len(items) - SHOWN} more")
    return "\n".join(lines)


def test_todays_combined_openapi_keeps_every_operation_parameter_and_field_of_the_baseline(tmp_path: Path) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    gone = missing(baseline, combined_openapi(tmp_path))
    assert not gone, report(gone)


def test_the_check_sees_a_removed_operation_parameter_and_response_field() -> None:
    """The comparison itself: take the baseline, drop one thing of each kind, and it is named."""
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    today = copy.deepcopy(baseline)
    path, item = next((p, i) for p, i in today["paths"].items() if "get" in i and i["get"].get("parameters"))
    dropped_param = item["get"]["parameters"].pop(0)
    other_path = next(p for p in today["paths"] if p != path and p.startswith("/api/v1/"))
    dropped_ops = sorted(m.upper() for m in today["paths"].pop(other_path))
    schema = next(s for n, s in today["components"]["schemas"].items() if n.endswith("Out") and s.get("properties"))
    dropped_field = next(iter(schema["properties"]))
    del schema["properties"][dropped_field]

    gone = missing(baseline, today)

    assert f"GET {path} {dropped_param['in']}:{dropped_param['name']}" in gone["request"]
    assert {f"{m} {other_path}" for m in dropped_ops} <= set(gone["operation"])
    assert any(line.endswith(f" {dropped_field}") or f".{dropped_field}" in line for line in gone["response field"])
    text = report(gone)
    assert "operation(s) missing" in text
    assert f"GET {path} {dropped_param['in']}:{dropped_param['name']}" in text
    assert not missing(baseline, copy.deepcopy(baseline))  # nothing lost, nothing reported
