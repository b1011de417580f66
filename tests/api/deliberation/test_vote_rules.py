"""The issue's bad-input list and the rules around the vote, on a small compound of 12
dwellings: each wrong step gets a clear error and changes nothing."""

from __future__ import annotations

import asyncio
import json

import pytest

from services.deliberation.votes import closing, lookup
from shared.auth import Grant, Role
from shared.contracts.deliberation import MaintenanceFundUsePassed
from shared.contracts.dispatch import OrderReferredToDeliberation
from shared.events.outbox import emit
from tests.api.conftest import Platform
from tests.api.deliberation.builders import (
    Compound,
    build_compound,
    count_rows,
    days,
    outbox_events,
    owner,
    seat_bodies,
    set_clock,
    synced,
)
from tests.api.deliberation.flow import ballot, call, to_awaiting_vote, to_open_vote, to_planning


@pytest.fixture
async def small(platform: Platform) -> Compound:
    """Two buildings of six dwellings; the last one still the developer's."""
    compound = await build_compound(platform, buildings=2, per_building=6, unsold=1, name="南坪小院")
    await seat_bodies(platform, compound, council=1, committee=5, supervisors=1)
    await synced(platform, compound)
    return compound


async def test_a_committee_member_cannot_vote_by_proxy_and_a_non_member_cannot_vote(
    platform: Platform, small: Compound
) -> None:
    walk = await to_planning(platform, small)
    p = await walk.proposal(platform)
    await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/plan", walk.committee[0],
        {"version": p["version"], "summary": "修缮", "budget_fen": 50_000, "funding_source": "fund_pool"},
    )  # fmt: skip
    refused = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/plan/committee-votes", walk.committee[0],
        {"choice": "for", "on_behalf_of_person_id": small.committee[1]}, expect=422,
    )  # fmt: skip
    assert refused["error"]["code"] == "proxy_not_allowed"
    await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/plan/committee-votes", walk.resident, {"choice": "for"},
        expect=403,
    )  # fmt: skip
    assert (await walk.proposal(platform))["plan"]["votes_for"] == 0
    # Three of five adopt it; without a levy or a reserved matter the committee's decision stands.
    for member in walk.committee[:3]:
        p = await call(
            platform, "POST", f"/proposals/{walk.proposal_id}/plan/committee-votes", member, {"choice": "for"}
        )
    assert p["status"] == "passed"


async def test_three_noes_of_five_reject_the_plan(platform: Platform, small: Compound) -> None:
    walk = await to_planning(platform, small)
    p = await walk.proposal(platform)
    await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/plan", walk.committee[0],
        {"version": p["version"], "summary": "修缮", "budget_fen": 50_000, "funding_source": "public_revenue"},
    )  # fmt: skip
    for member in walk.committee[:3]:
        p = await call(
            platform, "POST", f"/proposals/{walk.proposal_id}/plan/committee-votes", member, {"choice": "against"}
        )
    assert p["status"] == "rejected"


async def test_stale_and_illegal_steps_are_conflicts(platform: Platform, small: Compound) -> None:
    walk = await to_planning(platform, small)
    p = await walk.proposal(platform)
    stale = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/withdraw", walk.resident,
        {"version": p["version"] - 1}, expect=409,
    )  # fmt: skip
    assert stale["error"]["code"] == "stale_version"
    illegal = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/execution", walk.committee[0],
        {"version": p["version"]}, expect=409,
    )  # fmt: skip
    assert illegal["error"]["code"] == "illegal_transition"
    assert illegal["error"]["message"].startswith("议题当前状态为")
    withdrawn = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/withdraw", walk.resident, {"version": p["version"]}
    )
    assert withdrawn["status"] == "withdrawn"


async def test_notice_needs_the_supervisory_committees_cosignature(platform: Platform, small: Compound) -> None:
    walk = await to_awaiting_vote(platform, small)
    p = await walk.proposal(platform)
    p = await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/classification", walk.committee[0],
        {"version": p["version"], "items": [{"title": "使用维修资金", "matter": "use_maintenance_fund"}]},
    )  # fmt: skip
    body = {
        "version": p["version"],
        "opens_at": (walk.t0 + days(15)).isoformat(),
        "closes_at": (walk.t0 + days(20)).isoformat(),
    }
    refused = await call(platform, "POST", f"/proposals/{walk.proposal_id}/votes", walk.committee[0], body, expect=409)
    assert refused["error"]["code"] == "classification_not_cosigned"
    await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/classification/cosign", walk.committee[0],
        {"version": p["version"]}, expect=403,
    )  # fmt: skip
    assert await count_rows(platform, "SELECT count(*) FROM votes") == 0


async def test_bad_ballots_proxies_and_paper_entries_change_nothing(platform: Platform, small: Compound) -> None:
    walk = await to_open_vote(platform, small)
    vid = walk.vote_id
    stranger = owner(platform, small, 8_800_001)
    refused = await call(platform, "POST", f"/votes/{vid}/ballots", stranger, ballot(walk), expect=403)
    assert refused["error"]["code"] == "not_an_owner"
    voter = small.dwellings[0]["owners"][0]
    no_mandate = await call(
        platform, "POST", f"/votes/{vid}/proxies", owner(platform, small, voter),
        {"principal_person_id": voter, "agent_person_id": 8_800_002, "mandate": " "}, expect=422,
    )  # fmt: skip
    assert no_mandate["error"]["message"] == "书面委托须写明委托事项与权限"
    no_proxy = await call(
        platform, "POST", f"/votes/{vid}/ballots", owner(platform, small, 8_800_002),
        {**ballot(walk), "on_behalf_of_person_id": voter}, expect=403,
    )  # fmt: skip
    assert no_proxy["error"]["code"] == "no_proxy"
    unknown_item = await call(
        platform, "POST", f"/votes/{vid}/ballots", owner(platform, small, voter),
        {"choices": [{"item_id": 999_999, "choice": "for"}]}, expect=422,
    )  # fmt: skip
    assert unknown_item["error"]["details"] == [{"field": "item_id", "value": 999_999}]
    paper = {"dwelling_id": small.dwellings[1]["dwelling_id"], "sheet_no": "P-1", **ballot(walk)}
    await call(
        platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0],
        {**paper, "witness_person_id": small.committee[0]}, expect=422,
    )  # fmt: skip
    await call(
        platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0],
        {**paper, "witness_person_id": small.owners[0]}, expect=403,
    )  # fmt: skip
    await call(
        platform,
        "POST",
        f"/votes/{vid}/paper-ballots",
        walk.resident,
        {**paper, "witness_person_id": small.committee[1]},
        expect=403,
    )
    assert await count_rows(platform, "SELECT count(*) FROM ballots") == 0
    assert await count_rows(platform, "SELECT count(*) FROM proxies") == 0
    # The developer's unsold dwelling votes on paper as one person; a second sheet for it clashes.
    developer_sheet = {
        **paper,
        "dwelling_id": small.dwellings[-1]["dwelling_id"],
        "witness_person_id": small.supervisors[0],
    }
    await call(platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0], developer_sheet, expect=201)
    again = await call(platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[1], developer_sheet, expect=409)
    assert again["error"]["code"] == "already_voted"
    # Changing a ballot one never cast is refused too.
    await call(platform, "PUT", f"/votes/{vid}/ballots/mine", owner(platform, small, voter), ballot(walk), expect=409)


async def test_an_objection_holds_the_tally_until_answered_and_the_fund_use_reaches_billing(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small)
    for d in small.dwellings[:10]:
        await call(
            platform,
            "POST",
            f"/votes/{walk.vote_id}/ballots",
            owner(platform, small, d["owners"][0]),
            ballot(walk),
            expect=201,
        )
    objection = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/objections", walk.supervisor,
        {"reason": "门禁报价未公示三家比选"}, expect=201,
    )  # fmt: skip
    await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/objections", walk.resident, {"reason": "x" * 5}, expect=403
    )
    set_clock(platform, walk.t0 + days(20))
    held = await call(platform, "POST", f"/votes/{walk.vote_id}/close", walk.committee[0], expect=409)
    assert held["error"]["code"] == "held_by_objection"
    # The ticker tries too, and leaves it for the next round.
    assert await platform.apps["deliberation"].state.runtime.tick("vote_clock") == 0
    await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/objections/{objection['id']}/answer", walk.committee[0],
        {"version": objection["version"], "answer": "已补充三家报价并公示"},
    )  # fmt: skip
    assert await platform.apps["deliberation"].state.runtime.tick("vote_clock") == 1
    vote = await call(platform, "GET", f"/votes/{walk.vote_id}", walk.resident)
    assert vote["status"] == "closed"
    assert vote["outcome"] == "passed"
    # The fund use reaches billing once the supervisory committee certifies the tally.
    assert await outbox_events(platform, MaintenanceFundUsePassed.event_type) == []
    await call(platform, "POST", f"/votes/{walk.vote_id}/tally/certify", walk.supervisor)
    uses = [json.loads(v) for v in await outbox_events(platform, MaintenanceFundUsePassed.event_type)]
    assert uses == [
        {
            "decision_id": f"vote-{walk.vote_id}",
            "proposal_id": str(walk.proposal_id),
            "compound_id": small.compound_id,
            "building_ids": small.building_ids,
            "amount_fen": 1_200_000,
            "purpose": "更换单元门禁",
        }
    ]


async def test_short_participation_extends_once_then_is_no_quorum_and_may_be_noticed_again(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small, extension_days=3, follow_majority=True)
    for d in small.dwellings[:5]:
        await call(
            platform,
            "POST",
            f"/votes/{walk.vote_id}/ballots",
            owner(platform, small, d["owners"][0]),
            ballot(walk),
            expect=201,
        )
    set_clock(platform, walk.t0 + days(20))
    vote = await call(platform, "POST", f"/votes/{walk.vote_id}/close", walk.committee[0])
    assert vote["status"] == "open"
    assert vote["extended"] is True
    early = await call(platform, "POST", f"/votes/{walk.vote_id}/close", walk.committee[0], expect=409)
    assert early["error"]["code"] == "not_yet_closing"
    set_clock(platform, walk.t0 + days(23))
    vote = await call(platform, "POST", f"/votes/{walk.vote_id}/close", walk.committee[0])
    assert vote["outcome"] == "no_quorum"
    tally = await call(platform, "GET", f"/votes/{walk.vote_id}/tally", walk.resident)
    item = tally["items"][0]
    assert item["strict"]["participating_persons"] == 5
    assert item["strict"]["total_persons"] == 12
    assert item["adjusted_outcome"] == "passed"  # the compound's rule, published beside the strict tally
    assert item["adjusted"]["participating_persons"] == 12
    p = await walk.proposal(platform)
    assert p["status"] == "no_quorum"
    # A new notice with the same (still co-signed) classification.
    again = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/votes", walk.committee[0],
        {
            "version": p["version"],
            "opens_at": (walk.t0 + days(38)).isoformat(),
            "closes_at": (walk.t0 + days(45)).isoformat(),
        },
        expect=201,
    )  # fmt: skip
    assert again["status"] == "noticed"


async def test_a_decision_is_contested_within_a_year_only(platform: Platform, small: Compound) -> None:
    walk = await to_planning(platform, small)
    p = await walk.proposal(platform)
    await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/plan", walk.committee[0],
        {"version": p["version"], "summary": "修缮", "budget_fen": 50_000, "funding_source": "fund_pool"},
    )  # fmt: skip
    for member in walk.committee[:3]:
        await call(platform, "POST", f"/proposals/{walk.proposal_id}/plan/committee-votes", member, {"choice": "for"})
    body = {"reason": "未按规定公示"}
    await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/contests", owner(platform, small, 8_800_003), body, expect=403
    )
    await call(platform, "POST", f"/proposals/{walk.proposal_id}/contests", walk.resident, body, expect=201)
    set_clock(platform, walk.t0 + days(367))
    late = await call(platform, "POST", f"/proposals/{walk.proposal_id}/contests", walk.resident, body, expect=409)
    assert late["error"]["code"] == "contest_period_over"


async def test_a_referral_from_dispatch_opens_one_proposal_however_often_it_arrives(
    platform: Platform, small: Compound
) -> None:
    dispatch = platform.apps["dispatch"].state.runtime
    referral = OrderReferredToDeliberation(
        order_id="ord-0001", compound_id=small.compound_id, household_id=None, requester_person_id=small.owners[0],
        referred_by_person_id=7_000_001, category="environment", title="楼道堆物清理", description="多户反映楼道堆物",
    )  # fmt: skip
    for _ in range(2):
        async with dispatch.db.sessionmaker() as session:
            await emit(session, referral, subject="ord-0001", key=small.compound_id)
            await session.commit()
        dispatch.relay.wake()

    async def proposals() -> list[dict[str, object]] | None:
        found = await call(
            platform, "GET", f"/proposals?compound_id={small.compound_id}", owner(platform, small, small.owners[0])
        )
        return found or None

    found = await platform.eventually(proposals)
    await platform.eventually(platform.settled)  # the second delivery has been handled too
    found = await proposals()
    assert found is not None
    assert len(found) == 1
    assert found[0]["origin"] == "dispatch"
    assert found[0]["status"] == "in_council"
    assert found[0]["origin_order_id"] == "ord-0001"


async def test_a_burst_of_ballots_loses_none_and_doubles_none(platform: Platform) -> None:
    compound = await build_compound(platform, buildings=4, per_building=30, name="大院")
    await seat_bodies(platform, compound, council=1, committee=3, supervisors=1)
    await synced(platform, compound)
    walk = await to_open_vote(platform, compound)
    voters = [d["owners"][0] for d in compound.dwellings]
    client = platform.clients["deliberation"]
    path = f"/api/v1/deliberation/votes/{walk.vote_id}/ballots"

    async def send(person: int) -> int:
        answer = await client.post(path, json=ballot(walk), headers=owner(platform, compound, person))
        return answer.status_code

    # Every owner presses "submit" twice at the same moment.
    codes = await asyncio.gather(*(send(p) for p in voters + voters))
    assert codes.count(201) == len(voters)
    assert codes.count(409) == len(voters)
    assert await count_rows(platform, "SELECT count(*) FROM ballots WHERE vote_id = :v", v=walk.vote_id) == len(voters)
    assert await count_rows(
        platform, "SELECT count(DISTINCT person_key) FROM ballots WHERE vote_id = :v", v=walk.vote_id
    ) == len(voters)
    # The chainer appends their audit entries in its next round.
    await platform.apps["deliberation"].state.runtime.tick("audit_chain")
    turnout = await call(platform, "GET", f"/votes/{walk.vote_id}/turnout", walk.resident)
    assert turnout["voted_persons"] == len(voters)
    verified = await call(platform, "GET", f"/compounds/{compound.compound_id}/audit/verify", walk.resident)
    assert verified["ok"] is True
    assert verified["unchained_ballots"] == 0
    runtime = platform.apps["deliberation"].state.runtime
    async with runtime.db.sessionmaker() as session:
        vote = await lookup.get(session, walk.vote_id)
        results = await closing.tally(session, vote)
    assert next(iter(results.values())).strict.participating.persons == len(voters)
    assert await count_rows(platform, "SELECT count(*) FROM audit_entries WHERE action = 'ballot_cast'") == len(voters)


async def test_a_compound_s_matters_are_read_by_its_people_not_by_strangers(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small)
    client = platform.clients["deliberation"]
    base = "/api/v1/deliberation"
    reads = [
        f"{base}/proposals?compound_id={small.compound_id}",
        f"{base}/proposals/{walk.proposal_id}",
        f"{base}/votes/{walk.vote_id}",
        f"{base}/votes/{walk.vote_id}/turnout",
        f"{base}/compounds/{small.compound_id}/disclosures",
    ]
    neighbour = owner(platform, small, small.owners[0])
    for path in reads:
        assert (await client.get(path, headers=neighbour)).status_code == 200, path
    # An owner in another compound, a resident of an unknown household, another street's admin.
    strangers = [
        platform.token(Grant(Role.owner, "compound", small.compound_id + 100), person=small.owners[0]),
        platform.token(Grant(Role.resident, "household", 999_999), person=8_000_001),
        platform.token(Grant(Role.street_admin, "street", 999_999), person=8_000_002),
    ]
    for headers in strangers:
        for path in reads:
            answer = await client.get(path, headers=headers)
            assert answer.status_code == 403, (path, answer.text)
            assert answer.json()["error"]["code"] == "not_in_compound"
            assert "只有本小区" in answer.json()["error"]["message"]
