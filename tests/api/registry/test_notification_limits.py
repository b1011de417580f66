"""Bounds on what reaches a phone or a mailbox (issue 15): a per-person hourly limit on each
external channel (urgent messages have their own bound), the channels a compound allows, and
a one-tap unsubscribe link in every non-essential e-mail that works without a login. E-mail goes
to a real SMTP server on loopback (aiosmtpd): nothing leaves the machine."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from services.registry.notifications import service as n
from services.registry.notifications.domain import Kind, unsubscribe_token
from services.registry.notifications.models import Delivery, Notification
from shared.auth import Grant, Role
from shared.contracts.billing import PaymentBooked
from tests.api.billing.builders import publish
from tests.api.conftest import Platform
from tests.api.dispatch.builders import Cast, xinghualing_cast
from tests.api.registry.builders import registry_session
from tests.api.registry.notifying import INBOX, MORNING, SmtpServer, inbox_of
from tests.helpers import ok

SITE = "https://linli.example.org"


@pytest.fixture
def settings_overrides(smtp: SmtpServer) -> dict[str, Any]:
    return {
        "notify_channels": "email",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "notify_rate_limit_per_hour": 2,
        "public_base_url": SITE,
    }


async def _payment(platform: Platform, cast: Cast, number: int) -> None:
    """Billing books a payment for 王秀英's household (as its relay would publish it)."""
    await publish(
        platform,
        PaymentBooked(
            payment_id=number,
            compound_id=cast.home.compound_id,
            dwelling_id=cast.home.dwelling_id,
            household_id=cast.home.household_id,
            channel="counter",
            amount_fen=10_000 * number,
            receipt_no=f"XHL-{number:06d}",
        ),
        cast.home.compound_id,
    )


async def _deliveries(platform: Platform) -> list[tuple[str, str, str | None]]:
    async with registry_session(platform) as session:
        rows = await session.execute(
            select(Notification.title, Delivery.status, Delivery.last_error)
            .join(Notification, Notification.id == Delivery.notification_id)
            .order_by(Delivery.id)
        )
        return [(t, s, e) for t, s, e in rows.all()]


async def test_three_payments_in_an_hour_two_emails_and_one_tap_stops_them(
    platform: Platform,
    smtp: SmtpServer,
) -> None:
    platform.set_clock(MORNING)
    registry = platform.clients["registry"]
    runtime = platform.apps["registry"].state.runtime
    cast = await xinghualing_cast(platform)
    wang = cast.resident(platform)
    ok(await registry.put(f"{INBOX}/preferences", json={"email": "wangxy@example.com"}, headers=wang))

    # Three payments within the hour: all three in her inbox, two e-mails (NOTIFY_RATE_LIMIT_PER_HOUR=2).
    for number in (1, 2, 3):
        await _payment(platform, cast, number)
        await platform.eventually(functools.partial(_has, platform, wang, number))
    # The background delivery ticker may already have sent the first two: queued either way.
    queued = [(t, "queued" if s in ("pending", "sent") else s, e) for t, s, e in await _deliveries(platform)]
    assert queued == [
        ("缴费已到账", "queued", None),
        ("缴费已到账", "queued", None),
        ("缴费已到账", "skipped", "rate limit: 2 per hour on email"),
    ]
    # An urgent message has its own bound: an escalation still goes to her mailbox.
    async with registry_session(platform) as session:
        params = {"category_name": "水管漏水", "level_label": "社区", "order_id": "O-9", "urgency_label": "紧急"}
        routing = n.Routing.of(runtime.settings)
        event = "0190f000-0000-7000-8000-0000000000e1"
        await n.notify(session, routing, event, Kind.order_escalated, [cast.wang], params, runtime.clock())
        await session.commit()
    title, status, error = (await _deliveries(platform))[-1]
    assert (title, status in ("pending", "sent"), error) == ("工单已升级：水管漏水", True, None)

    async def mailed() -> bool:
        await runtime.tick("notifications")
        return len(smtp.box.received) == 3

    await platform.eventually(mailed)
    by_subject = {m["Subject"]: m for m in smtp.box.received}
    # The payment e-mail (not essential) carries the one-tap link, in the body and for mail clients;
    # the escalation (essential) has none.
    receipt = next(m for m in smtp.box.received if m["Subject"] == "缴费已到账")
    link = receipt["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{SITE}/api/v1/registry/notifications/unsubscribe?token=")
    assert receipt["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"不想再收到此类邮件和短信：{link}" in receipt.get_content()
    assert "List-Unsubscribe" not in by_subject["工单已升级：水管漏水"]
    assert "退订" not in by_subject["工单已升级：水管漏水"].get_content()

    # She taps it on her phone, not logged in: payments no longer come by e-mail.
    token = parse_qs(urlsplit(link).query)["token"][0]
    path = f"{INBOX}/unsubscribe"
    done = ok(await registry.get(path, params={"token": token}))
    assert (done["kind"], done["kind_label"]) == ("payment_received", "缴费已到账")
    assert done["message"].startswith("已退订「缴费已到账」的短信和邮件")
    assert ok(await registry.post(path, params={"token": token})) == done  # her mail client's one click: the same
    prefs = ok(await registry.get(f"{INBOX}/preferences", headers=wang))
    [choice] = [k for k in prefs["kinds"] if k["kind"] == "payment_received"]
    assert (choice["channels"], choice["chosen"]) == ([], True)

    # A forged link, or one for an essential kind, changes nothing.
    forged = await registry.get(path, params={"token": token[:-4] + "0000"})
    assert (forged.status_code, forged.json()["error"]["code"]) == (422, "invalid_unsubscribe_token")
    assert forged.json()["error"]["message"] == "退订链接无效，请在应用的通知设置中修改"
    key = n._unsubscribe_key(runtime.settings)
    essential = await registry.get(path, params={"token": unsubscribe_token(key, cast.wang, Kind.order_escalated)})
    assert (essential.status_code, essential.json()["error"]["code"]) == (422, "essential_kind")
    prefs_after = ok(await registry.get(f"{INBOX}/preferences", headers=wang))
    assert prefs_after == prefs

    # Two hours on, a fourth payment: in her inbox, and no e-mail for it.
    for app in platform.apps.values():
        app.state.runtime.clock.advance(timedelta(hours=2))
    before = len(await _deliveries(platform))
    await _payment(platform, cast, 4)
    await platform.eventually(lambda: _has(platform, wang, 4))
    assert len(await _deliveries(platform)) == before


async def _has(platform: Platform, headers: dict[str, str], number: int) -> bool:
    return any(f"XHL-{number:06d}" in m["body"] for m in await inbox_of(platform, headers))


async def test_the_community_admin_keeps_a_compound_to_the_inbox_and_no_one_else_may(platform: Platform) -> None:
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    wang = cast.resident(platform)
    ok(await registry.put(f"{INBOX}/preferences", json={"email": "wangxy@example.com"}, headers=wang))
    path = f"/api/v1/registry/compounds/{cast.home.compound_id}/notification-channels"
    admin = platform.token(Grant(Role.community_admin, "community", cast.home.community_id), person=cast.zhang)
    assert ok(await registry.get(path, headers=admin)) == {
        "compound_id": cast.home.compound_id,
        "channels": ["email"],
        "available_channels": ["email"],
        "restricted": False,
    }

    # Neither her residents nor another community's admin may change it; nothing changes.
    other_admin = platform.token(Grant(Role.community_admin, "community", cast.home.community_id + 100), person=9)
    for outsider in (wang, other_admin, cast.grid_worker(platform)):
        refused = await registry.put(path, json={"channels": []}, headers=outsider)
        assert refused.status_code == 403, refused.text
    bad = await registry.put(path, json={"channels": ["fax"]}, headers=admin)
    assert bad.status_code == 422, bad.text
    assert ok(await registry.get(path, headers=admin))["restricted"] is False

    # The compound keeps notifications in the app: her payment reaches her inbox, no mailbox.
    limited = ok(await registry.put(path, json={"channels": []}, headers=admin))
    assert (limited["channels"], limited["restricted"]) == ([], True)
    await _payment(platform, cast, 1)
    await platform.eventually(lambda: _has(platform, wang, 1))
    assert await _deliveries(platform) == []

    # Lifted again: the next one is e-mailed as she chose.
    assert ok(await registry.put(path, json={"channels": None}, headers=admin))["channels"] == ["email"]
    await _payment(platform, cast, 2)
    await platform.eventually(lambda: _has(platform, wang, 2))
    assert await _deliveries(platform) == [("缴费已到账", "pending", None)]
