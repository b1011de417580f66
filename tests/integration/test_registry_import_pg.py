"""The residents ledger on PostgreSQL, where rows and events go in by COPY: a generated compound
imported, imported again unchanged, then corrected with good_rows; the generated street built
directly. Needs PostgreSQL at 127.0.0.1:5432 (trust auth); no broker."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlalchemy import func, select, text

from services.registry import entities
from services.registry.ledgers.domain import ImportMode, Ledger
from services.registry.ledgers.generator import build_street, plan_street, write_residents_xlsx
from services.registry.ledgers.models import ImportJob
from services.registry.ledgers.service import create_job, import_file, store_upload
from services.registry.people.pii import PiiVault
from services.registry.places import service as places
from services.registry.places.models import Community, Compound, Street
from shared.errors import Conflict
from shared.events.envelope import CloudEvent
from shared.events.outbox import outbox, row_to_message
from shared.migrate import upgrade_head
from shared.service_app import ServiceRuntime, ServiceSpec
from shared.settings import Settings
from tests.helpers import unavailable
from tests.integration.conftest import PG_HOST, PG_PORT, PG_USER

pytestmark = pytest.mark.integration


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[ServiceRuntime]:
    name = f"linli_it_ledgers_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres")
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    try:
        await asyncio.to_thread(upgrade_head, "registry", url)
        settings = Settings(database_url=url, data_dir=tmp_path, seed_demo=False)
        the_runtime = ServiceRuntime(ServiceSpec(name="registry", title="it", routers=[]), settings, None)
        yield the_runtime
        await the_runtime.db.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def compound(runtime: ServiceRuntime) -> int:
    async with runtime.db.sessionmaker() as session:
        street = await entities.create(session, places.STREET, Street(name="三桥街道"))
        community = await entities.create(session, places.COMMUNITY, Community(street_id=street.id, name="杏花岭社区"))
        created = await entities.create(
            session,
            places.COMPOUND,
            Compound(name="滨河花园", community_id=community.id, kind="commercial", management_model="professional"),
        )
        await session.commit()
        return created.id


async def run_job(runtime: ServiceRuntime, path: Path, compound_id: int, mode: ImportMode) -> ImportJob:
    def store() -> tuple[str, Path]:
        with path.open("rb") as source:
            return store_upload(runtime.settings.data_dir, source, "xlsx", PiiVault(runtime.settings))

    sha, stored = await asyncio.to_thread(store)
    async with runtime.db.sessionmaker() as session:
        job = await create_job(
            session,
            ledger=Ledger.residents,
            mode=mode,
            compound_id=compound_id,
            filename=path.name,
            sha256=sha,
            stored_path=stored,
            created_by=1,
        )
        await session.commit()
    return await import_file(runtime, job.id, chunk_rows=500)


async def scalar(runtime: ServiceRuntime, sql: str) -> object:
    async with runtime.db.sessionmaker() as session:
        return await session.scalar(text(sql))


async def test_a_compound_imported_again_and_corrected_on_postgresql(runtime: ServiceRuntime, tmp_path: Path) -> None:
    compound_id = await compound(runtime)
    plan = plan_street(400, 5, compounds=1).compounds[0]
    ledger = tmp_path / "滨河花园.xlsx"
    await asyncio.to_thread(write_residents_xlsx, ledger, plan)
    rows = len(plan.rows)

    first = await run_job(runtime, ledger, compound_id, ImportMode.all_or_nothing)
    assert (first.status, first.written_rows, first.bad_rows) == ("done", rows, 0)
    assert await scalar(runtime, "SELECT count(*) FROM people") == rows
    assert await scalar(runtime, "SELECT count(*) FROM households") == plan.households
    assert await scalar(runtime, "SELECT count(*) FROM dwellings") == plan.households
    unbalanced = (
        "SELECT count(*) FROM (SELECT dwelling_id FROM ownerships GROUP BY dwelling_id HAVING sum(share_bp) <> 10000) s"
    )
    assert await scalar(runtime, unbalanced) == 0
    events = await scalar(runtime, "SELECT count(*) FROM outbox")
    async with runtime.db.sessionmaker() as session:
        sample = (await session.execute(select(outbox).order_by(func.random()).limit(50))).all()
    for row in sample:  # rows written by COPY read back as CloudEvents
        event = CloudEvent.from_message(row_to_message(row))
        assert event.type.startswith("linli.registry.")
        assert event.partitionkey == str(compound_id)

    again = await run_job(runtime, ledger, compound_id, ImportMode.all_or_nothing)
    assert (again.status, again.written_rows, again.unchanged_rows) == ("done", 0, rows)
    assert await scalar(runtime, "SELECT count(*) FROM outbox") == events

    book = openpyxl.load_workbook(ledger)
    sheet = book.active
    sheet["I2"] = str(sheet["I2"].value)[:-1] + ("0" if str(sheet["I2"].value)[-1] != "0" else "1")  # check digit
    sheet["J3"] = "12345"  # a mobile one digit short
    room = (sheet["A5"].value, sheet["B5"].value, sheet["C5"].value)
    for r in range(2, sheet.max_row + 1):  # the clerk corrects one flat's area on all its rows
        if (sheet.cell(r, 1).value, sheet.cell(r, 2).value, sheet.cell(r, 3).value) == room:
            sheet.cell(r, 4).value = "99.99"
    corrected = tmp_path / "corrected.xlsx"
    book.save(corrected)
    fixed = await run_job(runtime, corrected, compound_id, ImportMode.good_rows)
    assert fixed.status == "done"
    assert fixed.bad_rows == 2
    assert {e["row"] for e in fixed.errors} == {2, 3}
    assert 1 <= fixed.written_rows <= 4  # the corrected flat's residents
    assert fixed.written_rows + fixed.unchanged_rows + fixed.bad_rows == rows
    area = await scalar(runtime, "SELECT area_m2 FROM dwellings WHERE area_m2 = 99.99")
    assert area == Decimal("99.99")
    updated = await scalar(runtime, "SELECT count(*) FROM outbox WHERE type = 'linli.registry.dwelling.updated.v1'")
    assert updated == 1


async def test_the_generated_street_on_postgresql(runtime: ServiceRuntime) -> None:
    async with runtime.db.sessionmaker() as session:
        summary = await build_street(session, 900, 7, settings=runtime.settings)
        await session.commit()
    assert len(summary["compound_ids"]) == 2
    assert await scalar(runtime, "SELECT count(*) FROM people") == summary["residents"]
    assert await scalar(runtime, "SELECT count(*) FROM party_members") == summary["party_members"]
    assert await scalar(runtime, "SELECT count(DISTINCT level) FROM party_orgs") == 4
    needy = await scalar(runtime, "SELECT count(*) FROM households WHERE needy")
    assert needy == summary["needy_households"]
    assert 0.01 < summary["needy_households"] / summary["households"] < 0.06
    skills = await scalar(runtime, "SELECT count(*) FROM member_skills")
    assert isinstance(skills, int)
    assert skills > summary["party_members"] // 3
    with pytest.raises(Conflict) as refused:
        async with runtime.db.sessionmaker() as session:
            await build_street(session, 10, 7, settings=runtime.settings)
    assert refused.value.message == "街道“示范街道7”已存在（换一个种子）"
