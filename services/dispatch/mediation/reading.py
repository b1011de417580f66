"""Reading cases for answers: one case with its parties and sessions, and the list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import access
from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CASE_MACHINE, CaseCategory, CaseKind, CaseState, MediatorKind, PartySide
from services.dispatch.mediation.models import MediationCase, MediationParty, MediationSession
from services.dispatch.projections.models import CompoundArea
from shared.auth import Principal
from shared.pagination import keyset_page


def _label(kind: str | None) -> str | None:
    return MediatorKind(kind).label if kind else None


def show(case: MediationCase, compound_name: str | None) -> s.MediationCaseOut:
    return s.MediationCaseOut(
        id=case.id,
        compound_id=case.compound_id,
        compound_name=compound_name,
        grid_id=case.grid_id,
        kind=case.kind,
        kind_label=CaseKind(case.kind).label,
        category=case.category,
        category_label=CaseCategory(case.category).label,
        title=case.title,
        state=case.state,
        state_label=CaseState(case.state).label,
        filed_at=case.filed_at,
        mediator_kind=case.mediator_kind,
        mediator_kind_label=_label(case.mediator_kind),
        mediator_name=case.mediator_name,
        settled_at=case.settled_at,
        followed_up_at=case.followed_up_at,
        version=case.version,
    )


def _party(p: MediationParty) -> s.MediationPartyOut:
    return s.MediationPartyOut(
        id=p.id,
        side=p.side,
        side_label=PartySide(p.side).label,
        name=p.name,
        person_id=p.person_id,
        household_id=p.household_id,
        organisation=p.organisation,
        chosen_kind=p.chosen_kind,
        chosen_kind_label=_label(p.chosen_kind),
        chosen_name=p.chosen_name,
        chosen_at=p.chosen_at,
    )


async def compound_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    rows = await session.execute(
        select(CompoundArea.compound_id, CompoundArea.name).where(CompoundArea.compound_id.in_(ids))
    )
    return {int(i): str(n) for i, n in rows.all()}


async def detail(session: AsyncSession, case: MediationCase) -> s.MediationCaseDetail:
    parties = await access.parties_of(session, case.id)
    sittings = (
        await session.scalars(
            select(MediationSession).where(MediationSession.case_id == case.id).order_by(MediationSession.held_at)
        )
    ).all()
    names = await compound_names(session, {case.compound_id})
    return s.MediationCaseDetail(
        **show(case, names.get(case.compound_id)).model_dump(),
        summary=case.summary,
        mediator_person_id=case.mediator_person_id,
        agreement=case.agreement,
        follow_up_kept=case.follow_up_kept,
        follow_up_note=case.follow_up_note,
        parties=[_party(p) for p in parties],
        sessions=[
            s.MediationSessionOut(
                id=x.id,
                held_at=x.held_at,
                location=x.location,
                attendees=x.attendees,
                notes=x.notes,
                recorded_at=x.recorded_at,
            )
            for x in sittings
        ],
        allowed_steps=[e.value for e in CASE_MACHINE.allowed(CaseState(case.state))],
    )


async def read_one(session: AsyncSession, case_id: int, principal: Principal) -> s.MediationCaseDetail:
    case = await access.get_case(session, case_id)
    access.require_read(principal, case, await access.parties_of(session, case_id))
    return await detail(session, case)


async def list_cases(
    session: AsyncSession,
    principal: Principal,
    compound_id: int | None,
    state: CaseState | None,
    cursor: int | None,
    limit: int,
) -> s.MediationCasePage:
    query = select(MediationCase).where(access.visible_to(principal))
    if compound_id is not None:
        query = query.where(MediationCase.compound_id == compound_id)
    if state is not None:
        query = query.where(MediationCase.state == state.value)
    if cursor is not None:
        query = query.where(MediationCase.id < cursor)
    rows = (await session.scalars(query.order_by(MediationCase.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(list(rows), limit, lambda c: c.id)
    names = await compound_names(session, {c.compound_id for c in page})
    return s.MediationCasePage(items=[show(c, names.get(c.compound_id)) for c in page], next_cursor=next_cursor)
