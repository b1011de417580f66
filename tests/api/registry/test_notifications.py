"""People hear about what concerns them (issue 15): the registry turns dispatch's offer into a
message in 赵师傅's inbox, with its deadline; a redelivered event gives no second message;
a polite arrears reminder at 23:00 reaches 王秀英's inbox at once but her e-mail only at 07:00,
through a real SMTP server on loopback (aiosmtpd: nothing leaves the machine)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from services.registry.notifications.models import Contact, Delivery, DeliveryAttempt, Notification
from shared.auth import Grant, Role
from shared.clock import LOCAL_TZ
from shared.contracts.billing import ArrearsReminder, DisclosurePublished, PaymentBooked
from shared.contracts.deliberation import ProposalStatusChanged
from shared.events.outbox import outbox, row_to_message
from tests.api.billing.builders import publish
from tests.api.conftest import Platform
from tests.api.deliberation.builders import build_compound, days, seat_bodies, synced
from tests.api.deliberation.flow import to_open_vote
from tests.api.dispatch.builders import API as DISPATCH
from tests.api.dispatch.builders import order_leak, xinghualing_cast
from tests.api.registry.builders import registry_session
from tests.api.registry.notifying import INBOX, LATE_EVENING, MORNING, QUIET_ENDS, SmtpServer, inbox_of, unread
from tests.helpers import ok


@pytest.fixture
def settings_overrides(smtp: SmtpServer) -> dict[str, Any]:
    # The development log channel and e-mail through the loopback server.
    return {"notify_channels": "log,email", "smtp_host": "127.0.0.1", "smtp_port": smtp.port}


async def test_zhao_finds_the_offer_in_his_inbox_once_with_its_deadline_and_no_one_else_can_read_it(
    platform: Platform,
) -> None:
    platform.set_clock(MORNING)  # a morning, so the deadline below reads as a daytime hour
    registry, dispatch = platform.clients["registry"], platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    zhao = cast.member(platform, cast.zhao)
    assert await inbox_of(platform, zhao) == []

    # 王秀英's leaking pipe; 张丽 triages it and sends it to 赵师傅.
    order = await order_leak(platform, cast)
    grid_worker = cast.grid_worker(platform)
    ok(
        await dispatch.post(
            f"{DISPATCH}/orders/{order['id']}/triage", json={"triage": "minor", "version": 1}, headers=grid_worker
        )
    )
    offered = ok(
        await dispatch.post(
            f"{DISPATCH}/orders/{order['id']}/dispatch",
            json={"mode": "assign", "party_member_id": cast.zhao["id"]},
            headers=grid_worker,
        )
    )
    [accept_by] = [datetime.fromisoformat(d["due_at"]) for d in offered["deadlines"] if d["stage"] == "accept"]
    local = accept_by.astimezone(LOCAL_TZ)

    # The offer is in his inbox, with the deadline in Shanghai time and the link to the order.
    [message] = await platform.eventually(lambda: inbox_of(platform, zhao))
    assert (message["kind"], message["kind_label"]) == ("order_offered", "新的派单邀约")
    assert message["title"] == "新的派单：水管漏水"
    assert f"请在 {local.month}月{local.day}日 {local:%H:%M} 前接单或婉拒" in message["body"]
    assert "紧急" in message["body"]
    assert (message["link"], message["read_at"], message["urgent"]) == (f"/tasks/{order['id']}", None, True)
    assert await unread(platform, zhao) == 1

    # The grid worker heard of the new order in her grid; 孙师傅, not offered it, heard nothing.
    [news] = await platform.eventually(lambda: inbox_of(platform, grid_worker))
    assert (news["kind"], news["title"]) == ("order_new_in_grid", "网格内新工单：水管漏水")
    sun = cast.member(platform, cast.sun)
    assert await inbox_of(platform, sun) == []

    # The same event delivered again (a relay re-sending after a crash) gives no second message.
    async with platform.apps["dispatch"].state.runtime.db.sessionmaker() as session:
        [row] = (await session.execute(select(outbox).where(outbox.c.type == "linli.dispatch.order.offered.v1"))).all()
    await platform.apps["dispatch"].state.runtime.transport.publish([row_to_message(row)])
    # Wait for the registry to have consumed it: its inbox records the event once, for good.
    await platform.eventually(lambda: _consumed_twice(platform, row.event_id))
    assert [m["id"] for m in await inbox_of(platform, zhao)] == [message["id"]]

    # Someone else cannot read or mark his message: not found, and nothing changes.
    for other in (sun, cast.resident(platform), grid_worker):
        answer = await registry.post(f"{INBOX}/{message['id']}/read", headers=other)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["message"] == f"消息 {message['id']} 不存在"
        assert message["id"] not in [m["id"] for m in await inbox_of(platform, other)]
    assert await unread(platform, zhao) == 1

    # He opens it: read, and the badge drops; reading it again keeps the first time.
    read = ok(await registry.post(f"{INBOX}/{message['id']}/read", headers=zhao))
    assert read["read_at"] is not None
    assert await unread(platform, zhao) == 0
    again = ok(await registry.post(f"{INBOX}/{message['id']}/read", headers=zhao))
    assert again["read_at"] == read["read_at"]
    assert ok(await registry.get(INBOX, params={"unread": True}, headers=zhao)) == []

    # 张丽 marks all of hers read at once.
    assert ok(await registry.post(f"{INBOX}/read-all", headers=grid_worker)) == {"marked_read": 1}
    assert await unread(platform, grid_worker) == 0

    # He accepts; 王秀英 hears that her order was taken.
    ok(await dispatch.post(f"{DISPATCH}/orders/{order['id']}/accept", json={}, headers=zhao))
    [taken] = await platform.eventually(lambda: inbox_of(platform, cast.resident(platform)))
    assert (taken["kind"], taken["title"], taken["link"]) == (
        "order_accepted",
        "您的工单已被接单",
        f"/orders/{order['id']}",
    )


async def _all_delivered(platform: Platform) -> bool:
    """Every delivery has its outcome written (a server sees the mail a moment before)."""
    async with registry_session(platform) as session:
        return not list(await session.scalars(select(Delivery).where(Delivery.status == "pending")))


async def _consumed_twice(platform: Platform, event_id: str) -> bool:
    """The registry has handled (and skipped) the redelivery: its consumer's offsets moved past
    both copies. Checked through a later event instead would race, so look at the log's lag."""
    consumer = platform.apps["registry"].state.runtime.consumer
    assert consumer is not None
    lag: int = await consumer.subscription.lag()
    return lag == 0


async def test_a_late_arrears_reminder_waits_for_seven_before_it_is_emailed(
    platform: Platform, smtp: SmtpServer
) -> None:
    box = smtp.box
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    wang = cast.resident(platform)

    # 王秀英 gives an e-mail address for her notifications; it comes back masked.
    prefs = ok(await registry.put(f"{INBOX}/preferences", json={"email": "wangxy@example.com"}, headers=wang))
    assert prefs["email"] == "w***@example.com"
    assert prefs["available_channels"] == ["in_app", "log", "email"]
    reminder = next(k for k in prefs["kinds"] if k["kind"] == "arrears_reminder")
    assert (reminder["kind_label"], reminder["channels"], reminder["chosen"]) == ("缴费提醒", ["log", "email"], False)

    # At 23:00 in Shanghai billing sends a polite reminder for her dwelling (as its relay would).
    platform.set_clock(LATE_EVENING)
    await publish(
        platform,
        ArrearsReminder(
            compound_id=cast.home.compound_id,
            dwelling_id=cast.home.dwelling_id,
            household_id=cast.home.household_id,
            outstanding_fen=123_450,
            oldest_period="2026",
        ),
        cast.home.compound_id,
    )

    # The inbox has it at once.
    [message] = await platform.eventually(lambda: inbox_of(platform, wang))
    assert (message["kind"], message["title"], message["link"], message["urgent"]) == (
        "arrears_reminder",
        "缴费提醒",
        "/bills",
        False,
    )
    assert "尚有 1234.50 元费用未缴（最早为 2026）" in message["body"]

    # The e-mail waits: a delivery round at 23:00 sends nothing.
    runtime = platform.apps["registry"].state.runtime
    await runtime.tick("notifications")
    assert box.received == []
    async with registry_session(platform) as session:
        waiting = list(await session.scalars(select(Delivery).order_by(Delivery.channel)))
    assert [(d.channel, d.status, d.next_attempt_at) for d in waiting] == [
        ("email", "pending", QUIET_ENDS),
        ("log", "pending", QUIET_ENDS),
    ]

    # 07:00: the next round hands it to the SMTP server, addressed to her, with the link.
    platform.set_clock(QUIET_ENDS + timedelta(seconds=1))
    await runtime.tick("notifications")
    await platform.eventually(lambda: asyncio.sleep(0, result=len(box.received) == 1))
    [mail] = box.received
    assert box.recipients == [["wangxy@example.com"]]
    assert mail["Subject"] == "缴费提醒"
    text = mail.get_content()
    assert "尚有 1234.50 元费用未缴" in text
    assert "/bills" in text

    # The delivery log says both channels sent it, once each.
    await platform.eventually(lambda: _all_delivered(platform))
    async with registry_session(platform) as session:
        done = list(await session.scalars(select(Delivery).order_by(Delivery.channel)))
        log = list(await session.scalars(select(DeliveryAttempt)))
    assert [(d.channel, d.status, d.attempts) for d in done] == [("email", "sent", 1), ("log", "sent", 1)]
    assert sorted((a.outcome, a.reason) for a in log) == [("sent", None), ("sent", None)]

    # She leaves and is erased: her inbox, deliveries and e-mail address go with her.
    person = ok(await registry.get(f"/api/v1/registry/residents/{cast.wang}", headers=platform.street_admin))
    erased = await registry.delete(
        f"/api/v1/registry/residents/{cast.wang}",
        params={"version": person["version"]},
        headers=platform.street_admin,
    )
    assert erased.status_code == 204, erased.text
    assert await inbox_of(platform, wang) == []
    async with registry_session(platform) as session:
        left = [await session.scalar(select(func.count()).select_from(t)) for t in (Delivery, DeliveryAttempt, Contact)]
    assert left == [0, 0, 0]


async def test_an_email_the_server_refuses_is_retried_with_back_off_and_logged(
    platform: Platform, smtp: SmtpServer
) -> None:
    platform.set_clock(MORNING)
    registry = platform.clients["registry"]
    runtime = platform.apps["registry"].state.runtime
    cast = await xinghualing_cast(platform)
    wang = cast.resident(platform)
    ok(await registry.put(f"{INBOX}/preferences", json={"email": "wangxy@example.com"}, headers=wang))

    # The mail server is down when her payment is booked at the counter.
    smtp.stop()
    await publish(
        platform,
        PaymentBooked(
            payment_id=7,
            compound_id=cast.home.compound_id,
            dwelling_id=cast.home.dwelling_id,
            household_id=cast.home.household_id,
            channel="counter",
            amount_fen=60_000,
            receipt_no="XHL-000007",
        ),
        cast.home.compound_id,
    )
    [message] = await platform.eventually(lambda: inbox_of(platform, wang))
    assert (message["title"], message["body"]) == ("缴费已到账", "您家缴纳的 600.00 元已到账，收据号 XHL-000007。")

    async def email_delivery() -> Delivery | None:
        await runtime.tick("notifications")
        async with registry_session(platform) as session:
            found = await session.scalar(select(Delivery).where(Delivery.channel == "email"))
        # An attempt is over once its outcome is written (a claimed one is still pending).
        return found if found is not None and found.last_error is not None else None

    failed: Delivery = await platform.eventually(email_delivery)
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert failed.last_error is not None
    assert failed.last_error.startswith("smtp: ConnectionRefusedError")
    assert "wangxy" not in failed.last_error  # the log names the failure, not the address
    # Tried again after 30 s (NOTIFY_BACKOFF_BASE_SECONDS), doubling after each failure.
    assert timedelta(seconds=20) < failed.next_attempt_at - runtime.clock() <= timedelta(seconds=30)

    # The server is back; 30 s later the retry reaches it and the log tells both attempts.
    smtp.start()
    runtime.clock.advance(timedelta(seconds=31))
    await runtime.tick("notifications")
    await platform.eventually(lambda: asyncio.sleep(0, result=len(smtp.box.received) == 1))
    assert smtp.box.received[0]["Subject"] == "缴费已到账"
    await platform.eventually(lambda: _all_delivered(platform))
    async with registry_session(platform) as session:
        sent = await session.scalar(select(Delivery).where(Delivery.channel == "email"))
        log = list(
            await session.scalars(
                select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == failed.id).order_by(DeliveryAttempt.id)
            )
        )
    assert sent is not None
    assert (sent.status, sent.attempts) == ("sent", 2)
    assert [a.outcome for a in log] == ["failed", "sent"]


async def test_the_owners_hear_of_a_vote_when_it_is_noticed_and_when_it_opens(platform: Platform) -> None:
    small = await build_compound(platform, buildings=2, per_building=6, unsold=1, name="南坪小院")
    await seat_bodies(platform, small, council=1, committee=5, supervisors=1)
    await synced(platform, small)
    walk = await to_open_vote(platform, small)
    someone = small.dwellings[0]["owners"][0]
    mine = platform.token(person=someone)

    async def both() -> list[dict[str, Any]] | None:
        found = await inbox_of(platform, mine)
        return found if len(found) == 2 else None

    opened, noticed = await platform.eventually(both)
    assert (noticed["kind"], noticed["title"], noticed["link"]) == (
        "vote_noticed",
        "表决公告：更换单元门禁",
        "/votes",
    )
    closes = (walk.t0 + days(20)).astimezone(LOCAL_TZ)
    assert (opened["kind"], opened["title"], opened["link"]) == (
        "vote_opened",
        "表决开始：更换单元门禁",
        f"/votes/{walk.vote_id}",
    )
    assert f"请在 {closes.month}月{closes.day}日 {closes:%H:%M} 前投票" in opened["body"]
    # Every owner heard it once: one message of each kind per owner.
    async with registry_session(platform) as session:
        counts = dict(
            (
                await session.execute(
                    select(Notification.kind, func.count()).group_by(Notification.kind).order_by(Notification.kind)
                )
            ).all()
        )
    # And the bodies heard of each step waiting for them: the council of its hearing, the owners'
    # committee of its planning and of the vote notice it must give.
    assert counts == {
        "proposal_step_waiting": len(small.council) + 2 * len(small.committee),
        "vote_noticed": len(small.owners),
        "vote_opened": len(small.owners),
    }


async def test_a_person_chooses_channels_per_kind_and_bad_choices_change_nothing(platform: Platform) -> None:
    registry = platform.clients["registry"]
    cast = await xinghualing_cast(platform)
    wang = cast.resident(platform)

    # No e-mail for bills, please: only the inbox (always on) and the development log.
    chosen = ok(
        await registry.put(
            f"{INBOX}/preferences",
            json={"kinds": [{"kind": "bill_issued", "channels": ["in_app", "log"]}]},
            headers=wang,
        )
    )
    bill = next(k for k in chosen["kinds"] if k["kind"] == "bill_issued")
    assert (bill["channels"], bill["chosen"]) == (["log"], True)
    assert chosen["email"] is None

    # A channel Linli does not know and an address that is not one: 422, nothing changed.
    for body in (
        {"kinds": [{"kind": "bill_issued", "channels": ["carrier_pigeon"]}]},
        {"email": "not an address"},
    ):
        refused = await registry.put(f"{INBOX}/preferences", json=body, headers=wang)
        assert refused.status_code == 422, refused.text
    again = ok(await registry.get(f"{INBOX}/preferences", headers=wang))
    assert again == chosen


async def test_the_council_hears_of_a_proposal_waiting_for_it_and_households_of_a_disclosure(
    platform: Platform,
) -> None:
    cast = await xinghualing_cast(platform)
    compound = cast.home.compound_id
    # 张丽 sits on the compound's council (议事会); 王秀英 does not.
    await platform.post("/memberships", {"person_id": cast.zhang, "body": "council", "compound_id": compound})
    zhang = platform.token(Grant(Role.council, "compound", compound), person=cast.zhang)
    wang = cast.resident(platform)

    # Deliberation moves a proposal to the council's step (as its relay would publish it).
    await publish(
        platform,
        ProposalStatusChanged(
            proposal_id=41,
            compound_id=compound,
            title="加装电动车充电桩",
            status="in_council",
            previous_status="submitted",
            version=2,
        ),
        compound,
    )
    [waiting] = await platform.eventually(lambda: inbox_of(platform, zhang))
    assert (waiting["kind"], waiting["kind_label"], waiting["title"], waiting["link"]) == (
        "proposal_step_waiting",
        "议题待本机构办理",
        "待议事会办理：加装电动车充电桩",
        "/console/",
    )
    assert waiting["body"] == "议题「加装电动车充电桩」已进入「议事会商议中（办不办）」，等待议事会办理。"

    # Billing publishes the compound's statement: her household hears of it, with the period.
    await publish(
        platform,
        DisclosurePublished(
            disclosure_id=3, compound_id=compound, period_label="2026年10月", seq=3, content_hash="h3", prev_hash="h2"
        ),
        compound,
    )
    [notice] = await platform.eventually(lambda: inbox_of(platform, wang))
    assert (notice["kind"], notice["title"], notice["link"]) == (
        "disclosure_published",
        "2026年10月收支公示",
        "/board",
    )
    assert notice["body"] == "小区2026年10月的收支公示已发布（第 3 期），欢迎查阅。"
    assert [m["kind"] for m in await inbox_of(platform, zhang)] == ["proposal_step_waiting"]


async def test_a_fund_request_waits_for_a_second_committee_member_and_not_the_one_who_asked(
    platform: Platform,
) -> None:
    cast = await xinghualing_cast(platform)
    compound = cast.home.compound_id
    # 王秀英 sits on the owners' committee, 张丽 on the supervisory committee.
    await platform.post("/memberships", {"person_id": cast.wang, "body": "owners_committee", "compound_id": compound})
    await platform.post(
        "/memberships", {"person_id": cast.zhang, "body": "supervisory_committee", "compound_id": compound}
    )
    wang = platform.token(Grant(Role.owners_committee, "compound", compound), person=cast.wang)
    zhang = platform.token(Grant(Role.supervisory_committee, "compound", compound), person=cast.zhang)
    billing = platform.clients["billing"]

    async def known() -> bool:
        return (await billing.get(f"/api/v1/billing/compounds/{compound}", headers=wang)).status_code == 200

    await platform.eventually(known)
    # She asks for an emergency use of the maintenance fund: four eyes, so a second member must approve.
    asked = ok(
        await billing.post(
            "/api/v1/billing/fund-approvals",
            json={"compound_id": compound, "action": "emergency_withdrawal", "amount_fen": 1_250_000},
            headers=wang,
        ),
        201,
    )
    [waiting] = await platform.eventually(lambda: inbox_of(platform, zhang))
    assert (waiting["kind"], waiting["title"], waiting["link"]) == (
        "approval_waiting",
        "待您复核：维修资金紧急使用 12500.00 元",
        "/console/",
    )
    assert f"（申请第 {asked['id']} 号）" in waiting["body"]
    assert "按四眼原则须由另一位委员复核" in waiting["body"]
    # The one who asked is not asked to approve her own request.
    assert [m for m in await inbox_of(platform, wang) if m["kind"] == "approval_waiting"] == []
