"""Seed 003 (Changshengqiao, Chongqing): the residents of an old compound of 312 dwellings decide
to enclose the courtyard and install lighting, funded by a levy in proportion to area. The
party organisation triages it as a minor matter, the council hears residents and agrees, the
owners' committee plans and adopts it, the supervisory committee co-signs the classification,
the owners vote online, by proxy and on paper, the vote closes and is tallied under Civil
Code art. 278, the supervisory committee certifies and discloses, the levy is announced to
billing, the work is dispatched, residents evaluate it and the rule lands in the convention.
The audit chain verifies, and a row tampered with raw SQL is caught."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from shared.contracts.deliberation import ClauseAdopted, ExecutionTaskCreated, LevyPassed
from tests.api.conftest import Platform
from tests.api.deliberation.builders import (
    DELIBERATION,
    Compound,
    build_compound,
    days,
    now,
    outbox_events,
    owner,
    party_lead,
    seat_bodies,
    set_clock,
    synced,
)

LEVY_TOTAL_FEN = 15_600_000  # ¥156,000 for the enclosure and the lights


async def call(
    platform: Platform, method: str, path: str, headers: dict[str, str], body: Any = None, expect: int = 200
) -> Any:
    answer = await platform.clients["deliberation"].request(method, f"{DELIBERATION}{path}", json=body, headers=headers)
    assert answer.status_code == expect, answer.text
    return answer.json()


def voting_units(compound: Compound) -> list[tuple[int, list[dict[str, Any]]]]:
    """(a person who votes for the unit, its dwellings) in dwelling order; d0 and d1 share an owner."""
    units: list[tuple[int, list[dict[str, Any]]]] = []
    seen: dict[int, int] = {}
    for d in compound.dwellings:
        if not d["owners"]:
            continue
        first = d["owners"][0]
        if first in seen:
            units[seen[first]][1].append(d)
            continue
        seen[first] = len(units)
        units.append((first, [d]))
    return units


async def test_changshengqiao_encloses_the_courtyard_and_lights_it(platform: Platform) -> None:
    compound = await build_compound(platform, buildings=6, per_building=52, unsold=4, shared_owner=True, co_owned=True)
    await seat_bodies(platform, compound)
    await synced(platform, compound)
    c = compound.compound_id
    t0 = now(platform)
    set_clock(platform, t0)
    committee = [owner(platform, compound, p) for p in compound.committee]
    council = owner(platform, compound, compound.council[0])
    supervisor = owner(platform, compound, compound.supervisors[0])
    resident = owner(platform, compound, compound.owners[0])

    # A resident puts the matter forward; the party organisation triages it as minor.
    proposal = await call(
        platform,
        "POST",
        "/proposals",
        resident,
        {
            "compound_id": c,
            "title": "围合小区并安装路灯",
            "description": "小区无围墙、夜间无路灯",
            "category": "environment",
        },
        expect=201,
    )
    pid = proposal["id"]
    assert proposal["status"] == "submitted"
    proposal = await call(
        platform,
        "POST",
        f"/proposals/{pid}/triage",
        party_lead(platform, compound),
        {"version": proposal["version"], "triage": "minor", "note": "院落自治小事"},
    )
    assert proposal["status"] == "in_council"
    assert proposal["status_label"] == "议事会商议中（办不办）"

    # The council may not resolve before hearing residents.
    await call(
        platform,
        "POST",
        f"/proposals/{pid}/council-resolution",
        council,
        {"version": proposal["version"], "resolution": "go"},
        expect=409,
    )
    meeting = await call(
        platform,
        "POST",
        f"/proposals/{pid}/meetings",
        council,
        {
            "kind": "opinion",
            "held_at": t0.isoformat(),
            "place": "3栋院坝",
            "attendee_person_ids": compound.owners[:40],
            "comments": [
                {"person_id": compound.owners[5], "text": "晚上出行不安全，支持装路灯"},
                {"person_id": compound.owners[6], "kind": "amendment", "text": "大门设门禁，保留消防通道"},
            ],
        },
        expect=201,
    )
    assert meeting["attendance"] == 40
    assert meeting["comments"][1]["kind_label"] == "修改建议"
    proposal = await call(
        platform,
        "POST",
        f"/proposals/{pid}/council-resolution",
        council,
        {"version": proposal["version"], "resolution": "go", "note": "办：围合 + 路灯，大门设门禁"},
    )
    assert proposal["status"] == "planning"

    # The committee plans how, with a levy by area, and adopts it with more than half of ALL members.
    proposal = await call(
        platform,
        "PUT",
        f"/proposals/{pid}/plan",
        committee[0],
        {
            "version": proposal["version"],
            "summary": "修建围墙与大门门禁，安装路灯 40 盏",
            "budget_fen": LEVY_TOTAL_FEN,
            "funding_source": "levy",
            "levy_total_fen": LEVY_TOTAL_FEN,
            "levy_due_date": (t0 + days(60)).date().isoformat(),
        },
    )
    assert proposal["plan"]["levy_formula"] == "by_area"
    assert proposal["plan"]["needs_owner_vote"] is True
    for member in committee[:2]:
        proposal = await call(platform, "POST", f"/proposals/{pid}/plan/committee-votes", member, {"choice": "for"})
    assert proposal["status"] == "planning"
    assert proposal["plan"]["votes_for"] == 2
    proposal = await call(platform, "POST", f"/proposals/{pid}/plan/committee-votes", committee[2], {"choice": "for"})
    assert proposal["status"] == "awaiting_vote"
    assert proposal["plan"]["adopted_at"] is not None

    # Classified under art. 278 (enclosure is rebuilding common parts: special majority) and co-signed.
    proposal = await call(
        platform,
        "PUT",
        f"/proposals/{pid}/classification",
        committee[0],
        {
            "version": proposal["version"],
            "items": [
                {"title": "围合小区、修建大门门禁（改建共有部分）", "matter": "rebuild"},
                {"title": "安装路灯并按专有面积分摊费用", "matter": "other_major"},
            ],
        },
    )
    assert [i["threshold"] for i in proposal["classification"]] == ["special", "ordinary"]
    assert proposal["classification"][0]["article_item"] == 7
    proposal = await call(
        platform, "POST", f"/proposals/{pid}/classification/cosign", supervisor, {"version": proposal["version"]}
    )
    assert proposal["classification_cosigned_by"] == compound.supervisors[0]

    # Notice: 10 days is too short; 15 days is the rule.
    notice = {"version": proposal["version"], "closes_at": (t0 + days(22)).isoformat(), "extension_days": 3}
    await call(
        platform,
        "POST",
        f"/proposals/{pid}/votes",
        committee[0],
        {**notice, "opens_at": (t0 + days(10)).isoformat()},
        expect=422,
    )
    vote = await call(
        platform,
        "POST",
        f"/proposals/{pid}/votes",
        committee[0],
        {**notice, "opens_at": (t0 + days(15)).isoformat()},
        expect=201,
    )
    vid = vote["id"]
    items = [i["id"] for i in vote["items"]]
    assert vote["status"] == "noticed"
    assert [i["matter"] for i in vote["items"]] == ["rebuild", "other_major"]
    # Frozen: the classification cannot change under a notice.
    await call(
        platform,
        "PUT",
        f"/proposals/{pid}/classification",
        committee[0],
        {
            "version": (await call(platform, "GET", f"/proposals/{pid}", resident))["version"],
            "items": [{"title": "x", "matter": "other_major"}],
        },
        expect=409,
    )

    units = voting_units(compound)
    assert len(units) == 307  # 308 sold dwellings, two of them one owner's; plus the developer = 308 persons
    both = [{"item_id": i, "choice": "for"} for i in items]
    early = await call(
        platform,
        "POST",
        f"/votes/{vid}/ballots",
        owner(platform, compound, units[10][0]),
        {"choices": both},
        expect=409,
    )
    assert early["error"]["code"] == "vote_not_open"

    set_clock(platform, t0 + days(15) + days(1 / 24))
    vote = await call(platform, "POST", f"/votes/{vid}/open", committee[0])
    assert vote["status"] == "open"

    def choices_for(position: int) -> list[dict[str, Any]]:
        choice = "for" if position < 200 else "against" if position < 230 else "abstain"
        return [{"item_id": i, "choice": choice} for i in items]

    receipts: dict[int, str] = {}
    for position, (voter, dwellings) in enumerate(units[:250]):
        if position == 5:  # by written proxy
            await call(
                platform,
                "POST",
                f"/votes/{vid}/proxies",
                committee[1],
                {
                    "principal_person_id": voter,
                    "agent_person_id": 9_000_002,
                    "mandate": "委托代为就本次围合及路灯事项投票",
                    "document_ref": "WT-2026-006",
                },
                expect=201,
            )
            agent = owner(platform, compound, 9_000_002)
            cast = await call(
                platform,
                "POST",
                f"/votes/{vid}/ballots",
                agent,
                {"choices": choices_for(position), "on_behalf_of_person_id": voter},
                expect=201,
            )
            assert cast[0]["via"] == "proxy"
        elif position == 7:  # a paper ballot entered by the committee, witnessed by the supervisory committee
            cast = await call(
                platform,
                "POST",
                f"/votes/{vid}/paper-ballots",
                committee[0],
                {
                    "dwelling_id": dwellings[0]["dwelling_id"],
                    "choices": choices_for(position),
                    "witness_person_id": compound.supervisors[0],
                    "sheet_no": "P-0008",
                },
                expect=201,
            )
            assert cast[0]["via"] == "paper"
            assert cast[0]["awaiting_witness"] is True
            # It counts once the witness confirms it with their own login.
            await call(
                platform,
                "POST",
                f"/votes/{vid}/paper-ballots/P-0008/witness",
                owner(platform, compound, compound.supervisors[0]),
                {"confirm": True},
            )
        else:
            cast = await call(
                platform,
                "POST",
                f"/votes/{vid}/ballots",
                owner(platform, compound, voter),
                {"choices": choices_for(position)},
                expect=201,
            )
        receipts[position] = cast[0]["receipt"]

    # One owner of two dwellings is one person: a second ballot "from the other dwelling" is refused.
    second = await call(
        platform,
        "POST",
        f"/votes/{vid}/ballots",
        owner(platform, compound, units[0][0]),
        {"choices": both, "dwelling_id": units[0][1][1]["dwelling_id"]},
        expect=409,
    )
    assert second["error"]["code"] == "already_voted"
    # Co-owners choose one voter: the other co-owner of dwelling 3 cannot vote again.
    co_owner = compound.dwellings[2]["owners"][1]
    await call(
        platform, "POST", f"/votes/{vid}/ballots", owner(platform, compound, co_owner), {"choices": both}, expect=409
    )
    # A voter changes their mind before closing: abstain → for, with a new receipt.
    changed = await call(
        platform,
        "PUT",
        f"/votes/{vid}/ballots/mine",
        owner(platform, compound, units[249][0]),
        {"choices": choices_for(0)},
    )
    assert changed[0]["version"] == 2
    assert changed[0]["receipt"] != receipts[249]
    receipts[249] = changed[0]["receipt"]

    turnout = await call(platform, "GET", f"/votes/{vid}/turnout", resident)
    assert turnout["persons"] == 308
    assert turnout["voted_persons"] == 250
    assert [b["number"] for b in turnout["buildings"]] == ["1", "2", "3", "4", "5", "6"]
    assert turnout["buildings"][0]["voted_persons"] == 51  # building 1: 52 dwellings, d0 and d1 one owner
    assert turnout["buildings"][5]["voted_persons"] == 0

    await call(platform, "POST", f"/votes/{vid}/close", committee[0], expect=409)  # not yet closing time
    set_clock(platform, t0 + days(22) + days(1 / 1440))
    vote = await call(platform, "POST", f"/votes/{vid}/close", committee[0])
    assert vote["status"] == "closed"
    assert vote["outcome"] == "passed"
    twice = await call(platform, "POST", f"/votes/{vid}/close", committee[0], expect=409)
    assert twice["error"]["code"] == "illegal_transition"
    late = await call(
        platform,
        "POST",
        f"/votes/{vid}/ballots",
        owner(platform, compound, units[260][0]),
        {"choices": both},
        expect=409,
    )
    assert late["error"]["code"] == "vote_closed"

    # The published tally: both legs, both thresholds, exact ratios, per building.
    tally = await call(platform, "GET", f"/votes/{vid}/tally", resident)
    enclosure = tally["items"][0]
    strict = enclosure["strict"]
    total_area = sum((d["area"] for d in compound.dwellings), Decimal(0))
    voted_area = sum((d["area"] for _, ds in units[:250] for d in ds), Decimal(0))
    for_area = sum(
        (d["area"] for pos, (_, ds) in enumerate(units[:250]) if pos < 200 or pos == 249 for d in ds), Decimal(0)
    )
    assert Decimal(strict["total_area_m2"]) == total_area
    assert strict["total_persons"] == 308
    assert Decimal(strict["participating_area_m2"]) == voted_area
    assert strict["participating_persons"] == 250
    assert Decimal(strict["for_area_m2"]) == for_area
    assert strict["for_persons"] == 201
    assert strict["against_persons"] == 30
    assert strict["abstain_persons"] == 19
    assert strict["approval_persons"] == "201/250"
    assert strict["participation_persons"] == "125/154"
    assert strict["quorum_reached"]
    assert strict["approved"]
    assert enclosure["threshold"] == "special"
    assert enclosure["outcome"] == "passed"
    assert enclosure["rule"]["approval"].startswith("≥ 3/4")
    assert len(enclosure["buildings"]) == 6
    assert enclosure["buildings"][5]["participating_persons"] == 0

    vote = await call(platform, "POST", f"/votes/{vid}/tally/certify", supervisor)
    assert vote["tally_certified_by"] == compound.supervisors[0]
    disclosure = await call(
        platform,
        "POST",
        f"/compounds/{c}/disclosures",
        supervisor,
        {"kind": "tally", "title": "围合及路灯表决结果公示", "body": "事项一、二均获通过", "vote_id": vid},
        expect=201,
    )
    assert vote["tally_hash"] in disclosure["body"]

    # Each voter can find their receipt under the choice it was counted as; the board shows no names.
    check = await call(platform, "GET", f"/votes/{vid}/receipts/{receipts[230]}", resident)
    assert check["counted_as"] == "abstain"
    assert check["in_published_tally"] is True
    groups = await call(platform, "GET", f"/votes/{vid}/receipts", resident)
    counted_for = next(g for g in groups if g["item_id"] == items[0] and g["choice"] == "for")
    assert receipts[249] in counted_for["receipts"]
    assert len(counted_for["receipts"]) == 201

    # The levy reaches billing as an event, in proportion to area.
    levies = [json.loads(v) for v in await outbox_events(platform, LevyPassed.event_type)]
    assert len(levies) == 1
    levy = levies[0]
    assert levy["formula"] == "by_area"
    assert levy["total_fen"] == LEVY_TOTAL_FEN
    assert levy["compound_id"] == c

    async def billed() -> list[dict[str, Any]] | None:
        answer = await platform.clients["billing"].get(
            "/api/v1/billing/levies", params={"compound_id": c}, headers=platform.street_admin
        )
        return answer.json() if answer.status_code == 200 and answer.json() else None

    billing_levy = (await platform.eventually(billed, within_s=30))[0]
    assert billing_levy["decision_id"] == f"vote-{vid}"
    assert billing_levy["amount_fen"] == LEVY_TOTAL_FEN  # split by area, to the fen
    assert billing_levy["bill_count"] == 307  # every dwelling with a household

    # Execution: the enclosure work becomes a dispatch order.
    proposal = await call(platform, "GET", f"/proposals/{pid}", resident)
    assert proposal["status"] == "passed"
    assert proposal["contest_deadline"] is not None
    proposal = await call(
        platform, "POST", f"/proposals/{pid}/execution", committee[0], {"version": proposal["version"]}
    )
    milestone = await call(
        platform,
        "POST",
        f"/proposals/{pid}/milestones",
        committee[0],
        {"title": "安装路灯 40 盏", "category": "electrical", "dispatch": True},
        expect=201,
    )
    assert len(await outbox_events(platform, ExecutionTaskCreated.event_type)) == 1
    await call(
        platform, "POST", f"/proposals/{pid}/milestones/{milestone['id']}/done", committee[0], {"spent_fen": 4_200_000}
    )

    # The rule lands in the compound's convention, linked to the decision.
    convention = await call(
        platform,
        "POST",
        "/conventions",
        committee[0],
        {"compound_id": c, "level": "compound", "place_id": c, "title": "移民小区居民公约"},
        expect=201,
    )
    convention = await call(
        platform,
        "POST",
        f"/conventions/{convention['id']}/clauses",
        committee[0],
        {"proposal_id": pid, "text": "小区实行围合管理，大门门禁卡按户发放；路灯电费按专有面积分摊。"},
        expect=201,
    )
    clause = convention["clauses"][0]
    assert clause["number"] == 1
    assert clause["proposal_id"] == pid
    assert clause["vote_id"] == vid
    assert len(await outbox_events(platform, ClauseAdopted.event_type)) == 1

    # The evaluation meeting: owners rate the result, the committee concludes.
    for p in compound.owners[20:25]:
        await call(
            platform, "POST", f"/proposals/{pid}/ratings", owner(platform, compound, p), {"score": 5 if p % 2 else 4}
        )
    await call(
        platform,
        "POST",
        f"/proposals/{pid}/meetings",
        supervisor,
        {"kind": "evaluation", "held_at": t0.isoformat()},
        expect=201,
    )
    proposal = await call(platform, "GET", f"/proposals/{pid}", resident)
    proposal = await call(
        platform, "POST", f"/proposals/{pid}/evaluation", committee[0], {"version": proposal["version"]}
    )
    assert proposal["status"] == "evaluated"

    # The audit chain verifies; a ballot row changed behind the API's back is named.
    verified = await call(platform, "GET", f"/compounds/{c}/audit/verify", resident)
    assert verified["ok"] is True
    assert verified["entries"] > 250
    log = await call(platform, "GET", f"/compounds/{c}/audit?limit=1000", supervisor)
    target = next(e for e in log if e["action"] == "ballot_cast" and '"choice":"against"' in e["body"])
    await call(platform, "GET", f"/compounds/{c}/audit", resident, expect=403)
    runtime = platform.apps["deliberation"].state.runtime
    async with runtime.db.sessionmaker() as session:
        await session.execute(
            text("UPDATE audit_entries SET body = replace(body, :was, :now) WHERE compound_id = :c AND seq = :s"),
            {"was": '"choice":"against"', "now": '"choice":"for"', "c": c, "s": target["seq"]},
        )
        await session.commit()
    broken = await call(platform, "GET", f"/compounds/{c}/audit/verify", resident)
    assert broken["ok"] is False
    assert broken["first_bad_seq"] == target["seq"]
    assert "被改动" in broken["reason"]
