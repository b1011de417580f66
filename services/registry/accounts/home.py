"""The caller's own home for the residents' app (连心卡, seed 002): one call that gathers their
dwelling, household, compound and the people to turn to, reading only what concerns the caller."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.accounts import schemas as s
from services.registry.pairings.domain import PAIRER_LABEL, PairingKind
from services.registry.pairings.models import Pairing
from services.registry.party.models import CenterHousehold, CheckIn, Mentorship, PartyMember
from services.registry.people.domain import HeadKind, mask_mobile
from services.registry.people.models import GridAssignment, GridWorker, Head, Person
from services.registry.people.pii import PiiVault
from services.registry.places.models import (
    Building,
    Community,
    Compound,
    Dwelling,
    Entrance,
    Grid,
    Household,
    Ownership,
    Street,
)
from shared.auth import Principal
from shared.errors import NotFound

# The national government-service hotline answers everywhere in China; a compound's own numbers
# are not in the registry yet.
HOTLINES = [s.Hotline(name="12345 政务服务便民热线", number="12345")]


async def my_home(session: AsyncSession, vault: PiiVault, principal: Principal) -> s.HomeOut:
    """Any logged-in person may read their own home; a token without a person has none (404)."""
    person = await session.get(Person, principal.person_id) if principal.person_id is not None else None
    if person is None or person.anonymised:
        raise NotFound("这个登录没有对应的居民记录", "This login has no person in the registry")

    def contact(role: str, label: str, who: Person, detail: str | None = None) -> s.HomeContact:
        mobile = vault.decrypt_or_none(who.mobile_enc)
        return s.HomeContact(
            role=role,
            role_label=label,
            name=who.name,
            mobile_masked=mask_mobile(mobile) if mobile else None,
            detail=detail,
        )

    household = await session.get(Household, person.household_id) if person.household_id is not None else None
    dwelling_id = household.dwelling_id if household is not None else None
    owned = await session.scalar(
        select(Ownership.dwelling_id).where(Ownership.person_id == person.id, Ownership.until.is_(None)).limit(1)
    )
    dwelling_id = dwelling_id or owned
    home: s.HomeDwelling | None = None
    compound_id = person.compound_id
    building: Building | None = None
    entrance: Entrance | None = None
    if dwelling_id is not None:
        dwelling = await session.get(Dwelling, dwelling_id)
        assert dwelling is not None
        building = await session.get(Building, dwelling.building_id)
        entrance = await session.get(Entrance, dwelling.entrance_id)
        compound = await session.get(Compound, dwelling.compound_id)
        assert building is not None
        assert entrance is not None
        assert compound is not None
        compound_id = dwelling.compound_id
        is_owner = await session.scalar(
            select(func.count())
            .select_from(Ownership)
            .where(Ownership.person_id == person.id, Ownership.dwelling_id == dwelling.id, Ownership.until.is_(None))
        )
        home = s.HomeDwelling(
            dwelling_id=dwelling.id,
            household_id=household.id if household is not None else None,
            compound_id=compound.id,
            compound_name=compound.name,
            building_id=building.id,
            building_number=building.number,
            entrance_id=entrance.id,
            entrance_number=entrance.number,
            room=dwelling.room,
            floor=dwelling.floor,
            area_m2=f"{dwelling.area_m2:.2f}",
            address=f"{building.number}号楼{entrance.number}单元{dwelling.room}室",
            owner=bool(is_owner),
        )
    members = 0
    if household is not None:
        members = int(
            await session.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.household_id == household.id, Person.anonymised.is_(False))
            )
            or 0
        )

    compound = await session.get(Compound, compound_id) if compound_id is not None else None
    grid = await session.get(Grid, compound.grid_id) if compound is not None and compound.grid_id else None
    community = await session.get(Community, compound.community_id) if compound is not None else None
    street = await session.get(Street, community.street_id) if community is not None else None

    contacts: list[s.HomeContact] = []
    if grid is not None:
        workers = await session.scalars(
            select(Person)
            .join(GridWorker, GridWorker.person_id == Person.id)
            .join(GridAssignment, GridAssignment.grid_worker_id == GridWorker.id)
            .where(GridAssignment.grid_id == grid.id)
            .order_by(Person.id)
        )
        contacts += [contact("grid_worker", "网格员", w, grid.name) for w in workers]
    for kind, place_id, label in (
        (HeadKind.building, building.id if building else None, "楼栋长"),
        (HeadKind.entrance, entrance.id if entrance else None, "单元长"),
    ):
        if place_id is None:
            continue
        head = await session.scalar(
            select(Person).join(Head, Head.person_id == Person.id).where(Head.kind == kind, Head.place_id == place_id)
        )
        if head is not None:
            contacts.append(contact(kind.value + "_head", label, head))
    if household is not None:
        # The members paired with this household, directly or as its center household (1+N).
        paired = await session.scalars(
            select(Person)
            .join(PartyMember, PartyMember.person_id == Person.id)
            .join(Pairing, Pairing.party_member_id == PartyMember.id)
            .where(Pairing.household_id == household.id, Pairing.until.is_(None))
        )
        contacts += [
            contact("paired_member", PAIRER_LABEL[PairingKind.member_household], p, "结对党员") for p in paired
        ]
        centers = await session.scalars(
            select(Person)
            .join(PartyMember, PartyMember.person_id == Person.id)
            .join(CenterHousehold, CenterHousehold.party_member_id == PartyMember.id)
            .where(
                CenterHousehold.id.in_(
                    select(Mentorship.center_household_id).where(Mentorship.household_id == household.id)
                )
            )
        )
        contacts += [contact("center_member", PAIRER_LABEL[PairingKind.center_needy], p, "1+N 帮带") for p in centers]
    if compound is not None:
        cadres = await session.scalars(
            select(Person)
            .join(Pairing, Pairing.cadre_person_id == Person.id)
            .where(
                Pairing.compound_id == compound.id,
                Pairing.kind == PairingKind.cadre_compound,
                Pairing.public.is_(True),
                Pairing.until.is_(None),
            )
        )
        contacts += [contact("cadre", PAIRER_LABEL[PairingKind.cadre_compound], c, compound.name) for c in cadres]
        checked_in = await session.execute(
            select(Person, CheckIn.post)
            .join(PartyMember, PartyMember.person_id == Person.id)
            .join(CheckIn, CheckIn.party_member_id == PartyMember.id)
            .where(CheckIn.compound_id == compound.id, CheckIn.ended_at.is_(None))
            .order_by(CheckIn.id)
        )
        contacts += [contact("checked_in_member", "报到党员", p, post) for p, post in checked_in]
    return s.HomeOut(
        person_id=person.id,
        name=person.name,
        relation=person.relation,
        dwelling=home,
        household_members=members,
        compound_name=compound.name if compound is not None else None,
        grid_name=grid.name if grid is not None else None,
        community_name=community.name if community is not None else None,
        street_name=street.name if street is not None else None,
        contacts=contacts,
        hotlines=HOTLINES,
    )
