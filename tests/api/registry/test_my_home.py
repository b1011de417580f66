"""王秀英 opens the residents' app on her phone: her home card (连心卡 of seed 002) shows her
dwelling 1-1-301, her household, the grid worker of 第一网格, the building head of building 1
(herself), the cadre paired with the compound and the checked-in plumber, and the 12345 hotline.
Only her own data: there is no way to ask for anyone else's home, mobiles stay masked, and a
token without a person gets a clear 404."""

from __future__ import annotations

from shared.auth import Grant, Role
from tests.api.conftest import Platform
from tests.api.registry.builders import demo_login, seed_demo_street

API = "/api/v1/registry"


async def test_wang_xiuying_sees_her_home_and_whom_to_call(platform: Platform) -> None:
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    answer = await registry.get(f"{API}/me/home", headers=await demo_login(platform, "13800000004"))
    assert answer.status_code == 200, answer.text
    home = answer.json()
    assert home["name"] == "王秀英"
    assert home["relation"] == "户主"
    assert home["dwelling"]["address"] == "1号楼1单元301室"
    assert home["dwelling"]["area_m2"] == "86.50"
    assert home["dwelling"]["owner"] is True
    assert home["household_members"] == 1
    assert (home["compound_name"], home["grid_name"], home["community_name"], home["street_name"]) == (
        "杏花岭片区·老旧小区",
        "第一网格",
        "杏花岭社区",
        "三桥街道",
    )
    card = [(c["role_label"], c["name"], c["mobile_masked"], c["detail"]) for c in home["contacts"]]
    assert card == [
        ("网格员", "张丽", "138****0002", "第一网格"),
        ("楼栋长", "王秀英", "138****0004", None),
        ("包联干部", "李建国", "138****0001", "杏花岭片区·老旧小区"),
        ("报到党员", "赵师傅", "138****0003", "水电维修服务岗"),
    ]
    assert home["hotlines"] == [{"name": "12345 政务服务便民热线", "number": "12345"}]


async def test_the_needy_neighbour_sees_the_center_household_that_helps_her(platform: Platform) -> None:
    """1-1-102 is mentored by 赵师傅's center household (1+N): his name is on that card, not on 王秀英's."""
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    # A neighbour registered in 1-1-102, seen through the API a street admin uses.
    tree = (await registry.get(f"{API}/compounds/1/tree", headers=platform.street_admin)).json()
    room_102 = next(d for d in tree["buildings"][0]["entrances"][0]["dwellings"] if d["room"] == "102")
    households = (
        await registry.get(f"{API}/households?dwelling_id={room_102['id']}", headers=platform.street_admin)
    ).json()
    neighbour = await platform.post(
        "/residents", {"name": "孙桂兰", "household_id": households[0]["id"], "kind": "family", "relation": "户主"}
    )
    answer = await registry.get(f"{API}/me/home", headers=platform.token(Grant(Role.resident), person=neighbour["id"]))
    assert answer.status_code == 200, answer.text
    labels = [(c["role_label"], c["name"]) for c in answer.json()["contacts"]]
    assert ("党员中心户", "赵师傅") in labels
    assert answer.json()["dwelling"]["owner"] is False


async def test_a_token_without_a_person_has_no_home(platform: Platform) -> None:
    await seed_demo_street(platform)
    registry = platform.clients["registry"]
    ops = platform.token(Grant(Role.ops), person=999)
    answer = await registry.get(f"{API}/me/home", headers=ops)
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "这个登录没有对应的居民记录"
    assert (await registry.get(f"{API}/me/home")).status_code == 401
