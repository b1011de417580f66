"""Deliberation's figures for a street, community, grid or compound and a period: proposals by
stage and the turnout and outcome of recent votes. Turnout is the votes' own (`turnout`), so
the dashboard and the vote's page never disagree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import seats
from services.deliberation.base import compound_projection
from services.deliberation.figures import schemas as s
from services.deliberation.proposals.domain import Status
from services.deliberation.proposals.models import Proposal
from services.deliberation.votes import reading as votes
from services.deliberation.votes.domain import VoteStatus
from services.deliberation.votes.models import Vote
from services.deliberation.votes.tally import Outcome
from shared.auth import Principal, Role, require_staff_of
from shared.clock import LOCAL_TZ, day_span
from shared.figures import Level, area_of


def _rate(part: Decimal | int, whole: Decimal | int) -> float | None:
    return round(float(Decimal(part) / Decimal(whole)), 4) if whole else None


async def figures(
    session: AsyncSession, principal: Principal, level: Level, place_id: int, date_from: date, date_to: date
) -> s.DeliberationFigures:
    area = await area_of(session, compound_projection, level, place_id)
    # Staff of the place or above; whoever sits on one of a compound's bodies (council,
    # committees: deliberation knows the seats from the registry) reads that compound's figures.
    also = (Role.grid_worker, Role.auditor)
    seated = level == "compound" and bool(await seats(session, place_id, principal.person_id))
    if not seated:
        require_staff_of(principal, area.place, *also)
    start, end = day_span(date_from, date_to, LOCAL_TZ)
    ids = area.compound_ids
    stages = dict(
        (
            await session.execute(
                select(Proposal.status, func.count()).where(Proposal.compound_id.in_(ids)).group_by(Proposal.status)
            )
        ).all()
    )
    names = dict(
        (
            await session.execute(
                select(compound_projection.c.compound_id, compound_projection.c.name).where(
                    compound_projection.c.compound_id.in_(ids)
                )
            )
        ).all()
    )
    recent = (
        await session.execute(
            select(Vote, Proposal.title)
            .join(Proposal, Proposal.id == Vote.proposal_id)
            .where(
                Vote.compound_id.in_(ids),
                or_(
                    Vote.status.in_([VoteStatus.open.value, VoteStatus.noticed.value]),
                    (Vote.closed_at >= start) & (Vote.closed_at < end),
                ),
            )
            .order_by(Vote.opens_at.desc(), Vote.id.desc())
        )
    ).all()
    rows: list[s.VoteFigures] = []
    for vote, title in recent:
        turnout = await votes.turnout(session, vote.id)
        outcome = Outcome(vote.outcome) if vote.outcome is not None else None
        rows.append(
            s.VoteFigures(
                vote_id=vote.id,
                proposal_id=vote.proposal_id,
                compound_id=vote.compound_id,
                compound_name=names.get(vote.compound_id, ""),
                title=title,
                status=vote.status,
                status_label=VoteStatus(vote.status).label,
                opens_at=vote.opens_at,
                closes_at=vote.closes_at,
                persons=turnout.persons,
                voted_persons=turnout.voted_persons,
                turnout_rate=_rate(turnout.voted_persons, turnout.persons),
                area_m2=turnout.area_m2,
                voted_area_m2=turnout.voted_area_m2,
                area_turnout_rate=_rate(Decimal(turnout.voted_area_m2), Decimal(turnout.area_m2)),
                outcome=outcome.value if outcome else None,
                outcome_label=outcome.label if outcome else None,
            )
        )
    closed = [r for r in rows if r.status == VoteStatus.closed.value]
    rates = [r.turnout_rate for r in closed if r.turnout_rate is not None]
    return s.DeliberationFigures(
        level=level,
        place_id=place_id,
        date_from=date_from,
        date_to=date_to,
        time_zone=LOCAL_TZ.key,
        compounds=len(ids),
        proposals=sum(int(n) for n in stages.values()),
        by_stage=[
            s.StageCount(value=stage.value, label=stage.label, proposals=int(stages.get(stage.value, 0)))
            for stage in Status
        ],
        votes=rows,
        votes_closed=len(closed),
        votes_passed=sum(r.outcome == Outcome.passed.value for r in closed),
        average_turnout_rate=round(sum(rates) / len(rates), 4) if rates else None,
    )
