"""Builders for deliberation stories: a compound's buildings, dwellings, owners and bodies made
through the registry's API (so registry events feed deliberation's projections, as in
production), and small helpers to move the deliberation clock and read its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text

from shared.auth import Grant, Role
from shared.events.outbox import outbox
from tests.api.conftest import Platform
from tests.api.registry.builders import id_card

DELIBERATION = "/api/v1/deliberation"


@dataclass
class Compound:
    compound_id: int
    community_id: int
    building_ids: list[int]
    dwellings: list[dict[str, Any]]  # dwelling_id, building_id, area, owners
    owner_of: dict[int, list[int]] = field(default_factory=dict)  # person → dwellings
    council: list[int] = field(default_factory=list)
    committee: list[int] = field(default_factory=list)
    supervisors: list[int] = field(default_factory=list)

    @property
    def owners(self) -> list[int]:
        return sorted(self.owner_of)


def area_of(i: int) -> Decimal:
    """A spread of old multi-storey flats, 52.30 m² to 96.30 m²."""
    return Decimal("52.30") + Decimal(i % 12) * 4


NAMES = (
    "王秀英",
    "李建国",
    "张桂兰",
    "刘德华",
    "陈淑珍",
    "杨志强",
    "赵德国",
    "黄玉梅",
    "周大勇",
    "吴小燕",
    "张致华",
    "刘伦学",
)


def ledger_row(index: int, building: int, room: str, area: Decimal, floor: int, co_owner: bool = False) -> str:
    """One owner's row of the residents ledger (CSV), with a valid ID-card number."""
    born = date(1950, 1, 1) + timedelta(days=index * 37 + (5000 if co_owner else 0))
    card = id_card(f"500108{born:%Y%m%d}{(index % 900) + 100:03d}")
    name = NAMES[(index + co_owner) % len(NAMES)]
    return f"{building},1,{room},{area},{floor},{name},{card},业主"


async def import_ledger(platform: Platform, compound_id: int, rows: list[str]) -> None:
    """The clerk uploads the compound's residents ledger; wait until the job is done."""
    content = ("楼栋号,单元号,房号,建筑面积,楼层,姓名,身份证号,人员类别\n" + "\n".join(rows) + "\n").encode()
    answer = await platform.clients["registry"].post(
        "/api/v1/registry/imports",
        files={"file": ("移民小区居民台账.csv", content, "text/csv")},
        data={"ledger": "residents", "mode": "all_or_nothing", "compound_id": str(compound_id)},
        headers=platform.street_admin,
    )
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]

    async def done() -> dict[str, Any] | None:
        job = (
            await platform.clients["registry"].get(f"/api/v1/registry/imports/{job_id}", headers=platform.street_admin)
        ).json()
        return job if job["status"] in ("done", "failed") else None

    job = await platform.eventually(done, within_s=60)
    assert job["status"] == "done", job


async def projected(platform: Platform, sql: str, **params: Any) -> list[Any]:
    runtime = platform.apps["deliberation"].state.runtime
    async with runtime.db.sessionmaker() as session:
        return list((await session.execute(text(sql), params)).all())


async def build_compound(
    platform: Platform,
    *,
    buildings: int,
    per_building: int,
    name: str = "长生桥镇移民小区",
    unsold: int = 0,
    shared_owner: bool = False,
    co_owned: bool = False,
) -> Compound:
    """A compound of `buildings` × `per_building` dwellings, imported from the residents ledger
    with one owner each, and optionally: the last `unsold` dwellings still the developer's, the
    owner of the first dwelling also owning the second, the third owned by two people."""
    community_id = await platform.community("长生桥镇", "移民社区")
    compound_id = (
        await platform.post(
            "/compounds",
            {"name": name, "community_id": community_id, "kind": "old", "management_model": "self_managed"},
        )
    )["id"]
    total = buildings * per_building
    plan = []  # (index, building number, room, area, floor, how)
    for index in range(total):
        b, k = divmod(index, per_building)
        floor = k // 8 + 1
        room = f"{floor}{k % 8 + 1:02d}"
        how = "unsold" if index >= total - unsold else "shared" if shared_owner and index == 1 else "ledger"
        plan.append((index, b + 1, room, area_of(index), floor, how))
    rows = []
    for index, b, room, area, floor, how in plan:
        if how == "ledger":
            rows.append(ledger_row(index, b, room, area, floor))
            if co_owned and index == 2:
                rows.append(ledger_row(index, b, room, area, floor, co_owner=True))
    await import_ledger(platform, compound_id, rows)
    await platform.eventually(
        lambda: _count(
            platform,
            "SELECT count(*) FROM dwelling_projection WHERE compound_id = :c",
            c=compound_id,
            n=len(rows) - co_owned,
        ),
        within_s=60,
    )
    await platform.eventually(
        lambda: _count(
            platform, "SELECT count(*) FROM ownership_projection WHERE compound_id = :c", c=compound_id, n=len(rows)
        ),
        within_s=60,
    )
    entrance = dict(
        await projected(
            platform,
            "SELECT b.number, min(d.entrance_id) FROM dwelling_projection d JOIN building_projection b "
            "ON b.building_id = d.building_id WHERE d.compound_id = :c GROUP BY b.number",
            c=compound_id,
        )
    )
    first_owner = None
    for _, b, room, area, floor, how in plan:
        if how == "ledger":
            continue
        body = {"entrance_id": entrance[str(b)], "room": room, "area_m2": str(area), "floor": floor}
        if how == "unsold":
            body["sale_status"] = "unsold"
        dwelling_id = (await platform.post("/dwellings", body))["id"]
        if how == "shared":
            if first_owner is None:
                first_owner = (
                    await projected(
                        platform,
                        "SELECT o.person_id FROM ownership_projection o JOIN dwelling_projection d "
                        "ON d.dwelling_id = o.dwelling_id JOIN building_projection b ON b.building_id = d.building_id "
                        "WHERE d.compound_id = :c AND b.number = :b AND d.room = :r",
                        c=compound_id,
                        b=str(plan[0][1]),
                        r=plan[0][2],
                    )
                )[0][0]
            await platform.post("/ownerships", {"dwelling_id": dwelling_id, "person_id": first_owner})
    expected_owners = len(rows) + (1 if shared_owner else 0)
    await platform.eventually(
        lambda: _count(
            platform,
            "SELECT count(*) FROM ownership_projection WHERE compound_id = :c",
            c=compound_id,
            n=expected_owners,
        ),
        within_s=60,
    )
    await platform.eventually(
        lambda: _count(
            platform, "SELECT count(*) FROM dwelling_projection WHERE compound_id = :c", c=compound_id, n=total
        ),
        within_s=60,
    )
    found = await projected(
        platform,
        "SELECT b.number, d.room, d.dwelling_id, d.building_id, o.person_id FROM dwelling_projection d "
        "JOIN building_projection b ON b.building_id = d.building_id "
        "LEFT JOIN ownership_projection o ON o.dwelling_id = d.dwelling_id "
        "WHERE d.compound_id = :c ORDER BY o.person_id",
        c=compound_id,
    )
    by_place: dict[tuple[str, str], dict[str, Any]] = {}
    for number, room, dwelling_id, building_id, person_id in found:
        entry = by_place.setdefault(
            (number, room), {"dwelling_id": dwelling_id, "building_id": building_id, "owners": []}
        )
        if person_id is not None:
            entry["owners"].append(person_id)
    compound = Compound(compound_id, community_id, sorted({e["building_id"] for e in by_place.values()}), [])
    for _, b, room, area, _, _ in plan:
        entry = by_place[(str(b), room)]
        entry["area"] = area
        compound.dwellings.append(entry)
        for person_id in entry["owners"]:
            compound.owner_of.setdefault(person_id, []).append(entry["dwelling_id"])
    return compound


async def _count(platform: Platform, sql: str, n: int, **params: Any) -> bool:
    rows = await projected(platform, sql, **params)
    return int(rows[0][0]) == n


async def seat(platform: Platform, compound: Compound, person_id: int, body: str, role: str = "member") -> None:
    await platform.post(
        "/memberships", {"person_id": person_id, "body": body, "compound_id": compound.compound_id, "role": role}
    )
    {
        "council": compound.council,
        "owners_committee": compound.committee,
        "supervisory_committee": compound.supervisors,
    }[body].append(person_id)


async def seat_bodies(
    platform: Platform, compound: Compound, council: int = 3, committee: int = 5, supervisors: int = 3
) -> None:
    """The 131 bodies from among the owners: council, owners' committee, supervisory committee."""
    owners = compound.owners
    picks = iter(owners[3:])
    for n, body in ((council, "council"), (committee, "owners_committee"), (supervisors, "supervisory_committee")):
        for i in range(n):
            await seat(platform, compound, next(picks), body, "chair" if i == 0 else "member")


def owner(platform: Platform, compound: Compound, person_id: int) -> dict[str, str]:
    return platform.token(Grant(Role.owner, "compound", compound.compound_id), person=person_id)


def party_lead(platform: Platform, compound: Compound) -> dict[str, str]:
    return platform.token(Grant(Role.party_member, "compound", compound.compound_id), person=9_000_001)


def hold_audit_chainer(platform: Platform) -> None:
    """Stop deliberation's background chainer (a ticker that runs every second), so a story about
    a ballot the chainer has not reached yet does not race it; `runtime.tick("audit_chain")`
    still chains by hand. The runtime offers no pause, so its ticker task is cancelled."""
    runtime = platform.apps["deliberation"].state.runtime
    for task in runtime._tasks:
        if task.get_name() == "deliberation-audit_chain":
            task.cancel()


def set_clock(platform: Platform, at: datetime) -> None:
    """Stop deliberation's clock at `at`: notice periods and vote windows are judged on it."""
    platform.apps["deliberation"].state.runtime.clock.freeze(at)


def now(platform: Platform) -> datetime:
    """Now on the deliberation service's clock (whole seconds, as the stories print them)."""
    at: datetime = platform.apps["deliberation"].state.runtime.clock()
    return at.replace(microsecond=0)


def days(n: float) -> timedelta:
    return timedelta(days=n)


async def synced(platform: Platform, compound: Compound) -> None:
    """Wait until deliberation has every dwelling, ownership and seat of the compound."""
    runtime = platform.apps["deliberation"].state.runtime
    owners = sum(len(d["owners"]) for d in compound.dwellings)
    seats = len(compound.council) + len(compound.committee) + len(compound.supervisors)

    async def probe() -> bool:
        async with runtime.db.sessionmaker() as session:
            counts = [
                await session.scalar(
                    text(f"SELECT count(*) FROM {t} WHERE compound_id = :c"), {"c": compound.compound_id}
                )
                for t in ("dwelling_projection", "ownership_projection", "membership_projection", "compound_projection")
            ]
        return counts == [len(compound.dwellings), owners, seats, 1]

    await platform.eventually(probe, within_s=60)


async def outbox_events(platform: Platform, event_type: str) -> list[str]:
    runtime = platform.apps["deliberation"].state.runtime
    async with runtime.db.sessionmaker() as session:
        rows = await session.scalars(select(outbox.c.value).where(outbox.c.type == event_type))
        return list(rows)


async def count_rows(platform: Platform, sql: str, **params: Any) -> int:
    runtime = platform.apps["deliberation"].state.runtime
    async with runtime.db.sessionmaker() as session:
        return int(await session.scalar(text(sql), params) or 0)
