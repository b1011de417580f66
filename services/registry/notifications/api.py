"""Routes of the caller's own inbox and notification preferences: every one acts on the
caller's own messages only (someone else's message is not found)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from services.registry.notifications import schemas as s
from services.registry.notifications import service as n
from services.registry.people.api import Vault
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Limit

router = service_router("/api/v1/registry", tags=["registry"])
TAGS = "消息通知 (notifications)"


def routing(request: Request) -> n.Routing:
    """The deployment's channels and quiet hours, built once from the app's settings."""
    built: n.Routing | None = getattr(request.app.state, "notification_routing", None)
    if built is None:
        built = n.Routing.of(request.app.state.settings)
        request.app.state.notification_routing = built
    return built


Routing = Annotated[n.Routing, Depends(routing)]


@router.get(
    "/notifications",
    response_model=list[s.NotificationOut],
    summary="我的消息，新的在前 (the caller's own notifications, newest first)",
    tags=[TAGS],
)
async def list_notifications(
    session: Session,
    principal: CurrentPrincipal,
    unread: Annotated[bool | None, Query(description="只看未读 (true) 或已读 (false)")] = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[s.NotificationOut]:
    found = await n.my_notifications(session, principal, unread=unread, limit=limit, offset=offset)
    return [n.show(x) for x in found]


@router.get(
    "/notifications/unread-count",
    response_model=s.UnreadCountOut,
    summary="我的未读消息数 (the caller's unread count, for the badge)",
    tags=[TAGS],
)
async def unread_count(session: Session, principal: CurrentPrincipal) -> s.UnreadCountOut:
    return s.UnreadCountOut(unread=await n.unread_count(session, principal))


@router.post(
    "/notifications/read-all",
    response_model=s.ReadAllOut,
    summary="我的消息全部标为已读 (mark all the caller's notifications read)",
    tags=[TAGS],
)
async def read_all(session: Session, principal: CurrentPrincipal, now: Now) -> s.ReadAllOut:
    return s.ReadAllOut(marked_read=await n.mark_all_read(session, principal, now))


@router.get(
    "/notifications/preferences",
    response_model=s.PreferencesOut,
    summary="我的通知设置：各类消息用哪些渠道 (the caller's channels per kind)",
    tags=[TAGS],
)
async def get_preferences(
    session: Session, principal: CurrentPrincipal, routing: Routing, vault: Vault
) -> s.PreferencesOut:
    return await n.preferences(session, principal, routing, vault)


@router.put(
    "/notifications/preferences",
    response_model=s.PreferencesOut,
    summary="修改我的通知设置（邮箱、各类消息的渠道） (change the caller's e-mail and channels per kind)",
    tags=[TAGS],
)
async def put_preferences(
    body: s.PreferencesIn, session: Session, principal: CurrentPrincipal, routing: Routing, vault: Vault, now: Now
) -> s.PreferencesOut:
    return await n.set_preferences(session, principal, body, routing, vault, now)


@router.post(
    "/notifications/{notification_id}/read",
    response_model=s.NotificationOut,
    summary="标为已读（仅本人的消息） (mark one of the caller's notifications read)",
    tags=[TAGS],
)
async def read_one(notification_id: int, session: Session, principal: CurrentPrincipal, now: Now) -> s.NotificationOut:
    return n.show(await n.mark_read(session, principal, notification_id, now))
