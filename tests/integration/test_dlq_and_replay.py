"""A handler that keeps failing parks its event; after the fix, replay delivers it once.

Billing is deployed with a broken handler (the failpoint consumer.billing.handler). 晋祠路小区
is registered: dispatch projects it, billing tries three times and parks the event on
registry.events.dlq with the error, its own name and the original event id. Billing is
redeployed without the fault and an operator runs `linli dlq replay billing`: the compound
arrives, once; a second replay finds nothing left to do.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from tests.integration.conftest import (
    Cluster,
    Service,
    create_compound,
    eventually,
    pg_fetch,
    pg_value,
    projected,
    seed_community,
)

pytestmark = pytest.mark.integration

FAILPOINT = "consumer.billing.handler"


@pytest.fixture(scope="module")
def services(cluster: Cluster) -> dict[str, Service]:
    procs = {
        "registry": cluster.service("registry"),
        "dispatch": cluster.service("dispatch"),
        "billing": cluster.service(
            "billing",
            env={"LINLI_FAILPOINTS": FAILPOINT, "CONSUMER_MAX_ATTEMPTS": "3", "CONSUMER_BACKOFF_BASE_MS": "20"},
        ),
    }
    cluster.start(*procs.values())
    return procs


async def parked_records(bootstrap: str, expect: int = 1, within: float = 60) -> list[Any]:
    """The records on registry.events.dlq (at least `expect`), read without joining a group."""
    consumer = AIOKafkaConsumer(
        "registry.events.dlq", bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = time.monotonic() + within
        while len(found) < expect and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                found.extend(records)
        # Anything else parked alongside it arrives in the same few fetches.
        for _ in range(3):
            for records in (await consumer.getmany(timeout_ms=300)).values():
                found.extend(records)
    finally:
        await consumer.stop()
    return found


COMPOUNDS = "event_type LIKE 'linli.registry.compound.%'"


def compound_records(records: list[Any]) -> list[Any]:
    """The parked records about compounds (the story's event), in the order parked."""
    return [r for r in records if dict(r.headers)["ce_type"].startswith(b"linli.registry.compound.")]


async def replay(cluster: Cluster, env: dict[str, str]) -> dict[str, Any]:
    """`linli dlq replay billing` as an operator runs it, with billing's configuration."""
    linli = Path(sys.executable).parent / "linli"
    log_path = cluster.log_dir / "dlq-replay.log"
    with log_path.open("ab") as log:
        log.write(f"\n===== linli dlq replay billing at {time.strftime('%H:%M:%S')} =====\n".encode())
        log.flush()
        proc = await asyncio.create_subprocess_exec(
            str(linli),
            "dlq",
            "replay",
            "billing",
            "--idle-ms",
            "1500",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise AssertionError(f"linli dlq replay did not finish in 120s\n{log_path.read_text()[-3000:]}") from None
    assert proc.returncode == 0, log_path.read_text()[-3000:]
    lines = [line for line in out.decode().splitlines() if line.strip()]
    assert lines, log_path.read_text()[-3000:]
    result: dict[str, Any] = json.loads(lines[-1])
    return result


async def test_a_failing_handler_parks_and_replay_applies_once(
    cluster: Cluster, services: dict[str, Service], http: httpx.AsyncClient
) -> None:
    registry, dispatch, billing = services["registry"], services["dispatch"], services["billing"]
    headers = cluster.auth()
    community = await seed_community(http, registry.url, headers, "晋祠路街道", "晋祠路社区")
    jinci = await create_compound(http, registry.url, headers, community, "晋祠路小区", "resettlement", "self_managed")
    event_id = await pg_value(
        cluster.database("registry"),
        "SELECT event_id FROM outbox WHERE type = 'linli.registry.compound.created.v1' AND key = $1",
        str(jinci["id"]),
    )

    view = await eventually(lambda: projected(http, dispatch, jinci["id"], headers), what="dispatch projects it")
    assert view["event_id"] == event_id
    assert await eventually(lambda: billing.consumed("parked"), what="billing parks the event") == 1

    # Billing also keeps communities (street-wide bill runs): the community's event is parked beside it.
    records = compound_records(await parked_records(cluster.broker.bootstrap, expect=2))
    assert len(records) == 1
    record = records[0]
    parked = {k: v.decode() for k, v in record.headers}
    assert parked["ce_id"] == event_id
    assert parked["ce_type"] == "linli.registry.compound.created.v1"
    assert parked["ce_linliconsumer"] == "billing"
    assert parked["ce_linliattempts"] == "3"
    assert parked["ce_linlitopic"] == "registry.events"
    assert "FailpointError" in parked["ce_linlierror"]
    assert FAILPOINT in parked["ce_linlierror"]
    assert record.key.decode() == str(jinci["id"])
    assert json.loads(record.value)["name"] == "晋祠路小区"

    missing = await http.get(f"{billing.url}/api/v1/billing/compounds/{jinci['id']}", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert await pg_value(cluster.database("billing"), "SELECT count(*) FROM inbox") == 0
    samples = await billing.metrics()
    assert samples[("linli_dlq_events_total", (("topic", "registry.events.dlq"),))] == 2

    # The operator replays too early, before the fix is out: the event fails again and is
    # parked again, the replay ends, and nothing is lost.
    too_early = await replay(cluster, billing.env)
    assert too_early == {"service": "billing", "replayed": {"parked": 2}}
    reparked = compound_records(await parked_records(cluster.broker.bootstrap, expect=4))
    assert [{k: v.decode() for k, v in r.headers}["ce_id"] for r in reparked] == [event_id, event_id]
    assert await pg_value(cluster.database("billing"), "SELECT count(*) FROM inbox") == 0

    # The fix is deployed, then the operator replays what was parked.
    await asyncio.to_thread(cluster.restart, billing, drop=("LINLI_FAILPOINTS",))
    first = await replay(cluster, billing.env)
    assert first == {"service": "billing", "replayed": {"applied": 2}}
    replayed = await projected(http, billing, jinci["id"], headers)
    assert replayed is not None
    assert replayed["name"] == "晋祠路小区"
    assert replayed["event_id"] == event_id
    inbox = await pg_fetch(cluster.database("billing"), f"SELECT consumer, event_id FROM inbox WHERE {COMPOUNDS}")
    assert [tuple(r) for r in inbox] == [("billing", event_id)]

    again = await replay(cluster, billing.env)
    assert again["service"] == "billing"
    assert again["replayed"].get("applied", 0) == 0, again
    assert await pg_value(cluster.database("billing"), f"SELECT count(*) FROM inbox WHERE {COMPOUNDS}") == 1
    assert await pg_value(cluster.database("billing"), "SELECT count(*) FROM compound_projection") == 1
