"""Finding the caller's home compound, teams and volunteers, and showing them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people.models import Person
from services.registry.volunteers import schemas as s
from services.registry.volunteers.models import TeamMember, Volunteer, VolunteerTeam
from shared.auth import Principal
from shared.errors import Forbidden


async def resident_of(session: AsyncSession, principal: Principal) -> Person:
    """The caller as a resident living in a household of a compound (特长户 are residents)."""
    person = await session.get(Person, principal.person_id) if principal.person_id is not None else None
    if person is None or person.anonymised or person.household_id is None or person.moved_out is not None:
        raise Forbidden(
            "只有登记在册、住在本小区的居民可以登记特长、加入服务队",
            "Only a registered resident living in a compound may volunteer",
        )
    return person


async def teams_of(session: AsyncSession, compound_id: int) -> list[s.TeamOut]:
    counts = dict(
        (
            await session.execute(
                select(TeamMember.team_id, func.count())
                .join(Volunteer, Volunteer.id == TeamMember.volunteer_id)
                .where(Volunteer.active.is_(True))
                .group_by(TeamMember.team_id)
            )
        ).all()
    )
    teams = await session.scalars(
        select(VolunteerTeam).where(VolunteerTeam.compound_id == compound_id).order_by(VolunteerTeam.id)
    )
    return [s.TeamOut.model_validate(t).model_copy(update={"members": counts.get(t.id, 0)}) for t in teams]


async def team_names(session: AsyncSession, volunteer_id: int) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(VolunteerTeam.id, VolunteerTeam.name)
        .join(TeamMember, TeamMember.team_id == VolunteerTeam.id)
        .where(TeamMember.volunteer_id == volunteer_id)
        .order_by(VolunteerTeam.id)
    )
    return [(i, n) for i, n in rows.all()]


async def show(session: AsyncSession, volunteer: Volunteer) -> s.VolunteerOut:
    name = await session.scalar(select(Person.name).where(Person.id == volunteer.person_id)) or ""
    all_teams = {t.id: t for t in await teams_of(session, volunteer.compound_id)}
    mine = [all_teams[i] for i, _ in await team_names(session, volunteer.id) if i in all_teams]
    return s.VolunteerOut(
        id=volunteer.id,
        version=volunteer.version,
        person_id=volunteer.person_id,
        name=name,
        compound_id=volunteer.compound_id,
        household_id=volunteer.household_id,
        skills=[s.SkillOut(value=k) for k in volunteer.skills],
        teams=mine,
        note=volunteer.note,
        active=volunteer.active,
        created_at=volunteer.created_at,
    )
