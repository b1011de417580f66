"""The four party ledgers of one compound (组织、党员、报到、中心户) in one answer."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.party import schemas as s
from services.registry.party.domain import (
    PartyLedger,
)
from services.registry.party.members import member_skills
from services.registry.party.models import CheckIn, PartyMember
from services.registry.people.models import Person
from services.registry.places.models import Compound
from services.registry.scope import Reach, require_compound_staff


async def compound_ledgers(session: AsyncSession, reach: Reach, compound_id: int) -> s.CompoundLedgers:
    """四类党员台账: the members living in a compound, ledger by ledger (for its staff)."""
    await require_compound_staff(session, reach, compound_id)
    compound = await session.get_one(Compound, compound_id)
    rows = (
        await session.execute(
            select(PartyMember, Person)
            .join(Person, Person.id == PartyMember.person_id)
            .where(Person.compound_id == compound_id)
            .order_by(PartyMember.id)
        )
    ).all()
    skills = await member_skills(session, [m.id for m, _ in rows])
    checked_in = set(
        (
            await session.scalars(
                select(CheckIn.party_member_id).where(
                    CheckIn.party_member_id.in_([m.id for m, _ in rows]), CheckIn.ended_at.is_(None)
                )
            )
        ).all()
    )
    by_ledger: dict[str, list[s.LedgerEntry]] = defaultdict(list)
    for member, person in rows:
        by_ledger[member.ledger].append(
            s.LedgerEntry(
                party_member_id=member.id,
                person_id=person.id,
                name=person.name,
                household_id=person.household_id,
                party_org_id=member.party_org_id,
                skills=skills[member.id],
                skill_labels=[k.label for k in skills[member.id]],
                checked_in=member.id in checked_in,
            )
        )
    return s.CompoundLedgers(
        compound_id=compound.id,
        compound_name=compound.name,
        total=len(rows),
        ledgers=[
            s.Ledger(ledger=ledger, label=ledger.label, count=len(by_ledger[ledger]), members=by_ledger[ledger])
            for ledger in PartyLedger
        ],
    )
