"""On PostgreSQL the database itself keeps shared-space bookings apart (the exclusion
constraint of billing's migration practices_c01, btree_gist): an overlapping booking written
behind the service's back is refused, a booking that starts when another ends is not, and a
cancelled booking frees its time. Two residents asking for one slot at the same moment through
the API get one 201 and one clear 409, never a 500 and never two bookings; and the constraint's
own refusal reaches the API as the same 409."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from linli.apps import SERVICE_FACTORIES
from services.billing.spaces import reading
from shared.auth import Grant, Role, TokenCodec
from shared.events.inprocess import InProcessTransport
from shared.migrate import upgrade_head
from shared.settings import Settings
from tests.integration.conftest import PG_HOST, PG_PORT, PG_USER, PgDatabases, pg_dsn

pytestmark = pytest.mark.integration

NOW = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
INSERT = (
    "INSERT INTO space_bookings (space_id, compound_id, use_id, household_id, starts_at, ends_at, purpose,"
    " status, fee_fen, created_at, version) VALUES (1, 7, 1, $1, $2, $3, '', $4, 0, now(), 1) RETURNING id"
)


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2027-01-09T{hhmm}:00+08:00")


@pytest.fixture
async def billing_pg(pg: PgDatabases, tmp_path: Path) -> AsyncIterator[tuple[str, Settings]]:
    """A migrated billing database with compound 7, households 31 and 32, and one space."""
    name = pg.create(f"linli_it_{uuid.uuid4().hex[:8]}_spaces_billing")
    settings = Settings(
        data_dir=tmp_path,
        seed_demo=False,
        database_url=f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}",
        relay_poll_interval_ms=50,
    )
    await asyncio.to_thread(upgrade_head, "billing", settings.database_url_for("billing"))
    conn = await asyncpg.connect(pg_dsn(name))
    try:
        await conn.execute("INSERT INTO community_projection (community_id, street_id, version) VALUES (3, 1, 1)")
        await conn.execute(
            "INSERT INTO compound_projection (compound_id, name, community_id, street_id, kind, management_model,"
            " version, event_id, projected_at) VALUES (7, '太阳新居小区', 3, 1, 'resettlement', 'self_managed', 1,"
            " 'seed', now())"
        )
        await conn.execute(
            "INSERT INTO household_projection (household_id, dwelling_id, compound_id, active, version)"
            " VALUES (31, 1, 7, true, 1), (32, 2, 7, true, 1)"
        )
        await conn.execute(
            "INSERT INTO shared_spaces (compound_id, name, kind, capacity, opens_min, closes_min, description,"
            " active, version, created_at) VALUES (7, '孔明邻舍', 'activity_hall', 60, 480, 1260, '', true, 1, now())"
        )
        await conn.execute(
            "INSERT INTO space_uses (space_id, name, pricing, fee_fen) VALUES (1, '红白喜事', 'per_use', 20000)"
        )
    finally:
        await conn.close()
    try:
        yield name, settings
    finally:
        pg.drop([name])


async def test_postgresql_refuses_an_overlap_written_behind_the_services_back(
    billing_pg: tuple[str, Settings],
) -> None:
    name, _ = billing_pg
    conn = await asyncpg.connect(pg_dsn(name))
    try:
        first = await conn.fetchval(INSERT, 31, at("10:00"), at("14:00"), "booked")
        with pytest.raises(asyncpg.ExclusionViolationError):
            await conn.fetchval(INSERT, 32, at("12:00"), at("13:00"), "booked")
        # Back to back is no overlap; a cancelled booking holds no time.
        await conn.fetchval(INSERT, 32, at("14:00"), at("15:00"), "booked")
        await conn.fetchval(INSERT, 32, at("11:00"), at("12:00"), "cancelled")
        await conn.execute("UPDATE space_bookings SET status = 'cancelled' WHERE id = $1", first)
        await conn.fetchval(INSERT, 32, at("11:00"), at("12:00"), "booked")
        rows = await conn.fetch("SELECT status, count(*) AS n FROM space_bookings GROUP BY status ORDER BY status")
        assert [(r["status"], r["n"]) for r in rows] == [("booked", 2), ("cancelled", 2)]
    finally:
        await conn.close()


async def test_two_residents_at_once_get_one_booking_and_one_409(billing_pg: tuple[str, Settings]) -> None:
    name, settings = billing_pg
    transport = InProcessTransport(settings.bus_url())
    app = SERVICE_FACTORIES["billing"](settings, transport)
    codec = TokenCodec(settings)
    residents = [
        {"Authorization": f"Bearer {codec.issue(900 + h, [Grant(Role.resident, 'household', h)])}"} for h in (31, 32)
    ]
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://billing") as client,
        ):
            app.state.runtime.clock.set(NOW)
            answers = await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/billing/space-bookings",
                        json={
                            "space_id": 1,
                            "use_id": 1,
                            "household_id": household,
                            "starts_at": at(start).isoformat(),
                            "ends_at": at(end).isoformat(),
                        },
                        headers=headers,
                    )
                    for household, headers, (start, end) in zip(
                        (31, 32), residents, (("10:00", "14:00"), ("12:00", "15:00")), strict=True
                    )
                )
            )
    finally:
        await transport.close()
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    refusal = next(a for a in answers if a.status_code == 409).json()["error"]
    assert refusal["code"] == "booking_overlap"
    assert "已被预约" in refusal["message"]
    conn = await asyncpg.connect(pg_dsn(name))
    try:
        assert await conn.fetchval("SELECT count(*) FROM space_bookings WHERE status = 'booked'") == 1
    finally:
        await conn.close()


async def test_the_constraints_refusal_is_the_same_clear_409(
    billing_pg: tuple[str, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the use case's own look ever miss a booking (one written by another tool), the
    database's refusal reaches the resident as the same 409, never a 500, and nothing is added."""
    name, settings = billing_pg
    conn = await asyncpg.connect(pg_dsn(name))
    try:
        await conn.fetchval(INSERT, 31, at("10:00"), at("14:00"), "booked")
    finally:
        await conn.close()

    async def sees_nothing(*_: object) -> list[object]:
        return []

    monkeypatch.setattr(reading, "active_between", sees_nothing)
    transport = InProcessTransport(settings.bus_url())
    app = SERVICE_FACTORIES["billing"](settings, transport)
    resident = {"Authorization": f"Bearer {TokenCodec(settings).issue(932, [Grant(Role.resident, 'household', 32)])}"}
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://billing") as client,
        ):
            app.state.runtime.clock.set(NOW)
            body = {
                "space_id": 1,
                "use_id": 1,
                "household_id": 32,
                "starts_at": at("12:00").isoformat(),
                "ends_at": at("13:00").isoformat(),
            }
            answer = await client.post("/api/v1/billing/space-bookings", json=body, headers=resident)
    finally:
        await transport.close()
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "booking_overlap"
    conn = await asyncpg.connect(pg_dsn(name))
    try:
        assert await conn.fetchval("SELECT count(*) FROM space_bookings") == 1
    finally:
        await conn.close()
