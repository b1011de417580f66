"""A mediation case's vocabulary and life (矛盾纠纷调解, seeds 001 and 004): what kind of matter it
is, whom the parties may choose to mediate it, and the one state machine. Pure Python."""

from __future__ import annotations

from shared.labels import LabeledEnum
from shared.state_machine import StateMachine, Transition


class CaseKind(LabeledEnum):
    """Seed 001 counts the two apart: 48 problems solved and 36 disputes settled at round tables."""

    dispute = "dispute", "矛盾纠纷"
    problem = "problem", "困难和问题"


class CaseCategory(LabeledEnum):
    owner_property = "owner_property", "业主与物业纠纷"
    neighbours = "neighbours", "邻里纠纷"
    family = "family", "婚姻家庭纠纷"
    renovation = "renovation", "装修与房屋纠纷"
    parking = "parking", "停车纠纷"
    other = "other", "其他"


class MediatorKind(LabeledEnum):
    """Whom the parties may choose (seed 001: 网格员 + 法律明白人 + 人民调解员, and the 社区法官
    the parties pick by the kind of dispute; 三方圆桌会议 of branch, committee and company)."""

    people_mediator = "people_mediator", "人民调解员"
    legal_understander = "legal_understander", "法律明白人"
    community_judge = "community_judge", "社区法官"
    round_table = "round_table", "小区三方圆桌会议"


class PartySide(LabeledEnum):
    applicant = "applicant", "申请人"
    respondent = "respondent", "被申请人"


class CaseState(LabeledEnum):
    filed = "filed", "已受理，待选定调解人"
    mediator_chosen = "mediator_chosen", "已选定调解人"
    in_mediation = "in_mediation", "调解中"
    agreed = "agreed", "已达成协议，待回访"
    failed = "failed", "调解未成"
    closed = "closed", "已回访结案"
    withdrawn = "withdrawn", "已撤回"


class CaseStep(LabeledEnum):
    choose = "choose", "选定调解人"
    choice_changed = "choice_changed", "当事人改选调解人"
    hold_session = "hold_session", "记录调解会"
    agree = "agree", "达成调解协议"
    fail = "fail", "调解未成"
    follow_up = "follow_up", "回访"
    withdraw = "withdraw", "撤回申请"


OPEN = frozenset({CaseState.filed, CaseState.mediator_chosen, CaseState.in_mediation})

CASE_MACHINE: StateMachine[CaseState, CaseStep] = StateMachine(
    CaseState,
    [
        # The last party to choose the mediator the others chose moves the case on (internal:
        # nobody fires it by name); choosing again before the first session changes the choice.
        Transition(CaseStep.choose, frozenset({CaseState.filed, CaseState.mediator_chosen}), CaseState.mediator_chosen),
        Transition(CaseStep.choice_changed, frozenset({CaseState.mediator_chosen}), CaseState.filed),
        Transition(
            CaseStep.hold_session,
            frozenset({CaseState.mediator_chosen, CaseState.in_mediation}),
            CaseState.in_mediation,
        ),
        Transition(CaseStep.agree, frozenset({CaseState.in_mediation}), CaseState.agreed),
        Transition(CaseStep.fail, frozenset({CaseState.in_mediation}), CaseState.failed),
        Transition(CaseStep.follow_up, frozenset({CaseState.agreed}), CaseState.closed),
        Transition(CaseStep.withdraw, OPEN, CaseState.withdrawn),
    ],
    noun_zh="调解案件",
    noun_en="Mediation case",
    internal=[CaseStep.choose, CaseStep.choice_changed],
)

ENUMS: dict[str, type[LabeledEnum]] = {
    "mediation_kind": CaseKind,
    "mediation_category": CaseCategory,
    "mediator_kind": MediatorKind,
    "mediation_party_side": PartySide,
    "mediation_state": CaseState,
    "mediation_step": CaseStep,
}


def resolved(state: CaseState) -> bool:
    """An agreement was reached (whether or not the follow-up visit has been made)."""
    return state in (CaseState.agreed, CaseState.closed)
