"""The chain is the record of a vote: ballots edited in the database, before closing or after,
are named by the audit verification, receipts are checked against the chain, and the
supervisory committee cannot certify a tally the chained ballots do not give."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from shared.auth import Grant, Role
from shared.contracts.deliberation import ExecutionTaskCreated, MaintenanceFundUsePassed
from tests.api.conftest import Platform
from tests.api.deliberation.builders import (
    Compound,
    build_compound,
    days,
    hold_audit_chainer,
    outbox_events,
    owner,
    seat_bodies,
    set_clock,
    synced,
)
from tests.api.deliberation.flow import Walk, ballot, call, to_awaiting_vote, to_open_vote, to_planning


@pytest.fixture
async def small(platform: Platform) -> Compound:
    """Two buildings of six dwellings; the last one still the developer's."""
    compound = await build_compound(platform, buildings=2, per_building=6, unsold=1, name="南坪小院")
    await seat_bodies(platform, compound, council=1, committee=5, supervisors=1)
    await synced(platform, compound)
    return compound


async def tamper(platform: Platform, sql: str, **params: Any) -> None:
    """Someone with the database file edits it behind the service's back."""
    runtime = platform.apps["deliberation"].state.runtime
    async with runtime.db.sessionmaker() as session:
        await session.execute(text(sql), params)
        await session.commit()


async def everyone_votes_for(platform: Platform, small: Compound, walk: Walk) -> dict[int, str]:
    """The eleven owners vote for; returns each owner's receipt. The chainer then chains them."""
    receipts = {}
    for d in small.dwellings[:-1]:
        person = d["owners"][0]
        cast = await call(
            platform, "POST", f"/votes/{walk.vote_id}/ballots", owner(platform, small, person), ballot(walk), expect=201
        )
        receipts[person] = cast[0]["receipt"]
    await platform.apps["deliberation"].state.runtime.tick("audit_chain")
    return receipts


async def flip(platform: Platform, walk: Walk, persons: list[int]) -> None:
    await tamper(
        platform,
        "UPDATE ballots SET choice = 'against' WHERE vote_id = :v AND person_key IN ("
        + ",".join(f"'owner:{p}'" for p in persons)
        + ")",
        v=walk.vote_id,
    )


async def verify(platform: Platform, small: Compound, walk: Walk) -> dict[str, Any]:
    answer: dict[str, Any] = await call(
        platform, "GET", f"/compounds/{small.compound_id}/audit/verify", walk.supervisor
    )
    return answer


async def test_ballots_flipped_in_the_database_before_closing_are_named_and_cannot_be_certified(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small)
    receipts = await everyone_votes_for(platform, small, walk)
    intact = await verify(platform, small, walk)
    assert intact["ok"] is True
    assert intact["ballots_checked"] == 11
    # Six of the eleven "for" ballots are turned into "against" in the SQLite file.
    flipped = sorted(receipts)[:6]
    await flip(platform, walk, flipped)
    found = await verify(platform, small, walk)
    assert found["ok"] is False
    assert found["reason"] == "选票表中的选择与审计链不符（被改动）"
    assert found["disagreement"]["field"] == "choice"
    assert (found["disagreement"]["chain"], found["disagreement"]["table"]) == ("for", "against")
    assert found["disagreement"]["vote_id"] == walk.vote_id
    assert found["disagreement"]["receipt"] == receipts[flipped[0]]
    entry = await call(
        platform, "GET", f"/compounds/{small.compound_id}/audit?after_seq={found['first_bad_seq'] - 1}&limit=1",
        walk.supervisor,
    )  # fmt: skip
    assert entry[0]["action"] == "ballot_cast"
    assert receipts[flipped[0]] in entry[0]["body"]
    # The voter's receipt check reads the chain: still counted as "for".
    check = await call(platform, "GET", f"/votes/{walk.vote_id}/receipts/{receipts[flipped[0]]}", walk.resident)
    assert check["counted_as"] == "for"
    assert check["in_chain"] is True
    # Closing tallies the edited table (5 for, 6 against: rejected); the verification still
    # names the first flipped ballot, and the supervisory committee cannot certify.
    set_clock(platform, walk.t0 + days(20))
    closed = await call(platform, "POST", f"/votes/{walk.vote_id}/close", walk.committee[0])
    assert closed["outcome"] == "rejected"
    after = await verify(platform, small, walk)
    assert after["ok"] is False
    assert after["disagreement"]["receipt"] == receipts[flipped[0]]
    refused = await call(platform, "POST", f"/votes/{walk.vote_id}/tally/certify", walk.supervisor, expect=409)
    assert refused["error"]["code"] == "records_differ_from_chain"
    assert refused["error"]["message"].startswith("选票或计票结果与审计链不符，不能确认")
    published = await call(platform, "GET", f"/votes/{walk.vote_id}/receipts", walk.resident)
    assert [(g["choice"], len(g["receipts"])) for g in published] == [("for", 11)]
    # Putting the ballots back leaves the tally computed from the edit: that is named too.
    await tamper(platform, "UPDATE ballots SET choice = 'for' WHERE vote_id = :v", v=walk.vote_id)
    recount = await verify(platform, small, walk)
    assert recount["ok"] is False
    assert recount["reason"] == "按审计链中的选票重新计票，与计票记录不符"
    assert recount["disagreement"]["field"] == "tally.outcome"
    assert (recount["disagreement"]["chain"], recount["disagreement"]["table"]) == ("passed", "rejected")


async def test_ballots_and_results_edited_after_closing_are_named(platform: Platform, small: Compound) -> None:
    walk = await to_open_vote(platform, small)
    receipts = await everyone_votes_for(platform, small, walk)
    set_clock(platform, walk.t0 + days(20))
    closed = await call(platform, "POST", f"/votes/{walk.vote_id}/close", walk.committee[0])
    assert closed["outcome"] == "passed"
    assert (await verify(platform, small, walk))["ok"] is True
    # After closing someone flips six ballots and the published outcome with them.
    flipped = sorted(receipts)[:6]
    await flip(platform, walk, flipped)
    await tamper(platform, "UPDATE votes SET outcome = 'rejected' WHERE id = :v", v=walk.vote_id)
    found = await verify(platform, small, walk)
    assert found["ok"] is False
    assert found["disagreement"]["field"] == "choice"
    assert found["disagreement"]["receipt"] == receipts[flipped[0]]
    check = await call(platform, "GET", f"/votes/{walk.vote_id}/receipts/{receipts[flipped[0]]}", walk.resident)
    assert (check["counted_as"], check["in_published_tally"]) == ("for", True)
    # With the ballots put back, the edited outcome is what is left to name.
    await tamper(platform, "UPDATE ballots SET choice = 'for' WHERE vote_id = :v", v=walk.vote_id)
    outcome = await verify(platform, small, walk)
    assert outcome["ok"] is False
    assert outcome["reason"] == "公布的表决结果与审计链中的计票记录不符"
    assert (outcome["disagreement"]["chain"], outcome["disagreement"]["table"]) == ("passed", "rejected")
    refused = await call(platform, "POST", f"/votes/{walk.vote_id}/tally/certify", walk.supervisor, expect=409)
    assert refused["error"]["code"] == "records_differ_from_chain"
    # A deleted ballot is named as well.
    await tamper(platform, "UPDATE votes SET outcome = 'passed' WHERE id = :v", v=walk.vote_id)
    assert (await verify(platform, small, walk))["ok"] is True
    await tamper(platform, "DELETE FROM ballots WHERE receipt = :r", r=receipts[flipped[1]])
    deleted = await verify(platform, small, walk)
    assert deleted["disagreement"]["field"] == "ballot"
    assert deleted["disagreement"]["receipt"] == receipts[flipped[1]]
    assert deleted["reason"] == "审计链中的选票在选票表中缺失（被删除）"


async def test_a_paper_ballot_counts_only_once_its_witness_confirms_it_with_their_own_login(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small)
    vid = walk.vote_id
    # The committee member at the counter types the supervisor's id as witness of sheet P-7.
    sheet = {"dwelling_id": small.dwellings[0]["dwelling_id"], "sheet_no": "P-7", **ballot(walk, "against")}
    entered = await call(
        platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0],
        {**sheet, "witness_person_id": small.supervisors[0]}, expect=201,
    )  # fmt: skip
    assert entered[0]["awaiting_witness"] is True
    turnout = await call(platform, "GET", f"/votes/{vid}/turnout", walk.resident)
    assert turnout["voted_persons"] == 0
    check = await call(platform, "GET", f"/votes/{vid}/receipts/{entered[0]['receipt']}", walk.resident)
    assert (check["counted_as"], check["awaiting_witness"]) == ("against", True)
    # The member who entered it, or another committee member, cannot confirm in the witness's name.
    for someone in (walk.committee[0], walk.committee[1]):
        refused = await call(
            platform, "POST", f"/votes/{vid}/paper-ballots/P-7/witness", someone, {"confirm": True}, expect=403
        )
        assert refused["error"]["code"] == "not_the_witness"
        assert refused["error"]["message"] == "只有选票上登记的见证人本人可以确认或拒绝"
    confirmed = await call(
        platform, "POST", f"/votes/{vid}/paper-ballots/P-7/witness", walk.supervisor, {"confirm": True}
    )
    assert [b["awaiting_witness"] for b in confirmed] == [False]
    again = await call(
        platform, "POST", f"/votes/{vid}/paper-ballots/P-7/witness", walk.supervisor, {"confirm": True}, expect=409
    )
    assert again["error"]["code"] == "already_confirmed"
    assert (await call(platform, "GET", f"/votes/{vid}/turnout", walk.resident))["voted_persons"] == 1
    # A second sheet is refused by its witness (with a reason): the owner may then vote online.
    second = {"dwelling_id": small.dwellings[1]["dwelling_id"], "sheet_no": "P-8", **ballot(walk)}
    await call(
        platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0],
        {**second, "witness_person_id": small.supervisors[0]}, expect=201,
    )  # fmt: skip
    no_reason = await call(
        platform, "POST", f"/votes/{vid}/paper-ballots/P-8/witness", walk.supervisor, {"confirm": False}, expect=422
    )
    assert no_reason["error"]["message"] == "不予确认须写明理由"
    await call(
        platform, "POST", f"/votes/{vid}/paper-ballots/P-8/witness", walk.supervisor,
        {"confirm": False, "reason": "选票未经业主签名"},
    )  # fmt: skip
    await call(
        platform, "POST", f"/votes/{vid}/ballots", owner(platform, small, small.dwellings[1]["owners"][0]),
        ballot(walk), expect=201,
    )  # fmt: skip
    # A third sheet is never confirmed: at closing it does not count.
    third = {"dwelling_id": small.dwellings[2]["dwelling_id"], "sheet_no": "P-9", **ballot(walk)}
    await call(
        platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0],
        {**third, "witness_person_id": small.supervisors[0]}, expect=201,
    )  # fmt: skip
    dup = await call(
        platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0],
        {**third, "dwelling_id": small.dwellings[3]["dwelling_id"], "witness_person_id": small.supervisors[0]},
        expect=409,
    )  # fmt: skip
    assert dup["error"]["code"] == "sheet_exists"
    await platform.apps["deliberation"].state.runtime.tick("audit_chain")
    set_clock(platform, walk.t0 + days(20))
    await call(platform, "POST", f"/votes/{vid}/close", walk.committee[0])
    tally = await call(platform, "GET", f"/votes/{vid}/tally", walk.resident)
    strict = tally["items"][0]["strict"]
    assert (strict["participating_persons"], strict["for_persons"], strict["against_persons"]) == (2, 1, 1)
    late = await call(
        platform, "POST", f"/votes/{vid}/paper-ballots/P-9/witness", walk.supervisor, {"confirm": True}, expect=409
    )
    assert late["error"]["code"] == "vote_closed"
    verified = await verify(platform, small, walk)
    assert verified["ok"] is True, verified
    assert verified["ballots_checked"] == 3


async def test_the_developer_votes_online_and_by_proxy_through_its_recorded_representative(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small)
    vid = walk.vote_id
    # The developer's sales manager signs in with her own registry account: no role in the compound.
    manager, agent = 9_100_001, 9_100_002
    manager_login = platform.token(person=manager)
    agent_login = platform.token(person=agent)
    refused = await call(platform, "POST", f"/votes/{vid}/ballots", manager_login, ballot(walk), expect=403)
    assert refused["error"]["code"] == "not_an_owner"
    unread = await call(platform, "GET", f"/votes/{vid}", manager_login, expect=403)
    assert unread["error"]["code"] == "not_in_compound"
    # The owners' committee is the developer's counterpart: it cannot name the developer's voice.
    appointment = {"person_id": manager, "developer_name": "重庆长生置业有限公司", "document_ref": "授权-2026-031"}
    path = f"/compounds/{small.compound_id}/developer-representative"
    not_theirs = await call(platform, "PUT", path, walk.committee[0], appointment, expect=403)
    assert not_theirs["error"]["code"] == "not_place_admin"
    community_admin = platform.token(Grant(Role.community_admin, "community", small.community_id), person=9_100_009)
    recorded = await call(platform, "PUT", path, community_admin, appointment)
    assert (recorded["person_id"], recorded["developer_name"]) == (manager, "重庆长生置业有限公司")
    assert (await call(platform, "GET", path, walk.resident))["document_ref"] == "授权-2026-031"
    # Recorded, she reads the vote she is to cast the developer's ballot in, as owners do.
    assert (await call(platform, "GET", f"/votes/{vid}", manager_login))["id"] == vid
    # She appoints a proxy in writing; the agent casts the developer's ballot.
    await call(
        platform, "POST", f"/votes/{vid}/proxies", manager_login,
        {"principal_person_id": manager, "agent_person_id": agent, "mandate": "代为就本次表决全部事项投票"},
        expect=201,
    )  # fmt: skip
    by_proxy = await call(
        platform, "POST", f"/votes/{vid}/ballots", agent_login,
        {**ballot(walk, "against"), "on_behalf_of_person_id": manager}, expect=201,
    )  # fmt: skip
    assert by_proxy[0]["via"] == "proxy"
    # The developer is one person: casting again, online or on paper, is refused; she may change it.
    again = await call(platform, "POST", f"/votes/{vid}/ballots", manager_login, ballot(walk), expect=409)
    assert again["error"]["message"] == "开发建设单位未售或未交付房屋合计为一人，已投过票"
    sheet = {
        "dwelling_id": small.dwellings[-1]["dwelling_id"], "sheet_no": "D-1", "witness_person_id": small.supervisors[0],
        **ballot(walk),
    }  # fmt: skip
    await call(platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0], sheet, expect=409)
    changed = await call(platform, "PUT", f"/votes/{vid}/ballots/mine", manager_login, ballot(walk, "for"))
    assert (changed[0]["via"], changed[0]["choice"], changed[0]["version"]) == ("online", "for", 2)
    mine = await call(platform, "GET", f"/votes/{vid}/ballots/mine", manager_login)
    assert [b["choice"] for b in mine] == ["for"]
    await platform.apps["deliberation"].state.runtime.tick("audit_chain")
    set_clock(platform, walk.t0 + days(20))
    await call(platform, "POST", f"/votes/{vid}/close", walk.committee[0])
    strict = (await call(platform, "GET", f"/votes/{vid}/tally", walk.resident))["items"][0]["strict"]
    assert (strict["participating_persons"], strict["for_persons"]) == (1, 1)
    assert Decimal(strict["participating_area_m2"]) == small.dwellings[-1]["area"]
    assert (await verify(platform, small, walk))["ok"] is True


async def test_nothing_is_billed_dispatched_or_codified_before_the_supervisory_committee_certifies(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small)
    await everyone_votes_for(platform, small, walk)
    set_clock(platform, walk.t0 + days(20))
    assert (await call(platform, "POST", f"/votes/{walk.vote_id}/close", walk.committee[0]))["outcome"] == "passed"
    # Passed, not yet certified: no fund withdrawal, no work order, no clause.
    assert await outbox_events(platform, MaintenanceFundUsePassed.event_type) == []
    p = await walk.proposal(platform)
    early = await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/execution", walk.committee[0], {"version": p["version"]},
        expect=409,
    )  # fmt: skip
    assert early["error"]["code"] == "tally_not_certified"
    assert early["error"]["message"].startswith(f"表决 {walk.vote_id} 的计票结果尚未经监委会确认")
    convention = await call(
        platform, "POST", "/conventions", walk.committee[0],
        {"compound_id": small.compound_id, "level": "compound", "place_id": small.compound_id, "title": "南坪小院公约"},
        expect=201,
    )  # fmt: skip
    clause = {"proposal_id": walk.proposal_id, "text": "单元门禁卡按户发放。"}
    too_soon = await call(
        platform, "POST", f"/conventions/{convention['id']}/clauses", walk.committee[0], clause, expect=409
    )
    assert too_soon["error"]["code"] == "tally_not_certified"
    # The supervisory committee certifies: the fund use goes to billing, the work may start.
    await call(platform, "POST", f"/votes/{walk.vote_id}/tally/certify", walk.supervisor)
    assert len(await outbox_events(platform, MaintenanceFundUsePassed.event_type)) == 1
    p = await walk.proposal(platform)
    await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/execution", walk.committee[0], {"version": p["version"]}
    )
    await call(
        platform, "POST", f"/proposals/{walk.proposal_id}/milestones", walk.committee[0],
        {"title": "更换单元门禁", "category": "electrical", "dispatch": True}, expect=201,
    )  # fmt: skip
    assert len(await outbox_events(platform, ExecutionTaskCreated.event_type)) == 1
    adopted = await call(
        platform, "POST", f"/conventions/{convention['id']}/clauses", walk.committee[0], clause, expect=201
    )
    assert adopted["clauses"][0]["vote_id"] == walk.vote_id


async def test_a_levy_needs_a_special_matter_and_the_compound_convention_needs_the_owners(
    platform: Platform, small: Compound
) -> None:
    # A plan paid by the owners themselves is classified as ordinary matters only: refused.
    levy = {
        "summary": "楼道照明改造，业主按面积出资", "budget_fen": 300_000, "funding_source": "levy",
        "levy_total_fen": 300_000,
    }  # fmt: skip
    walk = await to_awaiting_vote(platform, small, levy)
    p = await walk.proposal(platform)
    ordinary = await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/classification", walk.committee[0],
        {"version": p["version"], "items": [{"title": "楼道照明改造", "matter": "other_major"}]}, expect=422,
    )  # fmt: skip
    assert ordinary["error"]["code"] == "levy_needs_special_majority"
    assert "双四分之三" in ordinary["error"]["message"]
    p = await walk.proposal(platform)
    assert p["classification"] == []
    await call(
        platform, "PUT", f"/proposals/{walk.proposal_id}/classification", walk.committee[0],
        {"version": p["version"], "items": [{"title": "业主出资改造楼道照明", "matter": "raise_maintenance_fund"}]},
    )  # fmt: skip
    # The committee alone decides a repair from the fund pool: fine for the work, not for the compound's rules.
    alone = await to_planning(platform, small, "修补花坛")
    p = await alone.proposal(platform)
    await call(
        platform, "PUT", f"/proposals/{alone.proposal_id}/plan", alone.committee[0],
        {"version": p["version"], "summary": "修补花坛", "budget_fen": 50_000, "funding_source": "fund_pool"},
    )  # fmt: skip
    for member in alone.committee[:3]:
        await call(platform, "POST", f"/proposals/{alone.proposal_id}/plan/committee-votes", member, {"choice": "for"})
    assert (await alone.proposal(platform))["status"] == "passed"
    compound_rules = await call(
        platform, "POST", "/conventions", alone.committee[0],
        {"compound_id": small.compound_id, "level": "compound", "place_id": small.compound_id, "title": "南坪小院公约"},
        expect=201,
    )  # fmt: skip
    refused = await call(
        platform, "POST", f"/conventions/{compound_rules['id']}/clauses", alone.committee[0],
        {"proposal_id": alone.proposal_id, "text": "花坛由业委会统一管理。"}, expect=409,
    )  # fmt: skip
    assert refused["error"]["code"] == "needs_owners_decision"
    assert refused["error"]["message"].startswith("小区公约即管理规约，须经业主共同决定")
    # A building's own convention may record the committee's decision.
    building_rules = await call(
        platform, "POST", "/conventions", alone.committee[0],
        {"compound_id": small.compound_id, "level": "building", "place_id": small.building_ids[0], "title": "1栋公约"},
        expect=201,
    )  # fmt: skip
    await call(
        platform, "POST", f"/conventions/{building_rules['id']}/clauses", alone.committee[0],
        {"proposal_id": alone.proposal_id, "text": "花坛由本栋住户轮流照看。"}, expect=201,
    )  # fmt: skip


async def test_building_heads_see_who_has_voted_in_their_building_and_the_supervisors_see_paper_and_proxies(
    platform: Platform, small: Compound
) -> None:
    walk = await to_open_vote(platform, small)
    # The last step edits a ballot before the chainer reaches it: the chainer must not run first.
    hold_audit_chainer(platform)
    vid = walk.vote_id
    first, second = small.building_ids
    d0, d1, d2 = small.dwellings[:3]
    await call(
        platform, "POST", f"/votes/{vid}/ballots", owner(platform, small, d0["owners"][0]), ballot(walk), expect=201
    )
    await call(
        platform, "POST", f"/votes/{vid}/paper-ballots", walk.committee[0],
        {"dwelling_id": d1["dwelling_id"], "sheet_no": "P-1", "witness_person_id": small.supervisors[0],
         **ballot(walk, "against")},
        expect=201,
    )  # fmt: skip
    await call(
        platform, "POST", f"/votes/{vid}/proxies", owner(platform, small, d2["owners"][0]),
        {"principal_person_id": d2["owners"][0], "agent_person_id": 9_200_001, "mandate": "代为就本次表决投票"},
        expect=201,
    )  # fmt: skip
    # The proposal shows its vote, and lists its votes.
    shown = await walk.proposal(platform)
    assert [(v["id"], v["status"], v["tally_certified"]) for v in shown["votes"]] == [(vid, "open", False)]
    listed = await call(platform, "GET", f"/proposals/{walk.proposal_id}/votes", walk.resident)
    assert [v["id"] for v in listed] == [vid]
    assert listed[0]["items"][0]["title"] == "使用维修资金更换门禁"
    # The head of building 1 knocks on the doors of those who have not voted: who, never how.
    head = platform.token(Grant(Role.building_head, "building", first), person=9_200_002)
    roll = await call(platform, "GET", f"/votes/{vid}/roll?building_id={first}", head)
    assert (roll["number"], roll["persons"], roll["voted_persons"]) == ("1", 6, 1)
    doors = {r["dwelling_id"]: (r["voted"], r["awaiting_witness"]) for r in roll["dwellings"]}
    assert doors[d0["dwelling_id"]] == (True, False)
    assert doors[d1["dwelling_id"]] == (False, True)
    assert doors[d2["dwelling_id"]] == (False, False)
    assert all(set(r) == {"dwelling_id", "room", "voted", "awaiting_witness"} for r in roll["dwellings"])
    assert "against" not in str(roll)
    assert "choice" not in str(roll)
    other = await call(platform, "GET", f"/votes/{vid}/roll?building_id={second}", head, expect=403)
    assert other["error"]["code"] == "not_building_head"
    assert other["error"]["message"] == "只有本栋楼栋长及本小区业委会、监委会可查看本栋的表决名册"
    await call(platform, "GET", f"/votes/{vid}/roll?building_id={first}", walk.resident, expect=403)
    await call(platform, "GET", f"/votes/{vid}/paper-ballots", head, expect=403)
    # The supervisory committee checks the paper sheets and the proxies.
    sheets = await call(platform, "GET", f"/votes/{vid}/paper-ballots", walk.supervisor)
    assert len(sheets) == 1
    sheet = sheets[0]
    assert (sheet["sheet_no"], sheet["awaiting_witness"], sheet["witness_person_id"]) == (
        "P-1", True, small.supervisors[0],
    )  # fmt: skip
    assert sheet["entered_by_person_id"] == small.committee[0]
    assert [d["dwelling_id"] for d in sheet["dwellings"]] == [d1["dwelling_id"]]
    assert sheet["dwellings"][0]["building_number"] == "1"
    assert sheet["choices"] == [{"item_id": walk.items[0], "choice": "against"}]
    proxies = await call(platform, "GET", f"/votes/{vid}/proxies", walk.supervisor)
    assert [(p["principal_person_id"], p["agent_person_id"]) for p in proxies] == [(d2["owners"][0], 9_200_001)]
    # A ballot edited before the chainer's round still disagrees with its own receipt.
    await tamper(platform, "UPDATE ballots SET choice = 'against' WHERE person_key = :k", k=f"owner:{d0['owners'][0]}")
    found = await verify(platform, small, walk)
    assert found["ok"] is False
    assert found["unchained_ballots"] == 1
    assert found["reason"] == "选票的选择与其收据不符（被改动）"
