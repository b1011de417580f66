"""What the notification stories share: the inbox's path, the mornings and evenings they are
told on, a real SMTP server on loopback (aiosmtpd: nothing leaves the machine), reading an
inbox, and 赵师傅's urgent offer."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.api.conftest import Platform
from tests.api.dispatch.builders import API as DISPATCH
from tests.api.dispatch.builders import Cast, order_leak
from tests.helpers import ok

INBOX = "/api/v1/registry/notifications"
# A weekday morning in Xinghualing (10:00 in Shanghai): nobody's quiet hours.
MORNING = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
# 23:00 in Shanghai, inside the quiet hours (22:00-07:00); they end at 07:00, i.e. 23:00 UTC.
LATE_EVENING = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
QUIET_ENDS = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)


class Mailbox:
    """What the loopback SMTP server received."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append(email.message_from_bytes(content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpServer:
    """aiosmtpd on a loopback port, which a story may take down and bring back."""

    def __init__(self) -> None:
        self.box = Mailbox()
        self.port = _free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


async def inbox_of(platform: Platform, headers: dict[str, str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok(await platform.clients["registry"].get(INBOX, headers=headers))
    return result


async def unread(platform: Platform, headers: dict[str, str]) -> int:
    count: int = ok(await platform.clients["registry"].get(f"{INBOX}/unread-count", headers=headers))["unread"]
    return count


async def offer_to_zhao(platform: Platform, cast: Cast) -> dict[str, Any]:
    """王秀英's urgent leak, triaged by 张丽 and offered to 赵师傅; the order."""
    dispatch, grid_worker = platform.clients["dispatch"], cast.grid_worker(platform)
    order: dict[str, Any] = await order_leak(platform, cast)
    ok(
        await dispatch.post(
            f"{DISPATCH}/orders/{order['id']}/triage", json={"triage": "minor", "version": 1}, headers=grid_worker
        )
    )
    ok(
        await dispatch.post(
            f"{DISPATCH}/orders/{order['id']}/dispatch",
            json={"mode": "assign", "party_member_id": cast.zhao["id"]},
            headers=grid_worker,
        )
    )
    return order
