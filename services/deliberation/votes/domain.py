"""The owners' vote (议事决策会), plain Python: its states, the 15-day notice, the window in
which ballots count, the extension rule fixed before opening, written proxies, paper ballots
with a witness, and the receipts voters check their ballot with."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from services.deliberation.votes.tally import Outcome
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.labels import LabeledEnum
from shared.state_machine import StateMachine, Transition

NOTICE_PERIOD = timedelta(days=15)
MAX_EXTENSION_DAYS = 30
MIN_MANDATE_CHARS = 4


class VoteStatus(LabeledEnum):
    noticed = "noticed", "已公告，待开始"
    open = "open", "表决中"
    closed = "closed", "已结束并计票"
    cancelled = "cancelled", "公告已撤销"


class Via(LabeledEnum):
    online = "online", "线上实名投票"
    proxy = "proxy", "书面委托代投"
    paper = "paper", "纸质选票（业委会录入，见证人确认）"


class VoteStep(LabeledEnum):
    open = "open", "开始表决"
    cancel = "cancel", "撤销公告"
    close = "close", "截止并计票"


VOTE_MACHINE: StateMachine[VoteStatus, VoteStep] = StateMachine(
    VoteStatus,
    [
        Transition(VoteStep.open, frozenset({VoteStatus.noticed}), VoteStatus.open),
        Transition(VoteStep.cancel, frozenset({VoteStatus.noticed}), VoteStatus.cancelled),
        Transition(VoteStep.close, frozenset({VoteStatus.open}), VoteStatus.closed),
    ],
    noun_zh="表决",
    noun_en="Vote",
    state_field="status",
)
"""Allowed moves; closing twice is a 409 from `VOTE_MACHINE.check`."""


def check_schedule(now: datetime, opens_at: datetime, closes_at: datetime, extension_days: int | None) -> None:
    """Notice at least 15 days before opening (Property Management Regulations art. 13), a
    closing after the opening, and an extension of 1–30 days if any."""
    if opens_at < now + NOTICE_PERIOD:
        raise InvalidInput(
            f"须至少提前 15 日公告：最早可于 {(now + NOTICE_PERIOD).isoformat()} 开始表决",
            "Notice must be given at least 15 days before the vote opens",
            details=[{"field": "opens_at", "value": opens_at.isoformat()}],
        )
    if closes_at <= opens_at:
        raise InvalidInput(
            "截止时间须晚于开始时间", "closes_at must be after opens_at", details=[{"field": "closes_at"}]
        )
    if extension_days is not None and not 1 <= extension_days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            f"延期天数须在 1 至 {MAX_EXTENSION_DAYS} 之间",
            f"extension_days must be 1–{MAX_EXTENSION_DAYS}",
            details=[{"field": "extension_days", "value": extension_days}],
        )


def check_can_open(status: VoteStatus, now: datetime, opens_at: datetime) -> None:
    """A vote opens at its announced time, not before."""
    VOTE_MACHINE.check(status, VoteStatus.open)
    if now < opens_at:
        raise Conflict(
            f"尚未到公告的开始时间 {opens_at.isoformat()}",
            f"The vote opens at {opens_at.isoformat()}, not before",
            code=ErrorCode.not_yet_open,
        )


def check_ballot_window(status: VoteStatus, now: datetime, opens_at: datetime, closes_at: datetime) -> None:
    """Ballots count only while the vote is open: not before its opening, not after closing."""
    if status is VoteStatus.noticed or (status is VoteStatus.open and now < opens_at):
        raise Conflict(
            f"表决尚未开始（开始时间 {opens_at.isoformat()}）",
            "The vote has not opened yet",
            code=ErrorCode.vote_not_open,
        )
    if status is not VoteStatus.open or now >= closes_at:
        raise Conflict("表决已截止，不能再投票或改票", "The vote is closed", code=ErrorCode.vote_closed)


def check_can_close(status: VoteStatus, now: datetime, closes_at: datetime) -> None:
    """A vote closes at its closing time, once."""
    VOTE_MACHINE.check(status, VoteStatus.closed)
    if now < closes_at:
        raise Conflict(
            f"尚未到截止时间 {closes_at.isoformat()}",
            f"The vote closes at {closes_at.isoformat()}, not before",
            code=ErrorCode.not_yet_closing,
        )


def should_extend(extension_days: int | None, extended: bool, outcomes: list[Outcome]) -> bool:
    """The extension rule announced with the notice: once, and only when participation fell
    short of two thirds on some item."""
    return extension_days is not None and not extended and Outcome.no_quorum in outcomes


def overall_outcome(outcomes: list[Outcome]) -> Outcome:
    """A plan is one package: no quorum on any item is no quorum; it passes if every item does."""
    if Outcome.no_quorum in outcomes or not outcomes:
        return Outcome.no_quorum
    return Outcome.passed if all(o is Outcome.passed for o in outcomes) else Outcome.rejected


def check_mandate(mandate: str, principal_person_id: int, agent_person_id: int) -> str:
    """A written proxy (书面委托) states what it authorises and names someone else."""
    text = " ".join(mandate.split())
    if len(text) < MIN_MANDATE_CHARS:
        raise InvalidInput(
            "书面委托须写明委托事项与权限",
            "A proxy needs its written mandate (what the agent may vote on)",
            details=[{"field": "mandate", "value": mandate}],
        )
    if principal_person_id == agent_person_id:
        raise InvalidInput(
            "不能委托本人", "An owner cannot appoint themselves as proxy", details=[{"field": "agent_person_id"}]
        )
    return text


def check_witness(entered_by: int | None, witness: int, witness_eligible: bool) -> None:
    """A paper ballot is entered by one committee member and witnessed by another person who
    sits on the committee or the supervisory committee."""
    if entered_by == witness:
        raise InvalidInput(
            "纸质选票录入须由另一人见证",
            "A paper ballot needs a second person as witness",
            details=[{"field": "witness_person_id", "value": witness}],
        )
    if not witness_eligible:
        raise Forbidden(
            "见证人须为本小区业委会或监委会成员",
            "The witness must sit on the compound's committee or supervisory committee",
            code=ErrorCode.witness_not_eligible,
        )


def receipt(nonce: str, vote_id: int, item_id: int, person_key: str, choice: str, version: int) -> str:
    """The voter's receipt: a hash only the holder can connect to their ballot (the nonce is
    theirs), published in the tally under the choice it was counted as."""
    material = f"{nonce}|{vote_id}|{item_id}|{person_key}|{choice}|{version}"
    return hashlib.sha256(material.encode()).hexdigest()
