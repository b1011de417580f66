"""The tally counted in the database (`closing.tally`: four aggregates in one statement) against
the plain-Python tally (`tally_item` over the roll, itself checked against the oracle in
tests/unit/deliberation/test_tally.py), on random compounds: owners of several dwellings in
several buildings, co-owners, the developer, dwellings with nobody; ballots for two items, some
pending, some from keys not on the roll; both rules for non-voters. The published bodies must be
equal, field by field, per building too."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from services.deliberation.votes import closing
from services.deliberation.votes.models import Ballot, ElectorDwelling, Vote, VoteItem
from services.deliberation.votes.publish import item_body
from services.deliberation.votes.tally import Choice, DwellingRecord, Threshold, build_electorate, tally_item
from shared.migrate import upgrade_head

AT = datetime(2026, 6, 1, tzinfo=UTC)
CASES = 120


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'deliberation.db'}"
    await asyncio.to_thread(upgrade_head, "deliberation", url)  # it runs an event loop of its own
    # A plain engine: foreign keys not enforced, so a vote needs no proposal here.
    engine = create_async_engine(url)
    yield engine
    await engine.dispose()


def compound(rng: random.Random) -> list[DwellingRecord]:
    dwellings = []
    for d in range(1, rng.randint(1, 40) + 1):
        owners = frozenset(rng.sample(range(1, 16), rng.choice([0, 1, 1, 1, 2, 3])))
        dwellings.append(
            DwellingRecord(d, rng.randint(1, 4), rng.randint(1, 30_000), owners, developer_held=rng.random() < 0.15)
        )
    return dwellings


async def test_the_tally_in_sql_equals_the_tally_in_python(engine: AsyncEngine) -> None:
    rng = random.Random(20261202)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    for case in range(CASES):
        follow = case % 2 == 1
        persons = build_electorate(compound(rng))
        async with sessions() as session, session.begin():
            for table in (Ballot, ElectorDwelling, VoteItem, Vote):
                await session.execute(delete(table))
            await session.execute(
                insert(Vote).values(
                    id=1, proposal_id=1, compound_id=1, status="open", noticed_at=AT, opens_at=AT, closes_at=AT,
                    extended=False, non_voters_follow_majority=follow, noticed_by_person_id=1,
                )
            )  # fmt: skip
            for position, threshold in enumerate((Threshold.ordinary, Threshold.special), start=1):
                await session.execute(
                    insert(VoteItem).values(
                        id=position, vote_id=1, position=position, title=f"事项{position}", matter="other_major",
                        threshold=threshold.value,
                    )
                )  # fmt: skip
            await session.execute(
                insert(ElectorDwelling),
                [
                    {
                        "vote_id": 1,
                        "dwelling_id": d.dwelling_id,
                        "building_id": d.building_id,
                        "area_centi": d.area_centi,
                        "person_key": p.key,
                    }
                    for p in persons
                    for d in p.dwellings
                ],
            )
            keys = [p.key for p in persons] + ["owner:999"]  # one voter who is not on the roll
            ballots: list[dict[str, Any]] = []
            for item in (1, 2):
                for key in keys:
                    if rng.random() < 0.25:
                        continue
                    ballots.append(
                        {
                            "vote_id": 1, "item_id": item, "person_key": key,
                            "choice": rng.choice(["for", "for", "against", "abstain"]), "via": "online",
                            "nonce": f"n{item}{key}", "receipt": f"r{item}{key}", "cast_at": AT,
                            "chained": False, "pending": rng.random() < 0.1,
                        }
                    )  # fmt: skip
            if ballots:
                await session.execute(insert(Ballot), ballots)
        async with sessions() as session:
            vote = await session.get(Vote, 1)
            assert vote is not None
            counted = await closing.tally(session, vote)
            roll = await closing.electorate(session, 1)
        for item, threshold in ((1, Threshold.ordinary), (2, Threshold.special)):
            cast = {b["person_key"]: Choice(b["choice"]) for b in ballots if b["item_id"] == item and not b["pending"]}
            expected = tally_item(roll, cast, threshold, non_voters_follow_majority=follow)
            assert item_body(item, "", counted[item], {}) == item_body(item, "", expected, {}), (case, item)
