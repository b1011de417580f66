"""`make run` as a newcomer gets it: one process, gateway on PORT, demo street seeded, events
in-process; Ctrl-C stops cleanly and the next start keeps the data and delivers what was owed."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from linli.secret import SECRET_FILE
from shared.auth import Grant, Role, TokenCodec
from shared.settings import DEFAULT_JWT_SECRET, Settings
from tests.e2e.conftest import Embedded

# A platform starting up on a loaded machine answers its first requests slowly: 30 s, not httpx's 5 s,
# so a slow answer is not mistaken for a broken one.
http = httpx.Client(timeout=30.0)


def _auth(embedded: Embedded, person: int = 1) -> dict[str, str]:
    """A street admin's token, signed with the secret `linli run` generated in its data folder
    (no JWT_SECRET is set: the published default would be refused)."""
    secret = (embedded.data_dir / SECRET_FILE).read_text().strip()
    codec = TokenCodec(Settings(jwt_secret=SecretStr(secret)))
    return {"Authorization": f"Bearer {codec.issue(person, [Grant(Role.street_admin)])}"}


def _poll(probe, timeout: float = 20):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _projected_everywhere(embedded: Embedded, compound_id: int) -> list[dict[str, object]] | None:
    views = []
    for service in ("dispatch", "billing", "deliberation"):
        answer = http.get(
            f"{embedded.base}/api/v1/{service}/compounds/{compound_id}", headers=_auth(embedded), timeout=5
        )
        if answer.status_code != 200:
            return None
        views.append(answer.json())
    return views


def _inbox_rows(data_dir: Path, service: str, event_id: str) -> int:
    with sqlite3.connect(data_dir / f"{service}.db") as conn:
        return int(conn.execute("SELECT count(*) FROM inbox WHERE event_id = ?", (event_id,)).fetchone()[0])


def test_newcomer_runs_the_platform_and_follows_a_compound_through_the_gateway(embedded: Embedded) -> None:
    embedded.template = None  # a newcomer's first start migrates every database from nothing
    embedded.forked = False  # and imports everything, as the command she typed does
    embedded.start()
    embedded.wait_ready()
    base = embedded.base
    demo = http.get(f"{base}/api/v1/registry/compounds", headers=_auth(embedded)).json()
    assert [c["name"] for c in demo] == ["杏花岭片区·老旧小区", "滨河花园", "城东安置小区"]
    assert _poll(lambda: _projected_everywhere(embedded, 3))[0]["name"] == "城东安置小区"

    created = http.post(
        f"{base}/api/v1/registry/compounds",
        headers=_auth(embedded) | {"X-Request-ID": "req-2026-0001"},
        json={"name": "大东关小区", "community_id": 1, "kind": "super_large", "management_model": "professional"},
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == "req-2026-0001"
    views = _poll(lambda: _projected_everywhere(embedded, created.json()["id"]))
    assert {v["name"] for v in views} == {"大东关小区"}

    doc = http.get(f"{base}/openapi.json").json()
    assert {
        "/api/v1/registry/compounds",
        "/api/v1/dispatch/compounds/{compound_id}",
        "/api/v1/billing/compounds/{compound_id}",
        "/api/v1/deliberation/compounds/{compound_id}",
    } <= set(doc["paths"])
    assert "swagger" in http.get(f"{base}/docs").text.lower()
    assert http.get(f"{base}/healthz").json()["service"] == "gateway"
    unknown = http.get(f"{base}/api/v1/parking/spaces", headers=_auth(embedded))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    forged = http.get(f"{base}/api/v1/registry/compounds", headers={"Authorization": "Bearer not.a.jwt"})
    assert forged.status_code == 401
    # Nor does a token minted with the published development secret pass.
    default = TokenCodec(Settings(jwt_secret=SecretStr(DEFAULT_JWT_SECRET))).issue(1, [Grant(Role.street_admin)])
    forged = http.get(f"{base}/api/v1/registry/compounds", headers={"Authorization": f"Bearer {default}"})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "token_invalid"

    # The demo street through the gateway: the grid worker logs in and sees masked residents.
    login = http.post(f"{base}/api/v1/registry/auth/token", json={"mobile": "13800000002", "password": "linli-demo"})
    assert login.status_code == 200, login.text
    assert {"role": "grid_worker", "scope": "grid:1", "label": "网格员"} in login.json()["roles"]
    grid_worker = {"Authorization": f"Bearer {login.json()['access_token']}"}
    residents = http.get(f"{base}/api/v1/registry/residents?compound_id=1", headers=grid_worker).json()
    wang = next(r for r in residents if r["name"] == "王秀英")
    assert wang["mobile_masked"] == "138****0004"
    assert "mobile" not in wang
    wall = http.get(f"{base}/api/v1/registry/compounds/1/pairings/public", headers=grid_worker).json()
    assert {p["kind_label"] for p in wall["pairings"]} == {"干部包联小区", "党员中心户包联困难户"}
    wrong = http.post(f"{base}/api/v1/registry/auth/token", json={"mobile": "13800000002", "password": "nope-nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "手机号或密码错误"

    assert embedded.stop(signal.SIGINT) == 0
    access = [line for line in embedded.log.read_text().splitlines() if "req-2026-0001" in line]
    # The gateway and the registry both logged the request, as JSON carrying its id.
    assert any(
        '"logger": "linli.access"' in line
        and '"request_id": "req-2026-0001"' in line
        and "POST /api/v1/registry/compounds 201" in line
        for line in access
    )
    assert len(access) >= 2

    # The next start keeps everything and seeds nothing twice.
    embedded.start()
    embedded.wait_ready()
    names = [c["name"] for c in http.get(f"{base}/api/v1/registry/compounds", headers=_auth(embedded)).json()]
    assert names == ["杏花岭片区·老旧小区", "滨河花园", "城东安置小区", "大东关小区"]
    assert embedded.stop(signal.SIGTERM) == 0


def test_a_crash_between_publish_and_marking_sent_delivers_once_after_restart(embedded: Embedded) -> None:
    # The relay dies right after publishing the demo street's events, before marking them sent.
    embedded.start(LINLI_FAILPOINTS="relay.after_publish")
    assert embedded.wait_exit(60) == 137
    with sqlite3.connect(embedded.data_dir / "registry.db") as conn:
        unsent = conn.execute("SELECT event_id FROM outbox WHERE sent_at IS NULL ORDER BY id").fetchall()
    # The demo street (street, community, grids, compounds, buildings, dwellings, households) was
    # published, but the process died before it could say so.
    assert len(unsent) > 30

    embedded.start()
    embedded.wait_ready()
    views = _poll(lambda: _projected_everywhere(embedded, 3))
    assert views[0]["name"] == "城东安置小区"
    _poll(lambda: _projected_everywhere(embedded, 1))
    with sqlite3.connect(embedded.data_dir / "registry.db") as conn:
        _poll(lambda: conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0)
    with sqlite3.connect(embedded.data_dir / "registry.db") as conn:
        compound_events = {row[0] for row in conn.execute("SELECT event_id FROM outbox WHERE type LIKE '%.compound.%'")}
    assert len(compound_events) == 3
    for event_id in compound_events:
        for service in ("dispatch", "billing", "deliberation"):
            assert _inbox_rows(embedded.data_dir, service, event_id) == 1
    with sqlite3.connect(embedded.data_dir / "bus.db") as conn:
        published = conn.execute("SELECT count(*) FROM bus_log WHERE topic = 'registry.events'").fetchone()[0]
    assert published == 2 * len(unsent)  # each event went out twice; each consumer applied it once
    assert embedded.stop() == 0


def test_rate_limit_answers_429_with_retry_after(embedded: Embedded) -> None:
    # One token a minute refills: a slow, loaded machine cannot refill the bucket mid-test.
    embedded.start(RATE_LIMIT_BURST="5", RATE_LIMIT_PER_MINUTE="1")
    embedded.wait_ready()
    answers = [http.get(f"{embedded.base}/api/v1/registry/enums", headers=_auth(embedded, person=77)) for _ in range(8)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    limited = answers[-1]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"
    assert http.get(f"{embedded.base}/api/v1/registry/enums", headers=_auth(embedded, person=78)).status_code == 200
    assert embedded.stop() == 0


def test_sigterm_drains_first_then_exits_cleanly(embedded: Embedded) -> None:
    embedded.start(SHUTDOWN_DRAIN_SECONDS="3")
    embedded.wait_ready()
    assert embedded.proc is not None
    embedded.proc.send_signal(signal.SIGTERM)
    # Still serving, but telling load balancers to go away.
    ready = _poll(lambda: (r := http.get(f"{embedded.base}/readyz", timeout=2)).status_code == 503 and r, timeout=2)
    assert ready.json()["draining"] is True
    assert http.get(f"{embedded.base}/healthz", timeout=2).status_code == 200
    started = time.monotonic()
    assert embedded.wait_exit(30) == 0
    assert time.monotonic() - started < 30
