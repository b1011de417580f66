"""Choosing the transport is configuration only: EVENT_BUS=inprocess|kafka."""

from __future__ import annotations

from shared.events.inprocess import InProcessTransport
from shared.events.kafka import KafkaTransport
from shared.events.transport import Transport
from shared.settings import Settings


def transport_from_settings(settings: Settings, client_id: str) -> Transport:
    if settings.event_bus == "kafka":
        return KafkaTransport(settings, client_id)
    return InProcessTransport(settings.bus_url())
