"""Pairing use cases (包联): each kind's parties checked against the registry, duplicates
refused, and the compound's public wall (上墙公示) with names and addresses."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.registry.entities import EntityKind, referenced
from services.registry.pairings import schemas as s
from services.registry.pairings.domain import (
    PAIRER_LABEL,
    PARTIES,
    PairingKind,
    check_in_compound,
    check_needy,
    check_parties,
    check_period,
    is_active,
)
from services.registry.pairings.models import Pairing
from services.registry.party.domain import PartyLedger
from services.registry.party.models import CenterHousehold, PartyMember
from services.registry.people.models import Person
from services.registry.places.models import Building, Compound, Dwelling, Entrance, Household
from services.registry.posts.reading import posts_of
from services.registry.scope import Area, Reach, compound_area
from shared.clock import clock_of
from shared.contracts import registry as c
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput

PAIRING = EntityKind(
    Pairing,
    "包联",
    "pairing",
    c.PairingFields,
    lambda e: {
        "pairing_id": e.id,
        "kind": e.kind,
        "compound_id": e.compound_id,
        "cadre_person_id": e.cadre_person_id,
        "party_member_id": e.party_member_id,
        "center_household_id": e.center_household_id,
        "household_id": e.household_id,
        "public": e.public,
        "version": e.version,
    },
    lambda e: e.compound_id,
)


def _same(column: InstrumentedAttribute[Any], value: object) -> Any:
    return column.is_(None) if value is None else column == value


async def _refuse_duplicate(session: AsyncSession, e: Pairing) -> None:
    """The same pairing may run only once at a time."""
    clash = await session.scalar(
        select(Pairing.id).where(
            Pairing.kind == e.kind,
            Pairing.compound_id == e.compound_id,
            _same(Pairing.cadre_person_id, e.cadre_person_id),
            _same(Pairing.party_member_id, e.party_member_id),
            _same(Pairing.center_household_id, e.center_household_id),
            _same(Pairing.household_id, e.household_id),
            or_(Pairing.until.is_(None), Pairing.until >= clock_of(session).today()),
        )
    )
    if clash is not None:
        kind = PairingKind(e.kind)
        raise Conflict(
            f"同样的{kind.label}已经存在（包联 {clash}）",
            f"The same {kind.value} pairing already exists (pairing {clash})",
            code=ErrorCode.duplicate,
            details={"field": "kind", "value": kind.value, "existing_id": clash},
        )


async def _household_in(session: AsyncSession, household_id: int, compound_id: int) -> Household:
    household: Household = await referenced(session, Household, household_id, "household_id", "住户")
    check_in_compound("household_id", household.id, household.compound_id, compound_id)
    return household


async def build_pairing(session: AsyncSession, body: s.PairingCreate) -> Pairing:
    kind = body.kind
    compound: Compound = await referenced(session, Compound, body.compound_id, "compound_id", "小区")
    check_parties(kind, {f: getattr(body, f) for f in PARTIES})
    since = body.since or clock_of(session).today()
    check_period(since, body.until)
    if kind is PairingKind.cadre_compound:
        assert body.cadre_person_id is not None
        cadre: Person = await referenced(session, Person, body.cadre_person_id, "cadre_person_id", "人员")
        if cadre.anonymised:
            raise InvalidInput(
                f"cadre_person_id：人员 {cadre.id} 已注销",
                f"cadre_person_id: person {cadre.id} has been removed",
                details=[{"field": "cadre_person_id", "value": cadre.id}],
            )
    elif kind is PairingKind.member_household:
        assert body.party_member_id is not None
        assert body.household_id is not None
        member: PartyMember = await referenced(session, PartyMember, body.party_member_id, "party_member_id", "党员")
        if member.ledger != PartyLedger.in_service:
            ledger = PartyLedger(member.ledger)
            raise InvalidInput(
                f"在职党员包联住户只能由在职党员承担，该党员在“{ledger.label}”台账",
                f"Only in-service members pair with households; this member is {ledger.value}",
                code=ErrorCode.not_in_service,
                details=[{"field": "party_member_id", "value": member.id, "ledger": ledger.value}],
            )
        await _household_in(session, body.household_id, compound.id)
    else:
        assert body.center_household_id is not None
        assert body.household_id is not None
        center: CenterHousehold = await referenced(
            session, CenterHousehold, body.center_household_id, "center_household_id", "党员中心户"
        )
        check_in_compound("center_household_id", center.id, center.compound_id, compound.id)
        household = await _household_in(session, body.household_id, compound.id)
        if household.id == center.household_id:
            raise InvalidInput(
                "党员中心户不能包联自己家",
                "A center household cannot pair with itself",
                details=[{"field": "household_id", "value": household.id}],
            )
        check_needy(household.id, household.needy)
    pairing = Pairing(
        kind=kind.value,
        compound_id=compound.id,
        cadre_person_id=body.cadre_person_id,
        party_member_id=body.party_member_id,
        center_household_id=body.center_household_id,
        household_id=body.household_id,
        public=body.public,
        since=since,
        until=body.until,
    )
    await _refuse_duplicate(session, pairing)
    return pairing


async def area_of_pairing(session: AsyncSession, e: Pairing) -> Area:
    return await compound_area(session, e.compound_id)


def pairing_readable(reach: Reach) -> ColumnElement[bool]:
    """The staff of the compound; those tied to it see the pairings on its public wall; the
    parties themselves (the cadre, the member, the paired household) see their own."""
    return or_(
        reach.staff_in(Pairing.compound_id),
        and_(Pairing.public.is_(True), reach.sees_compound(Pairing.compound_id)),
        reach.is_self(Pairing.cadre_person_id),
        reach.own_household(Pairing.household_id),
        Pairing.party_member_id.in_(select(PartyMember.id).where(reach.is_self(PartyMember.person_id))),
    )


async def check_pairing_change(_: AsyncSession, e: Pairing, changes: dict[str, Any]) -> dict[str, Any]:
    """`public` can be switched; `until` set (ends the pairing) or cleared."""
    if changes.get("public", True) is None:
        changes.pop("public")
    if "until" in changes:
        check_period(e.since, changes["until"])
    return changes


# --- the wall ------------------------------------------------------------------------------


async def _addresses(session: AsyncSession, household_ids: set[int]) -> dict[int, str]:
    """住户地址 as a wall shows it: building-entrance-room (3-1-502)."""
    rows = (
        await session.execute(
            select(Household.id, Building.number, Entrance.number, Dwelling.room)
            .join(Dwelling, Dwelling.id == Household.dwelling_id)
            .join(Entrance, Entrance.id == Dwelling.entrance_id)
            .join(Building, Building.id == Dwelling.building_id)
            .where(Household.id.in_(household_ids))
        )
    ).all()
    return {h: f"{b}-{e}-{room}" for h, b, e, room in rows}


async def _names(session: AsyncSession, person_ids: set[int]) -> dict[int, str]:
    rows = (await session.execute(select(Person.id, Person.name).where(Person.id.in_(person_ids)))).all()
    return dict(rows)


async def wall(session: AsyncSession, compound_id: int, today: date | None = None) -> s.PairingWall:
    """上墙公示: the compound's public pairings that are still running, with names."""
    await compound_area(session, compound_id)  # 404 when there is no such compound
    compound = await session.get_one(Compound, compound_id)
    as_of = today or clock_of(session).today()
    pairings = [
        p
        for p in (
            await session.scalars(
                select(Pairing)
                .where(Pairing.compound_id == compound_id, Pairing.public.is_(True))
                .order_by(Pairing.kind, Pairing.id)
            )
        ).all()
        if is_active(p.until, as_of)
    ]
    members = dict(
        (
            await session.execute(
                select(PartyMember.id, PartyMember.person_id).where(
                    PartyMember.id.in_({p.party_member_id for p in pairings if p.party_member_id})
                )
            )
        ).all()
    )
    centers = {
        cid: (household_id, person_id)
        for cid, household_id, person_id in (
            await session.execute(
                select(CenterHousehold.id, CenterHousehold.household_id, PartyMember.person_id)
                .join(PartyMember, PartyMember.id == CenterHousehold.party_member_id)
                .where(CenterHousehold.id.in_({p.center_household_id for p in pairings if p.center_household_id}))
            )
        ).all()
    }
    names = await _names(
        session,
        {p.cadre_person_id for p in pairings if p.cadre_person_id}
        | set(members.values())
        | {person for _, person in centers.values()},
    )
    addresses = await _addresses(
        session,
        {p.household_id for p in pairings if p.household_id} | {household for household, _ in centers.values()},
    )
    entries: list[s.WallEntry] = []
    for p in pairings:
        kind = PairingKind(p.kind)
        if kind is PairingKind.cadre_compound:
            pairer = names.get(p.cadre_person_id or 0, "")
            target = compound.name
        elif kind is PairingKind.member_household:
            pairer = names.get(members.get(p.party_member_id or 0, 0), "")
            target = addresses.get(p.household_id or 0, "")
        else:
            household, person = centers[p.center_household_id or 0]
            pairer = f"{names.get(person, '')}家（{addresses.get(household, '')}）"
            target = addresses.get(p.household_id or 0, "")
        entries.append(
            s.WallEntry(
                pairing_id=p.id,
                kind=kind,
                kind_label=kind.label,
                pairer_label=PAIRER_LABEL[kind],
                pairer_name=pairer,
                target=target,
                household_id=p.household_id,
                since=p.since,
                until=p.until,
            )
        )
    tally = Counter(e.kind for e in entries)
    return s.PairingWall(
        compound_id=compound.id,
        compound_name=compound.name,
        as_of=as_of,
        counts={k.value: tally[k] for k in PairingKind},
        pairings=entries,
        posts=[
            s.PostOnWall(post_id=p.id, name=p.name, duty=p.duty, seats=p.seats, holders=[h.name for h in p.holders])
            for p in await posts_of(session, compound_id)
        ],
    )
