"""Filing a case: the grid's staff at the window or on a visit, or a resident who is a party."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CaseState
from services.dispatch.mediation.models import MediationCase, MediationParty
from services.dispatch.projections.models import CompoundArea, HouseholdView
from shared.auth import Principal, Role, is_staff_of
from shared.errors import Forbidden, InvalidInput, NotFound


async def _area(session: AsyncSession, compound_id: int) -> CompoundArea:
    area = await session.get(CompoundArea, compound_id)
    if area is None:
        raise NotFound(
            f"小区 {compound_id} 不存在（或尚未同步）",
            f"Compound {compound_id} is not known here",
            details={"field": "compound_id", "value": compound_id},
        )
    return area


async def _lives_there(session: AsyncSession, principal: Principal, compound_id: int) -> bool:
    homes = [
        g.scope_id for g in principal.grants if g.role in (Role.resident, Role.owner) and g.scope_kind == "household"
    ]
    if not homes:
        return False
    found = await session.scalar(
        select(HouseholdView.household_id).where(
            HouseholdView.household_id.in_(homes), HouseholdView.compound_id == compound_id
        )
    )
    return found is not None


async def _require_filer(
    session: AsyncSession, principal: Principal, area: CompoundArea, body: s.MediationCaseCreate
) -> None:
    if is_staff_of(principal, area.place, Role.grid_worker):
        return
    me = principal.person_id
    if (
        me is not None
        and any(p.person_id == me for p in body.parties)
        and await _lives_there(session, principal, area.compound_id)
    ):
        return
    raise Forbidden(
        "无权登记调解案件：须为本网格工作人员，或本小区居民且本人是当事人",
        "Forbidden: file a case as the grid's staff, or as a resident of the compound who is a party",
    )


def _check_parties(body: s.MediationCaseCreate) -> None:
    people = [p.person_id for p in body.parties if p.person_id is not None]
    if len(people) != len(set(people)):
        raise InvalidInput(
            "同一人不能两次列为当事人", "A person appears twice among the parties", details=[{"field": "parties"}]
        )


async def file_case(
    session: AsyncSession, body: s.MediationCaseCreate, principal: Principal, now: datetime
) -> MediationCase:
    area = await _area(session, body.compound_id)
    await _require_filer(session, principal, area, body)
    _check_parties(body)
    case = MediationCase(
        compound_id=area.compound_id,
        grid_id=area.grid_id,
        community_id=area.community_id,
        street_id=area.street_id,
        kind=body.kind.value,
        category=body.category.value,
        title=body.title,
        summary=body.summary,
        state=CaseState.filed.value,
        filed_by_person_id=principal.person_id,
        filed_at=now,
    )
    session.add(case)
    await session.flush()
    for p in body.parties:
        session.add(
            MediationParty(
                case_id=case.id,
                side=p.side.value,
                name=p.name,
                person_id=p.person_id,
                household_id=p.household_id,
                organisation=p.organisation,
            )
        )
    await session.flush()
    return case
