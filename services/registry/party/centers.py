"""Center households with their 1+N mentored households: create, update, remove, list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.entities import get_or_404, referenced
from services.registry.pairings.models import Pairing
from services.registry.party import schemas as s
from services.registry.party.domain import (
    check_lives_in_household,
    check_mentored,
    check_same_compound,
)
from services.registry.party.kinds import CENTER_HOUSEHOLD, fact, facts
from services.registry.party.models import CenterHousehold, Mentorship, PartyMember
from services.registry.party.visibility import center_readable
from services.registry.people.models import Person
from services.registry.places.models import Household
from services.registry.scope import Reach, compound_area, require_admin
from shared.auth import Principal
from shared.clock import clock_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.responses import row_with


async def _mentored(session: AsyncSession, center_ids: Sequence[int]) -> dict[int, list[int]]:
    rows = (
        await session.execute(
            select(Mentorship.center_household_id, Mentorship.household_id)
            .where(Mentorship.center_household_id.in_(center_ids))
            .order_by(Mentorship.household_id)
        )
    ).all()
    out: dict[int, list[int]] = {cid: [] for cid in center_ids}
    for center_id, household_id in rows:
        out[center_id].append(household_id)
    return out


async def load_center(session: AsyncSession, center: CenterHousehold) -> CenterHousehold:
    facts(center)["mentored"] = (await _mentored(session, [center.id]))[center.id]
    return center


def show_center(e: CenterHousehold) -> s.CenterHouseholdOut:
    """The mentored households are loaded beside the row."""
    return s.CenterHouseholdOut.model_validate(row_with(e, mentored_household_ids=fact(e, "mentored")))


async def _check_mentored(session: AsyncSession, household: Household, mentored: list[int]) -> list[int]:
    chosen = check_mentored(household.id, mentored)
    found = dict(
        (await session.execute(select(Household.id, Household.compound_id).where(Household.id.in_(chosen)))).all()
    )
    missing = [h for h in chosen if h not in found]
    if missing:
        raise InvalidInput(
            f"mentored_household_ids：住户 {'、'.join(map(str, missing))} 不存在",
            f"mentored_household_ids: households {missing} not found",
            details=[{"field": "mentored_household_ids", "value": missing}],
        )
    check_same_compound(household.compound_id, [h for h in chosen if found[h] != household.compound_id])
    return sorted(chosen)


async def _replace_mentored(session: AsyncSession, center_id: int, mentored: list[int]) -> None:
    await session.execute(delete(Mentorship).where(Mentorship.center_household_id == center_id))
    session.add_all(Mentorship(center_household_id=center_id, household_id=h) for h in mentored)
    await session.flush()


async def create_center(session: AsyncSession, body: s.CenterHouseholdCreate, principal: Principal) -> CenterHousehold:
    household: Household = await referenced(session, Household, body.household_id, "household_id", "住户")
    member: PartyMember = await referenced(session, PartyMember, body.party_member_id, "party_member_id", "党员")
    person = await session.get_one(Person, member.person_id)
    check_lives_in_household(household.id, person.household_id)
    mentored = await _check_mentored(session, household, body.mentored_household_ids)
    require_admin(principal, await compound_area(session, household.compound_id))
    center = CenterHousehold(household_id=household.id, party_member_id=member.id, compound_id=household.compound_id)
    facts(center)["mentored"] = mentored
    duplicate = Conflict(
        f"住户 {household.id} 已是党员中心户",
        f"Household {household.id} is already a center household",
        code=ErrorCode.duplicate,
        details={"field": "household_id", "value": household.id},
    )
    saved = await entities.create(session, CENTER_HOUSEHOLD, center, duplicate)
    await _replace_mentored(session, saved.id, mentored)
    return saved


async def update_center(
    session: AsyncSession, center_id: int, body: s.CenterHouseholdUpdate, principal: Principal
) -> CenterHousehold:
    center = await load_center(session, await get_or_404(session, CENTER_HOUSEHOLD, center_id))
    require_admin(principal, await compound_area(session, center.compound_id))
    changes: dict[str, Any] = {}
    if body.mentored_household_ids is not None:
        household = await session.get_one(Household, center.household_id)
        mentored = await _check_mentored(session, household, body.mentored_household_ids)
        entities.check_version(CENTER_HOUSEHOLD, center, body.version)
        await _replace_mentored(session, center.id, mentored)
        facts(center)["mentored"] = mentored
        changes["updated_at"] = clock_of(session)()
    return await entities.update(session, CENTER_HOUSEHOLD, center, body.version, changes)


async def remove_center(session: AsyncSession, center_id: int, version: int, principal: Principal) -> None:
    center = await load_center(session, await get_or_404(session, CENTER_HOUSEHOLD, center_id))
    require_admin(principal, await compound_area(session, center.compound_id))
    entities.check_version(CENTER_HOUSEHOLD, center, version)
    pairings = await session.scalar(select(func.count()).where(Pairing.center_household_id == center.id)) or 0
    if pairings:
        raise Conflict(
            f"党员中心户 {center.id} 仍有 {pairings} 条包联困难户记录，不能删除；请先解除包联",
            f"Center household {center.id} still has {pairings} pairings",
            code=ErrorCode.still_referenced,
            details={"pairings": pairings},
        )
    await session.execute(delete(Mentorship).where(Mentorship.center_household_id == center.id))
    await entities.remove(session, CENTER_HOUSEHOLD, center, version)


async def list_centers(
    session: AsyncSession,
    reach: Reach,
    *,
    compound_id: int | None,
    party_member_id: int | None,
    limit: int,
    offset: int,
) -> list[s.CenterHouseholdOut]:
    query = (
        select(CenterHousehold).where(center_readable(reach)).order_by(CenterHousehold.id).limit(limit).offset(offset)
    )
    if compound_id is not None:
        query = query.where(CenterHousehold.compound_id == compound_id)
    if party_member_id is not None:
        query = query.where(CenterHousehold.party_member_id == party_member_id)
    centers = (await session.scalars(query)).all()
    mentored = await _mentored(session, [e.id for e in centers])
    for center in centers:
        facts(center)["mentored"] = mentored[center.id]
    return [show_center(e) for e in centers]
