"""The governance dashboard's deliberation figures: 南坪小院's proposal at the vote, three owners
having voted, read from the compound up to its community as the vote's own turnout page reads."""

from __future__ import annotations

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.deliberation.builders import build_compound, owner, seat_bodies, synced
from tests.api.deliberation.flow import ballot, call, to_open_vote


async def test_proposals_by_stage_and_the_open_votes_turnout_agree_with_the_vote(platform: Platform) -> None:
    small = await build_compound(platform, buildings=2, per_building=6, unsold=1, name="南坪小院")
    await seat_bodies(platform, small, council=1, committee=5, supervisors=1)
    await synced(platform, small)
    walk = await to_open_vote(platform, small)
    for voter in small.owners[:3]:
        await call(
            platform, "POST", f"/votes/{walk.vote_id}/ballots", owner(platform, small, voter), ballot(walk), expect=201
        )
    turnout = await call(platform, "GET", f"/votes/{walk.vote_id}/turnout", walk.resident)

    admin = platform.token(Grant(Role.community_admin, "community", small.community_id))
    for level, place_id in (("compound", small.compound_id), ("community", small.community_id)):
        figures = await call(platform, "GET", f"/figures?level={level}&place_id={place_id}", admin)
        assert figures["proposals"] == 1
        assert {s["value"]: s["proposals"] for s in figures["by_stage"] if s["proposals"]} == {"voting": 1}
        [vote] = figures["votes"]
        assert (vote["compound_name"], vote["status_label"], vote["outcome"]) == ("南坪小院", "表决中", None)
        assert (vote["persons"], vote["voted_persons"]) == (turnout["persons"], turnout["voted_persons"])
        assert (vote["area_m2"], vote["voted_area_m2"]) == (turnout["area_m2"], turnout["voted_area_m2"])
        assert vote["voted_persons"] == 3
        assert vote["turnout_rate"] == round(3 / turnout["persons"], 4)
        assert figures["votes_closed"] == 0

    # The committee reads its own compound; an owner and another community's admin read nothing.
    committee = walk.committee[0]
    await call(platform, "GET", f"/figures?level=compound&place_id={small.compound_id}", committee)
    await call(platform, "GET", f"/figures?level=community&place_id={small.community_id}", committee, expect=403)
    await call(platform, "GET", f"/figures?level=compound&place_id={small.compound_id}", walk.resident, expect=403)
    stranger = platform.token(Grant(Role.community_admin, "community", small.community_id + 100))
    await call(platform, "GET", f"/figures?level=community&place_id={small.community_id}", stranger, expect=403)
    await call(platform, "GET", "/figures?level=street&place_id=99999", admin, expect=404)
