"""Recording a meeting of a proposal: attendance, minutes, comments and amendments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import require_seat
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.meetings import schemas as s
from services.deliberation.meetings.domain import CONVENERS, CommentKind, MeetingKind
from services.deliberation.meetings.models import Attendance, Comment, Meeting
from services.deliberation.proposals.lookup import get as get_proposal
from shared.auth import Principal


async def hold(
    session: AsyncSession, proposal_id: int, body: s.MeetingIn, principal: Principal, at: datetime
) -> s.MeetingOut:
    proposal = await get_proposal(session, proposal_id)
    await require_seat(session, principal, proposal.compound_id, *CONVENERS[body.kind])
    meeting = Meeting(
        proposal_id=proposal.id,
        compound_id=proposal.compound_id,
        kind=body.kind.value,
        held_at=body.held_at,
        place=body.place,
        minutes=body.minutes,
        recorded_by_person_id=principal.person_id or 0,
    )
    session.add(meeting)
    await session.flush()
    for person_id in sorted(set(body.attendee_person_ids)):
        session.add(Attendance(meeting_id=meeting.id, person_id=person_id))
    for c in body.comments:
        session.add(
            Comment(meeting_id=meeting.id, person_id=c.person_id, kind=c.kind.value, text=c.text, created_at=at)
        )
    await session.flush()
    await record(
        session,
        proposal.compound_id,
        Action.meeting_recorded,
        f"proposal:{proposal.id}",
        principal.person_id,
        {
            "meeting_id": meeting.id,
            "kind": body.kind.value,
            "attendance": len(set(body.attendee_person_ids)),
            "amendments": sum(c.kind is CommentKind.amendment for c in body.comments),
        },
        at,
    )
    return await show(session, meeting)


async def show(session: AsyncSession, meeting: Meeting) -> s.MeetingOut:
    attendees = list(await session.scalars(select(Attendance.person_id).where(Attendance.meeting_id == meeting.id)))
    comments = await session.scalars(select(Comment).where(Comment.meeting_id == meeting.id).order_by(Comment.id))
    kind = MeetingKind(meeting.kind)
    return s.MeetingOut(
        id=meeting.id,
        proposal_id=meeting.proposal_id,
        kind=kind,
        kind_label=kind.label,
        held_at=meeting.held_at,
        place=meeting.place,
        minutes=meeting.minutes,
        attendance=len(attendees),
        attendee_person_ids=sorted(attendees),
        comments=[
            s.CommentOut(
                id=c.id,
                person_id=c.person_id,
                kind=CommentKind(c.kind),
                kind_label=CommentKind(c.kind).label,
                text=c.text,
            )
            for c in comments
        ],
    )


async def of_proposal(session: AsyncSession, proposal_id: int) -> list[s.MeetingOut]:
    await get_proposal(session, proposal_id)
    rows = await session.scalars(select(Meeting).where(Meeting.proposal_id == proposal_id).order_by(Meeting.held_at))
    return [await show(session, m) for m in rows]
