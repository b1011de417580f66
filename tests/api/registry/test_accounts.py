"""Logging in to Linli in Xinghualing (seed 002): the grid worker of 第一网格 and 王秀英 get
tokens whose roles come from the registry (her grids; his household, ownership, building and
committee seat); wrong passwords earn a growing wait, alike for every mobile number, never a
lock-out; admins open accounts under the password policy and grant admin roles. (Refresh,
logout and revocation: test_sessions.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.registry.accounts.domain import BACKOFF_MAX, Throttle, check_password
from services.registry.accounts.models import Account, LoginThrottle
from services.registry.committees.models import Membership
from services.registry.party.models import CheckIn, PartyMember, PartyOrg
from shared.auth import Grant, Role, TokenCodec
from shared.errors import InvalidInput
from tests.api.conftest import Platform
from tests.api.registry.builders import (
    PASSWORD,
    bearer,
    id_card,
    login,
    open_account,
    registry_session,
    resident,
    xinghualing_dwelling,
)
from tests.helpers import assert_error

API = "/api/v1/registry"


async def account_row(platform: Platform, person_id: int) -> Account | None:
    async with registry_session(platform) as session:
        return await session.get(Account, person_id)


# --- the lock-out rule, without a database ----------------------------------------------------


def test_after_five_failures_each_attempt_waits_twice_as_long_up_to_fifteen_minutes() -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    state = Throttle(0, None, free=5)
    for _ in range(4):
        state = state.after_failure(now)
        assert state.wait_seconds(now) == 0
    waits = []
    for _ in range(12):
        state = state.after_failure(now)
        waits.append(state.wait_seconds(now))
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert state.wait_seconds(now + BACKOFF_MAX) == 0  # never a lock: the wait passes
    # Fourteen minutes into a fifteen-minute wait, one minute is left; an hour without failures forgets them.
    assert Throttle(50, now, free=5).wait_seconds(now + timedelta(minutes=14)) == 60
    assert Throttle(50, now, free=5).after_failure(now + timedelta(hours=1)) == Throttle(
        1, now + timedelta(hours=1), free=5
    )


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-1", "password_too_short"),
        ("          ", "password_too_short"),
        ("x" * 129, "password_too_long"),
        ("1234567890", "password_too_common"),
        ("WoAiNi1314", "password_too_common"),
        ("linli-demo", "password_too_common"),
        ("13800000004", "password_is_mobile"),
        ("+86 138-0000-0004", "password_is_mobile"),
    ],
)
def test_the_password_policy_says_what_is_wrong(password: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password(password, mobile="13800000004")
    assert refused.value.code == code
    assert refused.value.details == [{"field": "password"}]
    assert password not in refused.value.message + refused.value.message_en


def test_a_long_uncommon_password_passes() -> None:
    check_password("xinghua-lane-1-301", mobile="13800000004")
    check_password("13800000004 is my mobile, not my password", mobile="13800000004")


# --- through the API ----------------------------------------------------------------------


async def test_the_grid_worker_logs_in_with_the_roles_of_her_grids(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    second = (await platform.post("/grids", {"community_id": place.community_id, "name": "第二网格"}))["id"]
    li = await resident(platform, "李红梅", mobile="13800000002")
    await platform.post(
        "/grid-workers", {"person_id": li["id"], "kind": "full_time", "grid_ids": [place.grid_id, second]}
    )
    account = await open_account(platform, li["id"], "138 0000 0002")
    assert account == {
        "person_id": li["id"],
        "mobile_masked": "138****0002",
        "locked_until": None,
        "last_login_at": None,
    }
    row = await account_row(platform, li["id"])
    assert row is not None
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert len(row.mobile_hash) == 64
    assert "13800000002" not in row.mobile_hash

    answer = await login(platform, "13800000002")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["token_type"], body["expires_in"], body["person_id"]) == ("bearer", 900, li["id"])
    assert body["refresh_expires_in"] == 30 * 86_400
    assert len(body["refresh_token"]) >= 40
    assert answer.headers["cache-control"] == "no-store"
    assert body["roles"] == [
        {"role": "grid_worker", "scope": f"grid:{place.grid_id}", "label": "网格员"},
        {"role": "grid_worker", "scope": f"grid:{second}", "label": "网格员"},
    ]
    principal = TokenCodec(platform.settings).verify(body["access_token"])
    assert principal.person_id == li["id"]
    assert principal.has(Role.grid_worker, "grid", place.grid_id)
    assert not principal.holds_anywhere(Role.street_admin)
    row = await account_row(platform, li["id"])
    assert row is not None
    assert row.last_login_at is not None
    assert row.failed_attempts == 0

    # With that token she registers 王秀英 and reads her mobile for a visit.
    token = bearer(body["access_token"])
    wang = await resident(
        platform,
        "王秀英",
        token,
        household_id=place.household_id,
        id_card=id_card("11010519491231002"),
        mobile="13800000004",
    )
    full = await platform.clients["registry"].get(
        f"{API}/residents/{wang['id']}/personal-data", params={"purpose": "入户走访"}, headers=token
    )
    assert full.json()["mobile"] == "13800000004"
    me = await platform.clients["registry"].get(f"{API}/me", headers=token)
    assert me.json()["person_id"] == li["id"]
    assert (me.json()["person"]["name"], me.json()["person"]["mobile_masked"]) == ("李红梅", "138****0002")
    assert me.json()["roles"] == body["roles"]


async def test_wang_xiuying_logs_in_as_resident_owner_party_member_head_and_committee_member(
    platform: Platform,
) -> None:
    place = await xinghualing_dwelling(platform)
    wang = await resident(platform, "王秀英", household_id=place.household_id, mobile="13800000004")
    await platform.post("/ownerships", {"dwelling_id": place.dwelling_id, "person_id": wang["id"]})
    await platform.post("/heads", {"kind": "building", "place_id": place.building_id, "person_id": wang["id"]})
    await platform.post("/heads", {"kind": "entrance", "place_id": place.entrance_id, "person_id": wang["id"]})
    high_rise = (
        await platform.post(
            "/compounds",
            {
                "name": "滨河花园",
                "community_id": place.community_id,
                "kind": "commercial",
                "management_model": "professional",
            },
        )
    )["id"]
    async with registry_session(platform) as session:
        branch = PartyOrg(
            level="compound_branch", name="杏花岭片区党支部", place_kind="compound", place_id=place.compound_id
        )
        session.add(branch)
        await session.flush()
        member = PartyMember(person_id=wang["id"], ledger="retired", party_org_id=branch.id)
        session.add(member)
        await session.flush()
        session.add_all(
            [
                CheckIn(
                    party_member_id=member.id, compound_id=high_rise, post="楼道宣传", checked_in_at=datetime.now(UTC)
                ),
                Membership(person_id=wang["id"], body="owners_committee", compound_id=place.compound_id),
                Membership(person_id=wang["id"], body="property_committee", compound_id=place.compound_id),
                Membership(
                    person_id=wang["id"],
                    body="supervisory_committee",
                    compound_id=place.compound_id,
                    until=datetime(2025, 12, 31).date(),
                ),
            ]
        )
        await session.commit()
    await open_account(platform, wang["id"], "13800000004")

    answer = await login(platform, "13800000004")
    assert answer.status_code == 200, answer.text
    compound = f"compound:{place.compound_id}"
    assert [(r["role"], r["scope"], r["label"]) for r in answer.json()["roles"]] == [
        ("resident", f"household:{place.household_id}", "居民"),
        ("owner", compound, "业主"),
        ("party_member", compound, "党员"),  # where she lives
        ("party_member", f"compound:{high_rise}", "党员"),  # where she checked in
        ("building_head", f"building:{place.building_id}", "楼栋长"),
        ("owners_committee", compound, "业委会委员"),
    ]
    token = bearer(answer.json()["access_token"])
    registry = platform.clients["registry"]
    own = await registry.get(f"{API}/residents/{wang['id']}", headers=token)
    assert own.status_code == 200
    assert own.json()["mobile_masked"] == "138****0004"
    assert_error(await registry.get(f"{API}/residents", headers=token), 403, "forbidden")
    assert_error(
        await registry.get(f"{API}/residents/{wang['id']}/personal-data", params={"purpose": "看看"}, headers=token),
        403,
        "forbidden",
    )


async def test_wrong_passwords_earn_the_same_wait_for_known_and_unknown_mobiles_never_a_lock(
    platform: Platform,
) -> None:
    """A stranger types 王秀英's mobile with guesses, and an unknown mobile alike: every answer
    is the same 401, then the same 429 with the same Retry-After, so nobody learns who has an
    account; when the wait has passed (on the moved registry clock) she logs in as ever."""
    place = await xinghualing_dwelling(platform)
    wang = await resident(platform, "王秀英", household_id=place.household_id, mobile="13800000004")
    await open_account(platform, wang["id"], "13800000004")
    runtime = platform.apps["registry"].state.runtime
    start = runtime.clock()
    runtime.clock = lambda: start  # frozen: each step below moves it on purpose

    known, unknown = [], []
    for attempt in range(1, 6):
        known.append(await login(platform, "13800000004", f"guess-{attempt}-xyz"))
        unknown.append(await login(platform, "13911112222", f"guess-{attempt}-xyz"))
    for answer in known + unknown:
        assert assert_error(answer, 401, "invalid_credentials")["message"] == "手机号或密码错误"
    assert {a.text for a in known} == {a.text for a in unknown}

    # The sixth try waits 2 s, even with the right password; known or unknown, the same answer.
    right_too_soon = await login(platform, "13800000004")
    unknown_too_soon = await login(platform, "13911112222", "guess-6-xyz")
    for answer in (right_too_soon, unknown_too_soon):
        error = assert_error(answer, 429, "login_throttled")
        assert error["message"] == "登录失败次数过多，请 2 秒后再试"
        assert answer.headers["retry-after"] == "2"
    assert right_too_soon.text == unknown_too_soon.text
    row = await account_row(platform, wang["id"])
    assert row is not None
    assert row.locked_until is None  # no lock-out exists any more

    # Another wrong guess after the wait doubles it.
    runtime.clock = lambda: start + timedelta(seconds=2)
    assert_error(await login(platform, "13800000004", "guess-6-xyz"), 401, "invalid_credentials")
    doubled = await login(platform, "13800000004")
    assert (doubled.status_code, doubled.headers["retry-after"]) == (429, "4")

    # When it has passed, her right password works and her mobile's count starts afresh.
    runtime.clock = lambda: start + timedelta(seconds=6)
    assert (await login(platform, "13800000004")).status_code == 200
    assert_error(await login(platform, "13800000004", "one-more-slip"), 401, "invalid_credentials")
    async with registry_session(platform) as session:
        mobile_rows = (await session.scalars(select(LoginThrottle).where(LoginThrottle.key.like("mobile:%")))).all()
    # 王秀英's count is 1 again; the unknown mobile's 5 stay (a 429 counts nothing). No mobile in clear.
    assert sorted(r.failures for r in mobile_rows) == [1, 5]
    assert not any("1380000" in r.key or "1391111" in r.key for r in mobile_rows)


async def test_admins_open_accounts_with_the_registered_mobile(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    wang = await resident(platform, "王秀英", household_id=place.household_id, mobile="13800000004")
    zhang = await resident(platform, "张建国", household_id=place.household_id)
    registry = platform.clients["registry"]

    async def attempt(body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return await registry.post(f"{API}/accounts", json=body, headers=headers or platform.street_admin)

    short = await attempt({"person_id": wang["id"], "mobile": "13800000004", "password": "linli7!"})
    assert assert_error(short, 422, "password_too_short")["details"] == [{"field": "password"}]
    assert "10 个字符" in short.json()["error"]["message"]
    assert "linli7!" not in short.text
    # The demo street's published password is for its seeded accounts only.
    demo = await attempt({"person_id": wang["id"], "mobile": "13800000004", "password": "linli-demo"})
    assert "常见" in assert_error(demo, 422, "password_too_common")["message"]
    own_mobile = await attempt({"person_id": wang["id"], "mobile": "13800000004", "password": "138 0000 0004"})
    assert assert_error(own_mobile, 422, "password_is_mobile")["message"] == "密码 password 不能是手机号"
    other_mobile = await attempt({"person_id": wang["id"], "mobile": "13800000005", "password": PASSWORD})
    error = assert_error(other_mobile, 422, "validation_error")
    assert error["details"] == [{"field": "mobile", "value": "13800000005"}]
    assert "不一致" in error["message"]
    bad_mobile = await attempt({"person_id": wang["id"], "mobile": "0351-5555555", "password": PASSWORD})
    assert assert_error(bad_mobile, 422, "validation_error")["details"][0]["field"] == "mobile"
    worker = platform.token(Grant(Role.grid_worker, "grid", place.grid_id), person=90)
    herself = platform.token(Grant(Role.resident, "household", place.household_id), person=wang["id"])
    for caller in (worker, herself):
        assert_error(
            await attempt({"person_id": wang["id"], "mobile": "13800000004", "password": PASSWORD}, caller),
            403,
            "forbidden",
        )
    assert await account_row(platform, wang["id"]) is None

    community_admin = platform.token(Grant(Role.community_admin, "community", place.community_id), person=91)
    opened = await attempt({"person_id": wang["id"], "mobile": "13800000004", "password": PASSWORD}, community_admin)
    assert opened.status_code == 201, opened.text
    twice = await attempt({"person_id": wang["id"], "mobile": "13800000004", "password": PASSWORD})
    assert assert_error(twice, 409, "duplicate")["details"] == {"field": "person_id", "value": wang["id"]}
    same_mobile = await attempt({"person_id": zhang["id"], "mobile": "13800000004", "password": PASSWORD})
    assert assert_error(same_mobile, 409, "duplicate")["details"] == {"field": "mobile", "value": "138****0004"}
    assert await account_row(platform, zhang["id"]) is None

    # Removing her (anonymising) closes the account too.
    assert (await login(platform, "13800000004")).status_code == 200
    removed = await registry.delete(
        f"{API}/residents/{wang['id']}", params={"version": 1}, headers=platform.street_admin
    )
    assert removed.status_code == 204
    assert await account_row(platform, wang["id"]) is None
    assert_error(await login(platform, "13800000004"), 401, "invalid_credentials")


async def test_street_admins_grant_community_admins_and_only_ops_grant_ops(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    chen = await resident(platform, "陈静", mobile="13800000007")
    await open_account(platform, chen["id"], "13800000007")
    registry = platform.clients["registry"]
    street_admin = platform.token(Grant(Role.street_admin, "street", place.street_id), person=80)
    grant = {"person_id": chen["id"], "role": "community_admin", "scope": f"community:{place.community_id}"}

    async def attempt(body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        return await registry.post(f"{API}/admin-grants", json=body, headers=headers)

    made = await attempt(grant, street_admin)
    assert made.status_code == 201, made.text
    assert made.json() | {"id": 0} == {
        "id": 0,
        "person_id": chen["id"],
        "role": "community_admin",
        "label": "社区管理员",
        "scope": f"community:{place.community_id}",
    }
    assert_error(await attempt(grant, street_admin), 409, "duplicate")
    roles = (await login(platform, "13800000007")).json()["roles"]
    assert roles == [{"role": "community_admin", "scope": f"community:{place.community_id}", "label": "社区管理员"}]

    as_chen = bearer((await login(platform, "13800000007")).json()["access_token"])
    other = await platform.community(street="双塔街道", name="双塔社区")
    foreign_street_admin = platform.token(Grant(Role.street_admin, "street", place.street_id + 1), person=81)
    for caller, body in (
        (as_chen, grant | {"person_id": (await resident(platform, "周敏"))["id"]}),
        (foreign_street_admin, grant),
        (street_admin, {"person_id": chen["id"], "role": "ops"}),
        (street_admin, {"person_id": chen["id"], "role": "community_admin", "scope": f"community:{other}"}),
    ):
        assert_error(await attempt(body, caller), 403, "forbidden")
    ops = platform.token(Grant(Role.ops), person=82)
    assert (await attempt({"person_id": chen["id"], "role": "ops"}, ops)).json()["scope"] is None

    for body, field in (
        ({"person_id": chen["id"], "role": "resident", "scope": "household:1"}, "role"),
        ({"person_id": chen["id"], "role": "community_admin", "scope": "community:abc"}, "scope"),
        ({"person_id": chen["id"], "role": "community_admin"}, "scope"),
        ({"person_id": chen["id"], "role": "community_admin", "scope": "community:999"}, "scope"),
        ({"person_id": 999, "role": "community_admin", "scope": f"community:{place.community_id}"}, "person_id"),
    ):
        error = assert_error(await attempt(body, platform.street_admin), 422, "validation_error")
        assert error["details"][0]["field"] == field

    listed = await registry.get(f"{API}/admin-grants", params={"person_id": chen["id"]}, headers=street_admin)
    assert [(g["role"], g["scope"]) for g in listed.json()] == [
        ("community_admin", f"community:{place.community_id}"),
        ("ops", None),
    ]
    assert_error(
        await registry.delete(f"{API}/admin-grants/{listed.json()[1]['id']}", headers=street_admin), 403, "forbidden"
    )
    revoked = await registry.delete(f"{API}/admin-grants/{made.json()['id']}", headers=street_admin)
    assert revoked.status_code == 204
    assert [r["role"] for r in (await login(platform, "13800000007")).json()["roles"]] == ["ops"]


@pytest.mark.parametrize("body", [{"mobile": "13800000004"}, {"mobile": "", "password": "x"}, {"password": "x"}])
async def test_a_malformed_login_is_a_validation_error(platform: Platform, body: dict[str, str]) -> None:
    answer = await platform.clients["registry"].post(f"{API}/auth/token", json=body)
    assert_error(answer, 422, "validation_error")


async def test_me_needs_a_token(platform: Platform) -> None:
    assert_error(await platform.clients["registry"].get(f"{API}/me"), 401, "unauthorized")
    ops = await platform.clients["registry"].get(f"{API}/me", headers=platform.token(Grant(Role.ops), person=999))
    assert ops.json() == {"person_id": 999, "person": None, "roles": [{"role": "ops", "scope": None, "label": "运维"}]}


async def test_login_rows_are_the_only_trace_of_a_failure(platform: Platform) -> None:
    """A failed login writes nothing but the throttle counters: no account change, no event."""
    place = await xinghualing_dwelling(platform)
    wang = await resident(platform, "王秀英", household_id=place.household_id, mobile="13800000004")
    await open_account(platform, wang["id"], "13800000004")
    before = await platform.outbox_rows(entity="%")
    assert (await login(platform, "13800000004", "wrong-password")).status_code == 401
    assert await platform.outbox_rows(entity="%") == before
    async with registry_session(platform) as session:
        rows = (await session.scalars(select(Account))).all()
        throttles = (await session.scalars(select(LoginThrottle).order_by(LoginThrottle.key))).all()
    assert [(r.person_id, r.failed_attempts, r.locked_until) for r in rows] == [(wang["id"], 0, None)]
    assert [(t.key.split(":")[0], t.failures) for t in throttles] == [("address", 1), ("mobile", 1)]
