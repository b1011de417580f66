"""The live inbox (issue 15): 赵师傅's open app receives the offer the moment the registry writes
it to his inbox, over the same kind of SSE stream as dispatch's live tasks (shared/sse.py); a
dropped connection resumes with Last-Event-ID exactly where it stopped; his stream carries his
messages only. Served by uvicorn on a real port (httpx's ASGI transport buffers streams); how
fast a frame arrives is bench/'s concern, not a test's."""

from __future__ import annotations

import contextlib

import httpx

from services.registry.notifications.models import Notification
from shared.auth import Grant, Role, TokenCodec
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API as DISPATCH
from tests.api.dispatch.builders import order_leak, xinghualing_cast
from tests.api.registry.builders import registry_session
from tests.api.sse import frames, next_event, serving
from tests.helpers import ok

STREAM = "/api/v1/registry/notifications/stream"
SSE = {"Accept": "text/event-stream"}


async def test_zhao_sees_the_offer_live_and_a_dropped_stream_resumes_with_his_messages_only(
    platform: Platform,
) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    zhao, grid_worker = cast.member(platform, cast.zhao), cast.grid_worker(platform)
    zhao_feed = f"person:{cast.zhao['person_id']}"
    async with serving(platform.apps["registry"]) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        # 张丽's phone has her inbox open too: the new order in her grid reaches her, not him.
        async with (
            http.stream("GET", STREAM, headers={**zhao, **SSE}) as mine,
            http.stream("GET", STREAM, headers={**grid_worker, **SSE}) as hers,
        ):
            assert mine.status_code == 200
            assert mine.headers["content-type"].startswith("text/event-stream")
            his_stream, her_stream = frames(mine), frames(hers)
            hello = await anext(his_stream)
            assert hello.comments[0] == f"connected {zhao_feed}=0"
            await anext(her_stream)

            order = await order_leak(platform, cast)
            news = await next_event(her_stream)
            assert (news.event, news.data["kind"], news.data["title"]) == (
                "notification",
                "order_new_in_grid",
                "网格内新工单：水管漏水",
            )
            ok(
                await dispatch.post(
                    f"{DISPATCH}/orders/{order['id']}/triage",
                    json={"triage": "minor", "version": 1},
                    headers=grid_worker,
                )
            )
            ok(
                await dispatch.post(
                    f"{DISPATCH}/orders/{order['id']}/dispatch",
                    json={"mode": "assign", "party_member_id": cast.zhao["id"]},
                    headers=grid_worker,
                )
            )
            offer = await next_event(his_stream)
            assert offer.event == "notification"
            assert (offer.data["kind"], offer.data["title"], offer.data["link"]) == (
                "order_offered",
                "新的派单：水管漏水",
                f"/tasks/{order['id']}",
            )
            assert (offer.data["unread"], offer.data["read_at"]) == (1, None)
            assert offer.id == f"{zhao_feed}=1"
            # His open app has shown it: opened, so an urgent offer needs no SMS after all.
            assert await platform.eventually(lambda: _shown(platform, offer.data["id"]))
            # The offer to him is not in her stream.
            with contextlib.suppress(TimeoutError):
                extra = await next_event(her_stream, within_s=0.6)
                raise AssertionError(f"unexpected {extra}")

        # His phone loses its signal; meanwhile he is offered a second order.
        second = await order_leak(platform, cast)
        ok(
            await dispatch.post(
                f"{DISPATCH}/orders/{second['id']}/triage", json={"triage": "minor", "version": 1}, headers=grid_worker
            )
        )
        ok(
            await dispatch.post(
                f"{DISPATCH}/orders/{second['id']}/dispatch",
                json={"mode": "assign", "party_member_id": cast.zhao["id"]},
                headers=grid_worker,
            )
        )
        # A cursor naming 张丽's feed as well is no way into hers: only his own feed is read.
        resume = {**zhao, **SSE, "Last-Event-ID": f"{offer.id},person:{cast.zhang}=0"}
        async with http.stream("GET", STREAM, headers=resume) as again:
            stream = frames(again)
            hello = await anext(stream)
            assert hello.comments[0] == f"connected {zhao_feed}=1"
            missed = await next_event(stream)
            assert (missed.data["kind"], missed.data["link"], missed.id) == (
                "order_offered",
                f"/tasks/{second['id']}",
                f"{zhao_feed}=2",
            )
            # Nothing before it is sent again, nothing after it is invented.
            with contextlib.suppress(TimeoutError):
                extra = await next_event(stream, within_s=0.6)
                raise AssertionError(f"unexpected {extra}")


async def _shown(platform: Platform, notification_id: int) -> bool:
    async with registry_session(platform) as session:
        found = await session.get(Notification, notification_id)
        return found is not None and found.shown_at is not None


async def test_the_inbox_stream_needs_a_person(platform: Platform) -> None:
    async with serving(platform.apps["registry"]) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        refused = await http.get(STREAM, headers=SSE)
        assert refused.status_code == 401
        # A service account's token names no person: it has no inbox to stream.
        nobody = {"Authorization": f"Bearer {TokenCodec(platform.settings).issue(None, [Grant(Role.street_admin)])}"}
        answer = await http.get(STREAM, headers={**nobody, **SSE})
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "no_person"
