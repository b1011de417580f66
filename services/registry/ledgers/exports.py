"""The ledgers given back as .xlsx: residents (the import's own columns, so an export with full
values imports again unchanged), the four party-member ledgers, and the pairings wall."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.ledgers.service import may_read_full, reader_roles
from services.registry.ledgers.sheets import Sheet, write_workbook
from services.registry.ledgers.templates import (
    PAIRING_HEADERS,
    PARTY_HEADERS,
    PARTY_LEDGER_SHEETS,
    PARTY_TEXT_COLUMNS,
    ResidentCells,
    pairing_kind_label,
    residents_sheet,
    skill_label,
)
from services.registry.ledgers.writer import batches
from services.registry.pairings.models import Pairing
from services.registry.party.models import CenterHousehold, CheckIn, MemberSkill, PartyMember, PartyOrg
from services.registry.people.domain import mask_id_card, mask_mobile
from services.registry.people.models import Person, PersonalDataAccess
from services.registry.people.pii import PiiVault
from services.registry.places.models import Building, Compound, Dwelling, Entrance, Household
from services.registry.scope import Area
from shared.auth import Principal
from shared.clock import clock_of

EXPORT_PURPOSE = "export"


def _reveal(pii: PiiVault, blob: bytes | None, full: bool, mask: Any) -> str | None:
    if blob is None:
        return None
    value = pii.decrypt(blob)
    return value if full else str(mask(value))


async def _log_reads(session: AsyncSession, principal: Principal, person_ids: list[int], fields: str) -> None:
    """One access-log row per person whose numbers left in full (PIPL)."""
    rows = [
        {
            "reader_person_id": principal.person_id,
            "reader_roles": reader_roles(principal),
            "person_id": person_id,
            "fields": fields,
            "purpose": EXPORT_PURPOSE,
        }
        for person_id in person_ids
    ]
    for chunk in batches(rows, 2_000):
        await session.execute(insert(PersonalDataAccess), list(chunk))


async def export_residents(
    session: AsyncSession, compound_id: int, area: Area, principal: Principal, pii: PiiVault
) -> bytes:
    """The residents ledger of a compound, in the order the rows were registered."""
    full = may_read_full(principal, area)
    result = await session.execute(
        select(
            Person.id,
            Person.name,
            Person.gender,
            Person.id_card_enc,
            Person.mobile_enc,
            Person.relation,
            Person.kind,
            Person.moved_in,
            Household.needy,
            Dwelling.room,
            Dwelling.area_m2,
            Dwelling.exclusive_area_m2,
            Dwelling.floor,
            Entrance.number.label("entrance"),
            Building.number.label("building"),
            Building.structure,
            Building.floors,
        )
        .join(Household, Household.id == Person.household_id)
        .join(Dwelling, Dwelling.id == Household.dwelling_id)
        .join(Entrance, Entrance.id == Dwelling.entrance_id)
        .join(Building, Building.id == Dwelling.building_id)
        .where(Household.compound_id == compound_id, Person.anonymised.is_(False), Person.moved_out.is_(None))
        .order_by(Building.id, Entrance.id, Dwelling.id, Person.id)
    )
    rows: list[list[object]] = []
    revealed: list[int] = []
    for r in result:
        rows.append(
            ResidentCells(
                building=r.building,
                entrance=r.entrance,
                room=r.room,
                area_m2=Decimal(str(r.area_m2)),
                exclusive_area_m2=Decimal(str(r.exclusive_area_m2)),
                floor=r.floor,
                name=r.name,
                gender=r.gender,
                id_card=_reveal(pii, r.id_card_enc, full, mask_id_card) or "",
                mobile=_reveal(pii, r.mobile_enc, full, mask_mobile),
                relation=r.relation,
                kind=r.kind,
                needy=bool(r.needy),
                moved_in=r.moved_in,
                structure=r.structure,
                building_floors=r.floors,
            ).cells()
        )
        if full and (r.id_card_enc is not None or r.mobile_enc is not None):
            revealed.append(r.id)
    if full:
        await _log_reads(session, principal, revealed, "id_card,mobile")
    return await asyncio.to_thread(write_workbook, [residents_sheet(rows)])


async def export_party_members(
    session: AsyncSession, compound_id: int, area: Area, principal: Principal, pii: PiiVault
) -> bytes:
    """四类党员台账: members living in the compound or checked in to it, one sheet per ledger."""
    full = may_read_full(principal, area)
    checked_in = select(CheckIn.party_member_id).where(CheckIn.compound_id == compound_id, CheckIn.ended_at.is_(None))
    result = (
        await session.execute(
            select(
                PartyMember.id,
                PartyMember.ledger,
                PartyMember.on_duty,
                Person.id.label("person_id"),
                Person.name,
                Person.gender,
                Person.birth_date,
                Person.mobile_enc,
                PartyOrg.name.label("org"),
                Dwelling.room,
                Entrance.number.label("entrance"),
                Building.number.label("building"),
            )
            .join(Person, Person.id == PartyMember.person_id)
            .join(PartyOrg, PartyOrg.id == PartyMember.party_org_id)
            .outerjoin(Household, Household.id == Person.household_id)
            .outerjoin(Dwelling, Dwelling.id == Household.dwelling_id)
            .outerjoin(Entrance, Entrance.id == Dwelling.entrance_id)
            .outerjoin(Building, Building.id == Dwelling.building_id)
            .where(
                Person.anonymised.is_(False),
                or_(Person.compound_id == compound_id, PartyMember.id.in_(checked_in)),
            )
            .order_by(PartyMember.id)
        )
    ).all()
    member_ids = [r.id for r in result]
    skills: dict[int, list[str]] = defaultdict(list)
    posts: dict[int, str] = {}
    for chunk in batches(member_ids):
        for member_id, skill in await session.execute(
            select(MemberSkill.party_member_id, MemberSkill.skill)
            .where(MemberSkill.party_member_id.in_(chunk))
            .order_by(MemberSkill.skill)
        ):
            skills[member_id].append(skill_label(skill))
        for member_id, post in await session.execute(
            select(CheckIn.party_member_id, CheckIn.post).where(
                CheckIn.party_member_id.in_(chunk), CheckIn.compound_id == compound_id, CheckIn.ended_at.is_(None)
            )
        ):
            posts[member_id] = post
    by_ledger: dict[str, list[list[object]]] = defaultdict(list)
    revealed: list[int] = []
    for r in result:
        by_ledger[r.ledger].append(
            [
                r.name,
                {"male": "男", "female": "女"}.get(r.gender or "", r.gender),
                r.birth_date.isoformat() if isinstance(r.birth_date, date) else r.birth_date,
                _reveal(pii, r.mobile_enc, full, mask_mobile),
                r.building,
                r.entrance,
                r.room,
                r.org,
                "、".join(skills[r.id]),
                posts.get(r.id),
                "是" if r.on_duty else "否",
            ]
        )
        if full and r.mobile_enc is not None:
            revealed.append(r.person_id)
    if full:
        await _log_reads(session, principal, revealed, "mobile")
    sheets = [
        Sheet(title, PARTY_HEADERS, by_ledger[ledger], PARTY_TEXT_COLUMNS, (10, 6, 12, 14, 8, 8, 8, 24, 24, 16, 8))
        for ledger, title in PARTY_LEDGER_SHEETS
    ]
    return await asyncio.to_thread(write_workbook, sheets)


async def export_pairings(session: AsyncSession, compound_id: int) -> bytes:
    """包联 pairings for the wall (上墙公示): public ones still in force, no personal numbers."""
    today = clock_of(session).today()
    pairings = (
        (
            await session.execute(
                select(Pairing)
                .where(
                    Pairing.compound_id == compound_id,
                    Pairing.public.is_(True),
                    or_(Pairing.until.is_(None), Pairing.until >= today),
                )
                .order_by(Pairing.kind, Pairing.id)
            )
        )
        .scalars()
        .all()
    )
    compound_name = await session.scalar(select(Compound.name).where(Compound.id == compound_id))
    center_ids = {p.center_household_id for p in pairings if p.center_household_id}
    centers = {
        c.id: c
        for c in (await session.scalars(select(CenterHousehold).where(CenterHousehold.id.in_(center_ids)))).all()
    }
    member_ids = {p.party_member_id for p in pairings if p.party_member_id} | {
        c.party_member_id for c in centers.values()
    }
    member_people = dict(
        (
            await session.execute(
                select(PartyMember.id, Person.name)
                .join(Person, Person.id == PartyMember.person_id)
                .where(PartyMember.id.in_(member_ids))
            )
        ).all()
    )
    cadre_ids = {p.cadre_person_id for p in pairings if p.cadre_person_id}
    cadres = dict((await session.execute(select(Person.id, Person.name).where(Person.id.in_(cadre_ids)))).all())
    household_ids = {p.household_id for p in pairings if p.household_id} | {c.household_id for c in centers.values()}
    addresses = {
        h: f"{b}号楼{e}单元{r}室"
        for h, b, e, r in (
            await session.execute(
                select(Household.id, Building.number, Entrance.number, Dwelling.room)
                .join(Dwelling, Dwelling.id == Household.dwelling_id)
                .join(Entrance, Entrance.id == Dwelling.entrance_id)
                .join(Building, Building.id == Dwelling.building_id)
                .where(Household.id.in_(household_ids))
            )
        ).all()
    }
    rows: list[list[object]] = []
    for p in pairings:
        if p.cadre_person_id:
            who = cadres.get(p.cadre_person_id, "")
        elif p.center_household_id and p.center_household_id in centers:
            center = centers[p.center_household_id]
            member = member_people.get(center.party_member_id, "")
            who = f"{member}（党员中心户 {addresses.get(center.household_id, '')}）"
        else:
            who = member_people.get(p.party_member_id or 0, "")
        whom = addresses.get(p.household_id, "") if p.household_id else compound_name or ""
        rows.append([pairing_kind_label(p.kind), who, whom, p.since.isoformat() if p.since else None])
    return await asyncio.to_thread(write_workbook, [Sheet("包联公示", PAIRING_HEADERS, rows, widths=(24, 36, 28, 12))])
