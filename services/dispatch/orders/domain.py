"""An order's life as an explicit state machine: which action may move an order from which
state to which, the triage outcomes (三事分流) and the rules around rating. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum


class OrderState(LabeledEnum):
    submitted = "submitted", "待分流"
    referred = "referred", "已转办（政府部门）"
    deliberating = "deliberating", "已转议事"
    awaiting_dispatch = "awaiting_dispatch", "待派单"
    offered = "offered", "待接单"
    accepted = "accepted", "已接单"
    in_progress = "in_progress", "处理中"
    completed = "completed", "待确认"
    confirmed = "confirmed", "已确认"
    follow_up = "follow_up", "待回访"
    closed = "closed", "已办结"
    cancelled = "cancelled", "已取消"
    duplicate = "duplicate", "重复工单"
    invalid = "invalid", "无效工单"


class OrderKind(LabeledEnum):
    order = "order", "群众点单"
    wish = "wish", "微心愿"
    execution_task = "execution_task", "议事执行任务"


class Channel(LabeledEnum):
    app = "app", "居民自助"
    door_knocking = "door_knocking", "敲门走访代录"
    phone = "phone", "电话代录"
    open311 = "open311", "12345/Open311"
    committee = "committee", "业委会（议事执行）"


class Triage(LabeledEnum):
    """三事分流."""

    major = "major", "大事（转政府部门）"
    minor = "minor", "小事（社区与居民协商解决）"
    private = "private", "私事（居民自行解决，给予建议）"


class Provider(LabeledEnum):
    party_member = "party_member", "党员"
    shared_property = "shared_property", "共享物业"


class EscalationLevel(LabeledEnum):
    """小区发现、社区呼叫、分级响应: who answers for a late order."""

    compound = "compound", "小区（网格员）"
    community = "community", "社区"
    street = "street", "街道"


class Action(LabeledEnum):
    create = "create", "点单"
    triage_major = "triage_major", "分流：大事转办"
    triage_private = "triage_private", "分流：私事建议"
    triage_deliberate = "triage_deliberate", "分流：小事转议事"
    triage_dispatch = "triage_dispatch", "分流：小事派单"
    referral_update = "referral_update", "转办进展"
    referral_resolved = "referral_resolved", "转办办结"
    offer = "offer", "派单"
    assign_shared_property = "assign_shared_property", "派共享物业"
    offer_expired = "offer_expired", "接单超时"
    accept = "accept", "接单"
    claim = "claim", "认领微心愿"
    decline = "decline", "拒单"
    start = "start", "开工"
    note = "note", "进展记录"
    complete = "complete", "完工"
    confirm = "confirm", "确认完成"
    auto_confirm = "auto_confirm", "超时自动确认"
    reopen = "reopen", "重新处理"
    rate = "rate", "评价"
    follow_up_done = "follow_up_done", "回访完成"
    cancel = "cancel", "取消"
    mark_duplicate = "mark_duplicate", "标记重复"
    mark_invalid = "mark_invalid", "标记无效"
    escalate = "escalate", "升级"
    remind = "remind", "超时提醒"


S = OrderState
OPEN_FOR_WORK = frozenset({S.accepted, S.in_progress})
ACTIVE = frozenset(
    {S.submitted, S.awaiting_dispatch, S.offered, S.accepted, S.in_progress, S.completed, S.follow_up, S.referred}
)
BEFORE_ACCEPTANCE = frozenset({S.submitted, S.awaiting_dispatch, S.offered})
FINAL = frozenset({S.closed, S.cancelled, S.duplicate, S.invalid, S.deliberating})

# action -> (states it may start from, state it leads to; None = stays where it is)
TRANSITIONS: dict[Action, tuple[frozenset[OrderState], OrderState | None]] = {
    Action.triage_major: (frozenset({S.submitted}), S.referred),
    Action.triage_private: (frozenset({S.submitted}), S.closed),
    Action.triage_deliberate: (frozenset({S.submitted}), S.deliberating),
    Action.triage_dispatch: (frozenset({S.submitted}), S.awaiting_dispatch),
    Action.referral_update: (frozenset({S.referred}), None),
    Action.referral_resolved: (frozenset({S.referred}), S.closed),
    Action.offer: (frozenset({S.awaiting_dispatch}), S.offered),
    Action.assign_shared_property: (frozenset({S.awaiting_dispatch, S.offered}), S.accepted),
    Action.offer_expired: (frozenset({S.offered}), S.awaiting_dispatch),
    Action.accept: (frozenset({S.offered}), S.accepted),
    Action.claim: (frozenset({S.awaiting_dispatch, S.offered}), S.accepted),
    Action.decline: (frozenset({S.offered}), S.awaiting_dispatch),
    Action.start: (frozenset({S.accepted}), S.in_progress),
    Action.note: (OPEN_FOR_WORK | {S.completed, S.follow_up, S.referred}, None),
    Action.complete: (frozenset({S.in_progress}), S.completed),
    Action.confirm: (frozenset({S.completed}), S.confirmed),
    Action.auto_confirm: (frozenset({S.completed}), S.confirmed),
    Action.reopen: (frozenset({S.completed}), S.in_progress),
    Action.rate: (frozenset({S.confirmed}), S.closed),
    Action.follow_up_done: (frozenset({S.follow_up}), S.closed),
    Action.cancel: (BEFORE_ACCEPTANCE, S.cancelled),
    Action.mark_duplicate: (frozenset({S.submitted, S.awaiting_dispatch}), S.duplicate),
    Action.mark_invalid: (frozenset({S.submitted, S.awaiting_dispatch}), S.invalid),
    Action.escalate: (ACTIVE, None),
    Action.remind: (ACTIVE, None),
}


# Actions whose outcome depends on more than the state: the caller names one of these.
ALTERNATIVES: dict[Action, frozenset[OrderState]] = {
    Action.rate: frozenset({S.closed, S.follow_up}),
    # Declining one of several open offers (grab) leaves the order offered to the others.
    Action.decline: frozenset({S.offered, S.awaiting_dispatch}),
}


def next_state(state: OrderState, action: Action, choice: OrderState | None = None) -> OrderState:
    """The state `action` leads to from `state` (or `choice`, where the action allows one);
    409 naming what is allowed when it may not."""
    sources, target = TRANSITIONS[action]
    if state not in sources:
        allowed = [a for a, (src, _) in TRANSITIONS.items() if state in src and a not in AUTOMATIC]
        raise Conflict(
            f"工单当前状态为「{state.label}」，不能执行「{action.label}」"
            + (f"；可执行：{'、'.join(a.label for a in allowed)}" if allowed else "；工单已结束"),
            f"Order is {state.value}: cannot {action.value}; allowed: {[a.value for a in allowed]}",
            code=ErrorCode.illegal_transition,
            details={"state": state.value, "action": action.value, "allowed": [a.value for a in allowed]},
        )
    if choice is not None:
        if choice not in ALTERNATIVES.get(action, frozenset()):
            raise ValueError(f"{action.value} cannot lead to {choice.value}")
        return choice
    return target if target is not None else state


AUTOMATIC = frozenset({Action.offer_expired, Action.auto_confirm, Action.remind, Action.create})

TRIAGE_ACTION: dict[tuple[Triage, bool], Action] = {
    (Triage.major, False): Action.triage_major,
    (Triage.private, False): Action.triage_private,
    (Triage.minor, False): Action.triage_dispatch,
    (Triage.minor, True): Action.triage_deliberate,
}


@dataclass(frozen=True)
class TriageDecision:
    """What the grid worker decided, checked for the fields its outcome needs."""

    triage: Triage
    refer_to_deliberation: bool = False
    department: str | None = None
    reference_no: str | None = None
    advice: str | None = None

    @property
    def action(self) -> Action:
        return TRIAGE_ACTION[(self.triage, self.refer_to_deliberation and self.triage == Triage.minor)]

    def check(self) -> None:
        """Major needs the department; private needs advice; deliberation only for minor."""
        if self.refer_to_deliberation and self.triage != Triage.minor:
            raise InvalidInput(
                "只有小事可以转议事", "Only a minor matter can go to deliberation", details=[{"field": "triage"}]
            )
        if self.triage == Triage.major and not (self.department or "").strip():
            raise InvalidInput(
                "大事转办须填写承办部门", "A major matter needs the department", details=[{"field": "department"}]
            )
        if self.triage == Triage.private and not (self.advice or "").strip():
            raise InvalidInput(
                "私事须给居民处理建议", "A private matter needs advice for the resident", details=[{"field": "advice"}]
            )


RATING_FOLLOW_UP_AT_OR_BELOW = 2


def after_rating(rating: int) -> OrderState:
    """A rating of 1–2 schedules a follow-up visit (回访) before the order closes."""
    if not 1 <= rating <= 5:
        raise InvalidInput("评分须为 1–5", "Rating must be 1–5", details=[{"field": "rating"}])
    return S.follow_up if rating <= RATING_FOLLOW_UP_AT_OR_BELOW else S.closed


LEVELS = (EscalationLevel.compound, EscalationLevel.community, EscalationLevel.street)


def next_level(level: EscalationLevel) -> EscalationLevel | None:
    """One level up (compound → community → street), or None at the street (the top)."""
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


ENUMS: dict[str, type[LabeledEnum]] = {
    "order_state": OrderState,
    "order_kind": OrderKind,
    "channel": Channel,
    "triage": Triage,
    "provider": Provider,
    "escalation_level": EscalationLevel,
    "order_action": Action,
}
