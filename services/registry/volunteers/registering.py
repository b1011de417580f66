"""A resident registers their skills and joins teams of their compound (小区喊你来报到), or steps
back; each change is announced so dispatch can ask them after the party members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.people.models import Person
from services.registry.places.models import Household
from services.registry.volunteers import schemas as s
from services.registry.volunteers.lookup import resident_of, show, team_names, teams_of
from services.registry.volunteers.models import TeamMember, Volunteer, VolunteerTeam
from shared.auth import Principal
from shared.contracts import registry as c
from shared.errors import InvalidInput, NotFound
from shared.events.outbox import emit


async def _announce(session: AsyncSession, volunteer: Volunteer, contract: type[c.VolunteerFields]) -> None:
    name = await session.scalar(select(Person.name).where(Person.id == volunteer.person_id)) or ""
    event = contract(
        volunteer_id=volunteer.id,
        person_id=volunteer.person_id,
        name=name,
        compound_id=volunteer.compound_id,
        household_id=volunteer.household_id,
        skills=list(volunteer.skills),
        team_names=[n for _, n in await team_names(session, volunteer.id)],
        active=volunteer.active,
        version=volunteer.version,
    )
    await emit(session, event, subject=volunteer.id, key=volunteer.compound_id)


async def my_volunteering(session: AsyncSession, principal: Principal) -> s.MyVolunteering:
    person = await resident_of(session, principal)
    compound_id = await session.scalar(select(Household.compound_id).where(Household.id == person.household_id))
    assert compound_id is not None  # a household always lies in a compound
    volunteer = await session.scalar(select(Volunteer).where(Volunteer.person_id == person.id))
    return s.MyVolunteering(
        compound_id=compound_id,
        volunteer=await show(session, volunteer) if volunteer is not None else None,
        teams=await teams_of(session, compound_id),
    )


async def register(
    session: AsyncSession, principal: Principal, body: s.VolunteerRegister, now: datetime
) -> s.VolunteerOut:
    """Register or change: the skills replace the ones given before, the teams likewise (a team
    kept keeps its joining date)."""
    person = await resident_of(session, principal)
    household = await session.get_one(Household, person.household_id)
    wanted = set(body.team_ids)
    teams = set(
        await session.scalars(
            select(VolunteerTeam.id).where(
                VolunteerTeam.id.in_(wanted), VolunteerTeam.compound_id == household.compound_id
            )
        )
    )
    if wanted - teams:
        raise InvalidInput(
            f"team_ids：服务队 {sorted(wanted - teams)} 不是本小区的服务队",
            f"team_ids: teams {sorted(wanted - teams)} are not teams of your compound",
            details=[{"field": "team_ids", "value": sorted(wanted - teams)}],
        )
    skills = [k.value for k in dict.fromkeys(body.skills)]
    volunteer = await session.scalar(select(Volunteer).where(Volunteer.person_id == person.id))
    fresh = volunteer is None
    if volunteer is None:
        volunteer = Volunteer(
            person_id=person.id, compound_id=household.compound_id, household_id=household.id, skills=skills
        )
        session.add(volunteer)
    volunteer.compound_id, volunteer.household_id = household.compound_id, household.id
    volunteer.skills, volunteer.note, volunteer.active = skills, body.note.strip(), True
    await session.flush()
    held = set(await session.scalars(select(TeamMember.team_id).where(TeamMember.volunteer_id == volunteer.id)))
    await session.execute(
        delete(TeamMember).where(TeamMember.volunteer_id == volunteer.id, TeamMember.team_id.not_in(teams))
    )
    session.add_all(TeamMember(team_id=t, volunteer_id=volunteer.id, joined_at=now) for t in sorted(teams - held))
    await session.flush()
    await session.refresh(volunteer)
    await _announce(session, volunteer, c.VolunteerCreated if fresh else c.VolunteerUpdated)
    return await show(session, volunteer)


async def step_back(session: AsyncSession, principal: Principal) -> None:
    """The resident no longer volunteers: out of every team, no longer asked by dispatch."""
    person = await resident_of(session, principal)
    volunteer = await session.scalar(select(Volunteer).where(Volunteer.person_id == person.id))
    if volunteer is None or not volunteer.active:
        raise NotFound("您尚未登记为志愿者", "You are not registered as a volunteer")
    await _retire(session, volunteer)


async def forget_volunteer(session: AsyncSession, person_id: int) -> None:
    """An erased resident volunteers no more (the registry's erasure calls this in its
    transaction, after the name is gone, so the event carries the placeholder)."""
    volunteer = await session.scalar(select(Volunteer).where(Volunteer.person_id == person_id))
    if volunteer is not None and volunteer.active:
        await _retire(session, volunteer)


async def _retire(session: AsyncSession, volunteer: Volunteer) -> None:
    await session.execute(delete(TeamMember).where(TeamMember.volunteer_id == volunteer.id))
    volunteer.active = False
    await session.flush()
    await session.refresh(volunteer)
    await _announce(session, volunteer, c.VolunteerRemoved)
