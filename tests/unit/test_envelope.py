"""CloudEvents 1.0 envelope and its Kafka binding."""

import base64
import json
import uuid

import pytest

from shared.contracts.registry import CompoundCreated
from shared.events.envelope import CloudEvent, Message
from shared.ids import uuid7


def _xinghualing() -> CompoundCreated:
    return CompoundCreated(
        compound_id=7, name="杏花岭小区", community_id=3, kind="old", management_model="self_managed", version=1
    )


def test_uuid7_is_version_7_and_time_ordered() -> None:
    ids = [uuid7() for _ in range(200)]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert len(set(ids)) == 200
    # The leading 48 bits are milliseconds: never decreasing.
    millis = [i.int >> 80 for i in ids]
    assert millis == sorted(millis)


def test_event_round_trips_through_kafka_headers() -> None:
    event = CloudEvent.of(_xinghualing(), subject=7, key=7)
    message = event.to_message("registry.events")
    assert message.key == "7"
    assert message.header("ce_type") == "linli.registry.compound.created.v1"
    assert message.header("ce_source") == "/linli/registry"
    assert message.header("ce_specversion") == "1.0"
    back = CloudEvent.from_message(message)
    assert back.id == event.id
    assert back.subject == "7"
    assert back.data["name"] == "杏花岭小区"
    assert back.time == event.time
    assert CompoundCreated.model_validate(back.data) == _xinghualing()


def test_a_structured_mode_record_reads_as_the_same_event() -> None:
    """A producer outside Linli may send the whole event as the value (CloudEvents Kafka binding,
    structured content mode): consumers read it as they read binary mode."""
    event = CloudEvent.of(_xinghualing(), subject=7, key=7)
    body = json.dumps(event.to_json(), ensure_ascii=False).encode()
    message = Message(
        topic="registry.events",
        key="7",
        value=body,
        headers=(("content-type", b"application/cloudevents+json; charset=UTF-8"),),
    )
    back = CloudEvent.from_message(message)
    assert (back.id, back.type, back.source, back.subject, back.partitionkey) == (
        event.id,
        "linli.registry.compound.created.v1",
        "/linli/registry",
        "7",
        "7",
    )
    assert back.time == event.time
    assert CompoundCreated.model_validate(back.data) == _xinghualing()
    # data_base64 carries the same JSON; a structured record missing an attribute is refused.
    encoded = {**event.to_json(), "data_base64": base64.b64encode(json.dumps(event.data).encode()).decode()}
    del encoded["data"]
    as_base64 = Message(topic="registry.events", key="7", value=json.dumps(encoded).encode(), headers=message.headers)
    assert CompoundCreated.model_validate(CloudEvent.from_message(as_base64).data) == _xinghualing()
    no_type = {k: v for k, v in event.to_json().items() if k != "type"}
    with pytest.raises(ValueError, match="missing type"):
        CloudEvent.from_message(
            Message(topic="registry.events", key="7", value=json.dumps(no_type).encode(), headers=message.headers)
        )


def test_a_record_without_ce_attributes_is_refused() -> None:
    with pytest.raises(ValueError, match="missing"):
        CloudEvent.from_message(Message(topic="registry.events", key="1", value=b"{}", headers=()))


def test_consumers_tolerate_fields_a_newer_producer_added() -> None:
    data = _xinghualing().model_dump() | {"cluster_id": 12}
    assert CompoundCreated.model_validate(data).compound_id == 7


def test_contract_knows_its_topic() -> None:
    assert CompoundCreated.topic() == "registry.events"
