"""The 131 lifecycle of a proposal, plain Python: states and the allowed-transition table,
triage (三事分流), the council's resolution, the committee's plan and its decision rule."""

from __future__ import annotations

from datetime import date, timedelta

from services.deliberation.votes.tally import Threshold
from shared.errors import InvalidInput
from shared.labels import LabeledEnum
from shared.state_machine import StateMachine, Transition


class Status(LabeledEnum):
    submitted = "submitted", "已提交"
    referred_to_government = "referred_to_government", "大事：已转政府部门"
    returned_with_advice = "returned_with_advice", "私事：已退回并给出建议"
    in_council = "in_council", "议事会商议中（办不办）"
    planning = "planning", "业委会制定方案中（怎么办）"
    awaiting_vote = "awaiting_vote", "待业主表决"
    voting = "voting", "业主表决中"
    passed = "passed", "已通过"
    rejected = "rejected", "未通过"
    no_quorum = "no_quorum", "表决人数或面积不足"
    executing = "executing", "执行中"
    evaluated = "evaluated", "已评议"
    withdrawn = "withdrawn", "已撤回"


class Origin(LabeledEnum):
    resident = "resident", "居民提出"
    party_org = "party_org", "党组织提出"
    dispatch = "dispatch", "派单分流转入"
    committee_review = "committee_review", "业委会测评或业主联名提请"


class Triage(LabeledEnum):
    """三事分流: major → government; private → the resident; minor → the 131 process."""

    major = "major", "大事（政府办）"
    minor = "minor", "小事（居民共同办）"
    private = "private", "私事（自己办）"


class CouncilResolution(LabeledEnum):
    go = "go", "办"
    no_go = "no_go", "不办"
    revise = "revise", "修改后再议"


class FundingSource(LabeledEnum):
    public_revenue = "public_revenue", "公共收益"
    fund_pool = "fund_pool", "资金池"
    maintenance_fund = "maintenance_fund", "维修资金"
    levy = "levy", "业主出资"


class LevyFormula(LabeledEnum):
    by_area = "by_area", "按建筑面积分摊（民法典第283条）"
    per_household = "per_household", "按户均摊"


class CommitteeChoice(LabeledEnum):
    for_ = "for", "同意"
    against = "against", "反对"


class Step(LabeledEnum):
    """What moves a proposal, one per transition of `PROPOSAL_MACHINE`."""

    triage_major = "triage_major", "分流：大事转政府部门"
    triage_private = "triage_private", "分流：私事退回并建议"
    triage_minor = "triage_minor", "分流：小事进议事会"
    withdraw = "withdraw", "撤回"
    council_revise = "council_revise", "议事会：修改后再议"
    council_go = "council_go", "议事会：办"
    council_no_go = "council_no_go", "议事会：不办"
    plan_to_owners = "plan_to_owners", "方案交业主表决"
    committee_passes = "committee_passes", "业委会通过方案"
    committee_rejects = "committee_rejects", "业委会否决方案"
    notice_vote = "notice_vote", "发布表决公告"
    vote_passes = "vote_passes", "业主表决通过"
    vote_rejects = "vote_rejects", "业主表决未通过"
    vote_short = "vote_short", "表决人数或面积不足"
    cancel_notice = "cancel_notice", "撤销表决公告"
    notice_again = "notice_again", "再次发布表决公告"
    execute = "execute", "开始执行"
    evaluate = "evaluate", "评议"


_S = Status
PROPOSAL_MACHINE: StateMachine[Status, Step] = StateMachine(
    Status,
    [
        Transition(Step.triage_major, frozenset({_S.submitted}), _S.referred_to_government),
        Transition(Step.triage_private, frozenset({_S.submitted}), _S.returned_with_advice),
        Transition(Step.triage_minor, frozenset({_S.submitted}), _S.in_council),
        Transition(
            Step.withdraw, frozenset({_S.submitted, _S.in_council, _S.planning, _S.awaiting_vote}), _S.withdrawn
        ),
        Transition(Step.council_revise, frozenset({_S.in_council}), _S.in_council),
        Transition(Step.council_go, frozenset({_S.in_council}), _S.planning),
        Transition(Step.council_no_go, frozenset({_S.in_council}), _S.rejected),
        Transition(Step.plan_to_owners, frozenset({_S.planning}), _S.awaiting_vote),
        Transition(Step.committee_passes, frozenset({_S.planning}), _S.passed),
        Transition(Step.committee_rejects, frozenset({_S.planning}), _S.rejected),
        Transition(Step.notice_vote, frozenset({_S.awaiting_vote}), _S.voting),
        Transition(Step.vote_passes, frozenset({_S.voting}), _S.passed),
        Transition(Step.vote_rejects, frozenset({_S.voting}), _S.rejected),
        Transition(Step.vote_short, frozenset({_S.voting}), _S.no_quorum),
        Transition(Step.cancel_notice, frozenset({_S.voting}), _S.awaiting_vote),
        Transition(Step.notice_again, frozenset({_S.no_quorum}), _S.voting),
        Transition(Step.execute, frozenset({_S.passed}), _S.executing),
        Transition(Step.evaluate, frozenset({_S.executing}), _S.evaluated),
    ],
    noun_zh="议题",
    noun_en="Proposal",
    state_field="status",
)
"""Allowed moves; `move` names the target (`PROPOSAL_MACHINE.check`), anything else is a 409
naming where the proposal stands."""

DECIDED = frozenset({Status.passed, Status.rejected, Status.executing, Status.evaluated})
CONTEST_PERIOD = timedelta(days=365)


def triage_target(triage: Triage) -> Status:
    """Where triage sends a proposal."""
    return {
        Triage.major: Status.referred_to_government,
        Triage.private: Status.returned_with_advice,
        Triage.minor: Status.in_council,
    }[triage]


def council_target(resolution: CouncilResolution) -> Status:
    """Where the council's resolution sends a proposal (revise keeps it in council)."""
    return {
        CouncilResolution.go: Status.planning,
        CouncilResolution.no_go: Status.rejected,
        CouncilResolution.revise: Status.in_council,
    }[resolution]


def needs_owner_vote(funding: FundingSource, reserved_matter: bool) -> bool:
    """A levy on the owners, a use of the maintenance fund, or any matter art. 278 reserves to
    the owners goes to an owners' vote; the committee alone may spend public revenue or the
    fund pool on anything else."""
    return reserved_matter or funding in (FundingSource.levy, FundingSource.maintenance_fund)


def needs_special_matter(funding: FundingSource, thresholds: list[Threshold]) -> bool:
    """A plan funded by the owners' own money raises funds from them (art. 278 para. 1 item 6):
    its classification cannot consist of ordinary matters only."""
    return funding is FundingSource.levy and Threshold.special not in thresholds


def check_levy(
    funding: FundingSource,
    formula: LevyFormula | None,
    total_fen: int | None,
    per_household_fen: int | None,
    budget_fen: int,
) -> None:
    """A levy names its formula and its amount (a total to split by area, or an amount per
    household); other sources take no levy fields."""
    if funding is not FundingSource.levy:
        if formula is not None or total_fen is not None or per_household_fen is not None:
            raise InvalidInput(
                "只有业主出资方案需要填写出资标准",
                "Levy fields belong to a plan funded by a levy only",
                details=[{"field": "levy_formula", "value": formula}],
            )
        return
    if formula is LevyFormula.by_area or formula is None:
        if total_fen is None or total_fen <= 0 or per_household_fen is not None:
            raise InvalidInput(
                "按面积分摊须填写分摊总额（分），且不填每户金额",
                "A levy by area needs levy_total_fen > 0 and no per-household amount",
                details=[{"field": "levy_total_fen", "value": total_fen}],
            )
        if total_fen > budget_fen:
            raise InvalidInput(
                "分摊总额不能超过预算",
                "The levy total cannot exceed the budget",
                details=[{"field": "levy_total_fen", "value": total_fen}],
            )
    elif per_household_fen is None or per_household_fen <= 0 or total_fen is not None:
        raise InvalidInput(
            "按户均摊须填写每户金额（分），且不填分摊总额",
            "A per-household levy needs levy_per_household_fen > 0 and no total",
            details=[{"field": "levy_per_household_fen", "value": per_household_fen}],
        )


def committee_decision(for_votes: int, against_votes: int, members: int) -> bool | None:
    """The committee decides with more than half of ALL its members (not of those present):
    True once the ayes exceed half, False once that can no longer happen, else None."""
    if members <= 0:
        return None
    if 2 * for_votes > members:
        return True
    if 2 * (members - against_votes) <= members:
        return False
    return None


def within_contest_period(decided_on: date, today: date) -> bool:
    """An owner may ask a court to revoke a decision within one year (Civil Code art. 280)."""
    return today <= decided_on + CONTEST_PERIOD
