"""Who may take work in a compound is the community's rule for that compound: by default the
in-service members who checked in there and the retired members who live there (seeds 000
and 001: the old compounds lean on their 老党员); mobile and directly-managed members join
where the community says so."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.dispatch.projections.models import MemberView
from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.dispatch.builders import API, Cast, xinghualing_cast
from tests.api.registry.builders import dwelling_in, resident
from tests.helpers import error, ok

WISH = {"category": "micro_wish", "title": "想请人教我用智能手机挂号", "description": "老人独居，不会用手机"}


async def neighbour(platform: Platform, cast: Cast, name: str, building: str, ledger: str) -> dict[str, Any]:
    """A party member on `ledger` who lives in the compound (only in-service members check in)."""
    home = cast.home
    place = await dwelling_in(
        platform,
        street_id=home.street_id,
        community_id=home.community_id,
        grid_id=home.grid_id,
        compound_id=home.compound_id,
        building=building,
    )
    person = await resident(platform, name, household_id=place.household_id)
    member = await platform.post(
        "/party-members", {"person_id": person["id"], "ledger": ledger, "party_org_id": cast.branch, "skills": []}
    )
    db = platform.apps["dispatch"].state.runtime.db

    async def projected() -> bool:
        async with db.sessionmaker() as session:
            row = await session.scalar(select(MemberView).where(MemberView.party_member_id == member["id"]))
            return row is not None and row.ledger == ledger

    await platform.eventually(projected)
    return {"id": member["id"], "person_id": person["id"]}


async def test_retired_members_claim_wishes_and_the_community_decides_for_the_others(platform: Platform) -> None:
    dispatch = platform.clients["dispatch"]
    cast = await xinghualing_cast(platform)
    compound = cast.home.compound_id
    zhou = await neighbour(platform, cast, "周阿姨", "6", "retired")
    wu = await neighbour(platform, cast, "吴先生", "7", "mobile")
    community = platform.token(Grant(Role.community_admin, "community", cast.home.community_id), person=800)

    # The default rule, as the compound sees it.
    rule = ok(await dispatch.get(f"{API}/eligibility/{compound}", headers=cast.resident(platform)))
    assert (rule["own"], rule["version"]) == (False, 0)
    assert [(x["label"], x["how"]) for x in rule["ledgers"]] == [
        ("在职党员", "报到（在本小区报到的在职党员）"),
        ("离退休党员", "居住（住在本小区）"),
    ]

    # 周阿姨 is retired and cannot check in; she lives here, so she claims the wish.
    first = ok(await dispatch.post(f"{API}/wishes", json=WISH, headers=cast.resident(platform)), 201)
    claimed = ok(await dispatch.post(f"{API}/wishes/{first['id']}/claim", headers=cast.member(platform, zhou)))
    assert (claimed["state"], claimed["assignee_person_id"]) == ("accepted", zhou["person_id"])

    # 吴先生 is a mobile member: not in this compound's rule yet, and he is told why.
    second = ok(await dispatch.post(f"{API}/wishes", json=WISH, headers=cast.resident(platform)), 201)
    refused = error(await dispatch.post(f"{API}/wishes/{second['id']}/claim", headers=cast.member(platform, wu)), 403)
    assert "流动党员不在本小区接单范围（本小区：在职党员、离退休党员）" in refused["message"]
    ranked = ok(await dispatch.get(f"{API}/orders/{second['id']}/candidates", headers=cast.grid_worker(platform)))
    by_name = {c["name"]: c for c in ranked}
    assert by_name["周阿姨"]["eligible"] is True
    assert "离退休党员，住在本小区" in by_name["周阿姨"]["reasons"]
    assert by_name["吴先生"]["eligible"] is False

    # Only the community (or street) sets the rule; a rule nobody fits, or a stale one, is refused.
    body = {"ledgers": ["in_service", "retired", "mobile"], "version": 0}
    error(await dispatch.put(f"{API}/eligibility/{compound}", json=body, headers=cast.grid_worker(platform)), 403)
    error(await dispatch.put(f"{API}/eligibility/{compound}", json={"ledgers": []}, headers=community), 422)
    error(await dispatch.put(f"{API}/eligibility/{compound}", json={"ledgers": ["elder"]}, headers=community), 422)
    set_rule = ok(await dispatch.put(f"{API}/eligibility/{compound}", json=body, headers=community))
    assert (set_rule["own"], set_rule["version"]) == (True, 1)
    assert set_rule["summary"] == "本小区可接单、认领微心愿的党员：在职党员、离退休党员、流动党员"
    error(await dispatch.put(f"{API}/eligibility/{compound}", json=body, headers=community), 409, "stale_version")

    # Now 吴先生 may claim; 李师傅, in service but never checked in, still may not.
    error(await dispatch.post(f"{API}/wishes/{second['id']}/claim", headers=cast.member(platform, cast.li)), 403)
    claimed = ok(await dispatch.post(f"{API}/wishes/{second['id']}/claim", headers=cast.member(platform, wu)))
    assert claimed["assignee_person_id"] == wu["person_id"]

    # The community takes retired members off the rule: 周阿姨 is told why on the next wish.
    ok(
        await dispatch.put(
            f"{API}/eligibility/{compound}", json={"ledgers": ["in_service"], "version": 1}, headers=community
        )
    )
    third = ok(await dispatch.post(f"{API}/wishes", json=WISH, headers=cast.resident(platform)), 201)
    refused = error(await dispatch.post(f"{API}/wishes/{third['id']}/claim", headers=cast.member(platform, zhou)), 403)
    assert "离退休党员不在本小区接单范围（本小区：在职党员）" in refused["message"]
