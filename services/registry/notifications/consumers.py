"""The events that need someone's attention, turned into messages. Each handler finds the
people from the registry's own tables (or the person ids the event names) and fills its
kind's template from the event's fields; events carry no contact details, and need none.
Bills issued and payments booked also mark their dwellings and households as billed, so they are
not removed from under their bills (places/billing_marks.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.notifications import service as n
from services.registry.notifications.domain import Kind, amount_label, local_time_label
from services.registry.places import billing_marks
from shared.clock import clock_of
from shared.contracts import billing as b
from shared.contracts import deliberation as v
from shared.contracts import dispatch as d
from shared.events.consumer import EventHandlers
from shared.events.envelope import CloudEvent
from shared.settings import Settings

URGENCY_LABELS = {"normal": "一般", "urgent": "紧急", "emergency": "特急"}
LEVEL_LABELS = {"compound": "小区（网格员）", "community": "社区", "street": "街道"}
# The proposal steps that wait on one of the compound's bodies (the 131 process), with its name.
WAITING_BODY = {
    "in_council": ("council", "议事会", "议事会商议中（办不办）"),
    "planning": ("owners_committee", "业委会", "业委会制定方案中（怎么办）"),
    "awaiting_vote": ("owners_committee", "业委会", "待业主表决"),
}
OUTCOME_LABELS = {"passed": "通过", "rejected": "未通过", "no_quorum": "表决人数或面积不足"}
URGENT_ORDERS = frozenset({"urgent", "emergency"})


def _order_params(data: d.OrderChangedFields) -> dict[str, Any]:
    return {
        "order_id": data.order_id,
        "category_name": data.category_name or data.category,
        "urgency_label": URGENCY_LABELS.get(data.urgency, data.urgency),
        "level_label": LEVEL_LABELS.get(data.escalation_level, data.escalation_level),
        "deadline": local_time_label(datetime.fromisoformat(data.due_at)) if data.due_at else "尽快",
    }


def notification_handlers(settings: Settings, handlers: EventHandlers | None = None) -> EventHandlers:
    """Register the registry's notification handlers (on `handlers`, or a new set)."""
    handlers = handlers if handlers is not None else EventHandlers()
    routing = n.Routing.of(settings)

    async def tell(
        session: AsyncSession,
        event: CloudEvent,
        kind: Kind,
        people: list[int],
        params: dict[str, Any],
        urgent: bool,
        compound_id: int,
    ) -> None:
        """Message these people; the compound the event concerns limits the channels."""
        now = clock_of(session)()
        await n.notify(session, routing, event.id, kind, people, params, now, urgent=urgent, compound_id=compound_id)

    async def household_of(session: AsyncSession, household_id: int | None, dwelling_id: int) -> list[int]:
        """The people a household's money matters reach: its residents and the dwelling's owners."""
        return await n.household_people(
            session,
            clock_of(session).today(),
            household_ids=[household_id] if household_id is not None else [],
            dwelling_ids=[dwelling_id],
        )

    # --- dispatch: party members, grid workers, admins, the requester ---------------------

    @handlers.on(d.OrderOffered)
    async def offered(session: AsyncSession, event: CloudEvent, data: d.OrderOffered) -> None:
        people = [int(p) for p in data.details.get("person_ids", [])]
        await tell(
            session,
            event,
            Kind.order_offered,
            people,
            _order_params(data),
            data.urgency in URGENT_ORDERS,
            data.compound_id,
        )

    @handlers.on(d.OrderOfferLapsing)
    async def lapsing(session: AsyncSession, event: CloudEvent, data: d.OrderOfferLapsing) -> None:
        people = [int(p) for p in data.details.get("person_ids", [])]
        params = _order_params(data)
        await tell(
            session, event, Kind.order_offer_lapsing, people, params, data.urgency in URGENT_ORDERS, data.compound_id
        )

    @handlers.on(d.OrderCreated)
    async def created(session: AsyncSession, event: CloudEvent, data: d.OrderCreated) -> None:
        if data.kind == "wish":  # a wish needs no triage: the compound's party members may claim it
            members = await n.party_members_in(session, data.compound_id)
            await tell(session, event, Kind.wish_to_claim, members, _order_params(data), False, data.compound_id)
        if data.grid_id is None:
            return
        people = await n.grid_workers_of(session, data.grid_id)
        await tell(
            session,
            event,
            Kind.order_new_in_grid,
            people,
            _order_params(data),
            data.urgency in URGENT_ORDERS,
            data.compound_id,
        )

    @handlers.on(d.OrderEscalated)
    async def escalated(session: AsyncSession, event: CloudEvent, data: d.OrderEscalated) -> None:
        if data.escalation_level == "compound":
            people = await n.grid_workers_of(session, data.grid_id) if data.grid_id is not None else []
        else:
            people = await n.admins_of(session, data.escalation_level, data.community_id)
        await tell(session, event, Kind.order_escalated, people, _order_params(data), True, data.compound_id)

    @handlers.on(d.OrderAssigned)
    async def accepted(session: AsyncSession, event: CloudEvent, data: d.OrderAssigned) -> None:
        if data.requester_person_id is None or data.requester_person_id == data.actor_person_id:
            return
        await tell(
            session,
            event,
            Kind.order_accepted,
            [data.requester_person_id],
            _order_params(data),
            False,
            data.compound_id,
        )

    @handlers.on(d.OrderCompleted)
    async def completed(session: AsyncSession, event: CloudEvent, data: d.OrderCompleted) -> None:
        if data.requester_person_id is None:
            return
        await tell(
            session,
            event,
            Kind.order_completed,
            [data.requester_person_id],
            _order_params(data),
            False,
            data.compound_id,
        )

    @handlers.on(d.OrderRated)
    async def rated(session: AsyncSession, event: CloudEvent, data: d.OrderRated) -> None:
        # A rating of 1-2 sends the order to a follow-up visit (回访) by the grid's workers.
        if data.state != "follow_up" or data.grid_id is None:
            return
        people = await n.grid_workers_of(session, data.grid_id)
        params = {**_order_params(data), "rating": data.details.get("rating", "")}
        await tell(session, event, Kind.follow_up_due, people, params, False, data.compound_id)

    @handlers.on(d.OrderReferralUpdated)
    async def referral(session: AsyncSession, event: CloudEvent, data: d.OrderReferralUpdated) -> None:
        if data.grid_id is None:
            return
        people = await n.grid_workers_of(session, data.grid_id)
        await tell(session, event, Kind.referral_updated, people, _order_params(data), False, data.compound_id)

    @handlers.on(d.PointsListsPublished)
    async def lists(session: AsyncSession, event: CloudEvent, data: d.PointsListsPublished) -> None:
        members = await n.party_members_in(session, data.compound_id)
        await tell(
            session, event, Kind.points_lists_published, members, {"period": data.period}, False, data.compound_id
        )

    # --- billing: the households concerned --------------------------------------------------

    @handlers.on(b.BillsIssued)
    async def bills_issued(session: AsyncSession, event: CloudEvent, data: b.BillsIssued) -> None:
        await billing_marks.bills_issued(session, data.compound_id, data.dwelling_ids)
        if data.dwelling_ids is not None:
            people = await n.household_people(session, clock_of(session).today(), dwelling_ids=data.dwelling_ids)
        else:  # a run without the list covers the compound
            households = await n.compound_households(session, data.compound_id)
            people = await n.household_people(session, clock_of(session).today(), household_ids=households)
        await tell(
            session, event, Kind.bill_issued, people, {"period_label": data.period_label}, False, data.compound_id
        )

    @handlers.on(b.ArrearsReminder)
    async def arrears(session: AsyncSession, event: CloudEvent, data: b.ArrearsReminder) -> None:
        people = await household_of(session, data.household_id, data.dwelling_id)
        params = {"outstanding_yuan": amount_label(data.outstanding_fen), "oldest_period": data.oldest_period}
        await tell(session, event, Kind.arrears_reminder, people, params, False, data.compound_id)

    @handlers.on(b.PaymentBooked)
    async def paid(session: AsyncSession, event: CloudEvent, data: b.PaymentBooked) -> None:
        await billing_marks.payment_booked(session, data.compound_id, data.dwelling_id, data.household_id)
        people = await household_of(session, data.household_id, data.dwelling_id)
        params = {"amount_yuan": amount_label(data.amount_fen), "receipt_no": data.receipt_no}
        await tell(session, event, Kind.payment_received, people, params, False, data.compound_id)

    @handlers.on(b.PaymentNotificationRefused)
    async def refused(session: AsyncSession, event: CloudEvent, data: b.PaymentNotificationRefused) -> None:
        # Money a resident paid may not have been booked: the community's staff look into it.
        people = await n.admins_of(session, "community", data.community_id)
        params = {
            "channel_label": data.channel_label,
            "out_trade_no": data.out_trade_no,
            "reason_label": data.reason_label,
        }
        await tell(session, event, Kind.payment_notification_refused, people, params, True, data.compound_id)

    # --- deliberation: the compound's owners and bodies --------------------------------------

    @handlers.on(b.FundApprovalRequested)
    async def approval(session: AsyncSession, event: CloudEvent, data: b.FundApprovalRequested) -> None:
        # Four eyes: the other members of the committees that may approve, never the asker.
        today = clock_of(session).today()
        members = set()
        for body in ("owners_committee", "supervisory_committee"):
            members |= set(await n.committee_members(session, data.compound_id, body, today))
        members.discard(data.requested_by_person_id or 0)
        params = {
            "approval_id": data.approval_id,
            "action_label": data.action_label,
            "amount_yuan": amount_label(data.amount_fen),
        }
        await tell(session, event, Kind.approval_waiting, sorted(members), params, False, data.compound_id)

    @handlers.on(b.DisclosurePublished)
    async def disclosed(session: AsyncSession, event: CloudEvent, data: b.DisclosurePublished) -> None:
        # The compound's notice board: its households (residents and owners) hear of it.
        households = await n.compound_households(session, data.compound_id)
        people = await n.household_people(session, clock_of(session).today(), household_ids=households)
        people = sorted(
            set(people) | set(await n.compound_owners(session, data.compound_id, clock_of(session).today()))
        )
        params = {"period_label": data.period_label, "seq": data.seq}
        await tell(session, event, Kind.disclosure_published, people, params, False, data.compound_id)

    @handlers.on(v.ProposalStatusChanged)
    async def proposal(session: AsyncSession, event: CloudEvent, data: v.ProposalStatusChanged) -> None:
        waiting = WAITING_BODY.get(data.status)
        if waiting is not None and data.previous_status != data.status:
            body, body_label, status_label = waiting
            members = await n.committee_members(session, data.compound_id, body, clock_of(session).today())
            params = {
                "title": data.title,
                "proposal_id": data.proposal_id,
                "body_label": body_label,
                "status_label": status_label,
            }
            await tell(session, event, Kind.proposal_step_waiting, members, params, False, data.compound_id)
        # A proposal goes to `voting` when the committee gives notice of the owners' vote.
        if data.status != "voting" or data.previous_status == "voting":
            return
        people = await n.compound_owners(session, data.compound_id, clock_of(session).today())
        params = {"title": data.title, "proposal_id": data.proposal_id}
        await tell(session, event, Kind.vote_noticed, people, params, False, data.compound_id)

    @handlers.on(v.VoteOpened)
    async def opened(session: AsyncSession, event: CloudEvent, data: v.VoteOpened) -> None:
        people = await n.compound_owners(session, data.compound_id, clock_of(session).today())
        params = {
            "title": data.title,
            "proposal_id": data.proposal_id,
            "vote_id": data.vote_id,
            "closes_at": local_time_label(datetime.fromisoformat(data.closes_at)),
        }
        await tell(session, event, Kind.vote_opened, people, params, False, data.compound_id)

    @handlers.on(v.VoteClosingSoon)
    async def closing_soon(session: AsyncSession, event: CloudEvent, data: v.VoteClosingSoon) -> None:
        people = await n.compound_owners(session, data.compound_id, clock_of(session).today())
        params = {
            "title": data.title,
            "vote_id": data.vote_id,
            "closes_at": local_time_label(datetime.fromisoformat(data.closes_at)),
        }
        await tell(session, event, Kind.vote_closing_soon, people, params, False, data.compound_id)

    @handlers.on(v.ObjectionRaised)
    async def objection(session: AsyncSession, event: CloudEvent, data: v.ObjectionRaised) -> None:
        today = clock_of(session).today()
        members = await n.committee_members(session, data.compound_id, "owners_committee", today)
        params = {"title": data.title, "objection_id": data.objection_id, "proposal_id": data.proposal_id}
        await tell(session, event, Kind.objection_raised, members, params, False, data.compound_id)

    @handlers.on(v.VoteTallied)
    async def tallied(session: AsyncSession, event: CloudEvent, data: v.VoteTallied) -> None:
        people = await n.compound_owners(session, data.compound_id, clock_of(session).today())
        params = {
            "vote_id": data.vote_id,
            "proposal_id": data.proposal_id,
            "outcome_label": OUTCOME_LABELS.get(data.outcome, data.outcome),
        }
        await tell(session, event, Kind.vote_outcome, people, params, False, data.compound_id)
        # The supervisory committee checks the tally against the audit chain and signs it.
        today = clock_of(session).today()
        supervisors = await n.committee_members(session, data.compound_id, "supervisory_committee", today)
        await tell(session, event, Kind.tally_to_certify, supervisors, params, False, data.compound_id)

    return handlers
