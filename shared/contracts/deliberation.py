"""Events deliberation publishes on `deliberation.events`, keyed by compound id.

The three at the top cross service lines and are fixed here before either side is written:
billing consumes `LevyPassed` and `MaintenanceFundUsePassed`; dispatch consumes
`ExecutionTaskCreated` (a milestone of a passed plan that becomes an order). Deliberation's own
lifecycle events follow below them."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from shared.events.envelope import EventData

# --- consumed by other services -----------------------------------------------------------


class LevyPassed(EventData):
    """The owners (or the committee, within its powers) passed a levy (出资标准): billing issues one
    bill per household of `compound_id` (or of `building_ids` when given) by `formula`:
    `by_area` splits `total_fen` in proportion to each dwelling's building area (Civil Code art.
    283's default), `per_household` charges `per_household_fen` to each. `decision_id` is unique."""

    event_type: ClassVar[str] = "linli.deliberation.levy.passed.v1"
    decision_id: str
    proposal_id: str
    compound_id: int
    title: str
    formula: Literal["by_area", "per_household"]
    building_ids: list[int] = Field(default_factory=list)
    total_fen: int | None = None
    per_household_fen: int | None = None
    due_date: str | None = None


class MaintenanceFundUsePassed(EventData):
    """The owners passed a use of the maintenance fund (维修资金): billing may then withdraw up to
    `amount_fen` from the funds of `building_ids` (their dwellings share it by area)."""

    event_type: ClassVar[str] = "linli.deliberation.maintenance_fund_use.passed.v1"
    decision_id: str
    proposal_id: str
    compound_id: int
    building_ids: list[int]
    amount_fen: int
    purpose: str


class ExecutionTaskCreated(EventData):
    """A milestone of a passed plan that needs hands: dispatch opens an order for it (recorded on
    behalf of the committee), so party members and the shared property can take it."""

    event_type: ClassVar[str] = "linli.deliberation.execution_task.created.v1"
    task_id: str
    proposal_id: str
    compound_id: int
    category: str
    title: str
    description: str
    created_by_person_id: int
    area_m2: Decimal | None = None


# --- deliberation's own lifecycle -------------------------------------------------------------


class ProposalStatusChanged(EventData):
    """A proposal moved in the 131 lifecycle (submitted, triaged, resolved, voted, executed …)."""

    event_type: ClassVar[str] = "linli.deliberation.proposal.status_changed.v1"
    proposal_id: int
    compound_id: int
    title: str
    status: str
    previous_status: str | None
    origin_order_id: str | None = None
    version: int


class VoteOpened(EventData):
    """An owners' vote opened at its announced time: the owners may vote until `closes_at`."""

    event_type: ClassVar[str] = "linli.deliberation.vote.opened.v1"
    vote_id: int
    proposal_id: int
    compound_id: int
    title: str
    closes_at: str


class VoteClosingSoon(EventData):
    """An open owners' vote closes within a day: the owners are reminded once (the vote clock
    marks the vote so a restart or a second replica does not remind them again)."""

    event_type: ClassVar[str] = "linli.deliberation.vote.closing_soon.v1"
    vote_id: int
    proposal_id: int
    compound_id: int
    title: str
    closes_at: str


class ObjectionRaised(EventData):
    """The supervisory committee raised an objection to a proposal: the owners' committee must
    answer it (an unanswered objection holds the tally)."""

    event_type: ClassVar[str] = "linli.deliberation.objection.raised.v1"
    objection_id: int
    proposal_id: int
    compound_id: int
    title: str


class VoteTallied(EventData):
    """An owners' vote closed: the overall outcome and each item's outcome and threshold."""

    event_type: ClassVar[str] = "linli.deliberation.vote.tallied.v1"
    vote_id: int
    proposal_id: int
    compound_id: int
    outcome: Literal["passed", "rejected", "no_quorum"]
    items: list[dict[str, str]]
    tally_hash: str


class ClauseAdopted(EventData):
    """A decision became a clause (or a new revision of one) of a convention (公约)."""

    event_type: ClassVar[str] = "linli.deliberation.clause.adopted.v1"
    clause_id: int
    convention_id: int
    compound_id: int
    level: str
    place_id: int
    number: int
    revision: int
    proposal_id: int
    text: str
