"""The CloudEvents 1.0 envelope and its Kafka binding: producers write binary content mode (ce_*
headers, data as the value); consumers read binary and structured mode (the whole event as a
JSON value with `content-type: application/cloudevents+json`), as the binding says they should."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from shared.ids import uuid7

SPEC_VERSION = "1.0"
# The content type of a record in structured mode (CloudEvents Kafka binding, 3.2).
STRUCTURED_CONTENT_TYPE = "application/cloudevents"


class EventData(BaseModel):
    """Base of every event contract: the `data` of one event type.

    Subclasses set `event_type` (linli.<service>.<entity>.<verb>.v1). Unknown fields are
    ignored so a newer producer can add fields without breaking older consumers.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str]

    @classmethod
    def source_service(cls) -> str:
        return cls.event_type.split(".")[1]

    @classmethod
    def topic(cls) -> str:
        return topic_of(cls.source_service())


def topic_of(service: str) -> str:
    """Each service publishes on one topic."""
    return f"{service}.events"


def dlq_of(topic: str) -> str:
    return f"{topic}.dlq"


@dataclass(frozen=True)
class Message:
    """A record as a transport carries it: what Kafka would store."""

    topic: str
    key: str | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()
    # Where the transport got it from (consumers only).
    partition: int = 0
    offset: int = -1

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode()
        return None


@dataclass(frozen=True)
class CloudEvent:
    """One event: CloudEvents 1.0 attributes plus `data` (a JSON object)."""

    type: str
    source: str
    subject: str | None
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid7()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    partitionkey: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        data: EventData,
        *,
        subject: str | int,
        key: str | int | None,
        extensions: dict[str, str] | None = None,
    ) -> CloudEvent:
        """Build the event for a contract instance; `key` keeps one compound's events in order."""
        return cls(
            type=data.event_type,
            source=f"/linli/{data.source_service()}",
            subject=str(subject),
            data=data.model_dump(mode="json"),
            partitionkey=None if key is None else str(key),
            extensions=dict(extensions or {}),
        )

    def to_message(self, topic: str) -> Message:
        """Kafka binary content mode: attributes as ce_ headers, data as the JSON value."""
        headers = [
            ("ce_specversion", SPEC_VERSION),
            ("ce_id", self.id),
            ("ce_source", self.source),
            ("ce_type", self.type),
            ("ce_time", self.time.isoformat()),
            ("content-type", "application/json"),
        ]
        if self.subject is not None:
            headers.append(("ce_subject", self.subject))
        headers.extend((f"ce_{k}", v) for k, v in sorted(self.extensions.items()))
        return Message(
            topic=topic,
            key=self.partitionkey,
            value=json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode(),
            headers=tuple((k, v.encode()) for k, v in headers),
        )

    @classmethod
    def from_message(cls, message: Message) -> CloudEvent:
        """Read an event back, in binary or structured mode; raises ValueError when required
        attributes are missing."""
        content_type = (message.header("content-type") or "").lower()
        if content_type.startswith(STRUCTURED_CONTENT_TYPE):
            return cls._from_structured(message)
        attrs = {k[3:]: v.decode() for k, v in message.headers if k.startswith("ce_")}
        missing = [a for a in ("specversion", "id", "source", "type") if a not in attrs]
        if missing:
            raise ValueError(f"not a CloudEvent: missing {', '.join(missing)}")
        known = {"specversion", "id", "source", "type", "time", "subject"}
        return cls(
            type=attrs["type"],
            source=attrs["source"],
            subject=attrs.get("subject"),
            data=json.loads(message.value) if message.value else {},
            id=attrs["id"],
            time=_utc(datetime.fromisoformat(attrs["time"])) if "time" in attrs else datetime.now(UTC),
            partitionkey=message.key,
            extensions={k: v for k, v in attrs.items() if k not in known},
        )

    @classmethod
    def _from_structured(cls, message: Message) -> CloudEvent:
        """Structured mode: the value is the event itself (attributes and `data`); the record's
        key, when there is one, is the partition key."""
        body = json.loads(message.value)
        if not isinstance(body, dict):
            raise ValueError("not a CloudEvent: a structured-mode value must be a JSON object")
        missing = [a for a in ("specversion", "id", "source", "type") if a not in body]
        if missing:
            raise ValueError(f"not a CloudEvent: missing {', '.join(missing)}")
        data = body.get("data")
        if data is None and "data_base64" in body:
            data = json.loads(base64.b64decode(body["data_base64"]))
        known = {"specversion", "id", "source", "type", "time", "subject", "data", "data_base64", "datacontenttype"}
        known |= {"partitionkey"}
        key = message.key if message.key is not None else body.get("partitionkey")
        return cls(
            type=str(body["type"]),
            source=str(body["source"]),
            subject=None if body.get("subject") is None else str(body["subject"]),
            data=data if isinstance(data, dict) else {},
            id=str(body["id"]),
            time=_utc(datetime.fromisoformat(body["time"])) if "time" in body else datetime.now(UTC),
            partitionkey=None if key is None else str(key),
            extensions={k: str(v) for k, v in body.items() if k not in known},
        )

    def to_json(self) -> dict[str, Any]:
        """Structured mode JSON (for logs, the outbox row and SSE)."""
        out: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "data": self.data,
        }
        if self.subject is not None:
            out["subject"] = self.subject
        if self.partitionkey is not None:
            out["partitionkey"] = self.partitionkey
        out.update(self.extensions)
        return out


def _utc(moment: datetime) -> datetime:
    """CloudEvents times are RFC 3339 (zoned); a producer that left the zone off meant UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
