"""The pure rules of notifications: quiet hours in Shanghai time, back-off, templates."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.notifications.channels import Outgoing
from services.registry.notifications.domain import (
    ESSENTIAL_KINDS,
    TEMPLATES,
    Kind,
    QuietHours,
    dedup_key,
    mask_email,
    read_unsubscribe_token,
    render,
    retry_at,
    unsubscribe_token,
)
from services.registry.notifications.wechat import message_data
from shared.clock import LOCAL_TZ

QUIET = QuietHours()


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("at", "released"),
    [
        (shanghai(20, 21, 59), shanghai(20, 21, 59)),  # before the quiet hours: at once
        (shanghai(20, 22, 0), shanghai(21, 7, 0)),  # evening: tomorrow 07:00
        (shanghai(20, 23, 0), shanghai(21, 7, 0)),
        (shanghai(21, 0, 30), shanghai(21, 7, 0)),  # after midnight: this morning 07:00
        (shanghai(21, 6, 59), shanghai(21, 7, 0)),
        (shanghai(21, 7, 0), shanghai(21, 7, 0)),  # the quiet hours are over
    ],
)
def test_non_urgent_messages_wait_for_seven_in_shanghai(at: datetime, released: datetime) -> None:
    assert QUIET.release_at(at.astimezone(UTC), urgent=False) == released
    assert QUIET.release_at(at.astimezone(UTC), urgent=True) == at


def test_quiet_hours_within_one_day() -> None:
    lunch = QuietHours(time(12, 0), time(14, 0))
    assert lunch.release_at(shanghai(20, 13, 0), urgent=False) == shanghai(20, 14, 0)
    assert lunch.release_at(shanghai(20, 15, 0), urgent=False) == shanghai(20, 15, 0)


@given(st.datetimes(timezones=st.just(UTC)), st.booleans())
def test_a_release_is_never_earlier_nor_inside_the_quiet_hours_unless_urgent(now: datetime, urgent: bool) -> None:
    released = QUIET.release_at(now, urgent)
    assert now <= released <= now + timedelta(hours=9)
    assert urgent or not QUIET.contains(released)


def test_back_off_doubles_up_to_its_cap() -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    waits = [(retry_at(now, n, 30, 3600) - now).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_every_kind_has_a_template_and_renders_without_contact_details() -> None:
    assert set(TEMPLATES) == set(Kind)
    message = render(Kind.arrears_reminder, {"outstanding_yuan": "1234.50", "oldest_period": "2026-10"})
    assert message.title == "缴费提醒"
    assert "1234.50 元" in message.body
    assert not any(threat in message.body for threat in ("停水", "停电", "起诉"))  # a notice, never a threat
    assert message.link == "/bills"
    assert dedup_key("0190-abc", Kind.arrears_reminder) == "0190-abc:arrears_reminder"
    assert mask_email("wangxy@example.com") == "w***@example.com"


KEY = b"k" * 32


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(list(Kind)))
def test_an_unsubscribe_token_names_its_person_and_kind_and_nothing_else(person: int, kind: Kind) -> None:
    token = unsubscribe_token(KEY, person, kind)
    assert read_unsubscribe_token(KEY, token) == (person, kind)
    assert read_unsubscribe_token(b"x" * 32, token) is None  # another deployment's key
    other = next(k for k in Kind if k is not kind)
    assert read_unsubscribe_token(KEY, token.replace(f".{kind.value}.", f".{other.value}.")) is None
    assert read_unsubscribe_token(KEY, f"{person + 1}{token[len(str(person)) :]}") is None


@pytest.mark.parametrize("token", ["", "x", "1.no_such_kind.abc", "-1.bill_issued.00", "1.bill_issued"])
def test_junk_is_no_unsubscribe_token(token: str) -> None:
    assert read_unsubscribe_token(KEY, token) is None


def test_the_kinds_that_cannot_be_unsubscribed_are_duties_and_rights() -> None:
    assert {k.value for k in ESSENTIAL_KINDS} == {
        "order_offered",
        "order_offer_lapsing",
        "order_new_in_grid",
        "order_escalated",
        "follow_up_due",
        "payment_notification_refused",
        "vote_noticed",
        "proposal_step_waiting",
        "approval_waiting",
        "objection_raised",
        "tally_to_certify",
        "emergency_roll_call",
        "emergency_response",
    }


def test_wechat_values_fit_their_keyword_types() -> None:
    body = "网格员请您帮忙处理一张「水管漏水」工单（紧急），请在 11月20日 10:30 前接单或婉拒。"
    outgoing = Outgoing(1, 2, Kind.order_offered, "新的派单：水管漏水", body, "/orders/O-1", "openid", shanghai(20, 10))
    data = message_data("thing1=title,thing2=body,character_string3=link,phrase4=title,time5=nothing", outgoing)
    assert data == {
        "thing1": {"value": "新的派单：水管漏水"},
        "thing2": {"value": body[:19] + "…"},
        "character_string3": {"value": "/orders/O-1"},
        "phrase4": {"value": "新的派单…"},
    }
