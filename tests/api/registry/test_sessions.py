"""Sessions in Xinghualing: 李红梅, grid worker of 第一网格, logs in on her phone and gets a
15-minute access token and a refresh token that is good once. When her grid is taken from her,
her phone's next refresh fails and the token in hand stops working within fifteen minutes (on
the registry's moved clock, not by waiting). A copied refresh token used twice ends the whole
session; logout, a new password and her removal end sessions too. Logins are never stored under
an Idempotency-Key, and one client cannot pass for many addresses by writing X-Forwarded-For."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from services.registry.accounts.models import RefreshToken
from shared.idempotency import idempotency_keys
from tests.api.conftest import Platform
from tests.api.registry.builders import (
    PASSWORD,
    bearer,
    login,
    open_account,
    registry_session,
    resident,
    xinghualing_dwelling,
)
from tests.helpers import assert_error

API = "/api/v1/registry"


async def refresh(platform: Platform, token: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await platform.clients["registry"].post(
        f"{API}/auth/refresh", json={"refresh_token": token}, headers=headers or {}
    )


async def me(platform: Platform, access_token: str) -> httpx.Response:
    return await platform.clients["registry"].get(f"{API}/me", headers=bearer(access_token))


class Clock:
    """The registry's clock, moved by hand."""

    def __init__(self, platform: Platform) -> None:
        self.runtime = platform.apps["registry"].state.runtime
        self.now: datetime = self.runtime.clock()
        self.runtime.clock = lambda: self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def grid_worker_li(platform: Platform) -> dict[str, Any]:
    """李红梅, grid worker of 第一网格, with an account; her person, worker and place."""
    place = await xinghualing_dwelling(platform)
    li = await resident(platform, "李红梅", mobile="13800000002")
    worker = await platform.post(
        "/grid-workers", {"person_id": li["id"], "kind": "full_time", "grid_ids": [place.grid_id]}
    )
    await open_account(platform, li["id"], "13800000002")
    return {"person": li, "worker": worker, "place": place}


async def test_a_removed_grid_worker_cannot_refresh_and_her_access_token_runs_out_in_fifteen_minutes(
    platform: Platform,
) -> None:
    li = await grid_worker_li(platform)
    clock = Clock(platform)
    phone = (await login(platform, "13800000002")).json()
    assert [r["role"] for r in phone["roles"]] == ["grid_worker"]
    assert phone["expires_in"] == 900

    # Ten minutes on, her phone refreshes silently: a new pair, the same roles.
    clock.advance(minutes=10)
    renewed = await refresh(platform, phone["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    assert renewed.headers["cache-control"] == "no-store"
    pair = renewed.json()
    assert pair["roles"] == phone["roles"]
    assert pair["access_token"] != phone["access_token"]
    assert pair["refresh_token"] != phone["refresh_token"]

    # The community takes 第一网格 from her.
    removed = await platform.clients["registry"].delete(
        f"{API}/grid-workers/{li['worker']['id']}", params={"version": 1}, headers=platform.street_admin
    )
    assert removed.status_code == 204, removed.text

    ended = await refresh(platform, pair["refresh_token"])
    error = assert_error(ended, 401, "refresh_invalid")
    assert error["message"] == "登录已失效，请重新登录"
    async with registry_session(platform) as session:
        reasons = (await session.scalars(select(RefreshToken.revoked_reason).order_by(RefreshToken.id))).all()
    assert reasons == ["roles_changed", "roles_changed"]

    # The access token in hand still works for what is left of its fifteen minutes, then not.
    clock.advance(minutes=14)
    assert (await me(platform, pair["access_token"])).status_code == 200
    clock.advance(minutes=1, seconds=1)
    assert_error(await me(platform, pair["access_token"]), 401, "token_expired")

    # Logging in again gives her what she holds now: no grid.
    again = await login(platform, "13800000002")
    assert again.status_code == 200
    assert [r["role"] for r in again.json()["roles"]] == []


async def test_a_removed_admin_grant_ends_every_session_at_once(platform: Platform) -> None:
    place = await xinghualing_dwelling(platform)
    chen = await resident(platform, "陈静", mobile="13800000007")
    await open_account(platform, chen["id"], "13800000007")
    grant = await platform.post(
        "/admin-grants",
        {"person_id": chen["id"], "role": "community_admin", "scope": f"community:{place.community_id}"},
    )
    desk, phone = (await login(platform, "13800000007")).json(), (await login(platform, "13800000007")).json()
    removed = await platform.clients["registry"].delete(
        f"{API}/admin-grants/{grant['id']}", headers=platform.street_admin
    )
    assert removed.status_code == 204
    for session_ in (desk, phone):
        assert_error(await refresh(platform, session_["refresh_token"]), 401, "refresh_invalid")


async def test_a_copied_refresh_token_used_again_ends_the_whole_session(platform: Platform) -> None:
    await grid_worker_li(platform)
    first = (await login(platform, "13800000002")).json()
    other_device = (await login(platform, "13800000002")).json()
    second = (await refresh(platform, first["refresh_token"])).json()

    # Someone replays the first token (copied from her phone): refused, and the family ends, so
    # the token her phone holds now is refused too. Her other device's session is untouched.
    assert_error(await refresh(platform, first["refresh_token"]), 401, "refresh_invalid")
    assert_error(await refresh(platform, second["refresh_token"]), 401, "refresh_invalid")
    assert (await refresh(platform, other_device["refresh_token"])).status_code == 200

    # Only hashes are kept.
    async with registry_session(platform) as session:
        rows = (await session.scalars(select(RefreshToken).order_by(RefreshToken.id))).all()
    stored = {r.token_hash for r in rows}
    assert first["refresh_token"] not in stored
    assert hashlib.sha256(first["refresh_token"].encode()).hexdigest() in stored
    assert [(r.revoked_reason, r.rotated_at is not None) for r in rows] == [
        ("reused", True),
        (None, True),
        ("reused", False),
        (None, False),
    ]
    assert_error(await refresh(platform, "not-a-token"), 401, "refresh_invalid")


async def test_a_refresh_token_expires_after_thirty_days(platform: Platform) -> None:
    await grid_worker_li(platform)
    clock = Clock(platform)
    phone = (await login(platform, "13800000002")).json()
    clock.advance(days=30, seconds=1)
    assert_error(await refresh(platform, phone["refresh_token"]), 401, "refresh_invalid")


async def test_logout_ends_the_session(platform: Platform) -> None:
    await grid_worker_li(platform)
    phone = (await login(platform, "13800000002")).json()
    out = await platform.clients["registry"].post(f"{API}/auth/logout", json={"refresh_token": phone["refresh_token"]})
    assert out.status_code == 204
    assert_error(await refresh(platform, phone["refresh_token"]), 401, "refresh_invalid")
    # Logging out twice, or with a token nobody knows, changes nothing and says nothing.
    again = await platform.clients["registry"].post(f"{API}/auth/logout", json={"refresh_token": "whatever"})
    assert again.status_code == 204


async def test_a_new_password_ends_every_session_and_follows_the_policy(platform: Platform) -> None:
    await grid_worker_li(platform)
    phone = (await login(platform, "13800000002")).json()
    desk = (await login(platform, "13800000002")).json()
    registry = platform.clients["registry"]

    async def change(current: str, new: str) -> httpx.Response:
        return await registry.post(
            f"{API}/auth/password",
            json={"current_password": current, "new_password": new},
            headers=bearer(phone["access_token"]),
        )

    wrong = await change("not-my-password", "plum-blossom-lane-7")
    assert assert_error(wrong, 403, "wrong_password")["message"] == "当前密码不正确"
    assert assert_error(await change(PASSWORD, "123456"), 422, "password_too_short")["details"] == [
        {"field": "new_password"}
    ]
    assert_error(await change(PASSWORD, "qwertyuiop"), 422, "password_too_common")
    assert_error(await change(PASSWORD, "13800000002"), 422, "password_is_mobile")
    assert_error(await change(PASSWORD, PASSWORD), 422, "password_unchanged")
    assert (await refresh(platform, desk["refresh_token"])).status_code == 200  # nothing changed yet

    changed = await change(PASSWORD, "plum-blossom-lane-7")
    assert changed.status_code == 204, changed.text
    assert_error(await refresh(platform, phone["refresh_token"]), 401, "refresh_invalid")
    assert_error(await login(platform, "13800000002"), 401, "invalid_credentials")
    assert (await login(platform, "13800000002", "plum-blossom-lane-7")).status_code == 200


async def test_a_removed_person_keeps_no_session(platform: Platform) -> None:
    li = await grid_worker_li(platform)
    phone = (await login(platform, "13800000002")).json()
    # Her grid first (a person with a post is not removed), then her.
    registry = platform.clients["registry"]
    await registry.delete(
        f"{API}/grid-workers/{li['worker']['id']}", params={"version": 1}, headers=platform.street_admin
    )
    removed = await registry.delete(
        f"{API}/residents/{li['person']['id']}",
        params={"version": li["person"]["version"]},
        headers=platform.street_admin,
    )
    assert removed.status_code == 204, removed.text
    assert_error(await refresh(platform, phone["refresh_token"]), 401, "refresh_invalid")
    async with registry_session(platform) as session:
        assert await session.scalar(select(func.count()).select_from(RefreshToken)) == 0


async def test_a_login_with_an_idempotency_key_is_neither_stored_nor_replayed(platform: Platform) -> None:
    await grid_worker_li(platform)
    registry = platform.clients["registry"]
    key = {"Idempotency-Key": "login-2026-11-25-001"}
    body = {"mobile": "13800000002", "password": PASSWORD}
    first = await registry.post(f"{API}/auth/token", json=body, headers=key)
    second = await registry.post(f"{API}/auth/token", json=body, headers=key)
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in second.headers
    assert first.json()["refresh_token"] != second.json()["refresh_token"]
    renewed = await refresh(platform, first.json()["refresh_token"], headers=key)
    assert renewed.status_code == 200
    out = await registry.post(
        f"{API}/auth/logout", json={"refresh_token": renewed.json()["refresh_token"]}, headers=key
    )
    assert out.status_code == 204
    async with registry_session(platform) as session:
        assert await session.scalar(select(func.count()).select_from(idempotency_keys)) == 0


async def test_one_client_cannot_pass_for_many_addresses(platform: Platform) -> None:
    """A sprayer tries twenty unknown mobiles, writing a new X-Forwarded-For each time. The
    registry's peer is not a trusted proxy, so they all count against the one real address: the
    next try, whatever it claims, waits."""
    registry = platform.clients["registry"]
    # The back-off runs on the service clock: stopped, the next try falls inside the 2-second wait
    # however slowly a loaded machine sends the twenty before it (no timed assertion).
    platform.apps["registry"].state.runtime.clock.freeze()

    async def attempt(n: int, claimed: str) -> httpx.Response:
        return await registry.post(
            f"{API}/auth/token",
            json={"mobile": f"139{n:08d}", "password": "spray-and-pray-1"},
            headers={"X-Forwarded-For": claimed},
        )

    for n in range(20):
        assert (await attempt(n, f"198.51.100.{n}")).status_code == 401
    blocked = await attempt(99, "198.51.100.99")
    assert assert_error(blocked, 429, "login_throttled")
    assert blocked.headers["retry-after"] == "2"

    # Behind a configured proxy (TRUSTED_PROXIES naming the peer), each real client is counted
    # on its own: a new one is heard, the sprayer still waits.
    runtime = platform.apps["registry"].state.runtime
    runtime.settings = runtime.settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    for n in range(20, 40):
        assert (await attempt(n, "203.0.113.9")).status_code == 401
    assert_error(await attempt(98, "203.0.113.9"), 429, "login_throttled")
    assert_error(await attempt(97, "198.51.100.7"), 401, "invalid_credentials")
