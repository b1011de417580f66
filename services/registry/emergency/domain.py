"""The emergency vocabulary and the activation's lifecycle, plain Python: incident kinds, the
graded response levels (小区发现、社区呼叫、分级响应、协同处置), who is on a call list, and the
one state machine an activation follows."""

from __future__ import annotations

from shared.labels import LabeledEnum
from shared.state_machine import StateMachine, Transition


class IncidentKind(LabeledEnum):
    """Seed 004: 分类制定公共卫生、事故灾难等突发公共事件差异化应急处置方案;
    seed 002: 重大公共卫生事件、重大自然灾害."""

    public_health = "public_health", "公共卫生事件"
    natural_disaster = "natural_disaster", "自然灾害"
    accident = "accident", "事故灾难"


class ResponseLevel(LabeledEnum):
    """The graded response, lowest first (declaration order is the escalation order)."""

    compound = "compound", "小区响应（小区发现）"
    community = "community", "社区响应（社区呼叫）"
    street = "street", "街道响应（分级响应、协同处置）"


LEVELS: tuple[ResponseLevel, ...] = tuple(ResponseLevel)


def next_level(level: ResponseLevel) -> ResponseLevel | None:
    """The level above `level`; None at the street, the top."""
    at = LEVELS.index(level)
    return LEVELS[at + 1] if at + 1 < len(LEVELS) else None


class CalleeRole(LabeledEnum):
    """Who a plan calls (seed 002: 党员干部能够及时下沉; seed 001's service chain)."""

    party_member = "party_member", "党员"
    volunteer = "volunteer", "志愿者"
    building_head = "building_head", "楼栋长"


class ActivationState(LabeledEnum):
    active = "active", "响应中"
    closed = "closed", "已结束"


class ActivationStep(LabeledEnum):
    """What happens to an activation; each is a line of its timeline."""

    activate = "activate", "启动预案"
    acknowledge = "acknowledge", "确认收到"
    report = "report", "到岗报到"
    escalate = "escalate", "响应升级"
    close = "close", "结束响应"


ACTIVATION_MACHINE: StateMachine[ActivationState, ActivationStep] = StateMachine(
    ActivationState,
    [
        # Answering and escalating keep the activation where it is; only while it runs.
        Transition(ActivationStep.acknowledge, frozenset({ActivationState.active}), None),
        Transition(ActivationStep.report, frozenset({ActivationState.active}), None),
        Transition(ActivationStep.escalate, frozenset({ActivationState.active}), None),
        Transition(ActivationStep.close, frozenset({ActivationState.active}), ActivationState.closed),
    ],
    noun_zh="应急响应",
    noun_en="Emergency activation",
    state_field="state",
)

DRILL_TAG = "【演练】"


def drill_tag(drill: bool) -> str:
    """A drill says so in every message and record (演练), so nobody mistakes it for the real thing."""
    return DRILL_TAG if drill else ""


ENUMS: dict[str, type[LabeledEnum]] = {
    "incident_kind": IncidentKind,
    "response_level": ResponseLevel,
    "callee_role": CalleeRole,
    "activation_state": ActivationState,
    "activation_step": ActivationStep,
}
