"""Seed 004: 以业主满意度为重点的业委会履职评价机制, and 党组织引领下的业委会纠错和退出机制. In 长生桥镇
移民小区 (twelve homes, twelve owners) the community sets the bar (below 60% satisfied, or 20% of
the households asking, opens a correction), the supervisory committee opens the year's rating,
each household answers once and anonymously, the result is published only at the closing and,
low as it is, opens a correction or recall proposal (art. 278 item 3) that starts on the 131 path
with the party organisation's triage. Three households asking (25%) open one as well."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import inspect as sa_inspect

from services.deliberation.evaluations.models import EvaluationScore
from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.deliberation.builders import (
    DELIBERATION,
    build_compound,
    days,
    now,
    owner,
    seat_bodies,
    set_clock,
    synced,
)
from tests.api.deliberation.flow import call, to_awaiting_vote
from tests.helpers import refused


async def test_a_low_rating_and_the_owners_request_open_a_correction_on_the_131_path(platform: Platform) -> None:
    compound = await build_compound(platform, buildings=2, per_building=6)
    await seat_bodies(platform, compound, council=1, committee=3, supervisors=1)
    await synced(platform, compound)
    t0 = now(platform)
    set_clock(platform, t0)
    cid = compound.compound_id
    admin = platform.token(Grant(Role.community_admin, "community", compound.community_id))
    supervisor = owner(platform, compound, compound.supervisors[0])
    chair = owner(platform, compound, compound.committee[0])
    owners = [owner(platform, compound, p) for p in compound.owners]
    client = platform.clients["deliberation"]

    # The thresholds are the community's to set, not the committee's being rated.
    rules = await call(platform, "GET", f"/compounds/{cid}/committee-evaluation/rules", chair)
    assert (rules["own"], rules["min_satisfaction_percent"], rules["recall_share_percent"]) == (False, "60.00", "20.00")
    body = {"min_satisfaction_percent": 60, "recall_share_percent": 20}
    refused(
        await client.put(f"{DELIBERATION}/compounds/{cid}/committee-evaluation/rules", json=body, headers=chair), 403
    )
    rules = await call(platform, "PUT", f"/compounds/{cid}/committee-evaluation/rules", admin, body)
    assert (rules["own"], rules["version"]) == (True, 1)

    # The supervisory committee opens the year's rating; an owner may not.
    round_in = {"year": t0.year, "closes_at": (t0 + days(14)).isoformat()}
    path = f"{DELIBERATION}/compounds/{cid}/committee-evaluations"
    refused(await client.post(path, json=round_in, headers=owners[0]), 403)
    evaluation = await call(platform, "POST", f"/compounds/{cid}/committee-evaluations", supervisor, round_in, 201)
    refused(await client.post(path, json=round_in, headers=admin), 409, "evaluation_exists")
    eid = evaluation["id"]
    assert (evaluation["open"], evaluation["households"], evaluation["answers"]) == (True, 12, 0)

    # Ten households answer: three satisfied, seven not. A household answers once.
    scores = [5, 4, 4, 2, 2, 1, 3, 2, 1, 2]
    for who, score in zip(owners, scores, strict=False):
        answered = await call(
            platform, "POST", f"/committee-evaluations/{eid}/answers", who, {"score": score, "comment": "账目不公开"}
        )
        assert answered["answered_by_my_household"] is True
    again = await client.post(
        f"{DELIBERATION}/committee-evaluations/{eid}/answers", json={"score": 5}, headers=owners[0]
    )
    refused(again, 409, "already_evaluated")
    stranger = platform.token(Grant(Role.resident, "household", 999_999), person=8_000_001)
    refused(
        await client.post(f"{DELIBERATION}/committee-evaluations/{eid}/answers", json={"score": 5}, headers=stranger),
        403,
        "not_an_owner",
    )
    # While open, only how many answered: no result to sway the rest.
    shown = await call(platform, "GET", f"/committee-evaluations/{eid}", owners[11])
    assert (shown["answers"], shown["by_score"], shown["satisfied_percent"]) == (10, None, None)
    assert shown["answered_by_my_household"] is False
    refused(await client.post(f"{DELIBERATION}/committee-evaluations/{eid}/close", headers=supervisor), 409)

    # Anonymous by construction: the answers carry no household, no person.
    assert {c.name for c in sa_inspect(EvaluationScore).columns} == {"id", "evaluation_id", "score", "comment"}

    set_clock(platform, t0 + days(14) + timedelta(minutes=1))
    refused(
        await client.post(f"{DELIBERATION}/committee-evaluations/{eid}/answers", json={"score": 5}, headers=owners[11]),
        409,
        "evaluation_closed",
    )
    closed = await call(platform, "POST", f"/committee-evaluations/{eid}/close", supervisor)
    assert closed["by_score"] == [2, 4, 1, 2, 1]
    assert (closed["average_score"], closed["satisfied_percent"], closed["below_threshold"]) == ("2.60", "30.00", True)
    assert closed["comments"] == ["账目不公开"] * 10
    proposal = await call(platform, "GET", f"/proposals/{closed['proposal_id']}", owners[0])
    assert proposal["title"] == f"业委会纠错或更换成员：{t0.year}年度业主满意率 30.00%"
    assert (proposal["status_label"], proposal["origin_label"]) == ("已提交", "业委会测评或业主联名提请")
    assert "第二百七十八条第一款第三项" in proposal["description"]
    [listed] = await call(platform, "GET", f"/compounds/{cid}/committee-evaluations", owners[0])
    assert listed["proposal_id"] == proposal["id"]

    # The owners' own request: 20% of twelve households is three.
    recall: dict[str, Any] = await call(platform, "GET", f"/compounds/{cid}/committee-recall", owners[0])
    assert (recall["signed"], recall["needed"], recall["status"]) == (0, 3, None)
    for who in owners[:2]:
        recall = await call(platform, "POST", f"/compounds/{cid}/committee-recall/signatures", who)
    assert (recall["signed"], recall["status_label"], recall["proposal_id"]) == (2, "征集联名中", None)
    refused(await client.post(f"{DELIBERATION}/compounds/{cid}/committee-recall/signatures", headers=owners[0]), 409)
    recall = await call(platform, "POST", f"/compounds/{cid}/committee-recall/signatures", owners[2])
    assert (recall["signed"], recall["status"]) == (3, "proposal_opened")
    opened = await call(platform, "GET", f"/proposals/{recall['proposal_id']}", owners[0])
    assert opened["title"] == "业委会纠错或更换成员：3 户业主联名提请"

    # By hand nobody files a correction as if the owners had asked for it.
    refused(
        await client.post(
            f"{DELIBERATION}/proposals",
            json={"compound_id": cid, "title": "罢免业委会", "origin": "committee_review"},
            headers=owners[0],
        ),
        422,
    )


async def test_a_proposal_awaiting_its_vote_says_the_earliest_opening_by_the_platforms_clock(
    platform: Platform,
) -> None:
    compound = await build_compound(platform, buildings=1, per_building=6, name="南坪小院")
    await seat_bodies(platform, compound, council=1, committee=1, supervisors=1)
    await synced(platform, compound)
    walk = await to_awaiting_vote(platform, compound)
    proposal = await walk.proposal(platform)
    assert proposal["status"] == "awaiting_vote"
    at = now(platform)
    assert proposal["earliest_vote_opening"].startswith((at + days(15)).isoformat()[:16])
