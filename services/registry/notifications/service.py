"""Notification use cases: turning an event into messages for the people it concerns (the
inbox row, plus one delivery per external channel they chose), the caller's own inbox and
preferences, and the delivery round the ticker runs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.accounts.models import AdminGrant
from services.registry.notifications import schemas as s
from services.registry.notifications.channels import (
    ChannelAdapter,
    DeliveryFailed,
    EmailChannel,
    LogChannel,
    Outgoing,
)
from services.registry.notifications.domain import (
    URGENT_KINDS,
    Channel,
    DeliveryStatus,
    Kind,
    QuietHours,
    dedup_key,
    default_channels,
    mask_email,
    parse_clock_time,
    render,
    retry_at,
)
from services.registry.notifications.models import Contact, Delivery, DeliveryAttempt, Notification, Preference
from services.registry.notifications.sms import SmsChannel
from services.registry.people.models import GridAssignment, GridWorker, Person
from services.registry.people.pii import PiiVault
from services.registry.places.models import Community, Household, Ownership
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.service_app import ServiceRuntime, Ticker
from shared.settings import Settings

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
    """What the deployment allows: the external channels turned on, and the quiet hours."""

    enabled: frozenset[Channel]
    quiet: QuietHours

    @classmethod
    def of(cls, settings: Settings) -> Routing:
        return cls(
            frozenset(enabled_channels(settings)),
            QuietHours(parse_clock_time(settings.notify_quiet_start), parse_clock_time(settings.notify_quiet_end)),
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
) -> list[Notification]:
    """One message of `kind` for each of these people (those the registry knows), unless this
    event already gave them one; and a delivery per external channel each chose."""
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
    created = [
        Notification(
            person_id=person,
            kind=kind.value,
            title=message.title,
            body=message.body,
            link=message.link,
            urgent=urgent,
            event_id=event_id,
            dedup_key=key,
            created_at=now,
        )
        for person in sorted(known - already)
    ]
    if not created:
        return []
    session.add_all(created)
    await session.flush()
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
    }
    release = routing.quiet.release_at(now, urgent)
    for n in created:
        channels = chosen.get(n.person_id, default_channels(routing.enabled, kind))
        for channel in channels:
            if channel not in routing.enabled or n.person_id not in reachable.get(channel, {n.person_id}):
                continue
            session.add(
                Delivery(
                    notification_id=n.id,
                    person_id=n.person_id,
                    channel=channel.value,
                    status=DeliveryStatus.pending.value,
                    attempts=0,
                    next_attempt_at=release,
                )
            )
    return created


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


# --- the caller's inbox ----------------------------------------------------------------------


def _me(principal: Principal) -> int:
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
    query = select(Notification).where(Notification.person_id == _me(principal))
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    return list(await session.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset)))


async def unread_count(session: AsyncSession, principal: Principal) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.person_id == _me(principal), Notification.read_at.is_(None))
        )
        or 0
    )


async def mark_read(session: AsyncSession, principal: Principal, notification_id: int, now: datetime) -> Notification:
    """Read is read: marking again keeps the first time. Someone else's message is not found."""
    n = await session.get(Notification, notification_id)
    if n is None or n.person_id != _me(principal):
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
        .where(Notification.person_id == _me(principal), Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- preferences ------------------------------------------------------------------------------


async def preferences(
    session: AsyncSession, principal: Principal, routing: Routing, vault: PiiVault
) -> s.PreferencesOut:
    me = _me(principal)
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
    me = _me(principal)
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
    async with runtime.db.sessionmaker() as session:
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
        people = {d.person_id for d in claimed}
        emails: dict[int, bytes | None] = {}
        for pid, sealed in await session.execute(
            select(Contact.person_id, Contact.email_enc).where(Contact.person_id.in_(people))
        ):
            emails[pid] = sealed
        mobiles: dict[int, bytes | None] = {}
        for pid, sealed in await session.execute(select(Person.id, Person.mobile_enc).where(Person.id.in_(people))):
            mobiles[pid] = sealed
        await session.commit()
    out = []
    for d in claimed:
        n = notes[d.notification_id]
        by_channel = {Channel.email.value: emails.get(d.person_id), Channel.sms.value: mobiles.get(d.person_id)}
        address = vault.decrypt_or_none(by_channel.get(d.channel))
        outgoing = Outgoing(n.id, n.person_id, Kind(n.kind), n.title, n.body, n.link, address, now)
        out.append(_Claimed(d.id, Channel(d.channel), d.attempts + 1, outgoing))
    return out


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
            async with runtime.db.sessionmaker() as session:
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
                    if reason is not None:
                        log.warning(
                            "delivery %s (%s) attempt %s failed: %s",
                            item.delivery_id,
                            item.channel.value,
                            item.attempts,
                            reason,
                        )
                await session.commit()
        handled += len(results)
        if len(claimed) < BATCH:
            return handled


def delivery_ticker(settings: Settings) -> Ticker:
    """The ticker that runs the delivery outbox (every NOTIFY_TICK_SECONDS)."""
    return Ticker("notifications", interval_s=settings.notify_tick_seconds, step=send_due)
