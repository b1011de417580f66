"""Fixtures of the registry's stories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.registry.notifying import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a loopback port for the e-mail channel's stories."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
