"""The job that re-queries payment orders left pending (a notification lost on the way)."""

from __future__ import annotations

import logging

from services.billing.payments.channels import ChannelAdapter
from services.billing.payments.domain import Channel
from services.billing.payments.notifications import due_for_requery, requery_one
from shared.errors import LinliError
from shared.service_app import ServiceRuntime, Ticker

log = logging.getLogger("linli.billing.payments")


def requery_ticker(adapters: dict[Channel, ChannelAdapter], interval_s: float = 30.0) -> Ticker:
    """A Ticker: each round asks the channel about due pending orders, one transaction each."""

    async def step(runtime: ServiceRuntime) -> int:
        now = runtime.clock()
        async with runtime.db.sessionmaker() as session:
            due = await due_for_requery(session, now)
        handled = 0
        for order in due:
            try:
                async with runtime.transaction() as session:
                    outcome = await requery_one(session, adapters[Channel(order.channel)], order, now)
            except LinliError as exc:
                log.warning("re-query of %s refused: %s", order.out_trade_no, exc.message_en)
                continue
            log.info("re-queried %s: %s", order.out_trade_no, outcome)
            handled += 1
        return handled

    return Ticker("payment_requery", interval_s, step)
