"""Routes of the caller's own inbox and notification preferences: every one acts on the
caller's own messages only (someone else's message is not found)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from services.registry.notifications import schemas as s
from services.registry.notifications import service as n
from services.registry.people.api import Vault
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Limit
from shared.service_app import ServiceRuntime
from shared.sse import EVENT_STREAM_RESPONSES, FeedFrame, event_stream, parse_cursor

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


@router.get(
    "/notifications/stream",
    summary="我的新消息实时推送 SSE，支持 Last-Event-ID 续传 (the caller's new notifications, live and resumable)",
    response_class=StreamingResponse,
    responses=EVENT_STREAM_RESPONSES,
    tags=[TAGS],
)
async def stream(
    request: Request,
    principal: CurrentPrincipal,
    last_event_id: Annotated[str | None, Header(max_length=2000)] = None,
    resume_from: Annotated[str | None, Query(alias="lastEventId", max_length=2000)] = None,
    heartbeat_s: Annotated[float, Query(ge=0.5, le=60)] = 15.0,
) -> StreamingResponse:
    """Frames as the dispatch stream's (shared/sse.py): `event: notification`, the message as
    the inbox lists it plus `unread`; the event id resumes exactly where the client left off.
    Only the caller's own feed: a cursor naming anyone else's is ignored."""
    runtime: ServiceRuntime = request.app.state.runtime
    person_id = n.inbox_owner(principal)
    key = n.feed_key(person_id)
    given = parse_cursor(last_event_id or resume_from).get(key)
    if given is None:
        async with runtime.db.sessionmaker() as session:
            given = await n.feed_position(session, person_id)
    cursor = {key: given}

    async def fetch(at: dict[str, int]) -> Sequence[FeedFrame]:
        async with runtime.db.sessionmaker() as session:
            return await n.feed_after(session, person_id, at[key])

    async def shown(sent: Sequence[FeedFrame]) -> None:
        # The app is open and showed them: an urgent offer among them needs no SMS.
        async with runtime.db.sessionmaker() as session:
            await n.mark_shown(session, (int(f.data["id"]) for f in sent), runtime.clock())
            await session.commit()

    return event_stream(request, runtime, cursor, fetch, heartbeat_s, sent=shown)


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


@router.get(
    "/notifications/wechat",
    response_model=s.WechatStatusOut,
    summary="我的微信订阅消息授权：是否绑定、各模板剩余次数 (the caller's WeChat binding and consents left)",
    tags=[TAGS],
)
async def wechat_status(request: Request, session: Session, principal: CurrentPrincipal) -> s.WechatStatusOut:
    return await n.wechat_status(session, principal, request.app.state.settings)


@router.post(
    "/notifications/wechat/consents",
    response_model=s.WechatStatusOut,
    summary="记录我在小程序中对订阅消息的授权（每次「允许」可发一条） (record the caller's subscribe-message consents)",
    tags=[TAGS],
)
async def wechat_consents(
    body: s.WechatConsentIn, request: Request, session: Session, principal: CurrentPrincipal, vault: Vault, now: Now
) -> s.WechatStatusOut:
    return await n.record_wechat_consent(session, principal, body, request.app.state.settings, vault, now)


Token = Annotated[
    str, Query(min_length=10, max_length=120, description="退订链接中的签名令牌 (the link's signed token)")
]


@router.get(
    "/notifications/unsubscribe",
    response_model=s.UnsubscribedOut,
    summary="一键退订某类非必要通知，无需登录 (one-tap unsubscribe from a non-essential kind, no login)",
    description="The link in each non-essential e-mail and SMS; stops that kind's e-mail and SMS (the inbox keeps it).",
    tags=[TAGS],
)
async def unsubscribe_link(token: Token, request: Request, session: Session) -> s.UnsubscribedOut:
    return await n.unsubscribe(session, request.app.state.settings, token)


@router.post(
    "/notifications/unsubscribe",
    response_model=s.UnsubscribedOut,
    summary="一键退订（邮件客户端 RFC 8058 一键退订） (one-click unsubscribe, RFC 8058 List-Unsubscribe-Post)",
    tags=[TAGS],
)
async def unsubscribe_one_click(token: Token, request: Request, session: Session) -> s.UnsubscribedOut:
    return await n.unsubscribe(session, request.app.state.settings, token)


@router.get(
    "/compounds/{compound_id}/notification-channels",
    response_model=s.CompoundChannelsOut,
    summary="本小区允许的通知渠道（小区所在社区、街道管理员） (the external channels a compound allows)",
    tags=[TAGS],
)
async def get_compound_channels(
    compound_id: int, session: Session, principal: CurrentPrincipal, routing: Routing
) -> s.CompoundChannelsOut:
    return await n.compound_channels(session, principal, compound_id, routing)


@router.put(
    "/compounds/{compound_id}/notification-channels",
    response_model=s.CompoundChannelsOut,
    summary="设定本小区允许的通知渠道 (set the external channels a compound allows; null lifts the limit)",
    tags=[TAGS],
)
async def put_compound_channels(
    compound_id: int,
    body: s.CompoundChannelsIn,
    session: Session,
    principal: CurrentPrincipal,
    routing: Routing,
    now: Now,
) -> s.CompoundChannelsOut:
    return await n.set_compound_channels(session, principal, compound_id, body, routing, now)


@router.post(
    "/notifications/{notification_id}/read",
    response_model=s.NotificationOut,
    summary="标为已读（仅本人的消息） (mark one of the caller's notifications read)",
    tags=[TAGS],
)
async def read_one(notification_id: int, session: Session, principal: CurrentPrincipal, now: Now) -> s.NotificationOut:
    return n.show(await n.mark_read(session, principal, notification_id, now))
