"""Demo votes for embedded mode (`demo_size` above 0): in the demo compound, one owners' vote
finished (closed, tallied and certified by the supervisory committee, with one paper sheet
witnessed, its decision codified in building 1's convention) and one open, so the dashboard's
"turnout and outcome of recent votes" and the committee desk have something to show. Every step
goes through the service's own use cases on the 131 path, dated in the past on the service's
clock; who votes how is drawn from a seeded generator, so the same demo gives the same votes.
Never in production; added once."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import compound_community
from services.deliberation.base import compound_projection
from services.deliberation.bodies import Body
from services.deliberation.conventions import service as conventions
from services.deliberation.conventions.models import Convention
from services.deliberation.conventions.schemas import ClauseIn
from services.deliberation.demo import CONVENTION_TITLE, DEMO_COMPOUND
from services.deliberation.meetings import service as meetings
from services.deliberation.meetings.domain import MeetingKind
from services.deliberation.meetings.schemas import MeetingIn
from services.deliberation.projections.models import DwellingView, MembershipView, OwnershipView
from services.deliberation.proposals import classification, planning, submission, triaging
from services.deliberation.proposals import domain as pd
from services.deliberation.proposals import schemas as ps
from services.deliberation.proposals.models import Proposal
from services.deliberation.votes import casting, certification, closing, noticing, opening, paper_ballots
from services.deliberation.votes import schemas as vs
from services.deliberation.votes.lookup import vote_items
from services.deliberation.votes.tally import Choice, Matter
from shared.auth import Grant, Principal, Role
from shared.service_app import ServiceRuntime, Ticker

FINISHED_TITLE = "公共收益用于加装1、2号楼楼道扶手"
OPEN_TITLE = "使用维修资金更换2号楼单元门禁"
SEED = 278
_done: set[int] = set()


def _day(n: float) -> timedelta:
    return timedelta(days=n)


class _Cast:
    """The demo compound's people as principals of the use cases."""

    def __init__(self, compound_id: int, community_id: int, seats: dict[Body, int], owners: list[int]) -> None:
        self.compound_id = compound_id
        self.owners = owners
        self.committee = Principal(seats[Body.owners_committee])
        self.supervisor = Principal(seats[Body.supervisory_committee])
        self.council = Principal(seats[Body.council])
        # The community's admin triages for the party organisation (三事分流).
        self.party = Principal(None, (Grant(Role.community_admin, "community", community_id),))

    def owner(self, person_id: int) -> Principal:
        return Principal(person_id, (Grant(Role.owner, "compound", self.compound_id),))


async def _to_notice(
    session: AsyncSession, cast: _Cast, title: str, plan: ps.PlanIn, matter: Matter, at: datetime
) -> Proposal:
    """Submitted by an owner, triaged, resolved in council, planned, adopted, classified and
    co-signed: ready for the owners' notice."""
    body = ps.ProposalCreate(compound_id=cast.compound_id, title=title, category="facilities")
    p = await submission.submit(session, body, cast.owner(cast.owners[0]), at)
    p = await triaging.triage(session, p.id, ps.TriageIn(version=p.version, triage=pd.Triage.minor), cast.party, at)
    meeting = MeetingIn(kind=MeetingKind.topic_discussion, held_at=at + _day(1), place="小区议事厅")
    await meetings.hold(session, p.id, meeting, cast.council, at + _day(1))
    resolution = ps.CouncilResolutionIn(version=p.version, resolution=pd.CouncilResolution.go)
    p = await triaging.resolve_in_council(session, p.id, resolution, cast.council, at + _day(1))
    plan = plan.model_copy(update={"version": p.version})
    p = await planning.draft_plan(session, p.id, plan, cast.committee, at + _day(2))
    vote_in = ps.CommitteeVoteIn(choice=pd.CommitteeChoice.for_)
    p = await planning.committee_vote(session, p.id, vote_in, cast.committee, at + _day(2))
    items = [ps.ClassificationItemIn(title=title, matter=matter)]
    p = await classification.classify(
        session, p.id, ps.ClassificationIn(version=p.version, items=items), cast.committee, at + _day(3)
    )
    seen = ps.Seen(version=p.version)
    return await classification.cosign_classification(session, p.id, seen, cast.supervisor, at + _day(3))


async def _cast_ballots(
    session: AsyncSession, cast: _Cast, vote_id: int, item_id: int, voters: list[int], weights: list[int], at: datetime
) -> None:
    rng = random.Random(SEED + vote_id)
    for n, person_id in enumerate(voters):
        choice = rng.choices((Choice.for_, Choice.against, Choice.abstain), weights=weights)[0]
        ballot = vs.BallotsIn(choices=[vs.ChoiceIn(item_id=item_id, choice=choice)])
        await casting.cast(session, vote_id, ballot, cast.owner(person_id), at + timedelta(hours=5 * n + 1))


CLAUSES = (
    "爱护楼道扶手等公共设施，不在扶手上晾晒衣物、悬挂杂物。",
    "楼道扶手损坏的，发现人及时告知楼栋长或业委会，由公共收益列支维修。",
)


async def _finished_vote(session: AsyncSession, cast: _Cast, now: datetime, convention_id: int) -> None:
    start = now - _day(45)
    plan = ps.PlanIn(
        version=1,
        summary="在1、2号楼各单元楼道加装不锈钢扶手，方便老年住户上下楼。",
        budget_fen=1_860_000,
        funding_source=pd.FundingSource.public_revenue,
        reserved_matter=True,
    )
    p = await _to_notice(session, cast, FINISHED_TITLE, plan, Matter.other_major, start)
    notice = vs.NoticeIn(version=p.version, opens_at=start + _day(19), closes_at=start + _day(33))
    vote = await noticing.notice(session, p.id, notice, cast.committee, start + _day(4))
    vote = await opening.open_vote(session, vote, cast.committee.person_id, start + _day(19))
    [item] = [i.id for i in await vote_items(session, vote.id)]
    # Ten of twelve owners vote online; one more on paper, witnessed by the supervisory committee.
    online, paper_voter = cast.owners[:-2], cast.owners[-2]
    await _cast_ballots(session, cast, vote.id, item, online, [8, 1, 1], start + _day(19))
    dwelling = await session.scalar(
        select(OwnershipView.dwelling_id).where(
            OwnershipView.compound_id == cast.compound_id, OwnershipView.person_id == paper_voter
        )
    )
    assert dwelling is not None
    sheet = vs.PaperBallotIn(
        dwelling_id=dwelling,
        choices=[vs.ChoiceIn(item_id=item, choice=Choice.for_)],
        witness_person_id=cast.supervisor.person_id or 0,
        sheet_no="纸-001",
    )
    await paper_ballots.enter_paper(session, vote.id, sheet, cast.committee, start + _day(25))
    confirm = vs.WitnessIn(confirm=True)
    await paper_ballots.witness_paper(session, vote.id, "纸-001", confirm, cast.supervisor, start + _day(25))
    vote = await closing.close(session, vote, cast.committee.person_id, start + _day(33))
    await certification.certify(session, vote.id, cast.supervisor, start + _day(34))
    # The decision is codified in building 1's convention (its notice board shows the clauses).
    for text in CLAUSES:
        clause = ClauseIn(proposal_id=p.id, text=text)
        await conventions.adopt_clause(session, convention_id, clause, cast.committee, start + _day(35))


async def _open_vote(session: AsyncSession, cast: _Cast, now: datetime) -> None:
    start = now - _day(25)
    plan = ps.PlanIn(
        version=1,
        summary="2号楼单元门禁老化失灵，更换为刷卡及人脸识别门禁。",
        budget_fen=1_200_000,
        funding_source=pd.FundingSource.maintenance_fund,
    )
    p = await _to_notice(session, cast, OPEN_TITLE, plan, Matter.use_maintenance_fund, start)
    notice = vs.NoticeIn(version=p.version, opens_at=start + _day(20), closes_at=now + _day(10))
    vote = await noticing.notice(session, p.id, notice, cast.committee, start + _day(4))
    vote = await opening.open_vote(session, vote, cast.committee.person_id, start + _day(20))
    [item] = [i.id for i in await vote_items(session, vote.id)]
    half = cast.owners[: len(cast.owners) // 2]
    await _cast_ballots(session, cast, vote.id, item, half, [6, 2, 1], start + _day(20))


async def seed_demo_votes(runtime: ServiceRuntime) -> int:
    """Seed both demo votes once every dwelling of the demo compound has its owner here; how
    many votes were added."""
    settings = runtime.settings
    if (
        not settings.seed_demo
        or settings.demo_size <= 0
        or settings.environment == "production"
        or id(runtime) in _done
    ):
        return 0
    async with runtime.transaction() as session:
        compound_id = await session.scalar(
            select(compound_projection.c.compound_id).where(compound_projection.c.name == DEMO_COMPOUND)
        )
        if compound_id is None:
            return 0  # the registry's events have not arrived yet
        if await session.scalar(select(Proposal.id).where(Proposal.title == FINISHED_TITLE)) is not None:
            _done.add(id(runtime))
            return 0
        dwellings = await session.scalar(select(func.count()).where(DwellingView.compound_id == compound_id))
        owned = await session.scalar(
            select(func.count(func.distinct(OwnershipView.dwelling_id))).where(OwnershipView.compound_id == compound_id)
        )
        seats = {
            Body(m.body): m.person_id
            for m in await session.scalars(
                select(MembershipView)
                .where(MembershipView.compound_id == compound_id, MembershipView.active.is_(True))
                .order_by(MembershipView.person_id.desc())
            )
        }
        convention_id = await session.scalar(select(Convention.id).where(Convention.title == CONVENTION_TITLE))
        if not dwellings or owned != dwellings or len(seats) < 3 or convention_id is None:
            return 0  # the owners, the seats or the demo board's convention are still on their way
        owners = sorted(
            set(await session.scalars(select(OwnershipView.person_id).where(OwnershipView.compound_id == compound_id)))
        )
        cast = _Cast(compound_id, await compound_community(session, compound_id), seats, owners)
        now = runtime.clock()
        await _finished_vote(session, cast, now, convention_id)
        await _open_vote(session, cast, now)
    _done.add(id(runtime))
    return 2


DEMO_VOTES_TICKER = Ticker("demo_votes", interval_s=2.0, step=seed_demo_votes)
