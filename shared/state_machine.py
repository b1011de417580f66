"""The one shape of a state machine: a record's states, and transitions that name the event
that moves it, the states it may start from and the state it leads to. Its guard raises the
one `illegal_transition` refusal (409), naming where the record stands.

Two ways to ask, for the two ways use cases are written:
- `fire(state, event)`: the use case names what happens (dispatch: `Action.accept`); the answer
  is the state it leads to, the refusal lists the events allowed instead;
- `check(state, target)`: the use case names where the record goes (deliberation: a proposal's
  `move` to `passed`); some transition from `state` must lead there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.labels import LabeledEnum

S = TypeVar("S", bound=LabeledEnum)
E = TypeVar("E", bound=LabeledEnum)


@dataclass(frozen=True)
class Transition(Generic[S, E]):
    event: E
    sources: frozenset[S]
    target: S | None = None
    """None: the event keeps the record where it is (a note, a reminder)."""


class StateMachine(Generic[S, E]):
    """`noun_zh` / `noun_en` name the record in refusals ("工单" / "Order"); `state_field` is
    the key of its state in the refusal's details ("state", "status"); `internal` events are
    the platform's own (timers), never offered to a person as an alternative."""

    def __init__(
        self,
        states: Iterable[S],
        transitions: Iterable[Transition[S, E]],
        *,
        noun_zh: str,
        noun_en: str,
        state_field: str = "state",
        internal: Iterable[E] = (),
    ) -> None:
        self.states = tuple(states)
        self.transitions: dict[E, Transition[S, E]] = {}
        for t in transitions:
            if t.event in self.transitions:
                raise ValueError(f"event {t.event.value} appears twice")
            self.transitions[t.event] = t
        self.noun_zh, self.noun_en, self.state_field = noun_zh, noun_en, state_field
        self.internal = frozenset(internal)

    def allowed(self, state: S) -> list[E]:
        """The events a person may fire from `state`, in table order."""
        return [e for e, t in self.transitions.items() if state in t.sources and e not in self.internal]

    def targets(self) -> dict[S, frozenset[S]]:
        """Where each state may go, over every event."""
        return {s: frozenset(t.target or s for t in self.transitions.values() if s in t.sources) for s in self.states}

    def fire(self, state: S, event: E) -> S:
        """The state `event` leads to from `state`; 409 naming the events allowed when it may not."""
        t = self.transitions[event]
        if state not in t.sources:
            allowed = self.allowed(state)
            raise Conflict(
                f"{self.noun_zh}当前状态为「{state.label}」，不能执行「{event.label}」"
                + (f"；可执行：{'、'.join(a.label for a in allowed)}" if allowed else f"；{self.noun_zh}已结束"),
                f"{self.noun_en} is {state.value}: cannot {event.value}; allowed: {[a.value for a in allowed]}",
                code=ErrorCode.illegal_transition,
                details={self.state_field: state.value, "action": event.value, "allowed": [a.value for a in allowed]},
            )
        return t.target if t.target is not None else state

    def check(self, state: S, target: S) -> None:
        """Refuse (409) a move to `target` that no transition from `state` makes."""
        if not any(state in t.sources and (t.target or state) == target for t in self.transitions.values()):
            raise Conflict(
                f"{self.noun_zh}当前状态为「{state.label}」，不能变为「{target.label}」",
                f"A {self.noun_en.lower()} that is {state.value} cannot become {target.value}",
                code=ErrorCode.illegal_transition,
                details={self.state_field: state.value, "target": target.value},
            )
