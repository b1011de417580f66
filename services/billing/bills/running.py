"""Running a period's bills for a compound or a street: in chunks, one compound per transaction,
resumable after a crash.

An execution of a run (the first, or running the period again) starts by marking the run
`running` with its start time; then each compound of the scope is one chunk in its own
transaction: its bills, lines, developer shares, its journal entry, its `bills.issued` event,
its progress row (`bill_run_compounds`) and the run's totals, all or nothing. A crash (a killed
process, a lost database connection) loses at most the chunk in flight; the run stays
`running`, and the next execution of it (the same POST again, or billing's start-up, which
resumes every run left running) skips the compounds whose progress row is there and bills the
rest as of the execution's start time, so the result is the bills an uninterrupted execution
would have issued: none twice (the bills' unique key, and the progress row written in the
chunk's transaction), none missing.

Chunks of one run never run at once: each locks the run's row first, then looks for its
progress row, so two executions of the same run (a retried POST while a replica resumes it)
share the compounds between them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import place_of, require_manager, require_street_manager
from services.billing.bills import domain, runs
from services.billing.bills.models import bill_run_compounds, bill_runs, bills
from services.billing.bills.schemas import BillRunCreate, BillRunOut, CompoundIssueOut
from services.billing.rates.domain import RateScope
from services.billing.sql import is_postgres
from shared.auth import Principal
from shared.contracts.billing import BillsIssued
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.events.outbox import emit
from shared.failpoints import crash_point
from shared.money import fen_to_yuan
from shared.service_app import ServiceRuntime, Ticker

log = logging.getLogger(__name__)

# One transaction per call: a request's or a job's (`runtime.transaction`), or the caller's own
# session for all of them (`within`).
Transactions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
# Called after each chunk has committed, with its compound id (progress, and fault tests).
ChunkHook = Callable[[int], Awaitable[None]]

RUNNING = "running"
COMPLETED = "completed"
AFTER_CHUNK = "billing.bill_run.after_chunk"


def within(session: AsyncSession) -> Transactions:
    """Every step in the caller's one transaction (a demo ticker, a test that builds in one go):
    nothing is committed here, so there is nothing to resume either."""

    @contextlib.asynccontextmanager
    async def same() -> AsyncIterator[AsyncSession]:
        yield session

    return same


async def start_run(
    session: AsyncSession,
    principal: Principal,
    body: BillRunCreate,
    now: datetime,
    *,
    transactions: Transactions | None = None,
    on_chunk: ChunkHook | None = None,
) -> BillRunOut:
    """Issue a period's bills for a compound or a street; again, only what is still missing; a
    run a crash cut off, from where it stopped. With `transactions`, the run's start and each
    compound are transactions of their own (the route passes the runtime's); without, they all
    happen in `session`."""
    if body.scope_kind == RateScope.compound:
        require_manager(principal, await place_of(session, body.scope_id))
    else:
        require_street_manager(principal, body.scope_id)
    period = domain.parse_period(body.period)
    steps = transactions or within(session)
    async with steps() as step:
        run_id, again = await _begin(step, principal, body, period, now)
    issued = await execute(steps, run_id, now, on_chunk=on_chunk)
    return await run_out(session, run_id, issued_now=issued, again=again)


async def _begin(
    session: AsyncSession, principal: Principal, body: BillRunCreate, period: domain.Period, now: datetime
) -> tuple[int, bool]:
    """The run's row, locked: created, or its next execution begun, or (left running by a crash)
    as it is, to be resumed."""
    scope = runs.RunScope(body.scope_kind, body.scope_id)
    run = (
        await session.execute(
            select(bill_runs.c.id, bill_runs.c.status)
            .where(
                bill_runs.c.scope_kind == body.scope_kind.value,
                bill_runs.c.scope_id == body.scope_id,
                bill_runs.c.period_start == period.start,
                bill_runs.c.period_end == period.end,
            )
            .with_for_update()
        )
    ).first()
    if run is None:
        run_id = (
            await session.execute(
                bill_runs.insert()
                .values(
                    scope_kind=body.scope_kind.value,
                    scope_id=body.scope_id,
                    period_kind=period.kind.value,
                    period_label=period.label,
                    period_start=period.start,
                    period_end=period.end,
                    status=RUNNING,
                    issued_count=0,
                    issued_fen=0,
                    skipped_no_rate=0,
                    created_by=principal.person_id,
                    created_at=now,
                    started_at=now,
                )
                .returning(bill_runs.c.id)
            )
        ).scalar_one()
    else:
        run_id = run.id
    if overlapping := await runs.overlapping_other_periods(session, scope, period):
        raise Conflict(
            f"{overlapping} 张物业费账单的账期与 {period.label} 部分重叠，不能重复收费",
            f"{overlapping} fee bills of another period overlap {period.label}; those days would be billed twice",
            details={"overlapping_bills": overlapping},
            code=ErrorCode.period_overlap,
        )
    if run is not None and run.status != RUNNING:
        # Running the period again: a new execution, which bills what is missing by then.
        await session.execute(delete(bill_run_compounds).where(bill_run_compounds.c.bill_run_id == run_id))
        await session.execute(
            update(bill_runs).where(bill_runs.c.id == run_id).values(status=RUNNING, started_at=now, skipped_no_rate=0)
        )
    return run_id, run is not None


async def execute(
    transactions: Transactions, run_id: int, now: datetime, *, on_chunk: ChunkHook | None = None
) -> list[runs.CompoundIssue]:
    """Bill every compound of the run's scope that its execution has not billed yet, one
    transaction each, then mark the run completed; returns what the execution issued per
    compound (the chunks done before a crash included)."""
    async with transactions() as session:
        run = (await session.execute(select(bill_runs).where(bill_runs.c.id == run_id))).one()
        scope = runs.RunScope(RateScope(run.scope_kind), run.scope_id)
        compounds = [int(c) for c in await session.scalars(runs.compounds_in(scope).order_by(None))]
        done = set(
            await session.scalars(
                select(bill_run_compounds.c.compound_id).where(bill_run_compounds.c.bill_run_id == run_id)
            )
        )
    period = domain.parse_period(run.period_label)
    issued_at = run.started_at or now
    for compound_id in sorted(set(compounds) - done):
        async with transactions() as session:
            await bill_compound(session, run_id, compound_id, period, issued_at)
        crash_point(AFTER_CHUNK)
        if on_chunk is not None:
            await on_chunk(compound_id)
    async with transactions() as session:
        await session.execute(
            update(bill_runs)
            .where(bill_runs.c.id == run_id, bill_runs.c.status == RUNNING)
            .values(status=COMPLETED, completed_at=now)
        )
        rows = await session.execute(
            select(bill_run_compounds.c.compound_id, bill_run_compounds.c.issued_count, bill_run_compounds.c.issued_fen)
            .where(bill_run_compounds.c.bill_run_id == run_id, bill_run_compounds.c.issued_count > 0)
            .order_by(bill_run_compounds.c.compound_id)
        )
        return [runs.CompoundIssue(int(c), int(n), int(s)) for c, n, s in rows]


async def bill_compound(
    session: AsyncSession, run_id: int, compound_id: int, period: domain.Period, issued_at: datetime
) -> None:
    """One chunk: the compound's bills of the run's current execution, unless it has them."""
    # The run's row locked and the compound's progress looked up in one statement.
    progress = exists().where(
        bill_run_compounds.c.bill_run_id == run_id, bill_run_compounds.c.compound_id == compound_id
    )
    if await session.scalar(
        select(progress).select_from(bill_runs).where(bill_runs.c.id == run_id).with_for_update(of=bill_runs)
    ):
        return  # another execution of the run billed it meanwhile
    scope = runs.RunScope(RateScope.compound, compound_id)
    skipped, unbilled = await runs.unpriced_and_unbilled(session, scope, period)
    issued: list[runs.CompoundIssue] = []
    after_id = 0
    if unbilled:  # else fully billed already (the period run again): nothing to compute
        after_id = await runs.watermark(session)
        if not await runs.insert_bills(session, run_id, scope, period, issued_at, with_lines=True):
            await runs.insert_lines(session, run_id, after_id, period, compound_id=compound_id)
        await runs.split_developer_share(session, run_id, after_id, compound_id=compound_id)
        issued = await runs.post_receivables(session, run_id, after_id, period, issued_at, compound_id=compound_id)
    count, fen = sum(i.bill_count for i in issued), sum(i.amount_fen for i in issued)
    progress_row = bill_run_compounds.insert().values(
        bill_run_id=run_id,
        compound_id=compound_id,
        issued_count=count,
        issued_fen=fen,
        skipped_no_rate=skipped,
        completed_at=issued_at,
    )
    totals = (
        update(bill_runs)
        .where(bill_runs.c.id == run_id)
        .values(
            issued_count=bill_runs.c.issued_count + count,
            issued_fen=bill_runs.c.issued_fen + fen,
            skipped_no_rate=bill_runs.c.skipped_no_rate + skipped,
        )
    )
    if is_postgres(session):
        # The progress row and the run's totals in one statement (the insert as a CTE).
        await session.execute(totals.add_cte(progress_row.cte("progress_row")))
    else:
        await session.execute(progress_row)
        await session.execute(totals)
    if not count:
        return
    dwellings = list(
        await session.scalars(
            select(bills.c.dwelling_id)
            .where(runs.new_bills(run_id, after_id, compound_id))
            .distinct()
            .order_by(bills.c.dwelling_id)
        )
    )
    await emit(
        session,
        BillsIssued(
            compound_id=compound_id,
            kind=domain.BillKind.property_fee.value,
            period_label=period.label,
            bill_run_id=run_id,
            source_id="",
            bill_count=count,
            amount_fen=fen,
            dwelling_ids=dwellings,
        ),
        subject=f"bill-run-{run_id}",
        key=compound_id,
    )


async def resume_unfinished_runs(runtime: ServiceRuntime) -> int:
    """Finish every run a crash or a restart left running, each from where it stopped (the
    `bill_run_resume` ticker: its first round is at start-up). A run still being executed by a
    request or another replica is shared with it, chunk by chunk; one that fails stays running
    and is tried again next round."""
    async with runtime.transaction() as session:
        unfinished = list(
            await session.scalars(select(bill_runs.c.id).where(bill_runs.c.status == RUNNING).order_by(bill_runs.c.id))
        )
    for run_id in unfinished:
        log.info("resuming bill run %s", run_id)
        try:
            await execute(runtime.transaction, run_id, runtime.clock())
        except Exception:
            log.exception("bill run %s not resumed; it stays running", run_id)
    return len(unfinished)


RESUME_TICKER = Ticker("bill_run_resume", 60.0, resume_unfinished_runs)


async def run_out(
    session: AsyncSession, run_id: int, issued_now: list[runs.CompoundIssue] | None = None, again: bool = False
) -> BillRunOut:
    """The run's report: its totals per compound, and what this execution issued."""
    run = (await session.execute(select(bill_runs).where(bill_runs.c.id == run_id))).one()
    grouped = await session.execute(
        select(bills.c.compound_id, func.count(), func.sum(bills.c.amount_fen))
        .where(bills.c.bill_run_id == run_id)
        .group_by(bills.c.compound_id)
        .order_by(bills.c.compound_id)
    )
    return BillRunOut(
        id=run.id,
        scope_kind=RateScope(run.scope_kind),
        scope_id=run.scope_id,
        period_kind=domain.PeriodKind(run.period_kind),
        period_label=run.period_label,
        period_start=run.period_start,
        period_end=run.period_end,
        status=run.status,
        issued_count=run.issued_count,
        issued_fen=run.issued_fen,
        issued_yuan=fen_to_yuan(run.issued_fen),
        skipped_no_rate=run.skipped_no_rate,
        by_compound=[
            CompoundIssueOut(compound_id=c, bill_count=n, amount_fen=int(s or 0), amount_yuan=fen_to_yuan(int(s or 0)))
            for c, n, s in grouped
        ],
        created_at=run.created_at,
        completed_at=run.completed_at,
        issued_now_count=sum(i.bill_count for i in issued_now or []),
        issued_now_fen=sum(i.amount_fen for i in issued_now or []),
        executed_again=again,
    )
