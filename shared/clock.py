"""The platform's clock: the one source of "now" and "today" for every rule, ticker and
request of a service, so tests and rehearsals move time instead of depending on the calendar.

Each service runtime owns one `Clock`; every database session it opens carries it
(`clock_of(session)`), and routes read it through the `Now` dependency. Days, months and
periods are counted in the compound's time zone (Asia/Shanghai unless a compound says
otherwise), never in the machine's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SESSION_KEY = "linli.clock"


class Clock:
    """UTC-aware now: the wall clock moved by an offset (CLOCK_OFFSET_SECONDS), or pinned
    to an instant by a test. Calling it answers now."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._pinned: datetime | None = None

    def __call__(self) -> datetime:
        if self._pinned is not None:
            return self._pinned
        return datetime.now(UTC) + self._offset

    def set(self, at: datetime) -> None:
        """From now on time runs on from `at` (tickers and timeouts still see it pass)."""
        self._pinned = None
        self._offset = _aware(at) - datetime.now(UTC)

    def freeze(self, at: datetime | None = None) -> None:
        """Stop time at `at` (default: now) until it is moved by hand."""
        self._pinned = _aware(at) if at is not None else self()

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by `delta` (frozen or running alike); the new now."""
        if self._pinned is not None:
            self._pinned += delta
        else:
            self._offset += delta
        return self()

    def today(self, tz: ZoneInfo = LOCAL_TZ) -> date:
        """The calendar day it is now in `tz` (the compound's time zone)."""
        return self().astimezone(tz).date()


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("the clock takes UTC-aware datetimes only")
    return at.astimezone(UTC)


def clock_of(session: AsyncSession) -> Clock:
    """The clock of the service that opened `session` (every runtime session carries it)."""
    clock = session.info.get(SESSION_KEY)
    if not isinstance(clock, Clock):
        raise RuntimeError("session was not opened by a service Database: it has no clock")
    return clock


def request_time(request: Request) -> datetime:
    """Now, as the running service sees it."""
    clock: Clock = request.app.state.runtime.clock
    return clock()


def request_day(request: Request) -> date:
    """Today in the compound's time zone, as the running service sees it."""
    clock: Clock = request.app.state.runtime.clock
    return clock.today()


# What a route takes to know the time: `now: Now`, `today: Today` (never the wall clock).
Now = Annotated[datetime, Depends(request_time)]
Today = Annotated[date, Depends(request_day)]


def month_of(moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> str:
    """The calendar month `moment` falls in, in `tz` (the compound's time zone): '2026-11'."""
    return f"{moment.astimezone(tz):%Y-%m}"


def day_span(first: date, last: date, tz: ZoneInfo = LOCAL_TZ) -> tuple[datetime, datetime]:
    """The instants from the start of `first` to the end of `last` (exclusive), days counted in
    `tz` (the compound's time zone): a report for 1 December holds what happened on 1 December
    as the compound lived it, not 08:00 to 08:00. Both are given in UTC: SQLite compares the
    stored UTC wall time with a parameter's wall time and ignores its offset."""
    return (
        datetime.combine(first, time.min, tz).astimezone(UTC),
        datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC),
    )
