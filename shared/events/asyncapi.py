"""The platform's events as an AsyncAPI 3.0 document, generated from the event contracts
(shared/contracts): one channel per service topic, one message per event type with the JSON
Schema of its data, its Kafka key and its CloudEvents headers (binary content mode, as
`CloudEvent.to_message` writes them). The gateway serves it at /asyncapi.json."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

from shared.contracts import billing, deliberation, dispatch, registry
from shared.events.envelope import SPEC_VERSION, EventData, topic_of

CONTRACT_MODULES: tuple[ModuleType, ...] = (registry, dispatch, billing, deliberation)
SCHEMA_REF = "#/components/schemas/{model}"


def event_contracts() -> list[type[EventData]]:
    """Every event type a Linli service publishes, in its module's order."""
    found: list[type[EventData]] = []
    for module in CONTRACT_MODULES:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, EventData) and value.__module__ == module.__name__ and "event_type" in vars(value):
                found.append(value)
    return sorted(found, key=lambda c: c.event_type)


def _headers(contract: type[EventData]) -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"],
        "properties": {
            "ce_specversion": {"const": SPEC_VERSION},
            "ce_id": {**text, "description": "事件唯一编号 (event id, a UUIDv7; consumers apply each once)"},
            "ce_source": {"const": f"/linli/{contract.source_service()}"},
            "ce_type": {"const": contract.event_type},
            "ce_time": {**text, "format": "date-time"},
            "ce_subject": {**text, "description": "事件所涉记录的编号 (the id of the record the event is about)"},
            "content-type": {"const": "application/json"},
        },
        # Extension attributes (ce_linli…, e.g. on a parked record) may follow.
        "additionalProperties": text,
    }


def asyncapi_document(version: str = "0.1.0") -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for contract in event_contracts():
        schema = contract.model_json_schema(ref_template=SCHEMA_REF)
        schemas.update(schema.pop("$defs", {}))
        name = contract.event_type
        schemas[name] = {**schema, "title": name}
        messages[name] = {
            "name": name,
            "title": contract.__name__,
            "summary": (inspect.getdoc(contract) or "").split("\n\n")[0],
            "contentType": "application/json",
            "headers": _headers(contract),
            "payload": {"$ref": SCHEMA_REF.format(model=name)},
            "bindings": {
                "kafka": {
                    "key": {
                        "type": "string",
                        "description": "分区键，通常为小区编号 (partition key, usually the compound id)",
                    },
                    "bindingVersion": "0.5.0",
                }
            },
        }
        topic = topic_of(contract.source_service())
        channel = channels.setdefault(
            topic,
            {
                "address": topic,
                "description": f"{contract.source_service()} 发布的事件 (events of {contract.source_service()})",
                "messages": {},
            },
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for topic, channel in channels.items():
        service = topic.split(".")[0]
        operations[f"{service}_publishes"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{m}"} for m in channel["messages"]],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Linli 邻里 events",
            "version": version,
            "description": "各服务通过 Kafka 发布的事件：CloudEvents 1.0，二进制模式（ce_* 请求头，data 为消息体）；"
            "消费者也接受结构化模式（application/cloudevents+json）。\n\n"
            "The services' events on Kafka: CloudEvents 1.0 in binary content mode (ce_* headers, the data as "
            "the value); consumers also accept structured mode (application/cloudevents+json).",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }
