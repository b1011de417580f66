"""A street's bill run is chunked per compound and resumes after a crash: interrupted between
chunks (an exception after a chunk committed, or the process killed there), the run is left
running with the compounds it finished; running it again (the same POST, or billing's start-up
ticker) bills the rest, and the street ends with exactly the bills an uninterrupted run issues:
one bill per dwelling (plus the developer's share where a dwelling was delivered inside the year),
to the fen, one journal entry and one `bills.issued` event per compound."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.bills import running
from services.billing.bills.models import bill_lines, bill_run_compounds, bill_runs, bills
from services.billing.bills.schemas import BillRunCreate
from services.billing.ledger.models import journal_entries
from services.billing.projections.domain import day_number
from services.billing.projections.models import (
    building_projection,
    community_projection,
    compound_projection,
    dwelling_projection,
    household_projection,
    ownership_projection,
)
from services.billing.rates.domain import RateScope
from services.billing.rates.models import rate_cards
from shared.auth import Grant, Principal, Role
from shared.db import Database
from shared.events.outbox import outbox
from shared.migrate import upgrade_head
from shared.service_app import ServiceRuntime

ROOT = Path(__file__).resolve().parents[3]
STREET = 1
COMPOUNDS = (1, 2, 3, 4)
PER_COMPOUND = 12
OPS = Principal(person_id=1, grants=(Grant(Role.ops),))
NOW = datetime(2026, 1, 5, tzinfo=UTC)
YEAR = BillRunCreate(scope_kind=RateScope.street, scope_id=STREET, period="2026")


class Interrupted(Exception):
    """What the chunk hook raises: the crash between two compounds."""


def seed_rows() -> list[tuple[Any, list[dict[str, Any]]]]:
    """Four compounds of 12 dwellings: one unsold, one vacant (70%), one delivered on 1 July
    (the developer pays the first half), one with two co-owners, the rest occupied; the
    street's 0.35 yuan card and 0.50 of its own for compound 4."""
    july = day_number(date(2026, 7, 1))
    compounds, buildings, dwellings, households, ownerships = [], [], [], [], []
    for c in COMPOUNDS:
        compounds.append(
            {
                "compound_id": c,
                "name": f"小区{c}",
                "community_id": 1,
                "kind": "old",
                "management_model": "professional",
                "version": 1,
                "event_id": f"e{c}",
                "projected_at": NOW,
            }
        )
        buildings.append(
            {
                "building_id": c,
                "compound_id": c,
                "number": "1",
                "structure": "multi_storey",
                "active": True,
                "version": 1,
            }
        )
        for k in range(PER_COMPOUND):
            d = c * 100 + k
            unsold = k == 0
            dwellings.append(
                {
                    "dwelling_id": d,
                    "compound_id": c,
                    "building_id": c,
                    "room": str(k),
                    "area_c": 6000 + 731 * k + 17 * c,
                    "exclusive_area_c": 5500,
                    "usage": "residential",
                    "sale_status": "unsold" if unsold else "sold",
                    "delivered": not unsold,
                    "active": True,
                    "version": 1,
                }
            )
            if k != 1:  # dwelling 1 stands empty
                households.append({"household_id": d, "dwelling_id": d, "compound_id": c, "active": True, "version": 1})
            if unsold:
                continue
            owner: dict[str, Any] = {
                "ownership_id": d,
                "dwelling_id": d,
                "compound_id": c,
                "person_id": d,
                "share_bp": 10000,
                "since_day": july if k == 2 else None,
                "until_day": None,
                "active": True,
                "version": 1,
            }
            if k == 3:
                owner["share_bp"] = 6000
                ownerships.append({**owner, "ownership_id": 10_000 + d, "person_id": 10_000 + d, "share_bp": 4000})
            ownerships.append(owner)
    cards = [
        {
            "scope_kind": "street",
            "scope_id": STREET,
            "structure": "multi_storey",
            "management_model": "professional",
            "rate_units": 3500,
            "vacancy_percent": 70,
            "effective_from": date(2026, 1, 1),
            "created_at": NOW,
        },
        {
            "scope_kind": "compound",
            "scope_id": 4,
            "structure": "multi_storey",
            "management_model": "professional",
            "rate_units": 5000,
            "vacancy_percent": 100,
            "effective_from": date(2026, 1, 1),
            "created_at": NOW,
        },
    ]
    return [
        (community_projection, [{"community_id": 1, "street_id": STREET, "version": 1}]),
        (compound_projection, compounds),
        (building_projection, buildings),
        (dwelling_projection, dwellings),
        (household_projection, households),
        (ownership_projection, ownerships),
        (rate_cards, cards),
    ]


async def seeded_database(folder: Path, name: str) -> Database:
    url = f"sqlite+aiosqlite:///{folder / name}"
    await asyncio.to_thread(upgrade_head, "billing", url)  # it runs an event loop of its own
    db = Database(url)
    async with db.sessionmaker() as session, session.begin():
        for table, rows in seed_rows():
            await session.execute(table.insert(), rows)
    return db


def chunks(db: Database) -> running.Transactions:
    """One transaction per step, as the route's runtime.transaction gives them."""

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with db.sessionmaker() as session, session.begin():
            yield session

    return transaction


async def street_bills(db: Database) -> dict[str, Any]:
    """Everything a run leaves behind that must come out the same, ids aside."""
    async with db.sessionmaker() as session:
        issued = sorted(
            tuple(row)
            for row in await session.execute(
                select(bills.c.dwelling_id, bills.c.payer_kind, bills.c.payer_person_id, bills.c.amount_fen)
            )
        )
        lines = sorted(
            tuple(row)
            for row in await session.execute(
                select(bills.c.dwelling_id, bill_lines.c.payer_kind, bill_lines.c.days, bill_lines.c.amount_fen).join(
                    bills, bills.c.id == bill_lines.c.bill_id
                )
            )
        )
        per_dwelling: dict[int, int] = dict(
            (
                await session.execute(
                    select(bills.c.dwelling_id, func.count())
                    .where(bills.c.source_id == "")
                    .group_by(bills.c.dwelling_id)
                )
            ).all()
        )
        entries: dict[int, int] = dict(
            (
                await session.execute(
                    select(journal_entries.c.compound_id, func.count()).group_by(journal_entries.c.compound_id)
                )
            ).all()
        )
        events: dict[str, int] = dict(
            (
                await session.execute(
                    select(outbox.c.key, func.count())
                    .where(outbox.c.type == "linli.billing.bills.issued.v1")
                    .group_by(outbox.c.key)
                )
            ).all()
        )
        run = (await session.execute(select(bill_runs))).one()
        total = int(await session.scalar(select(func.sum(bills.c.amount_fen))) or 0)
        receivable = await session.scalar(
            text(
                "SELECT sum(l.debit_fen) FROM journal_lines l JOIN accounts a ON a.id = l.account_id "
                "WHERE a.kind = 'fee_receivable'"
            )
        )
    return {
        "bills": issued,
        "lines": lines,
        "per_dwelling": per_dwelling,
        "entries": entries,
        "events": events,
        "run": (run.status, run.issued_count, run.issued_fen, run.skipped_no_rate),
        "total_fen": total,
        "receivable_fen": int(receivable or 0),
    }


@pytest.fixture
async def reference(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """The street billed in one go, uninterrupted (every step in one transaction)."""
    db = await seeded_database(tmp_path, "reference.db")
    try:
        async with db.sessionmaker() as session, session.begin():
            report = await running.start_run(session, OPS, YEAR, NOW)
        assert report.issued_now_count == len(COMPOUNDS) * PER_COMPOUND + len(COMPOUNDS)  # + the developer's shares
        yield await street_bills(db)
    finally:
        await db.dispose()


def check_complete(found: dict[str, Any], reference: dict[str, Any]) -> None:
    assert found == reference
    # None twice, none missing: one bill per dwelling, the developer's share beside it where due.
    assert found["per_dwelling"] == {c * 100 + k: 1 for c in COMPOUNDS for k in range(PER_COMPOUND)}
    assert found["entries"] == dict.fromkeys(COMPOUNDS, 1)
    assert found["events"] == {str(c): 1 for c in COMPOUNDS}
    assert found["total_fen"] == found["receivable_fen"] == found["run"][2]
    assert found["run"][0] == "completed"


async def test_a_run_interrupted_between_compounds_resumes_where_it_stopped(
    tmp_path: Path, reference: dict[str, Any]
) -> None:
    db = await seeded_database(tmp_path, "billing.db")
    done: list[int] = []

    async def crash_after_two(compound_id: int) -> None:
        done.append(compound_id)
        if len(done) == 2:
            raise Interrupted

    try:
        with pytest.raises(Interrupted):
            async with db.sessionmaker() as session:
                await running.start_run(session, OPS, YEAR, NOW, transactions=chunks(db), on_chunk=crash_after_two)
        async with db.sessionmaker() as session:
            assert await session.scalar(select(bill_runs.c.status)) == "running"
            assert list(await session.scalars(select(bill_run_compounds.c.compound_id))) == [1, 2]
            assert set(await session.scalars(select(bills.c.compound_id).distinct())) == {1, 2}
        # The same request again (a day later, as the retry may come): the rest, as of the start.
        async with db.sessionmaker() as session:
            report = await running.start_run(
                session, OPS, YEAR, datetime(2026, 1, 6, tzinfo=UTC), transactions=chunks(db)
            )
        assert report.executed_again is True
        assert report.issued_now_count == report.issued_count == len(reference["bills"])
        assert report.issued_now_fen == reference["total_fen"]
        check_complete(await street_bills(db), reference)
        # And again: nothing is missing, so nothing is issued.
        async with db.sessionmaker() as session:
            again = await running.start_run(session, OPS, YEAR, NOW, transactions=chunks(db))
        assert again.issued_now_count == 0
        assert again.issued_fen == reference["total_fen"]
        check_complete(await street_bills(db), reference)
    finally:
        await db.dispose()


CHILD = """
import asyncio, contextlib, sys
from datetime import UTC, datetime
from services.billing.bills import running
from services.billing.bills.schemas import BillRunCreate
from services.billing.rates.domain import RateScope
from shared.auth import Grant, Principal, Role
from shared.db import Database

async def main() -> None:
    db = Database(sys.argv[1])

    @contextlib.asynccontextmanager
    async def transaction():
        async with db.sessionmaker() as session, session.begin():
            yield session

    async with db.sessionmaker() as session:
        await running.start_run(
            session, Principal(1, (Grant(Role.ops),)),
            BillRunCreate(scope_kind=RateScope.street, scope_id=1, period="2026"),
            datetime(2026, 1, 5, tzinfo=UTC), transactions=transaction,
        )

asyncio.run(main())
"""


class Runtime:
    """What the resume ticker uses of a ServiceRuntime: its transactions and its clock."""

    def __init__(self, db: Database) -> None:
        self.transaction = chunks(db)

    def clock(self) -> datetime:
        return datetime(2026, 1, 7, tzinfo=UTC)


async def test_a_killed_process_s_run_is_finished_by_the_resume_ticker(
    tmp_path: Path, reference: dict[str, Any]
) -> None:
    db = await seeded_database(tmp_path, "billing.db")
    try:
        url = str(db.engine.url)
        child = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", CHILD, url],
            cwd=ROOT,
            env={**os.environ, "LINLI_FAILPOINTS": running.AFTER_CHUNK},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert child.returncode == 137, child.stderr  # killed on the spot after the first compound
        async with db.sessionmaker() as session:
            assert await session.scalar(select(bill_runs.c.status)) == "running"
            assert list(await session.scalars(select(bill_run_compounds.c.compound_id))) == [1]
        # Billing starts again: the ticker's first round finishes the run.
        assert await running.resume_unfinished_runs(cast(ServiceRuntime, Runtime(db))) == 1
        check_complete(await street_bills(db), reference)
        assert await running.resume_unfinished_runs(cast(ServiceRuntime, Runtime(db))) == 0
    finally:
        await db.dispose()
