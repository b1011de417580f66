"""The rest of what people hear about (issue 15), each told with the records that cause it:
赵师傅 is reminded before his offer lapses (once); the compound's party members hear of a wish
to claim and of the published points lists; 张丽 hears that a poorly rated order needs her
follow-up visit; the owners hear a day before their vote closes, the owners' committee of the
supervisors' objection and the supervisors of a tally to certify; the community's staff hear of
a payment notification that was refused although it named one of their residents' orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.auth import Grant, Role
from shared.clock import LOCAL_TZ
from tests.api.billing.builders import billing, two_quarters_billed, wechat, wechat_transaction
from tests.api.billing.builders import resident as billing_resident
from tests.api.conftest import Platform
from tests.api.deliberation.builders import build_compound, days, seat_bodies, synced
from tests.api.deliberation.flow import call, to_open_vote
from tests.api.dispatch.builders import API as DISPATCH
from tests.api.dispatch.builders import order_leak, xinghualing_cast
from tests.api.registry.builders import resident
from tests.api.registry.notifying import MORNING, inbox_of, offer_to_zhao
from tests.helpers import ok


def of_kind(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in messages if m["kind"] == kind]


async def test_zhao_is_reminded_once_before_his_offer_lapses(platform: Platform) -> None:
    platform.set_clock(MORNING)
    cast = await xinghualing_cast(platform)
    zhao = cast.member(platform, cast.zhao)
    order = await offer_to_zhao(platform, cast)
    detail = ok(await platform.clients["dispatch"].get(f"{DISPATCH}/orders/{order['id']}", headers=zhao))
    # The order shows its clocks only: the reminder is not one of them.
    [accept_by] = [datetime.fromisoformat(d["due_at"]) for d in detail["deadlines"] if d["stage"] == "accept"]
    assert [d["stage"] for d in detail["deadlines"]] == ["accept"]
    sla = platform.apps["dispatch"].state.runtime

    # Before the reminder's time nothing more reaches him.
    platform.set_clock(accept_by - timedelta(minutes=11))
    await sla.tick("sla")
    await platform.eventually(platform.settled)
    assert of_kind(await inbox_of(platform, zhao), "order_offer_lapsing") == []

    # Ten minutes before the deadline he is reminded, with the deadline in Shanghai time.
    platform.set_clock(accept_by - timedelta(minutes=9))
    assert await sla.tick("sla") == 1
    [reminder] = await platform.eventually(lambda: _kind(platform, zhao, "order_offer_lapsing"))
    local = accept_by.astimezone(LOCAL_TZ)
    assert (reminder["title"], reminder["link"], reminder["urgent"]) == (
        "邀约即将过期：水管漏水",
        f"/tasks/{order['id']}",
        True,
    )
    assert f"将在 {local.month}月{local.day}日 {local:%H:%M} 过期" in reminder["body"]
    # Another round of the ticker reminds nobody again.
    assert await sla.tick("sla") == 0
    await platform.eventually(platform.settled)
    assert len(of_kind(await inbox_of(platform, zhao), "order_offer_lapsing")) == 1
    # The operators' view of the same moment (issue 17: business measures at /metrics).
    metrics = (await platform.clients["dispatch"].get("/metrics")).text
    assert 'linli_orders{kind="order",state="offered"} 1.0' in metrics
    assert 'linli_offers{status="open"} 1.0' in metrics
    assert 'linli_relay_published_total{type="linli.dispatch.order.offer_lapsing.v1"} 1.0' in metrics


async def test_an_offer_answered_in_time_brings_no_reminder(platform: Platform) -> None:
    platform.set_clock(MORNING)
    cast = await xinghualing_cast(platform)
    zhao = cast.member(platform, cast.zhao)
    order = await offer_to_zhao(platform, cast)
    ok(await platform.clients["dispatch"].post(f"{DISPATCH}/orders/{order['id']}/accept", json={}, headers=zhao))
    platform.set_clock(MORNING + timedelta(hours=1))
    assert await platform.apps["dispatch"].state.runtime.tick("sla") == 0
    await platform.eventually(platform.settled)
    assert of_kind(await inbox_of(platform, zhao), "order_offer_lapsing") == []


async def test_party_members_hear_of_a_wish_and_the_grid_worker_of_a_follow_up_visit(platform: Platform) -> None:
    platform.set_clock(MORNING)
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    zhao, sun, li = (cast.member(platform, m) for m in (cast.zhao, cast.sun, cast.li))
    wish = {"category": "micro_wish", "title": "想请人教我用智能手机挂号", "description": "老人独居，不会用手机"}
    made = ok(await dispatch.post(f"{DISPATCH}/wishes", json=wish, headers=cast.resident(platform)), 201)

    # 赵师傅 and 孙师傅 are checked in to the compound: both hear of it, with the link to claim it.
    [heard] = await platform.eventually(lambda: _kind(platform, zhao, "wish_to_claim"))
    assert (heard["kind_label"], heard["title"], heard["link"]) == (
        "可认领的微心愿",
        "有新的微心愿待认领",
        f"/tasks/{made['id']}",
    )
    await platform.eventually(lambda: _kind(platform, sun, "wish_to_claim"))
    # 李师傅 lives here but serves in work (在职党员) and has not checked in: not his to claim.
    assert of_kind(await inbox_of(platform, li), "wish_to_claim") == []

    # The community publishes November's points lists: the compound's members hear of it.
    community = platform.token(Grant(Role.community_admin, "community", cast.home.community_id), person=70)
    publish = {"compound_id": cast.home.compound_id, "period": "2026-11"}
    ok(await dispatch.post(f"{DISPATCH}/points/lists/publish", json=publish, headers=community))
    [lists] = await platform.eventually(lambda: _kind(platform, sun, "points_lists_published"))
    assert (lists["title"], lists["link"]) == ("2026-11积分红黑榜已公布", "/board")

    # A repair done but rated two stars: 张丽 must visit (回访).
    order = await offer_to_zhao(platform, cast)
    for step, body in (("accept", {}), ("start", {}), ("complete", {"summary": "更换水管接头"})):
        ok(await dispatch.post(f"{DISPATCH}/orders/{order['id']}/{step}", json=body, headers=zhao))
    ok(await dispatch.post(f"{DISPATCH}/orders/{order['id']}/confirm", json={}, headers=cast.resident(platform)))
    rated = ok(
        await dispatch.post(
            f"{DISPATCH}/orders/{order['id']}/rate",
            json={"rating": 2, "comment": "还是有点渗水"},
            headers=cast.resident(platform),
        )
    )
    assert rated["state"] == "follow_up"
    [visit] = await platform.eventually(lambda: _kind(platform, cast.grid_worker(platform), "follow_up_due"))
    assert (visit["title"], visit["link"]) == ("待回访：水管漏水", f"/tasks/{order['id']}")
    assert "评价为 2 星，请安排回访" in visit["body"]
    # A five-star order of the same grid asks for no visit.
    second = await order_leak(platform, cast)
    assert second["state"] == "submitted"
    await platform.eventually(platform.settled)
    assert len(of_kind(await inbox_of(platform, cast.grid_worker(platform)), "follow_up_due")) == 1


async def test_owners_are_reminded_a_day_before_closing_and_the_bodies_hear_what_waits_for_them(
    platform: Platform,
) -> None:
    small = await build_compound(platform, buildings=2, per_building=6, unsold=1, name="南坪小院")
    await seat_bodies(platform, small, council=1, committee=5, supervisors=1)
    await synced(platform, small)
    walk = await to_open_vote(platform, small)
    owner = platform.token(person=small.dwellings[0]["owners"][0])
    committee_member = walk.committee[1]
    deliberation = platform.apps["deliberation"].state.runtime

    # The supervisory committee objects; the owners' committee hears it must answer.
    objection = await call(
        platform,
        "POST",
        f"/proposals/{walk.proposal_id}/objections",
        walk.supervisor,
        {"reason": "门禁报价只有一家，请补充比价"},
        expect=201,
    )
    [asked] = await platform.eventually(lambda: _kind(platform, committee_member, "objection_raised"))
    assert asked["title"] == "异议待答复：更换单元门禁"
    assert f"（第 {objection['id']} 号）" in asked["body"]

    # A day before closing (20 days after the walk began), every owner is reminded once.
    closes = walk.t0 + days(20)
    platform.set_clock(closes - timedelta(hours=25))
    await deliberation.tick("vote_clock")
    await platform.eventually(platform.settled)
    assert of_kind(await inbox_of(platform, owner), "vote_closing_soon") == []
    platform.set_clock(closes - timedelta(hours=23))
    await deliberation.tick("vote_clock")
    [soon] = await platform.eventually(lambda: _kind(platform, owner, "vote_closing_soon"))
    local = closes.astimezone(LOCAL_TZ)
    assert (soon["title"], soon["link"]) == ("表决即将截止：更换单元门禁", f"/votes/{walk.vote_id}")
    assert f"将于 {local.month}月{local.day}日 {local:%H:%M} 截止" in soon["body"]
    await deliberation.tick("vote_clock")
    await platform.eventually(platform.settled)
    assert len(of_kind(await inbox_of(platform, owner), "vote_closing_soon")) == 1

    # Answered, the objection no longer holds the tally; at closing the supervisors must certify it.
    await call(
        platform,
        "POST",
        f"/proposals/{walk.proposal_id}/objections/{objection['id']}/answer",
        walk.committee[0],
        {"version": objection["version"], "answer": "已补充两家比价，见附件"},
    )
    platform.set_clock(closes + timedelta(minutes=1))
    await deliberation.tick("vote_clock")
    [certify] = await platform.eventually(lambda: _kind(platform, walk.supervisor, "tally_to_certify"))
    assert (certify["title"], certify["link"]) == (f"待核签表决结果：第 {walk.vote_id} 号表决", "/console/")
    assert of_kind(await inbox_of(platform, owner), "tally_to_certify") == []
    metrics = (await platform.clients["deliberation"].get("/metrics")).text
    assert 'linli_votes{status="closed"} 1.0' in metrics
    assert "linli_ballots 0.0" in metrics  # nobody voted in this walk


async def test_the_community_hears_of_a_refused_payment_notification_for_one_of_its_orders(
    platform: Platform,
) -> None:
    c = await two_quarters_billed(platform)
    chen = await resident(platform, "陈静", compound_id=c.compound_id)
    grant = {"person_id": chen["id"], "role": "community_admin", "scope": f"community:{c.community_id}"}
    await platform.post("/admin-grants", grant)
    admin = platform.token(Grant(Role.community_admin, "community", c.community_id), person=chen["id"])
    household = c.household_ids[c.dwelling_ids[0]]
    order = ok(
        await billing(platform).post(
            "/api/v1/billing/payment-orders",
            json={"dwelling_id": c.dwelling_ids[0], "channel": "wechat"},
            headers=billing_resident(platform, household),
        ),
        201,
    )
    adapter = wechat(platform)
    url = "/api/v1/billing/payment-notifications/wechat"
    # A forged signature names no order anyone can trust: operators' business, nobody is told.
    headers, body = adapter.sign(wechat_transaction(adapter, order))
    forged = await billing(platform).post(url, content=body, headers={**headers, "wechatpay-signature": "Zm9yZ2Vk"})
    assert forged.status_code == 401
    # A genuine notification for the wrong amount: the community's staff must look into it.
    h, b = adapter.sign(wechat_transaction(adapter, order, amount={"total": 1, "currency": "CNY"}))
    assert (await billing(platform).post(url, content=b, headers=h)).json()["error"]["code"] == "amount_mismatch"
    [refused] = await platform.eventually(lambda: _kind(platform, admin, "payment_notification_refused"))
    assert (refused["title"], refused["urgent"]) == ("支付通知被拒收：微信支付", True)
    assert f"商户订单号 {order['out_trade_no']}" in refused["body"]
    assert "没有入账" in refused["body"]
    await platform.eventually(platform.settled)
    assert len(of_kind(await inbox_of(platform, admin), "payment_notification_refused")) == 1
    # Operators see the same: four quarters' bills unpaid, 600.00 yuan billed, nothing paid yet;
    # the refused notification went to the admin's inbox (and the development log channel).
    billing_metrics = (await billing(platform).get("/metrics")).text
    assert 'linli_bills{status="issued"} 4.0' in billing_metrics
    assert 'linli_bills_fen{what="billed"} 60000.0' in billing_metrics
    assert 'linli_bills_fen{what="paid"} 0.0' in billing_metrics
    registry_metrics = (await platform.clients["registry"].get("/metrics")).text
    assert "linli_notification_deliveries{" in registry_metrics


async def _kind(platform: Platform, headers: dict[str, str], kind: str) -> list[dict[str, Any]]:
    return of_kind(await inbox_of(platform, headers), kind)
