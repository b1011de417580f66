"""Last-Event-ID carries one position per feed the caller reads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.dispatch.stream.service import format_cursor, parse_cursor, recipients_of
from shared.auth import Grant, Principal, Role

keys = st.sampled_from(["person:7", "grid:3", "community:2", "street:1", "person:12"])


@given(st.dictionaries(keys, st.integers(min_value=0, max_value=10**9)))
def test_a_cursor_survives_the_round_trip(cursor: dict[str, int]) -> None:
    assert parse_cursor(format_cursor(cursor)) == cursor


def test_junk_in_a_last_event_id_is_ignored() -> None:
    assert parse_cursor(None) == {}
    assert parse_cursor("grid:3=12,garbage,person:7=x,=4") == {"grid:3": 12}


def test_a_caller_reads_their_own_feed_and_those_of_the_places_they_staff() -> None:
    caller = Principal(
        7,
        (
            Grant(Role.grid_worker, "grid", 3),
            Grant(Role.community_admin, "community", 2),
            Grant(Role.resident, "household", 9),
            Grant(Role.party_member, "compound", 4),
        ),
    )
    assert recipients_of(caller) == ["community:2", "compound:4", "grid:3", "person:7"]
