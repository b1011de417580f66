"""Events billing publishes on `billing.events`, keyed by compound id (bills issued, payments
booked, reminders, disclosures published, fund approvals requested). The registry consumes them
to tell the people concerned (issue 15)."""

from __future__ import annotations

from typing import ClassVar

from shared.events.envelope import EventData


class BillsIssued(EventData):
    """A bill run (or a levy, or a visit charge) issued bills in one compound."""

    event_type: ClassVar[str] = "linli.billing.bills.issued.v1"
    compound_id: int
    kind: str
    period_label: str
    bill_run_id: int | None
    source_id: str
    bill_count: int
    amount_fen: int
    # The dwellings billed, so the registry can tell their households (issue 15); optional so
    # events from before it was added still parse (then the registry tells the whole compound).
    dwelling_ids: list[int] | None = None


class PaymentBooked(EventData):
    """Money came in (counter or online) and was allocated to bills; the receipt number is
    gapless per compound."""

    event_type: ClassVar[str] = "linli.billing.payment.booked.v1"
    payment_id: int
    compound_id: int
    dwelling_id: int
    household_id: int | None
    channel: str
    amount_fen: int
    receipt_no: str


class PaymentReversed(EventData):
    """A payment booked in error was undone by a reversing entry."""

    event_type: ClassVar[str] = "linli.billing.payment.reversed.v1"
    payment_id: int
    compound_id: int
    amount_fen: int
    reason: str


class RefundIssued(EventData):
    """Part or all of a payment was refunded, with the reason."""

    event_type: ClassVar[str] = "linli.billing.refund.issued.v1"
    refund_id: int
    payment_id: int
    compound_id: int
    amount_fen: int
    reason: str


class FundApprovalRequested(EventData):
    """Four eyes: a committee member asked to use discretionary money (a pool distribution, an
    emergency withdrawal); a second member of the compound's owners' or supervisory committee
    must approve it. The registry tells them (issue 15)."""

    event_type: ClassVar[str] = "linli.billing.fund_approval.requested.v1"
    approval_id: int
    compound_id: int
    action: str
    action_label: str
    amount_fen: int
    requested_by_person_id: int | None


class PaymentNotificationRefused(EventData):
    """A payment channel's notification about one of a compound's payment orders was refused
    (wrong amount or merchant, a replay, …): nothing was booked and the money may be stuck
    between the resident and the channel, so the community's staff hear of it (issue 15).
    Refusals that name no known order (a bad signature) concern operators only: no event."""

    event_type: ClassVar[str] = "linli.billing.payment_notification.refused.v1"
    compound_id: int
    community_id: int
    channel: str
    channel_label: str
    out_trade_no: str
    reason_code: str
    reason_label: str


class ArrearsReminder(EventData):
    """A polite reminder of what a household owes (reminders never cut water or power)."""

    event_type: ClassVar[str] = "linli.billing.arrears.reminded.v1"
    compound_id: int
    dwelling_id: int
    household_id: int | None
    outstanding_fen: int
    oldest_period: str


class DisclosurePublished(EventData):
    """A compound's periodic statement (公示) was published; `content_hash` chains to the previous."""

    event_type: ClassVar[str] = "linli.billing.disclosure.published.v1"
    disclosure_id: int
    compound_id: int
    period_label: str
    seq: int
    content_hash: str
    prev_hash: str
