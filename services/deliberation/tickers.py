"""The vote clock (opens noticed votes at their opening time, reminds the owners a day before
closing, and closes open ones at their closing time, tallying them) and the audit chainer
(appends cast ballots to their compound's chain), each step in its own transaction, reading the
runtime's clock."""

from __future__ import annotations

import logging

from services.deliberation.votes import chaining, closing, lookup, opening, reminding
from shared.errors import LinliError
from shared.service_app import ServiceRuntime, Ticker

log = logging.getLogger("linli.deliberation.tickers")


async def vote_clock(runtime: ServiceRuntime) -> int:
    now = runtime.clock()
    async with runtime.db.sessionmaker() as session:
        to_open, to_close = await lookup.due(session, now)
        to_remind = await reminding.due(session, now)
    handled = 0
    for vote_id in to_remind:
        async with runtime.transaction() as session:
            handled += await reminding.remind(session, vote_id, now)
    for vote_id, step in [(i, opening.open_vote) for i in to_open] + [(i, closing.close) for i in to_close]:
        try:
            async with runtime.transaction() as session:
                await step(session, await lookup.get(session, vote_id), None, now)
            handled += 1
        except LinliError as exc:
            # e.g. an unanswered objection holds the tally: try again next round.
            log.info("vote %s not moved: %s", vote_id, exc.message_en)
    return handled


async def audit_chainer(runtime: ServiceRuntime) -> int:
    """Append the audit entries of ballots cast since the last round, one transaction per
    compound (so voters never wait on the chain head; closing chains whatever is left)."""
    async with runtime.db.sessionmaker() as session:
        compounds = await chaining.compounds_with_pending(session)
    chained = 0
    for compound_id in compounds:
        async with runtime.transaction() as session:
            chained += await chaining.chain_pending(session, compound_id)
    return chained


TICKERS = (Ticker("vote_clock", 30.0, vote_clock), Ticker("audit_chain", 1.0, audit_chainer))
