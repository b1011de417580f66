"""Who may read a mediation case and act on it. A case holds what neighbours said about each
other: only its parties, its mediator and the staff of its grid (the grid worker, the admins of
its community and street) may read it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation.models import MediationCase, MediationParty
from shared.auth import Principal, Role, is_staff_of
from shared.errors import Forbidden, NotFound

AREA_STAFF = (Role.grid_worker, Role.community_admin, Role.street_admin)


def is_area_staff(principal: Principal, case: MediationCase) -> bool:
    """The grid worker of the case's grid, an admin of its community or street, or ops."""
    return is_staff_of(principal, case.place, Role.grid_worker)


def is_mediator(principal: Principal, case: MediationCase) -> bool:
    return principal.person_id is not None and principal.person_id == case.mediator_person_id


def party_of(principal: Principal, parties: list[MediationParty]) -> MediationParty | None:
    """The caller's own party row, if they are a party."""
    if principal.person_id is None:
        return None
    return next((p for p in parties if p.person_id == principal.person_id), None)


def require_read(principal: Principal, case: MediationCase, parties: list[MediationParty]) -> None:
    if is_area_staff(principal, case) or is_mediator(principal, case) or party_of(principal, parties) is not None:
        return
    # Staff of another area learn the case lies outside it; anyone else learns nothing (404).
    # "Anywhere" only chooses the refusal's wording here.
    if any(principal.holds_anywhere(r) for r in AREA_STAFF):
        raise Forbidden(
            "无权查看此调解案件：只有当事人、调解人和本网格工作人员可以查看",
            "Forbidden: only the parties, the mediator and the staff of the case's grid may read it",
        )
    raise NotFound(f"调解案件 {case.id} 不存在", f"Mediation case {case.id} not found", details={"case_id": case.id})


def require_staff_or_mediator(principal: Principal, case: MediationCase, what: str, what_en: str) -> None:
    if not (is_area_staff(principal, case) or is_mediator(principal, case)):
        raise Forbidden(
            f"无权{what}：只有调解人或本网格工作人员可以操作", f"Forbidden: {what_en} (the mediator or grid staff only)"
        )


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The SQL condition for the cases a caller may list: those of their area, those they are a
    party to, those they mediate."""
    if principal.holds_everywhere(Role.ops) or principal.holds_everywhere(Role.street_admin):
        return MediationCase.id.is_not(None)
    conditions: list[ColumnElement[bool]] = []
    for role, kind, column in (
        (Role.grid_worker, "grid", MediationCase.grid_id),
        (Role.community_admin, "community", MediationCase.community_id),
        (Role.street_admin, "street", MediationCase.street_id),
    ):
        ids = [g.scope_id for g in principal.grants if g.role == role and g.scope_kind == kind and g.scope_id]
        if ids:
            conditions.append(column.in_(ids))
    if principal.person_id is not None:
        me = principal.person_id
        conditions.append(MediationCase.mediator_person_id == me)
        conditions.append(MediationCase.id.in_(select(MediationParty.case_id).where(MediationParty.person_id == me)))
    return or_(*conditions) if conditions else false()


async def parties_of(session: AsyncSession, case_id: int) -> list[MediationParty]:
    query = select(MediationParty).where(MediationParty.case_id == case_id).order_by(MediationParty.id)
    return list((await session.scalars(query)).all())


async def get_case(session: AsyncSession, case_id: int) -> MediationCase:
    case = await session.get(MediationCase, case_id)
    if case is None:
        raise NotFound(
            f"调解案件 {case_id} 不存在", f"Mediation case {case_id} not found", details={"case_id": case_id}
        )
    return case
