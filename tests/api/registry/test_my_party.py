"""赵师傅 opens the party member's screens: GET /me/party names his own member record (the id
dispatch's offers and points use), his in-service ledger, the compound he lives in and the post
he checked in to (水电维修服务岗). 王秀英, who is not a party member, gets a clear 404 and
nothing else; there is no parameter to ask about anyone else."""

from __future__ import annotations

from tests.api.conftest import Platform
from tests.api.registry.builders import demo_login, seed_demo_street

API = "/api/v1/registry"


async def test_zhao_sees_his_own_membership_and_check_in(platform: Platform) -> None:
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    answer = await registry.get(f"{API}/me/party", headers=await demo_login(platform, "13800000003"))
    assert answer.status_code == 200, answer.text
    mine = answer.json()
    assert mine["name"] == "赵师傅"
    assert (mine["ledger"], mine["may_check_in"], mine["on_duty"]) == ("in_service", True, True)
    assert mine["home_compound_name"] == "杏花岭片区·老旧小区"
    assert mine["check_in"]["post"] == "水电维修服务岗"
    assert mine["check_in"]["compound_id"] == mine["home_compound_id"]

    # The id is his own member record: the party member list (staff's view) agrees.
    li = await demo_login(platform, "13800000001")
    members = (await registry.get(f"{API}/party-members", headers=li)).json()
    assert mine["party_member_id"] in [m["id"] for m in members]


async def test_a_resident_who_is_not_a_member_gets_a_clear_404(platform: Platform) -> None:
    await seed_demo_street(platform)
    answer = await platform.clients["registry"].get(
        f"{API}/me/party", headers=await demo_login(platform, "13800000004")
    )
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "not_a_party_member"
    assert error["message"] == "您不是已登记的党员"
