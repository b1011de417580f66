"""The order board's two reads: the caller's orders counted by state under the list's filters
(`GET /orders/counts`), and the list the longest waiting first (`oldest_first`), paged by its own
cursor (when the order came in, then its id). A board shows every column's true count without
loading every order, and pages a column from the order waiting longest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, LEAK, Clock, runtime_of, xinghualing_cast
from tests.helpers import ok, refused

BOARD = ["submitted", "awaiting_dispatch", "offered", "accepted", "in_progress", "completed", "follow_up"]


async def test_counts_by_state_and_the_longest_waiting_first(platform: Platform) -> None:
    cast = await xinghualing_cast(platform)
    dispatch = platform.clients["dispatch"]
    clock = Clock(runtime_of(platform.apps["dispatch"]))
    clock.now = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
    wang, zhang = cast.resident(platform), cast.grid_worker(platform)
    placed = []
    for n in range(5):
        body = {**LEAK, "title": f"漏水 {n}"}
        placed.append(ok(await dispatch.post(f"{API}/orders", json=body, headers=wang), 201))
        clock.advance(minutes=7)
    # Two of them triaged to the queue for a member (待派单).
    for order in placed[:2]:
        ok(
            await dispatch.post(
                f"{API}/orders/{order['id']}/triage",
                json={"triage": "minor", "version": order["version"]},
                headers=zhang,
            )
        )

    async def counts(who: dict[str, str], **params: Any) -> dict[str, Any]:
        answer: dict[str, Any] = ok(await dispatch.get(f"{API}/orders/counts", params=params, headers=who))
        return answer

    board = await counts(zhang, state=BOARD, grid_id=cast.home.grid_id)
    by_state = {c["state"]: c["orders"] for c in board["by_state"]}
    assert [c["state"] for c in board["by_state"]] == BOARD  # every column asked for, in the machine's order
    assert by_state["submitted"] == 3
    assert by_state["awaiting_dispatch"] + by_state["offered"] == 2  # offered at once when a member fits
    assert board["total"] == 5
    assert {c["state"]: c["label"] for c in board["by_state"]}["submitted"] == "待分流"
    # Without states: every state of the machine, closed ones included.
    everything = await counts(zhang)
    assert len(everything["by_state"]) == 14
    assert everything["total"] == 5
    # The same filters as the list: one category, one compound.
    assert (await counts(zhang, category="drain_clog"))["total"] == 0
    assert (await counts(zhang, compound_id=cast.home.compound_id, state=["submitted"]))["total"] == 3

    # The list agrees with the counts, page after page, the longest waiting first.
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"state": BOARD, "oldest_first": True, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = ok(await dispatch.get(f"{API}/orders", params=params, headers=zhang))
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [o["title"] for o in seen] == [f"漏水 {n}" for n in range(5)]
    assert len(seen) == board["total"]
    # Newest first, as before.
    newest = ok(await dispatch.get(f"{API}/orders", params={"state": BOARD}, headers=zhang))
    assert [o["title"] for o in newest["items"]] == [f"漏水 {n}" for n in reversed(range(5))]

    # A cursor of another list (or none at all) is refused with the contract's words.
    for bad in (newest["items"][0]["id"], "abc_", "12x_abc", "_", "999999999999999999_x"):
        answer = await dispatch.get(f"{API}/orders", params={"oldest_first": True, "cursor": bad}, headers=zhang)
        assert "cursor" in refused(answer, 422)["message"]

    # Counted only where the caller may look: the resident her own orders, another grid's worker none.
    assert (await counts(wang))["total"] == 5
    stranger = platform.token(Grant(Role.grid_worker, "grid", cast.home.grid_id + 100), person=999)
    assert (await counts(stranger, state=BOARD))["total"] == 0
    assert all(c["orders"] == 0 for c in (await counts(stranger))["by_state"])
    refused(await dispatch.get(f"{API}/orders/counts"), 401)
