"""The simulated payment channel, for development and tests only: the resident's app shows a
"cashier" page instead of WeChat Pay or Alipay, and paying there posts the notification the
channel would send, signed the way the payments module verifies it (the HMAC test signer of
channels.py, keyed from PAYMENT_CHANNEL_SECRET). This route hands the app that signed
notification for one of the caller's own pending orders; the app posts it unchanged to
/payment-notifications/{channel}, which verifies and books it as it would a real one. Where the
channel is real (its keys configured) or in production it answers 404: there is nothing to
simulate, and no way to book a payment without the channel's signature."""

from __future__ import annotations

import secrets
from decimal import Decimal
from urllib.parse import urlencode

from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.billing.access import place_of, require_household_or_reader
from services.billing.payments.channels import AlipayTestSigner, ChannelAdapter, WeChatPayTestSigner
from services.billing.payments.domain import Channel
from services.billing.payments.models import payment_orders
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.error_codes import ErrorCode
from shared.errors import Conflict, NotFound
from shared.http import Session, service_router

router = service_router("/api/v1/billing", tags=["payments 收款"])


class SimulatedNotification(BaseModel):
    """A channel notification, signed: POST `body` with `headers` to `post_to`."""

    channel: Channel
    post_to: str
    headers: dict[str, str] = Field(description="including Content-Type")
    body: str
    amount_fen: int


@router.get(
    "/payment-orders/{out_trade_no}/simulated-notification",
    response_model=SimulatedNotification,
    summary="开发环境模拟支付：取得已签名的渠道通知 (development only: the signed notification to post)",
)
async def simulated_notification(
    out_trade_no: str, request: Request, now: Now, session: Session, principal: CurrentPrincipal
) -> SimulatedNotification:
    row = (await session.execute(select(payment_orders).where(payment_orders.c.out_trade_no == out_trade_no))).first()
    if row is None:
        raise NotFound(f"支付订单 {out_trade_no} 不存在", f"Payment order {out_trade_no} not found")
    require_household_or_reader(principal, await place_of(session, row.compound_id), row.household_id)
    channel = Channel(row.channel)
    adapters: dict[Channel, ChannelAdapter] = request.app.state.billing_channels
    adapter = adapters.get(channel)
    if request.app.state.runtime.settings.environment == "production" or not isinstance(
        adapter, AlipayTestSigner | WeChatPayTestSigner
    ):
        raise NotFound(
            "本环境未开通模拟支付（只用于开发与测试）",
            "No simulated channel here (development and tests only)",
            code=ErrorCode.no_simulated_channel,
        )
    if row.status != "pending":
        raise Conflict(
            "该支付订单已不是待支付状态",
            f"Payment order is {row.status}, not pending",
            code=ErrorCode.order_not_pending,
        )
    transaction_id = f"SIM{now:%Y%m%d%H%M%S}{secrets.token_hex(4)}"
    if isinstance(adapter, AlipayTestSigner):
        form = adapter.sign(
            {
                "notify_id": secrets.token_hex(12),
                "out_trade_no": row.out_trade_no,
                "trade_no": transaction_id,
                "total_amount": str((Decimal(row.amount_fen) / 100).quantize(Decimal("0.01"))),
                "seller_id": adapter.merchant_id,
                "trade_status": "TRADE_SUCCESS",
                "gmt_payment": f"{now:%Y-%m-%d %H:%M:%S}",
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode(form)
    else:
        signed_headers, raw = adapter.sign(
            {
                "mchid": adapter.merchant_id,
                "out_trade_no": row.out_trade_no,
                "transaction_id": transaction_id,
                "trade_state": "SUCCESS",
                "success_time": now.isoformat(),
                "amount": {"total": row.amount_fen, "currency": "CNY"},
            }
        )
        headers = {"Content-Type": "application/json", **signed_headers}
        body = raw.decode()
    return SimulatedNotification(
        channel=channel,
        post_to=f"/api/v1/billing/payment-notifications/{channel.value}",
        headers=headers,
        body=body,
        amount_fen=row.amount_fen,
    )
