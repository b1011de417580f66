"""Payments: at the counter, online through WeChat Pay and Alipay notifications, refunds and
reversals; allocation oldest first, gapless receipts, and the books checked after each story."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from services.billing.payments.channels import AlipayTestSigner, Notification
from services.billing.payments.domain import Channel
from shared.auth import Grant, Role
from tests.api.billing.builders import (
    Compound,
    billing,
    books_ok,
    money,
    ok,
    resident,
    staff,
    two_quarters_billed,
    wechat,
    wechat_transaction,
)
from tests.api.conftest import Platform

API = "/api/v1/billing"


async def bills_of(platform: Platform, c: Compound, dwelling_id: int) -> list[dict[str, Any]]:
    page = await ok(
        await billing(platform).get(
            f"{API}/bills",
            params={"compound_id": c.compound_id, "dwelling_id": dwelling_id},
            headers=staff(platform, c.compound_id),
        )
    )
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_counter_payment_pays_oldest_first_and_refund_takes_back_newest(platform: Platform) -> None:
    c = await two_quarters_billed(platform)
    dwelling = c.dwelling_ids[0]
    headers = staff(platform, c.compound_id)

    paid = await ok(
        await billing(platform).post(
            f"{API}/payments",
            json={"dwelling_id": dwelling, "amount_fen": 20_000, "payer_name": "王阿姨"},
            headers=money(headers),
        ),
        201,
    )
    assert paid["receipt_no"] == f"{c.compound_id:06d}-00000001"
    assert [(a["period_label"], a["amount_fen"]) for a in paid["allocations"]] == [
        ("2026-Q1", 15_000),
        ("2026-Q2", 5_000),
    ]

    # More than owed at the counter, a negative amount, a refund above what was paid: refused.
    too_much = await billing(platform).post(
        f"{API}/payments", json={"dwelling_id": dwelling, "amount_fen": 10_001}, headers=money(headers)
    )
    assert too_much.status_code == 422
    assert too_much.json()["error"]["code"] == "overpayment"
    negative = await billing(platform).post(
        f"{API}/payments", json={"dwelling_id": dwelling, "amount_fen": -5}, headers=money(headers)
    )
    assert negative.status_code == 422
    above = await billing(platform).post(
        f"{API}/payments/{paid['id']}/refunds", json={"amount_fen": 20_001, "reason": "多收"}, headers=money(headers)
    )
    assert above.status_code == 422

    refund = await ok(
        await billing(platform).post(
            f"{API}/payments/{paid['id']}/refunds",
            json={"amount_fen": 3_000, "reason": "二季度多收"},
            headers=money(headers),
        ),
        201,
    )
    assert refund["reason"] == "二季度多收"
    q1, q2 = await bills_of(platform, c, dwelling)
    assert (q1["paid_fen"], q2["paid_fen"]) == (15_000, 2_000)

    second = await ok(
        await billing(platform).post(
            f"{API}/payments", json={"dwelling_id": dwelling, "amount_fen": 13_000}, headers=money(headers)
        ),
        201,
    )
    assert second["receipt_no"].endswith("-00000002")
    reversed_ = await ok(
        await billing(platform).post(
            f"{API}/payments/{second['id']}/reverse",
            json={"version": second["version"], "reason": "录错房号"},
            headers=money(headers),
        )
    )
    assert reversed_["status"] == "reversed"
    again = await billing(platform).post(
        f"{API}/payments/{second['id']}/reverse",
        json={"version": reversed_["version"], "reason": "again"},
        headers=money(headers),
    )
    assert again.status_code == 409
    q1, q2 = await bills_of(platform, c, dwelling)
    assert (q1["paid_fen"], q2["paid_fen"]) == (15_000, 2_000)

    arrears = await ok(
        await billing(platform).get(
            f"{API}/arrears",
            params={"compound_id": c.compound_id, "by": "household", "as_of": "2026-12-31"},
            headers=headers,
        )
    )
    assert arrears["total_outstanding_fen"] == 13_000 + 30_000
    reminders = await ok(
        await billing(platform).post(
            f"{API}/reminders", json={"compound_id": c.compound_id, "as_of": "2026-12-31"}, headers=headers
        ),
        201,
    )
    assert (reminders["reminded"], reminders["outstanding_fen"]) == (2, 43_000)
    assert await platform.outbox_rows("billing", "arrears") == 2
    rate = await ok(
        await billing(platform).get(
            f"{API}/collection-rate", params={"scope_id": c.compound_id, "period": "2026-H1"}, headers=headers
        )
    )
    assert (rate["due_fen"], rate["paid_fen"], rate["collection_rate"]) == (60_000, 17_000, "28.33%")
    check = await books_ok(platform, c.compound_id)
    assert check["receivable_balance_fen"] == 43_000


async def test_a_resident_sees_only_their_own_household(platform: Platform) -> None:
    c = await two_quarters_billed(platform)
    mine, theirs = (c.household_ids[d] for d in c.dwelling_ids)
    me = resident(platform, mine)
    own = await ok(await billing(platform).get(f"{API}/bills", params={"household_id": mine}, headers=me))
    assert own["total"] == 2
    other = await billing(platform).get(f"{API}/bills", params={"household_id": theirs}, headers=me)
    assert other.status_code == 403
    compound_wide = await billing(platform).get(f"{API}/bills", params={"compound_id": c.compound_id}, headers=me)
    assert compound_wide.status_code == 403
    foreign_bill = (await bills_of(platform, c, c.dwelling_ids[1]))[0]["id"]
    assert (await billing(platform).get(f"{API}/bills/{foreign_bill}", headers=me)).status_code == 403
    # A resident cannot take money at the counter, nor read the journal.
    pay = await billing(platform).post(
        f"{API}/payments", json={"dwelling_id": c.dwelling_ids[0], "amount_fen": 100}, headers=money(me)
    )
    assert pay.status_code == 403
    journal = await billing(platform).get(f"{API}/journal", params={"compound_id": c.compound_id}, headers=me)
    assert journal.status_code == 403
    # An auditor of the street reads the journal and the books' check, and books nothing.
    auditor = platform.token(Grant(Role.auditor, "street", c.street_id), person=50)
    entries = await ok(
        await billing(platform).get(f"{API}/journal", params={"compound_id": c.compound_id}, headers=auditor)
    )
    assert [e["source_kind"] for e in entries["items"]] == ["bill_run", "bill_run"]
    assert all(
        sum(x["debit_fen"] for x in e["lines"]) == sum(x["credit_fen"] for x in e["lines"]) for e in entries["items"]
    )
    refused = await billing(platform).post(
        f"{API}/payments", json={"dwelling_id": c.dwelling_ids[0], "amount_fen": 100}, headers=money(auditor)
    )
    assert refused.status_code == 403
    outsider = platform.token(Grant(Role.auditor, "street", c.street_id + 1), person=51)
    assert (
        await billing(platform).get(f"{API}/journal", params={"compound_id": c.compound_id}, headers=outsider)
    ).status_code == 403


async def test_a_wechat_notification_delivered_three_times_books_once(platform: Platform) -> None:
    c = await two_quarters_billed(platform)
    household = c.household_ids[c.dwelling_ids[0]]
    order = await ok(
        await billing(platform).post(
            f"{API}/payment-orders",
            json={"dwelling_id": c.dwelling_ids[0], "channel": "wechat"},
            headers=resident(platform, household),
        ),
        201,
    )
    assert order["amount_fen"] == 30_000
    adapter = wechat(platform)
    url = f"{API}/payment-notifications/wechat"

    headers, body = adapter.sign(wechat_transaction(adapter, order))
    bad = await billing(platform).post(url, content=body, headers={**headers, "wechatpay-signature": "Zm9yZ2Vk"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "bad_signature"
    h, b = adapter.sign(wechat_transaction(adapter, order, amount={"total": 1, "currency": "CNY"}))
    assert (await billing(platform).post(url, content=b, headers=h)).json()["error"]["code"] == "amount_mismatch"
    h, b = adapter.sign(wechat_transaction(adapter, order, mchid="1999999999"))
    assert (await billing(platform).post(url, content=b, headers=h)).json()["error"]["code"] == "merchant_mismatch"
    payments = await ok(
        await billing(platform).get(
            f"{API}/payments", params={"compound_id": c.compound_id}, headers=staff(platform, c.compound_id)
        )
    )
    assert payments["total"] == 0

    for _ in range(3):
        answer = await billing(platform).post(url, content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"code": "SUCCESS", "message": "成功"}
    payments = await ok(
        await billing(platform).get(
            f"{API}/payments", params={"household_id": household}, headers=resident(platform, household)
        )
    )
    assert payments["total"] == 1
    assert payments["items"][0]["receipt_no"].endswith("-00000001")
    assert payments["items"][0]["out_trade_no"] == order["out_trade_no"]
    assert all(b["outstanding_fen"] == 0 for b in await bills_of(platform, c, c.dwelling_ids[0]))
    # The refused notifications are on record (they used to vanish with their rolled-back
    # transaction): finance sees what the channel sent and why it was refused.
    staff_headers = staff(platform, c.compound_id)
    seen = await ok(
        await billing(platform).get(
            f"{API}/payment-notifications", params={"compound_id": c.compound_id}, headers=staff_headers
        )
    )
    assert sorted(n["outcome"] for n in seen) == sorted(
        ["rejected:amount_mismatch", "rejected:merchant_mismatch", "booked", "duplicate", "duplicate"]
    )
    operator = platform.token(Grant(Role.ops), person=5)
    everything = await ok(
        await billing(platform).get(f"{API}/payment-notifications", params={"rejected_only": True}, headers=operator)
    )
    assert sorted(n["outcome"] for n in everything) == [
        "rejected:amount_mismatch",
        "rejected:bad_signature",
        "rejected:merchant_mismatch",
    ]
    assert (await billing(platform).get(f"{API}/payment-notifications", headers=staff_headers)).status_code == 403
    await books_ok(platform, c.compound_id)


async def test_alipay_notification_and_the_requery_of_an_order_left_pending(platform: Platform) -> None:
    c = await two_quarters_billed(platform)
    headers = staff(platform, c.compound_id)
    alipay: AlipayTestSigner = platform.apps["billing"].state.billing_channels[Channel.alipay]
    order = await ok(
        await billing(platform).post(
            f"{API}/payment-orders",
            json={"dwelling_id": c.dwelling_ids[0], "channel": "alipay", "amount_fen": 15_000},
            headers=headers,
        ),
        201,
    )
    form = alipay.sign(
        {
            "notify_id": "ali-1",
            "out_trade_no": order["out_trade_no"],
            "trade_no": "2026112522001",
            "total_amount": "150.00",
            "seller_id": alipay.merchant_id,
            "app_id": "2021000000000000",
            "trade_status": "TRADE_SUCCESS",
        }
    )
    answer = await billing(platform).post(
        f"{API}/payment-notifications/alipay",
        content=urlencode(form),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert answer.text == "success"

    # The second dwelling's order: the notification never arrives, the re-query finds it paid.
    lost = await ok(
        await billing(platform).post(
            f"{API}/payment-orders", json={"dwelling_id": c.dwelling_ids[1], "channel": "wechat"}, headers=headers
        ),
        201,
    )
    adapter = wechat(platform)
    runtime = platform.apps["billing"].state.runtime
    assert await runtime.tick("payment_requery") == 0  # too young to ask about
    adapter.settled[lost["out_trade_no"]] = Notification(
        Channel.wechat, lost["out_trade_no"], "4200000009", lost["amount_fen"], adapter.merchant_id, True
    )
    runtime.clock.advance(timedelta(minutes=5))
    try:
        assert await runtime.tick("payment_requery") == 1
    finally:
        runtime.clock.advance(-timedelta(minutes=5))
    settled = await ok(await billing(platform).get(f"{API}/payment-orders/{lost['out_trade_no']}", headers=headers))
    assert settled["status"] == "paid"
    payments = await ok(
        await billing(platform).get(f"{API}/payments", params={"compound_id": c.compound_id}, headers=headers)
    )
    assert [p["receipt_no"][-2:] for p in payments["items"]] == ["01", "02"]
    await books_ok(platform, c.compound_id)


@pytest.mark.parametrize("body", [b"not json", json.dumps({"resource": {}}).encode()])
async def test_garbage_at_the_notification_endpoint_books_nothing(platform: Platform, body: bytes) -> None:
    answer = await billing(platform).post(f"{API}/payment-notifications/wechat", content=body)
    assert answer.status_code == 401
    unknown = await billing(platform).post(f"{API}/payment-notifications/paypal", content=body)
    assert unknown.status_code == 404


async def test_an_order_nobody_paid_is_asked_about_and_closed_after_two_hours_on_sqlite(platform: Platform) -> None:
    # SQLite hands timestamps back without a zone; the ticker compares them with the aware clock.
    # `make run` crashed here every 30 s before billing's columns came back UTC-aware.
    c = await two_quarters_billed(platform)
    headers = staff(platform, c.compound_id)
    order = await ok(
        await billing(platform).post(
            f"{API}/payment-orders", json={"dwelling_id": c.dwelling_ids[0], "channel": "wechat"}, headers=headers
        ),
        201,
    )
    runtime = platform.apps["billing"].state.runtime
    runtime.clock.advance(timedelta(minutes=5))
    assert await runtime.tick("payment_requery") == 1  # asked, the channel knows no payment
    asked = await ok(await billing(platform).get(f"{API}/payment-orders/{order['out_trade_no']}", headers=headers))
    assert (asked["status"], asked["query_attempts"]) == ("pending", 1)
    runtime.clock.advance(timedelta(hours=2))
    assert await runtime.tick("payment_requery") == 1
    closed = await ok(await billing(platform).get(f"{API}/payment-orders/{order['out_trade_no']}", headers=headers))
    assert closed["status"] == "closed"
    assert await runtime.tick("payment_requery") == 0  # nothing left to ask about


MONEY_ROUTES = [
    "/bill-runs",
    "/bills/1/reissue",
    "/payments",
    "/payments/1/refunds",
    "/payments/1/reverse",
    "/revenues",
    "/distributions",
    "/expenses",
    "/funds/shared-development/deposits",
    "/funds/shared-development/disbursements",
    "/funds/maintenance/deposits",
    "/funds/maintenance/withdrawals",
]


async def test_a_refund_retried_without_a_key_is_refused_and_with_one_refunds_once(platform: Platform) -> None:
    # The clerk's app timed out and sent the refund again: without a key both refunds booked.
    c = await two_quarters_billed(platform)
    headers = staff(platform, c.compound_id)
    paid = await ok(
        await billing(platform).post(
            f"{API}/payments", json={"dwelling_id": c.dwelling_ids[0], "amount_fen": 20_000}, headers=money(headers)
        ),
        201,
    )
    refund = {"amount_fen": 3_000, "reason": "多收"}
    bare = await billing(platform).post(f"{API}/payments/{paid['id']}/refunds", json=refund, headers=headers)
    assert bare.status_code == 428
    error = bare.json()["error"]
    assert error["code"] == "idempotency_key_required"
    assert "Idempotency-Key" in error["message"]
    assert "Idempotency-Key" in error["message_en"]

    keyed = {**headers, "Idempotency-Key": "refund-王阿姨-1".encode().hex()}
    first = await ok(
        await billing(platform).post(f"{API}/payments/{paid['id']}/refunds", json=refund, headers=keyed), 201
    )
    retry = await ok(
        await billing(platform).post(f"{API}/payments/{paid['id']}/refunds", json=refund, headers=keyed), 201
    )
    assert retry["id"] == first["id"]
    refunds = await ok(
        await billing(platform).get(f"{API}/refunds", params={"compound_id": c.compound_id}, headers=headers)
    )
    assert [r["amount_fen"] for r in refunds] == [3_000]
    await books_ok(platform, c.compound_id)

    for route in MONEY_ROUTES:
        answer = await billing(platform).post(f"{API}{route}", json={}, headers=headers)
        assert answer.status_code == 428, (route, answer.text)


async def test_a_counter_payment_prints_a_receipt_the_payer_can_keep(platform: Platform) -> None:
    # 王秀英 pays 100.01 yuan at the counter and asks for a receipt (收据) to take home: before,
    # there was only the JSON of the payment, with ids and no amount in capitals.
    c = await two_quarters_billed(platform)  # 5 January 2026, 10:00 in Shanghai
    dwelling = c.dwelling_ids[0]
    household = c.household_ids[dwelling]
    headers = staff(platform, c.compound_id)
    paid = await ok(
        await billing(platform).post(
            f"{API}/payments",
            json={"dwelling_id": dwelling, "amount_fen": 10_001, "payer_name": "王秀英"},
            headers=money(headers),
        ),
        201,
    )
    url = f"{API}/payments/{paid['id']}/receipt.html"
    answer = await billing(platform).get(url, headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    for seen in (
        "收　据",
        "杏花岭小区",
        paid["receipt_no"],
        "王*英",
        "1栋101",
        "2026年1月1日至2026年3月31日",
        "¥100.01",
        "人民币壹佰元零壹分",
        "柜台收款",
        "2026年01月05日 10:00（北京时间）",
    ):
        assert seen in page, seen
    assert "王秀英" not in page
    assert "/api/" not in page
    assert "dwelling_id" not in page
    # The paying household reads its own receipt; a neighbour does not.
    mine = await billing(platform).get(url, headers=resident(platform, household))
    assert mine.status_code == 200
    assert "人民币壹佰元零壹分" in mine.text
    neighbour = await billing(platform).get(url, headers=resident(platform, c.household_ids[c.dwelling_ids[1]]))
    assert neighbour.status_code == 403
    assert (await billing(platform).get(f"{API}/payments/9999/receipt.html", headers=headers)).status_code == 404
