"""Issue 4's "done when", embedded: on the demo street started by `linli run`, 王秀英's leaking
pipe goes through the gateway from her order to 赵师傅's live stream and to her 5-star rating,
each person logged in with their own demo account."""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

import httpx

from tests.e2e.conftest import Embedded
from tests.helpers import LOCAL, ok

API = "/api/v1/dispatch"
SSE = {"Accept": "text/event-stream"}


def login(base: str, mobile: str) -> dict[str, str]:
    answer = LOCAL.post(f"{base}/api/v1/registry/auth/token", json={"mobile": mobile, "password": "linli-demo"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def next_event(lines: Any, within_s: float = 5.0) -> tuple[str, dict[str, Any]]:
    """The next `event:`/`data:` pair of an SSE stream (comments and heartbeats skipped)."""
    deadline = time.monotonic() + within_s
    kind = None
    for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: ") and kind is not None:
            return kind, json.loads(line.removeprefix("data: "))
        if time.monotonic() > deadline:
            break
    raise AssertionError("no event on the stream in time")


def test_wang_xiuying_s_leaking_pipe_reaches_zhao_s_stream_and_ends_in_five_stars(embedded: Embedded) -> None:
    embedded.start()
    embedded.wait_ready()
    base = embedded.base
    wang, zhang, zhao = (login(base, m) for m in ("13800000004", "13800000002", "13800000003"))

    # Her household's projection reaches dispatch a moment after start-up.
    deadline = time.monotonic() + 30
    while True:
        answer = LOCAL.post(
            f"{base}{API}/orders",
            headers=wang,
            json={
                "category": "water_leak",
                "title": "厨房水管漏水",
                "description": "厨房水槽下面的水管一直滴水",
                "urgency": "urgent",
                "fields": {"location": "厨房水槽下"},
            },
        )
        if answer.status_code == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    order = ok(answer, 201)
    assert (order["state"], order["category_name"]) == ("submitted", "水管漏水")
    url = f"{base}{API}/orders/{order['id']}"

    ok(LOCAL.post(f"{url}/triage", json={"triage": "minor"}, headers=zhang))
    ranked = ok(LOCAL.get(f"{url}/candidates", headers=zhang))
    assert ranked[0]["name"] == "赵师傅"
    assert ranked[0]["rank"] == 1

    with (
        httpx.Client(timeout=httpx.Timeout(10.0)) as client,
        client.stream("GET", f"{base}{API}/stream", headers={**zhao, **SSE}) as stream,
    ):
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        assign = {"mode": "assign", "party_member_id": ranked[0]["party_member_id"]}
        ok(LOCAL.post(f"{url}/dispatch", json=assign, headers=zhang))
        kind, offer = next_event(lines)
        assert (kind, offer["order_id"], offer["title"]) == ("offer", order["id"], "厨房水管漏水")

    ok(LOCAL.post(f"{url}/accept", json={}, headers=zhao))
    ok(LOCAL.post(f"{url}/start", json={"note": "已到现场"}, headers=zhao))
    ok(LOCAL.post(f"{url}/complete", json={"summary": "更换水管接头两处，已不漏水"}, headers=zhao))
    ok(LOCAL.post(f"{url}/confirm", json={}, headers=wang))
    rated = ok(LOCAL.post(f"{url}/rate", json={"rating": 5, "comment": "赵师傅手艺好"}, headers=wang))
    assert (rated["state"], rated["rating"]) == ("closed", 5)

    # Her neighbour's view: another resident's token cannot read her order.
    liu = login(base, "13800000005")
    assert LOCAL.get(url, headers=liu).status_code in (403, 404)
    assert embedded.stop() == 0

    # The demo street's events all found their way: nothing was parked on a dead-letter topic.
    with sqlite3.connect(embedded.data_dir / "bus.db") as conn:
        parked = conn.execute("SELECT topic, count(*) FROM bus_log WHERE topic LIKE '%.dlq' GROUP BY topic").fetchall()
    assert parked == []
