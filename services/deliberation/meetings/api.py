"""Routes of meetings: the four kinds, attendance, minutes, comments and amendments."""

from __future__ import annotations

from fastapi import status

from services.deliberation.access import require_reader
from services.deliberation.meetings import schemas as s
from services.deliberation.meetings import service as m
from services.deliberation.proposals.lookup import get as proposal_of
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["会议 (meetings)"])


@router.post(
    "/proposals/{proposal_id}/meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=s.MeetingOut,
    summary="记录会议：意见会、讨论会、决策会、评议会 (record a meeting)",
)
async def hold(
    proposal_id: int, body: s.MeetingIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.MeetingOut:
    return await m.hold(session, proposal_id, body, principal, now)


@router.get("/proposals/{proposal_id}/meetings", response_model=list[s.MeetingOut], summary="议题的会议 (meetings)")
async def meetings(proposal_id: int, session: Session, principal: CurrentPrincipal) -> list[s.MeetingOut]:
    await require_reader(session, principal, (await proposal_of(session, proposal_id)).compound_id)
    return await m.of_proposal(session, proposal_id)
