"""The notice board of 王秀英's compound shows the red and black lists the community published
last, without her phone guessing the month: the published lists, newest period first, paged.
Before anything is published the list is empty; a stranger to the compound gets a 404, as if
there were no such compound."""

from __future__ import annotations

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, xinghualing_cast
from tests.helpers import error, ok


async def test_the_board_shows_the_lists_published_last(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    resident = cast.resident(platform)
    community = platform.token(Grant(Role.community_admin, "community", cast.home.community_id), person=800)
    compound = cast.home.compound_id
    url = f"{API}/points/lists/published"

    nothing = ok(await dispatch.get(url, params={"compound_id": compound}, headers=resident))
    assert nothing == {"items": [], "next_cursor": None}

    for period in ("2026-09", "2026-11", "2026-10"):
        ok(
            await dispatch.post(
                f"{API}/points/lists/publish", json={"compound_id": compound, "period": period}, headers=community
            )
        )
    board = ok(await dispatch.get(url, params={"compound_id": compound}, headers=resident))
    assert [(x["period"], x["published"]) for x in board["items"]] == [
        ("2026-11", True),
        ("2026-10", True),
        ("2026-09", True),
    ]
    assert all(x["published_at"] for x in board["items"])

    first = ok(await dispatch.get(url, params={"compound_id": compound, "limit": 2}, headers=resident))
    rest = ok(
        await dispatch.get(url, params={"compound_id": compound, "cursor": first["next_cursor"]}, headers=resident)
    )
    assert [x["period"] for x in first["items"] + rest["items"]] == ["2026-11", "2026-10", "2026-09"]
    assert rest["next_cursor"] is None

    error(await dispatch.get(url, params={"compound_id": compound, "cursor": "nonsense"}, headers=resident), 422)
    stranger = platform.token(Grant(Role.resident, "household", 99_999), person=99_999)
    error(await dispatch.get(url, params={"compound_id": compound}, headers=stranger), 404)
