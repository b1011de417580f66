"""The demo street a newcomer gets from `make run`: six accounts, each logging in with the roles
the README promises."""

from __future__ import annotations

from services.registry.demo import add_demo_organisation, add_demo_people, build_demo_street
from tests.api.conftest import Platform

EXPECTED_ROLES = {
    "13800000001": {"street_admin"},
    "13800000002": {"grid_worker", "resident", "owner"},
    "13800000003": {"party_member", "resident", "owner"},
    "13800000004": {"resident", "owner", "building_head", "council"},
    "13800000005": {"owners_committee", "resident", "owner"},
    "13800000006": {"supervisory_committee", "resident", "owner"},
}


async def test_every_demo_account_logs_in_with_its_roles(platform: Platform) -> None:
    runtime = platform.apps["registry"].state.runtime
    async with runtime.db.sessionmaker() as session:
        demo = await build_demo_street(session)
        await add_demo_people(session, platform.settings, demo)
        await add_demo_organisation(session, demo)
        await session.commit()
    registry = platform.clients["registry"]
    for mobile, roles in EXPECTED_ROLES.items():
        answer = await registry.post("/api/v1/registry/auth/token", json={"mobile": mobile, "password": "linli-demo"})
        assert answer.status_code == 200, answer.text
        assert {r["role"] for r in answer.json()["roles"]} >= roles, mobile
    plumber = await registry.post(
        "/api/v1/registry/auth/token", json={"mobile": "13800000003", "password": "linli-demo"}
    )
    token = {"Authorization": f"Bearer {plumber.json()['access_token']}"}
    members = (await registry.get("/api/v1/registry/party-members", headers=token)).json()
    assert [(m["name"], sorted(m["skills"])) for m in members] == [("赵师傅", ["electrician", "plumber", "repair"])]
    tree = (await registry.get(f"/api/v1/registry/compounds/{demo.old_compound_id}/tree", headers=token)).json()
    assert tree["totals"]["dwellings"] == 12
    assert tree["buildings"][0]["entrances"][0]["dwellings"][4]["area_m2"] == "86.50"
