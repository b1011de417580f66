"""The simulated channel of development: a resident's pending payment order gets a notification
signed as the channel would sign it; posted unchanged to the notification endpoint it is verified
and booked like a real one (a receipt follows), and tampered it is refused. Another household
learns nothing of the order, a paid order has nothing left to simulate, and where the channel's
real keys are configured (or in production) there is no simulated channel at all."""

from __future__ import annotations

from services.billing.payments.channels import AlipayTestSigner
from services.billing.payments.domain import Channel
from tests.api.billing.builders import billing, ok, resident, two_quarters_billed
from tests.api.conftest import Platform

API = "/api/v1/billing"


async def test_a_simulated_payment_is_booked_through_the_verified_notification(platform: Platform) -> None:
    c = await two_quarters_billed(platform)
    household = c.household_ids[c.dwelling_ids[0]]
    mine = resident(platform, household)
    for channel in ("alipay", "wechat"):
        order = await ok(
            await billing(platform).post(
                f"{API}/payment-orders",
                json={"dwelling_id": c.dwelling_ids[0], "channel": channel, "amount_fen": 100},
                headers=mine,
            ),
            201,
        )
        url = f"{API}/payment-orders/{order['out_trade_no']}/simulated-notification"
        simulated = await ok(await billing(platform).get(url, headers=mine))
        assert (simulated["channel"], simulated["amount_fen"]) == (channel, 100)
        assert simulated["post_to"] == f"{API}/payment-notifications/{channel}"

        # Tampered (the amount changed on the way): the signature no longer holds.
        forged = simulated["body"].replace("1.00", "0.01") if channel == "alipay" else simulated["body"] + " "
        refused = await billing(platform).post(simulated["post_to"], content=forged, headers=simulated["headers"])
        assert refused.status_code == 401, refused.text

        booked = await billing(platform).post(
            simulated["post_to"], content=simulated["body"], headers=simulated["headers"]
        )
        assert booked.status_code == 200, booked.text
        paid = await ok(await billing(platform).get(f"{API}/payment-orders/{order['out_trade_no']}", headers=mine))
        assert (paid["status"], paid["payment_id"] is not None) == ("paid", True)
        receipt = await ok(await billing(platform).get(f"{API}/payments/{paid['payment_id']}", headers=mine))
        assert receipt["amount_fen"] == 100

        # Paid: nothing left to simulate.
        again = await billing(platform).get(url, headers=mine)
        assert again.status_code == 409
        assert again.json()["error"]["message"] == "该支付订单已不是待支付状态"

    # Another household's resident is told nothing about the order.
    other = resident(platform, c.household_ids[c.dwelling_ids[1]], person=902)
    assert (await billing(platform).get(url, headers=other)).status_code in (403, 404)

    # With the channel's real verifier in place there is no simulated channel.
    channels = platform.apps["billing"].state.billing_channels
    real = channels[Channel.alipay]
    assert isinstance(real, AlipayTestSigner)
    channels[Channel.alipay] = object()
    try:
        order = await ok(
            await billing(platform).post(
                f"{API}/payment-orders",
                json={"dwelling_id": c.dwelling_ids[0], "channel": "alipay", "amount_fen": 100},
                headers=mine,
            ),
            201,
        )
        none = await billing(platform).get(
            f"{API}/payment-orders/{order['out_trade_no']}/simulated-notification", headers=mine
        )
        assert none.status_code == 404
        assert none.json()["error"]["code"] == "no_simulated_channel"
    finally:
        channels[Channel.alipay] = real
