"""Notification use cases: turning an event into messages for the people it concerns (the
inbox row, plus one delivery per external channel they chose), the caller's own inbox and
preferences, and the delivery round the ticker runs."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.accounts.models import AdminGrant
from services.registry.committees.models import Membership
from services.registry.notifications import schemas as s
from services.registry.notifications.channels import (
    ChannelAdapter,
    DeliveryFailed,
    EmailChannel,
    LogChannel,
    Outgoing,
)
from services.registry.notifications.domain import (
    ESCALATING,
    ESSENTIAL_KINDS,
    URGENT_KINDS,
    Channel,
    DeliveryStatus,
    Kind,
    QuietHours,
    dedup_key,
    default_channels,
    mask_email,
    parse_clock_time,
    read_unsubscribe_token,
    render,
    retry_at,
    unsubscribe_token,
)
from services.registry.notifications.models import (
    CompoundChannels,
    Contact,
    Delivery,
    DeliveryAttempt,
    Notification,
    NotificationCounter,
    Preference,
    WechatBinding,
    WechatConsent,
)
from services.registry.notifications.sms import SmsChannel
from services.registry.notifications.wechat import NO_CONSENT, WechatChannel, openid_of, templates_of
from services.registry.party.models import CheckIn, PartyMember
from services.registry.people.models import GridAssignment, GridWorker, Person
from services.registry.people.pii import PiiVault
from services.registry.places.models import Community, Household, Ownership
from services.registry.scope import compound_area, require_admin
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.party import PartyLedger
from shared.service_app import ServiceRuntime, Ticker
from shared.settings import Settings
from shared.sse import FeedFrame, bump_counters, mark_written

log = logging.getLogger("linli.registry.notifications")
BATCH = 100
# A claimed delivery is not claimed again for this long: the adapter's answer comes first.
LEASE = timedelta(minutes=2)


def enabled_channels(settings: Settings) -> dict[Channel, ChannelAdapter]:
    """The external channels NOTIFY_CHANNELS turns on, by name (unknown names refused)."""
    makers: dict[str, Callable[[], ChannelAdapter]] = {
        Channel.log.value: lambda: LogChannel(),
        Channel.email.value: lambda: EmailChannel(settings),
        Channel.sms.value: lambda: SmsChannel(settings),
        Channel.wechat.value: lambda: WechatChannel(settings),
    }
    adapters: dict[Channel, ChannelAdapter] = {}
    for name in (part.strip() for part in settings.notify_channels.split(",")):
        if not name:
            continue
        if name not in makers:
            raise ValueError(f"NOTIFY_CHANNELS 含未知渠道 {name!r} (unknown notification channel {name!r})")
        adapters[Channel(name)] = makers[name]()
    return adapters


@dataclass(frozen=True)
class Routing:
    """What the deployment allows: the external channels turned on, the quiet hours, and how
    long an urgent offer may stay unopened before it goes by SMS."""

    enabled: frozenset[Channel]
    quiet: QuietHours
    escalate_after: timedelta = timedelta(minutes=10)
    # Messages per person and external channel in any hour (urgent ones have their own bound).
    per_hour: int = 10
    urgent_per_hour: int = 30
    wechat_templates: tuple[tuple[Kind, str], ...] = ()

    @classmethod
    def of(cls, settings: Settings) -> Routing:
        return cls(
            frozenset(enabled_channels(settings)),
            QuietHours(parse_clock_time(settings.notify_quiet_start), parse_clock_time(settings.notify_quiet_end)),
            timedelta(minutes=settings.notify_escalate_after_minutes),
            settings.notify_rate_limit_per_hour,
            settings.notify_urgent_rate_limit_per_hour,
            tuple(templates_of(settings).items()),
        )


# --- who hears (person ids from the registry's own tables) ---------------------------------


async def household_people(
    session: AsyncSession, today: date, household_ids: Iterable[int] = (), dwelling_ids: Iterable[int] = ()
) -> list[int]:
    """The residents of these households (still living there) and the owners of these dwellings
    (and of the households' dwellings)."""
    households, dwellings = set(household_ids), set(dwelling_ids)
    people: set[int] = set()
    if households:
        people |= set(
            await session.scalars(
                select(Person.id).where(
                    Person.household_id.in_(households), Person.moved_out.is_(None), Person.anonymised.is_(False)
                )
            )
        )
        dwellings |= set(await session.scalars(select(Household.dwelling_id).where(Household.id.in_(households))))
    if dwellings:
        people |= set(
            await session.scalars(
                select(Ownership.person_id).where(
                    Ownership.dwelling_id.in_(dwellings), or_(Ownership.until.is_(None), Ownership.until >= today)
                )
            )
        )
    return sorted(people)


async def compound_households(session: AsyncSession, compound_id: int) -> list[int]:
    return list(await session.scalars(select(Household.id).where(Household.compound_id == compound_id)))


async def compound_owners(session: AsyncSession, compound_id: int, today: date) -> list[int]:
    return sorted(
        set(
            await session.scalars(
                select(Ownership.person_id).where(
                    Ownership.compound_id == compound_id, or_(Ownership.until.is_(None), Ownership.until >= today)
                )
            )
        )
    )


async def committee_members(session: AsyncSession, compound_id: int, body: str, today: date) -> list[int]:
    """The sitting members of one of the compound's bodies (议事会, 业委会, …)."""
    return sorted(
        set(
            await session.scalars(
                select(Membership.person_id).where(
                    Membership.compound_id == compound_id,
                    Membership.body == body,
                    or_(Membership.since.is_(None), Membership.since <= today),
                    or_(Membership.until.is_(None), Membership.until >= today),
                )
            )
        )
    )


async def party_members_in(session: AsyncSession, compound_id: int) -> list[int]:
    """The party members who may take the compound's work, by dispatch's rule: those checked in
    to it (报到, still serving) and those of the other ledgers who live in it (an in-service
    member serves where he checked in). A wish to claim or the compound's lists concern them."""
    checked_in = (
        select(PartyMember.person_id)
        .join(CheckIn, CheckIn.party_member_id == PartyMember.id)
        .where(CheckIn.compound_id == compound_id, CheckIn.ended_at.is_(None))
    )
    living_here = (
        select(PartyMember.person_id)
        .join(Person, Person.id == PartyMember.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(
            Household.compound_id == compound_id,
            Person.moved_out.is_(None),
            PartyMember.ledger != PartyLedger.in_service.value,
        )
    )
    return sorted(set(await session.scalars(checked_in)) | set(await session.scalars(living_here)))


async def grid_workers_of(session: AsyncSession, grid_id: int) -> list[int]:
    return sorted(
        await session.scalars(
            select(GridWorker.person_id)
            .join(GridAssignment, GridAssignment.grid_worker_id == GridWorker.id)
            .where(GridAssignment.grid_id == grid_id)
        )
    )


async def admins_of(session: AsyncSession, level: str, community_id: int) -> list[int]:
    """The admins an escalation reaches: the community's (社区) or its street's (街道)."""
    if level == "community":
        where = and_(AdminGrant.role == "community_admin", AdminGrant.scope_id == community_id)
    else:
        street = await session.scalar(select(Community.street_id).where(Community.id == community_id))
        if street is None:
            return []
        where = and_(AdminGrant.role == "street_admin", AdminGrant.scope_id == street)
    return sorted(set(await session.scalars(select(AdminGrant.person_id).where(where))))


# --- event -> messages -----------------------------------------------------------------------


async def notify(
    session: AsyncSession,
    routing: Routing,
    event_id: str,
    kind: Kind,
    person_ids: Iterable[int],
    params: dict[str, Any],
    now: datetime,
    *,
    urgent: bool = False,
    compound_id: int | None = None,
) -> list[Notification]:
    """One message of `kind` for each of these people (those the registry knows), unless this
    event already gave them one; and a delivery per external channel each chose, among those
    the compound the event concerns allows, within the person's hourly bound."""
    wanted = set(person_ids)
    if not wanted:
        return []
    known = set(await session.scalars(select(Person.id).where(Person.id.in_(wanted), Person.anonymised.is_(False))))
    key = dedup_key(event_id, kind)
    already = set(
        await session.scalars(
            select(Notification.person_id).where(Notification.dedup_key == key, Notification.person_id.in_(known))
        )
    )
    urgent = urgent or kind in URGENT_KINDS
    message = render(kind, params)
    fresh = sorted(known - already)
    seqs = await bump_counters(session, NotificationCounter.person_id, NotificationCounter.last_seq, fresh)
    created = [
        Notification(
            person_id=person,
            seq=seqs[person],
            kind=kind.value,
            title=message.title,
            body=message.body,
            link=message.link,
            urgent=urgent,
            event_id=event_id,
            dedup_key=key,
            created_at=now,
        )
        for person in fresh
    ]
    if not created:
        return []
    session.add_all(created)
    await session.flush()
    mark_written(session)
    people = [n.person_id for n in created]
    chosen = {
        p.person_id: _channels(p.channels)
        for p in await session.scalars(
            select(Preference).where(Preference.person_id.in_(people), Preference.kind == kind.value)
        )
    }
    reachable = {
        Channel.email: set(
            await session.scalars(
                select(Contact.person_id).where(Contact.person_id.in_(people), Contact.email_enc.is_not(None))
            )
        ),
        Channel.sms: set(
            await session.scalars(select(Person.id).where(Person.id.in_(people), Person.mobile_enc.is_not(None)))
        ),
        # WeChat: those with an openid and a one-time consent left for the kind's template.
        Channel.wechat: set(
            await session.scalars(
                select(WechatConsent.person_id)
                .join(WechatBinding, WechatBinding.person_id == WechatConsent.person_id)
                .where(
                    WechatConsent.person_id.in_(people),
                    WechatConsent.template_id == dict(routing.wechat_templates).get(kind, ""),
                    WechatConsent.remaining > 0,
                )
            )
        ),
    }
    release = routing.quiet.release_at(now, urgent)
    allowed = await compound_allows(session, compound_id, routing)
    escalates = urgent and kind in ESCALATING and Channel.sms in allowed
    bound = routing.urgent_per_hour if urgent else routing.per_hour
    recent = await _recent_deliveries(session, people, urgent, now)
    for n in created:
        channels = chosen.get(n.person_id, default_channels(routing.enabled, kind))
        plan = dict.fromkeys(channels, (release, False))
        if escalates and Channel.sms not in plan:
            # Unopened in the app by then, it goes by SMS too (skipped if opened first).
            plan[Channel.sms] = (max(release, now + routing.escalate_after), True)
        for channel, (due, unless_opened) in plan.items():
            if channel not in allowed or n.person_id not in reachable.get(channel, {n.person_id}):
                continue
            sent_lately = recent.get((n.person_id, channel.value), 0)
            limited = sent_lately >= bound
            recent[(n.person_id, channel.value)] = sent_lately + 1
            session.add(
                Delivery(
                    notification_id=n.id,
                    person_id=n.person_id,
                    channel=channel.value,
                    status=(DeliveryStatus.skipped if limited else DeliveryStatus.pending).value,
                    attempts=0,
                    next_attempt_at=due,
                    unless_opened=unless_opened,
                    last_error=f"rate limit: {bound} per hour on {channel.value}" if limited else None,
                )
            )
    return created


async def _recent_deliveries(
    session: AsyncSession, people: list[int], urgent: bool, now: datetime
) -> dict[tuple[int, str], int]:
    """Deliveries of the last hour per person and channel that count against the bound (of the
    same urgency; those not sent for the limit itself do not count)."""
    rows = await session.execute(
        select(Delivery.person_id, Delivery.channel, func.count())
        .join(Notification, Notification.id == Delivery.notification_id)
        .where(
            Delivery.person_id.in_(people),
            Notification.created_at > now - timedelta(hours=1),
            Notification.urgent.is_(urgent),
            Delivery.status != DeliveryStatus.skipped.value,
        )
        .group_by(Delivery.person_id, Delivery.channel)
    )
    return {(int(p), str(c)): int(k) for p, c, k in rows.all()}


async def compound_allows(session: AsyncSession, compound_id: int | None, routing: Routing) -> frozenset[Channel]:
    """The external channels on for a message about this compound: the deployment's, narrowed
    by the compound's own choice if it made one."""
    if compound_id is None:
        return routing.enabled
    row = await session.get(CompoundChannels, compound_id)
    return routing.enabled if row is None else routing.enabled & frozenset(_channels(row.channels))


def _channels(stored: str) -> list[Channel]:
    return [Channel(c) for c in stored.split(",") if c and c in Channel.__members__]


async def forget_person(session: AsyncSession, person_id: int) -> None:
    """An erased person's inbox, deliveries, choices and e-mail address go with their other
    personal data (the registry's erasure calls this in its transaction)."""
    mine = select(Notification.id).where(Notification.person_id == person_id)
    deliveries = select(Delivery.id).where(Delivery.notification_id.in_(mine))
    await session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(deliveries)))
    await session.execute(delete(Delivery).where(Delivery.notification_id.in_(mine)))
    await session.execute(delete(Notification).where(Notification.person_id == person_id))
    await session.execute(delete(Preference).where(Preference.person_id == person_id))
    await session.execute(delete(Contact).where(Contact.person_id == person_id))
    await session.execute(delete(WechatConsent).where(WechatConsent.person_id == person_id))
    await session.execute(delete(WechatBinding).where(WechatBinding.person_id == person_id))
    await session.execute(delete(NotificationCounter).where(NotificationCounter.person_id == person_id))


# --- the caller's inbox ----------------------------------------------------------------------


def inbox_owner(principal: Principal) -> int:
    """The caller, whose inbox it is (a token without a person has none)."""
    if principal.person_id is None:
        raise Forbidden(
            "只有登记在册的本人可以查看自己的消息", "Only a registered person has an inbox", code=ErrorCode.no_person
        )
    return principal.person_id


def show(n: Notification) -> s.NotificationOut:
    kind = Kind(n.kind)
    return s.NotificationOut(
        id=n.id,
        kind=kind,
        kind_label=kind.label,
        title=n.title,
        body=n.body,
        link=n.link,
        urgent=n.urgent,
        created_at=n.created_at,
        read_at=n.read_at,
    )


async def my_notifications(
    session: AsyncSession, principal: Principal, *, unread: bool | None, limit: int, offset: int
) -> list[Notification]:
    """The caller's own messages, newest first."""
    query = select(Notification).where(Notification.person_id == inbox_owner(principal))
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    return list(await session.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset)))


def feed_key(person_id: int) -> str:
    """The caller's inbox in a stream cursor (`person:7=12`), as dispatch names its feeds."""
    return f"person:{person_id}"


async def feed_position(session: AsyncSession, person_id: int) -> int:
    """Where the person's live feed stands now (a fresh stream starts from here)."""
    last = await session.scalar(select(NotificationCounter.last_seq).where(NotificationCounter.person_id == person_id))
    return int(last or 0)


async def feed_after(session: AsyncSession, person_id: int, seen: int, limit: int = 200) -> list[FeedFrame]:
    """The person's messages past `seen` in feed order, as stream frames (with the unread
    count after them, for the badge)."""
    found = list(
        await session.scalars(
            select(Notification)
            .where(Notification.person_id == person_id, Notification.seq > seen)
            .order_by(Notification.seq)
            .limit(limit)
        )
    )
    if not found:
        return []
    unread = await _unread(session, person_id)
    key = feed_key(person_id)
    return [FeedFrame(key, m.seq, "notification", {**show(m).model_dump(mode="json"), "unread": unread}) for m in found]


async def mark_shown(session: AsyncSession, notification_ids: Iterable[int], now: datetime) -> None:
    """An open app's live stream has shown these messages: opened, for escalation's purposes."""
    await session.execute(
        update(Notification)
        .where(Notification.id.in_(set(notification_ids)), Notification.shown_at.is_(None))
        .values(shown_at=now)
        .execution_options(synchronize_session=False)
    )


async def _unread(session: AsyncSession, person_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.person_id == person_id, Notification.read_at.is_(None))
        )
        or 0
    )


async def unread_count(session: AsyncSession, principal: Principal) -> int:
    return await _unread(session, inbox_owner(principal))


async def mark_read(session: AsyncSession, principal: Principal, notification_id: int, now: datetime) -> Notification:
    """Read is read: marking again keeps the first time. Someone else's message is not found."""
    n = await session.get(Notification, notification_id)
    if n is None or n.person_id != inbox_owner(principal):
        raise NotFound(
            f"消息 {notification_id} 不存在",
            f"Notification {notification_id} not found",
            details={"id": notification_id},
        )
    if n.read_at is None:
        n.read_at = now
        await session.flush()
    return n


async def mark_all_read(session: AsyncSession, principal: Principal, now: datetime) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.person_id == inbox_owner(principal), Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- preferences ------------------------------------------------------------------------------


async def preferences(
    session: AsyncSession, principal: Principal, routing: Routing, vault: PiiVault
) -> s.PreferencesOut:
    me = inbox_owner(principal)
    stored = {
        Kind(p.kind): _channels(p.channels)
        for p in await session.scalars(select(Preference).where(Preference.person_id == me))
        if p.kind in Kind.__members__
    }
    contact = await session.get(Contact, me)
    email = vault.decrypt_or_none(contact.email_enc) if contact is not None else None
    return s.PreferencesOut(
        email=mask_email(email) if email else None,
        available_channels=[Channel.in_app, *(c for c in Channel if c in routing.enabled)],
        kinds=[
            s.KindPreferenceOut(
                kind=kind,
                kind_label=kind.label,
                channels=stored.get(kind, default_channels(routing.enabled, kind)),
                chosen=kind in stored,
            )
            for kind in Kind
        ],
    )


async def set_preferences(
    session: AsyncSession, principal: Principal, body: s.PreferencesIn, routing: Routing, vault: PiiVault, now: datetime
) -> s.PreferencesOut:
    """Change what was sent: the e-mail address (null removes it) and the channels of the kinds
    listed (in-app is always on, so it need not be named; a channel the deployment has off is
    refused rather than silently dropped)."""
    me = inbox_owner(principal)
    for choice in body.kinds:
        off = [c for c in choice.channels if c is not Channel.in_app and c not in routing.enabled]
        if off:
            raise InvalidInput(
                f"渠道 {'、'.join(c.label for c in off)} 未开通",
                f"Channel(s) {', '.join(off)} not available here",
                details=[{"field": "kinds", "kind": choice.kind.value, "channels": [c.value for c in off]}],
            )
    if "email" in body.model_fields_set:
        contact = await session.get(Contact, me)
        sealed = vault.encrypt(body.email) if body.email else None
        if contact is None:
            session.add(Contact(person_id=me, email_enc=sealed, updated_at=now))
        else:
            contact.email_enc, contact.updated_at = sealed, now
    for choice in body.kinds:
        external = ",".join(dict.fromkeys(c.value for c in choice.channels if c is not Channel.in_app))
        row = await session.get(Preference, (me, choice.kind.value))
        if row is None:
            session.add(Preference(person_id=me, kind=choice.kind.value, channels=external))
        else:
            row.channels = external
    await session.flush()
    return await preferences(session, principal, routing, vault)


# --- WeChat consent -------------------------------------------------------------------------------


async def wechat_status(session: AsyncSession, principal: Principal, settings: Settings) -> s.WechatStatusOut:
    """Whether the caller's openid is on record and the consents left per template (the app asks
    again with wx.requestSubscribeMessage when one runs out)."""
    me = inbox_owner(principal)
    bound = await session.get(WechatBinding, me) is not None
    left = {
        c.template_id: c.remaining
        for c in await session.scalars(select(WechatConsent).where(WechatConsent.person_id == me))
    }
    return s.WechatStatusOut(
        bound=bound,
        templates=[
            s.WechatTemplateOut(kind=kind, kind_label=kind.label, template_id=template, remaining=left.get(template, 0))
            for kind, template in templates_of(settings).items()
        ],
    )


async def record_wechat_consent(
    session: AsyncSession,
    principal: Principal,
    body: s.WechatConsentIn,
    settings: Settings,
    vault: PiiVault,
    now: datetime,
) -> s.WechatStatusOut:
    """Each 允许 the person tapped allows one message with that template (WeChat's one-time
    subscriptions); other answers allow none. Templates the platform does not use are refused."""
    me = inbox_owner(principal)
    known = set(templates_of(settings).values())
    unknown = sorted(t for t in body.results if t not in known)
    if unknown:
        raise InvalidInput(
            "订阅消息模板不属于本平台",
            "Template id(s) not used by this platform",
            code=ErrorCode.unknown_template,
            details=[{"field": "results", "template_ids": unknown}],
        )
    binding = await session.get(WechatBinding, me)
    if body.js_code is not None:
        try:
            openid = await openid_of(settings, body.js_code)
        except (LookupError, httpx.HTTPError):
            raise InvalidInput(
                "微信登录凭证无效或已过期，请重新进入小程序",
                "The WeChat login code is invalid or expired",
                code=ErrorCode.wechat_login_failed,
                details=[{"field": "js_code"}],
            ) from None
        if binding is None:
            binding = WechatBinding(person_id=me, openid_enc=vault.encrypt(openid), updated_at=now)
            session.add(binding)
        else:
            binding.openid_enc, binding.updated_at = vault.encrypt(openid), now
    elif binding is None:
        raise InvalidInput(
            "请先在小程序中授权（需要 js_code）",
            "No WeChat openid on record: send js_code from wx.login",
            code=ErrorCode.wechat_not_bound,
            details=[{"field": "js_code"}],
        )
    for template, result in body.results.items():
        if result != "accept":
            continue
        row = await session.get(WechatConsent, (me, template))
        if row is None:
            session.add(WechatConsent(person_id=me, template_id=template, remaining=1, updated_at=now))
        else:
            row.remaining, row.updated_at = row.remaining + 1, now
    await session.flush()
    return await wechat_status(session, principal, settings)


# --- one-tap unsubscribe ------------------------------------------------------------------------


def _unsubscribe_key(settings: Settings) -> bytes:
    # Derived from the registry's own secret (refused at its development value in production).
    secret = settings.pii_hash_key.get_secret_value().encode()
    return hmac.new(secret, b"linli-notification-unsubscribe-v1", hashlib.sha256).digest()


def unsubscribe_link(settings: Settings, person_id: int, kind: Kind) -> str | None:
    """The link in a non-essential message that stops its kind's e-mail and SMS without a
    login (essential kinds have none)."""
    if kind in ESSENTIAL_KINDS:
        return None
    token = unsubscribe_token(_unsubscribe_key(settings), person_id, kind)
    return f"{settings.public_base_url.rstrip('/')}/api/v1/registry/notifications/unsubscribe?token={token}"


async def unsubscribe(session: AsyncSession, settings: Settings, token: str) -> s.UnsubscribedOut:
    """Stop the external channels of one kind for the person the signed token names (the inbox
    keeps it). Again is the same; a token that is not ours, or an essential kind, changes nothing."""
    found = read_unsubscribe_token(_unsubscribe_key(settings), token)
    if found is None:
        raise InvalidInput(
            "退订链接无效，请在应用的通知设置中修改",
            "Invalid unsubscribe link; change notification settings in the app",
            code=ErrorCode.invalid_unsubscribe_token,
            details=[{"field": "token"}],
        )
    person_id, kind = found
    if kind in ESSENTIAL_KINDS:
        raise InvalidInput(
            f"「{kind.label}」是必要通知，不能退订",
            f"{kind.value} is essential and cannot be unsubscribed",
            code=ErrorCode.essential_kind,
            details=[{"field": "token", "kind": kind.value}],
        )
    if await session.get(Person, person_id) is None:
        raise NotFound("退订链接已失效", "This unsubscribe link no longer applies", details=[{"field": "token"}])
    row = await session.get(Preference, (person_id, kind.value))
    if row is None:
        session.add(Preference(person_id=person_id, kind=kind.value, channels=""))
    else:
        row.channels = ""
    await session.flush()
    return s.UnsubscribedOut(
        kind=kind,
        kind_label=kind.label,
        message=f"已退订「{kind.label}」的短信和邮件，站内消息照常；可在应用的通知设置中恢复。",
    )


# --- what a compound allows ------------------------------------------------------------------------


async def compound_channels(
    session: AsyncSession, principal: Principal, compound_id: int, routing: Routing
) -> s.CompoundChannelsOut:
    require_admin(principal, await compound_area(session, compound_id))
    row = await session.get(CompoundChannels, compound_id)
    allowed = await compound_allows(session, compound_id, routing)
    return s.CompoundChannelsOut(
        compound_id=compound_id,
        channels=[c for c in Channel if c in allowed],
        available_channels=[c for c in Channel if c in routing.enabled],
        restricted=row is not None,
    )


async def set_compound_channels(
    session: AsyncSession,
    principal: Principal,
    compound_id: int,
    body: s.CompoundChannelsIn,
    routing: Routing,
    now: datetime,
) -> s.CompoundChannelsOut:
    """The compound's admins choose which external channels its people's messages may use
    (null: all the deployment has on). In-app is always on and need not be named."""
    require_admin(principal, await compound_area(session, compound_id))
    row = await session.get(CompoundChannels, compound_id)
    if body.channels is None:
        if row is not None:
            await session.delete(row)
    else:
        stored = ",".join(dict.fromkeys(c.value for c in body.channels if c is not Channel.in_app))
        if row is None:
            session.add(CompoundChannels(compound_id=compound_id, channels=stored, updated_at=now))
        else:
            row.channels, row.updated_at = stored, now
    await session.flush()
    return await compound_channels(session, principal, compound_id, routing)


# --- delivery (the ticker) ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    delivery_id: int
    channel: Channel
    attempts: int
    outgoing: Outgoing


async def _claim(runtime: ServiceRuntime, vault: PiiVault, now: datetime) -> list[_Claimed]:
    """Take up to BATCH due deliveries for a lease (committed before anything is sent, so no
    transaction waits on a mail server and two replicas never send one twice)."""
    async with runtime.transaction() as session:
        query = (
            select(Delivery)
            .where(Delivery.status == DeliveryStatus.pending.value, Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(BATCH)
        )
        if not runtime.db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        due = list(await session.scalars(query))
        claimed: list[Delivery] = []
        for d in due:
            taken = await session.execute(
                update(Delivery)
                .where(
                    Delivery.id == d.id,
                    Delivery.status == DeliveryStatus.pending.value,
                    Delivery.next_attempt_at == d.next_attempt_at,
                )
                .values(next_attempt_at=now + LEASE, attempts=Delivery.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(d)
        if not claimed:
            return []
        notes = {
            n.id: n
            for n in await session.scalars(
                select(Notification).where(Notification.id.in_({d.notification_id for d in claimed}))
            )
        }
        claimed = await _drop_opened(session, claimed, notes, now)
        people = {d.person_id for d in claimed}
        emails: dict[int, bytes | None] = {}
        for pid, sealed in await session.execute(
            select(Contact.person_id, Contact.email_enc).where(Contact.person_id.in_(people))
        ):
            emails[pid] = sealed
        mobiles: dict[int, bytes | None] = {}
        for pid, sealed in await session.execute(select(Person.id, Person.mobile_enc).where(Person.id.in_(people))):
            mobiles[pid] = sealed
        openids = await _take_wechat_consents(session, runtime.settings, claimed, notes, now)
    out = []
    for d in claimed:
        n = notes[d.notification_id]
        by_channel = {
            Channel.email.value: emails.get(d.person_id),
            Channel.sms.value: mobiles.get(d.person_id),
            Channel.wechat.value: openids.get(d.id),
        }
        address = vault.decrypt_or_none(by_channel.get(d.channel))
        kind = Kind(n.kind)
        unsubscribe = unsubscribe_link(runtime.settings, n.person_id, kind)
        outgoing = Outgoing(n.id, n.person_id, kind, n.title, n.body, n.link, address, now, unsubscribe)
        out.append(_Claimed(d.id, Channel(d.channel), d.attempts + 1, outgoing))
    return out


async def _take_wechat_consents(
    session: AsyncSession, settings: Settings, claimed: list[Delivery], notes: dict[int, Notification], now: datetime
) -> dict[int, bytes]:
    """Each WeChat delivery uses one of its person's consents for the kind's template (in the
    claim's transaction); the sealed openid per delivery that got one. Without one the adapter
    fails the delivery for good."""
    templates = templates_of(settings)
    openids: dict[int, bytes] = {}
    for d in claimed:
        template = templates.get(Kind(notes[d.notification_id].kind))
        if d.channel != Channel.wechat.value or template is None:
            continue
        taken = await session.execute(
            update(WechatConsent)
            .where(
                WechatConsent.person_id == d.person_id,
                WechatConsent.template_id == template,
                WechatConsent.remaining > 0,
            )
            .values(remaining=WechatConsent.remaining - 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        sealed = await session.scalar(select(WechatBinding.openid_enc).where(WechatBinding.person_id == d.person_id))
        if taken.rowcount == 1 and sealed is not None:  # type: ignore[attr-defined]
            openids[d.id] = sealed
    return openids


async def _settle_wechat_consent(
    session: AsyncSession, settings: Settings, item: _Claimed, failure: DeliveryFailed, now: datetime
) -> None:
    """A WeChat message not sent gives its consent back, unless WeChat said the person has none
    left for the template (then none is counted either)."""
    template = templates_of(settings).get(item.outgoing.kind)
    if item.channel is not Channel.wechat or template is None or item.outgoing.address is None:
        return
    where = (WechatConsent.person_id == item.outgoing.person_id, WechatConsent.template_id == template)
    values: dict[str, Any] = (
        {"remaining": 0} if f" {NO_CONSENT}" in failure.reason else {"remaining": WechatConsent.remaining + 1}
    )
    await session.execute(
        update(WechatConsent)
        .where(*where)
        .values(**values, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def _drop_opened(
    session: AsyncSession, claimed: list[Delivery], notes: dict[int, Notification], now: datetime
) -> list[Delivery]:
    """Escalations whose message was opened in the app meanwhile are not sent: skipped, and
    the log says why."""
    keep: list[Delivery] = []
    for d in claimed:
        n = notes[d.notification_id]
        if not (d.unless_opened and (n.read_at is not None or n.shown_at is not None)):
            keep.append(d)
            continue
        reason = "opened in the app before the escalation was due"
        await session.execute(
            update(Delivery)
            .where(Delivery.id == d.id)
            .values(status=DeliveryStatus.skipped.value, last_error=reason)
            .execution_options(synchronize_session=False)
        )
        session.add(DeliveryAttempt(delivery_id=d.id, at=now, outcome="skipped", reason=reason))
    return keep


async def send_due(runtime: ServiceRuntime) -> int:
    """One round: send what is due on each channel and log every attempt; a failure is retried
    with back-off until NOTIFY_MAX_ATTEMPTS, then the delivery is failed with its reason."""
    settings = runtime.settings
    adapters = enabled_channels(settings)
    vault = PiiVault(settings)
    handled = 0
    while True:
        now = runtime.clock()
        claimed = await _claim(runtime, vault, now)
        results: list[tuple[_Claimed, DeliveryFailed | None]] = []
        for item in claimed:
            adapter = adapters.get(item.channel)
            try:
                if adapter is None:
                    raise DeliveryFailed(
                        f"channel {item.channel.value} is not enabled (NOTIFY_CHANNELS)", permanent=True
                    )
                await adapter.send(item.outgoing)
                results.append((item, None))
            except DeliveryFailed as exc:
                results.append((item, exc))
            except Exception as exc:
                # An adapter's own bug: logged here, and the delivery retried like any failure.
                log.exception("delivery %s (%s) raised", item.delivery_id, item.channel.value)
                results.append((item, DeliveryFailed(f"{item.channel.value}: {type(exc).__name__}")))
        if results:
            done = runtime.clock()
            async with runtime.transaction() as session:
                for item, failure in results:
                    reason = failure.reason if failure is not None else None
                    values: dict[str, Any]
                    if failure is None:
                        values = {"status": DeliveryStatus.sent.value, "sent_at": done, "last_error": None}
                    elif failure.permanent or item.attempts >= settings.notify_max_attempts:
                        values = {"status": DeliveryStatus.failed.value, "last_error": reason}
                    else:
                        later = retry_at(
                            done,
                            item.attempts,
                            settings.notify_backoff_base_seconds,
                            settings.notify_backoff_max_seconds,
                        )
                        values = {"next_attempt_at": later, "last_error": reason}
                    await session.execute(
                        update(Delivery)
                        .where(Delivery.id == item.delivery_id)
                        .values(values)
                        .execution_options(synchronize_session=False)
                    )
                    session.add(
                        DeliveryAttempt(
                            delivery_id=item.delivery_id,
                            at=done,
                            outcome="sent" if reason is None else "failed",
                            reason=reason,
                        )
                    )
                    if failure is not None:
                        await _settle_wechat_consent(session, settings, item, failure, done)
                    if reason is not None:
                        log.warning(
                            "delivery %s (%s) attempt %s failed: %s",
                            item.delivery_id,
                            item.channel.value,
                            item.attempts,
                            reason,
                        )
        handled += len(results)
        if len(claimed) < BATCH:
            return handled


def delivery_ticker(settings: Settings) -> Ticker:
    """The ticker that runs the delivery outbox (every NOTIFY_TICK_SECONDS)."""
    return Ticker("notifications", interval_s=settings.notify_tick_seconds, step=send_due)
