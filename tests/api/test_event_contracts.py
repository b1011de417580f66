"""Every event the demo street emits is valid against the AsyncAPI document the gateway publishes
at /asyncapi.json: its data against its message's payload schema, its CloudEvents headers against
the message's headers, its key a string. And a consumer accepts an event in CloudEvents
structured mode (the whole event as the value) as it accepts binary mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from sqlalchemy import func, select

from services.dispatch.base import compound_projection
from services.gateway.app import create_app as gateway_app
from shared.contracts.registry import CompoundCreated
from shared.events.envelope import CloudEvent, Message
from shared.events.outbox import outbox
from shared.settings import SERVICES, Settings
from tests.api.conftest import Platform


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"seed_demo": True}


async def published_asyncapi(tmp_path: Path) -> dict[str, Any]:
    gateway = gateway_app(Settings(data_dir=tmp_path / "gateway", seed_demo=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gateway") as client:
        answer = await client.get("/asyncapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def check(document: dict[str, Any], pointer: str, instance: Any) -> list[str]:
    """Errors of `instance` against the schema at `pointer` in the document (its $refs resolve
    within the document)."""
    validator = jsonschema_rs.validator_for({**document, "$ref": pointer})
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(instance)]


async def emitted(platform: Platform) -> list[Any]:
    rows: list[Any] = []
    for service in SERVICES:
        async with platform.apps[service].state.runtime.db.sessionmaker() as session:
            rows.extend((await session.execute(select(outbox).order_by(outbox.c.id))).all())
    return rows


async def test_every_event_the_demo_emits_matches_the_published_asyncapi(platform: Platform, tmp_path: Path) -> None:
    document = await published_asyncapi(tmp_path)
    assert document["asyncapi"] == "3.0.0"

    async def demo_seeded() -> bool:
        # The demo street in the registry, and its orders in dispatch (a ticker seeds them).
        counts = {}
        for service in ("registry", "dispatch"):
            async with platform.apps[service].state.runtime.db.sessionmaker() as session:
                counts[service] = await session.scalar(select(func.count()).select_from(outbox))
        return all(counts.values())

    await platform.eventually(demo_seeded, within_s=60)
    rows = await emitted(platform)
    messages = document["components"]["messages"]
    problems: dict[str, list[str]] = {}
    for row in rows:
        name = f"{row.type} #{row.id}"
        if row.type not in messages:
            problems[name] = ["no such message in the AsyncAPI document"]
            continue
        channel = document["channels"][row.topic]
        assert row.type in channel["messages"], f"{row.type} published on {row.topic}"
        headers = dict(json.loads(row.headers))
        found = check(document, f"#/components/messages/{row.type}/payload", json.loads(row.value))
        found += check(document, f"#/components/messages/{row.type}/headers", headers)
        found += check(document, f"#/components/messages/{row.type}/bindings/kafka/key", row.key)
        if found:
            problems[name] = found
    assert problems == {}
    types = {row.type for row in rows}
    assert {"linli.registry.compound.created.v1", "linli.registry.community.created.v1"} <= types, types
    assert len(types) >= 8, types
    assert any(t.startswith("linli.dispatch.") for t in types), types


async def test_a_consumer_applies_an_event_sent_in_structured_mode(platform: Platform) -> None:
    """An integrator's producer sends 和平小区 as one JSON document with
    `content-type: application/cloudevents+json`; dispatch's projection learns the compound."""
    compound = CompoundCreated(
        compound_id=9001, name="和平小区", community_id=1, kind="old", management_model="self_managed", version=1
    )
    event = CloudEvent.of(compound, subject=9001, key=9001)
    transport = platform.apps["dispatch"].state.runtime.transport
    await transport.publish(
        [
            Message(
                topic="registry.events",
                key="9001",
                value=json.dumps(event.to_json(), ensure_ascii=False).encode(),
                headers=(("content-type", b"application/cloudevents+json"),),
            )
        ]
    )

    async def known() -> bool:
        async with platform.apps["dispatch"].state.runtime.db.sessionmaker() as session:
            name = await session.scalar(
                select(compound_projection.c.name).where(compound_projection.c.compound_id == 9001)
            )
            return bool(name == "和平小区")

    await platform.eventually(known, within_s=20)
