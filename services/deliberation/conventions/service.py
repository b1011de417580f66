"""Conventions and their versioned clauses, each linked to the decision that made it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import compound_community, require_committee
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.conventions import schemas as s
from services.deliberation.conventions.domain import Level, check_codifiable
from services.deliberation.conventions.models import Clause, Convention
from services.deliberation.projections.models import BuildingView, CourtyardView, EntranceView
from services.deliberation.proposals.domain import Status
from services.deliberation.proposals.execution import tally_not_certified
from services.deliberation.proposals.lookup import deciding_vote
from services.deliberation.proposals.lookup import get as get_proposal
from shared.auth import Principal
from shared.contracts.deliberation import ClauseAdopted
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import emit


async def _place_in_compound(session: AsyncSession, level: Level, place_id: int, compound_id: int) -> bool:
    if level is Level.compound:
        return place_id == compound_id
    model = {Level.courtyard: CourtyardView, Level.building: BuildingView, Level.entrance: EntranceView}[level]
    key = {
        Level.courtyard: CourtyardView.courtyard_id,
        Level.building: BuildingView.building_id,
        Level.entrance: EntranceView.entrance_id,
    }[level]
    found = await session.scalar(select(model.compound_id).where(key == place_id))  # type: ignore[attr-defined]
    return found == compound_id


async def create(session: AsyncSession, body: s.ConventionIn, principal: Principal) -> Convention:
    await compound_community(session, body.compound_id)
    await require_committee(session, principal, body.compound_id)
    if not await _place_in_compound(session, body.level, body.place_id, body.compound_id):
        raise InvalidInput(
            f"{body.level.label}的地点 {body.place_id} 不在小区 {body.compound_id} 内",
            f"{body.level.value} {body.place_id} is not in compound {body.compound_id}",
            details=[{"field": "place_id", "value": body.place_id}],
        )
    if await session.scalar(
        select(Convention.id).where(Convention.level == body.level.value, Convention.place_id == body.place_id)
    ):
        raise Conflict(
            "该地点已有公约，请在其中增补条款", "This place already has a convention", code=ErrorCode.duplicate
        )
    convention = Convention(
        compound_id=body.compound_id, level=body.level.value, place_id=body.place_id, title=body.title
    )
    session.add(convention)
    await session.flush()
    return convention


async def get(session: AsyncSession, convention_id: int) -> Convention:
    convention = await session.get(Convention, convention_id)
    if convention is None:
        raise NotFound(f"公约 {convention_id} 不存在", f"Convention {convention_id} not found")
    return convention


async def adopt_clause(
    session: AsyncSession, convention_id: int, body: s.ClauseIn, principal: Principal, at: datetime
) -> Clause:
    """Codify a decision: a new clause, or a new revision of clause `number` (the old revision
    stays in the history, no longer current)."""
    convention = await get(session, convention_id)
    await require_committee(session, principal, convention.compound_id)
    proposal = await get_proposal(session, body.proposal_id)
    if proposal.compound_id != convention.compound_id:
        raise InvalidInput(
            "议题与公约不属于同一小区",
            "The decision and the convention belong to different compounds",
            details=[{"field": "proposal_id", "value": body.proposal_id}],
        )
    check_codifiable(Status(proposal.status))
    if body.number is None:
        number = (
            int(
                await session.scalar(
                    select(func.coalesce(func.max(Clause.number), 0)).where(Clause.convention_id == convention.id)
                )
                or 0
            )
            + 1
        )
        revision = 1
    else:
        previous = await session.scalar(
            select(Clause).where(
                Clause.convention_id == convention.id, Clause.number == body.number, Clause.current.is_(True)
            )
        )
        if previous is None:
            raise NotFound(f"公约中没有第 {body.number} 条", f"The convention has no clause {body.number}")
        previous.current = False
        number, revision = body.number, previous.revision + 1
    vote = await deciding_vote(session, proposal.id)
    if Level(convention.level) is Level.compound:
        # The compound's convention is its management rules (管理规约): only the owners make them.
        if vote is None:
            raise Conflict(
                "小区公约即管理规约，须经业主共同决定（民法典第278条）；业委会单独作出的决定不能纳入",
                "The compound's convention is its management rules: only an owners' vote can add to it "
                "(Civil Code art. 278), not a decision the committee made alone",
                code=ErrorCode.needs_owners_decision,
                details={"proposal_id": proposal.id},
            )
        if vote.tally_certified_by is None:
            raise tally_not_certified(vote)
    vote_id = vote.id if vote is not None else None
    clause = Clause(
        convention_id=convention.id,
        number=number,
        revision=revision,
        text=body.text,
        proposal_id=proposal.id,
        vote_id=vote_id,
        current=True,
        adopted_by_person_id=principal.person_id or 0,
        adopted_at=at,
    )
    session.add(clause)
    await session.flush()
    await record(
        session,
        convention.compound_id,
        Action.clause_adopted,
        f"convention:{convention.id}",
        principal.person_id,
        {"clause_id": clause.id, "number": number, "revision": revision, "proposal_id": proposal.id, "text": body.text},
        at,
    )
    await emit(
        session,
        ClauseAdopted(
            clause_id=clause.id,
            convention_id=convention.id,
            compound_id=convention.compound_id,
            level=convention.level,
            place_id=convention.place_id,
            number=number,
            revision=revision,
            proposal_id=proposal.id,
            text=body.text,
        ),
        subject=clause.id,
        key=convention.compound_id,
    )
    return clause


async def show(session: AsyncSession, convention: Convention, history: bool = False) -> s.ConventionOut:
    query = select(Clause).where(Clause.convention_id == convention.id).order_by(Clause.number, Clause.revision)
    if not history:
        query = query.where(Clause.current.is_(True))
    level = Level(convention.level)
    return s.ConventionOut(
        id=convention.id,
        version=convention.version,
        compound_id=convention.compound_id,
        level=level,
        level_label=level.label,
        place_id=convention.place_id,
        title=convention.title,
        clauses=[
            s.ClauseOut(
                id=c.id,
                number=c.number,
                revision=c.revision,
                text=c.text,
                proposal_id=c.proposal_id,
                vote_id=c.vote_id,
                current=c.current,
                adopted_at=c.adopted_at,
            )
            for c in await session.scalars(query)
        ],
    )


async def of_compound(session: AsyncSession, compound_id: int) -> list[s.ConventionOut]:
    await compound_community(session, compound_id)
    rows = await session.scalars(
        select(Convention).where(Convention.compound_id == compound_id).order_by(Convention.id)
    )
    return [await show(session, c) for c in rows]
