"""Who may do what: the street's admins register companies; the compound's owners' committee
and its admins above sign contracts, open surveys and review performance (the property staff
being reviewed do not); its readers (property staff included) read them; its residents answer
surveys for their own household and see the anonymous results."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import is_reader, place_of
from services.billing.spaces.access import compound_households
from shared.auth import Place, Principal, Role, require_staff_of
from shared.errors import Forbidden, NotFound


async def require_contract_staff(session: AsyncSession, principal: Principal, compound_id: int) -> Place:
    place = await place_of(session, compound_id)
    require_staff_of(principal, place, Role.owners_committee)
    return place


async def require_contract_reader(session: AsyncSession, principal: Principal, compound_id: int) -> Place:
    """Readers of the compound's books and its residents (the contract is public to owners)."""
    place = await place_of(session, compound_id)
    if is_reader(principal, place) or await compound_households(session, principal, compound_id):
        return place
    raise NotFound(f"小区 {compound_id} 的物业服务合同不存在", f"No service contracts of compound {compound_id}")


async def require_respondent(session: AsyncSession, principal: Principal, compound_id: int, household_id: int) -> None:
    if household_id not in await compound_households(session, principal, compound_id):
        raise Forbidden("只能以本小区自己的住户作答", "Answer for your own household of this compound")
