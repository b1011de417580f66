"""The vote clock: opens noticed votes at their opening time and closes open ones at their
closing time (tallying them), each in its own transaction, reading the runtime's clock."""

from __future__ import annotations

import logging

from services.deliberation.votes import service as votes
from shared.errors import LinliError
from shared.service_app import ServiceRuntime, Ticker

log = logging.getLogger("linli.deliberation.tickers")


async def vote_clock(runtime: ServiceRuntime) -> int:
    now = runtime.clock()
    async with runtime.db.sessionmaker() as session:
        to_open, to_close = await votes.due(session, now)
    handled = 0
    for vote_id, step in [(i, votes.open_vote) for i in to_open] + [(i, votes.close) for i in to_close]:
        async with runtime.db.sessionmaker() as session:
            try:
                vote = await votes.get(session, vote_id)
                await step(session, vote, None, now)
                await session.commit()
                handled += 1
            except LinliError as exc:
                # e.g. an unanswered objection holds the tally: try again next round.
                await session.rollback()
                log.info("vote %s not moved: %s", vote_id, exc.message_en)
    if handled:
        runtime.relay.wake()
    return handled


TICKERS = (Ticker("vote_clock", 30.0, vote_clock),)
