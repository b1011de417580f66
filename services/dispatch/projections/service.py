"""Keeping the registry projections in step: each event upserts its row when its version is
newer than the one held, so redelivered or late events change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.projections.models import (
    BuildingView,
    CheckInView,
    CompoundArea,
    DwellingView,
    EntranceView,
    GridWorkerView,
    HouseholdView,
    MemberHouseholdLink,
    MemberView,
    VolunteerView,
)
from shared.contracts import registry as c


async def _upsert(session: AsyncSession, model: Any, key: int, version: int, values: dict[str, Any]) -> bool:
    """Insert or update the row keyed `key` if `version` is newer (a removal may carry the
    version it removed); True if it changed."""
    row = await session.get(model, key)
    if row is None:
        session.add(model(**values, version=version))
        await session.flush()
        return True
    if version < row.version or (version == row.version and not values.get("removed")):
        return False
    for name, value in values.items():
        setattr(row, name, value)
    row.version = version
    await session.flush()
    return True


async def project_compound(session: AsyncSession, data: c.CompoundFields) -> None:
    await _upsert(
        session,
        CompoundArea,
        data.compound_id,
        data.version,
        {
            "compound_id": data.compound_id,
            "name": data.name,
            "community_id": data.community_id,
            # Registry's compound events leave the street out today (see the issue report).
            "street_id": data.street_id,
            "grid_id": data.grid_id,
        },
    )


async def project_household(session: AsyncSession, data: c.HouseholdFields, removed: bool) -> None:
    await _upsert(
        session,
        HouseholdView,
        data.household_id,
        data.version,
        {
            "household_id": data.household_id,
            "dwelling_id": data.dwelling_id,
            "compound_id": data.compound_id,
            "removed": removed,
        },
    )


async def project_member(session: AsyncSession, data: c.PartyMemberFields, removed: bool) -> None:
    await _upsert(
        session,
        MemberView,
        data.party_member_id,
        data.version,
        {
            "party_member_id": data.party_member_id,
            "person_id": data.person_id,
            "name": data.name,
            "ledger": data.ledger,
            "household_id": data.household_id,
            "compound_id": data.compound_id,
            "skills": list(data.skills),
            "on_duty": data.on_duty,
            "max_open_orders": data.max_open_orders,
            "removed": removed,
        },
    )


async def project_volunteer(session: AsyncSession, data: c.VolunteerFields, removed: bool) -> None:
    """A volunteer who stepped back (removed) is kept, inactive: matching asks only active ones."""
    await _upsert(
        session,
        VolunteerView,
        data.volunteer_id,
        data.version,
        {
            "volunteer_id": data.volunteer_id,
            "person_id": data.person_id,
            "name": data.name,
            "compound_id": data.compound_id,
            "household_id": data.household_id,
            "skills": list(data.skills),
            "team_names": list(data.team_names),
            "active": data.active and not removed,
        },
    )


async def project_check_in(session: AsyncSession, data: c.CheckInFields, removed: bool) -> None:
    await _upsert(
        session,
        CheckInView,
        data.check_in_id,
        data.version,
        {
            "check_in_id": data.check_in_id,
            "party_member_id": data.party_member_id,
            "compound_id": data.compound_id,
            "active": data.active and not removed,
        },
    )


async def project_grid_worker(session: AsyncSession, data: c.GridWorkerFields, removed: bool) -> None:
    await _upsert(
        session,
        GridWorkerView,
        data.grid_worker_id,
        data.version,
        {
            "grid_worker_id": data.grid_worker_id,
            "person_id": data.person_id,
            "name": data.name,
            "grid_ids": list(data.grid_ids),
            "removed": removed,
        },
    )


async def _replace_links(
    session: AsyncSession, source: str, version: int, member_id: int | None, household_ids: list[int]
) -> None:
    held = (
        await session.scalars(select(MemberHouseholdLink.version).where(MemberHouseholdLink.source == source))
    ).first()
    if held is not None and (version < held or (version == held and household_ids)):
        return
    await session.execute(delete(MemberHouseholdLink).where(MemberHouseholdLink.source == source))
    if member_id is not None:
        session.add_all(
            MemberHouseholdLink(source=source, household_id=h, party_member_id=member_id, version=version)
            for h in sorted(set(household_ids))
        )
    await session.flush()


async def project_pairing(session: AsyncSession, data: c.PairingFields, removed: bool) -> None:
    """Only member → household pairings matter for matching; a removed one drops its link."""
    households = [data.household_id] if data.household_id is not None and not removed else []
    await _replace_links(session, f"pairing:{data.pairing_id}", data.version, data.party_member_id, households)


async def project_center_household(session: AsyncSession, data: c.CenterHouseholdFields, removed: bool) -> None:
    """A center household's member is paired with each mentored household (1+N 帮带)."""
    households = [] if removed else list(data.mentored_household_ids)
    await _replace_links(session, f"center:{data.center_household_id}", data.version, data.party_member_id, households)


async def forget_person(session: AsyncSession, data: c.PersonErased) -> None:
    """The person was erased in the registry: blank the name kept for them (as a party member,
    as a grid worker, as a volunteer). Ids, skills and points stay, so orders and the points history stay
    whole; the version is left alone, so a newer event still applies."""
    for model in (MemberView, GridWorkerView, VolunteerView):
        await session.execute(update(model).where(model.person_id == data.person_id).values(name=""))


async def project_building(session: AsyncSession, data: c.BuildingFields, removed: bool) -> None:
    values = {"building_id": data.building_id, "compound_id": data.compound_id, "number": data.number}
    await _upsert(session, BuildingView, data.building_id, data.version, {**values, "removed": removed})


async def project_entrance(session: AsyncSession, data: c.EntranceFields, removed: bool) -> None:
    values = {"entrance_id": data.entrance_id, "building_id": data.building_id, "number": data.number}
    await _upsert(session, EntranceView, data.entrance_id, data.version, {**values, "removed": removed})


async def project_dwelling(session: AsyncSession, data: c.DwellingFields, removed: bool) -> None:
    values = {
        "dwelling_id": data.dwelling_id,
        "building_id": data.building_id,
        "entrance_id": data.entrance_id,
        "compound_id": data.compound_id,
        "room": data.room,
    }
    await _upsert(session, DwellingView, data.dwelling_id, data.version, {**values, "removed": removed})
