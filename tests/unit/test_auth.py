"""Tokens: scoped roles, expiry, forgery, RS256."""

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from shared import auth
from shared.auth import Grant, Principal, Role, TokenCodec, require_any
from shared.errors import Forbidden, Unauthorized
from shared.settings import Settings


def test_grid_worker_of_grid_12_is_not_grid_worker_of_grid_13() -> None:
    codec = TokenCodec(Settings())
    token = codec.issue(42, [Grant(Role.grid_worker, "grid", 12), Grant(Role.resident)])
    who = codec.verify(token)
    assert who.person_id == 42
    assert who.has(Role.grid_worker, "grid", 12)
    assert not who.has(Role.grid_worker, "grid", 13)
    assert not who.has(Role.grid_worker, "community", 12)
    assert who.holds_anywhere(Role.resident)
    assert not who.holds_anywhere(Role.owner)


def test_expired_token_is_refused_with_its_own_code() -> None:
    codec = TokenCodec(Settings())
    with pytest.raises(Unauthorized) as err:
        codec.verify(codec.issue(1, [Grant(Role.resident)], ttl_seconds=-5))
    assert err.value.code == "token_expired"
    assert "过期" in err.value.message


def test_token_signed_with_another_secret_is_forged() -> None:
    forged = TokenCodec(Settings(jwt_secret=SecretStr("not-ours-but-long-enough-for-hs256!"))).issue(
        1, [Grant(Role.street_admin)]
    )
    with pytest.raises(Unauthorized) as err:
        TokenCodec(Settings()).verify(forged)
    assert err.value.code == "token_invalid"


def test_grant_parse_explains_bad_roles_and_scopes() -> None:
    assert Grant.parse("owners_committee", "compound:7") == Grant(Role.owners_committee, "compound", 7)
    with pytest.raises(ValueError, match="未知角色"):
        Grant.parse("mayor", None)
    with pytest.raises(ValueError, match="KIND:ID"):
        Grant.parse("grid_worker", "grid-12")


def test_require_any_lets_ops_through_and_names_the_roles_it_wanted() -> None:
    community_admin = Principal(5, (Grant(Role.community_admin, "community", 3),))
    require_any(community_admin, (Role.community_admin, "community", 3))
    require_any(Principal(9, (Grant(Role.ops),)), (Role.street_admin, "street", 1))
    with pytest.raises(Forbidden) as err:
        require_any(community_admin, (Role.community_admin, "community", 4), (Role.street_admin, "street", 1))
    assert "社区管理员" in err.value.message
    assert "街道管理员" in err.value.message


def test_rs256_key_pair(tmp_path: Path) -> None:
    private, public = tmp_path / "jwt.pem", tmp_path / "jwt.pub"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-out", str(public)], check=True, capture_output=True
    )
    signer = TokenCodec(Settings(jwt_algorithm="RS256", jwt_private_key_file=private, jwt_public_key_file=public))
    verifier = TokenCodec(Settings(jwt_algorithm="RS256", jwt_public_key_file=public))
    assert verifier.verify(signer.issue(3, [Grant(Role.supervisory_committee, "compound", 7)])).has(
        Role.supervisory_committee, "compound", 7
    )
    with pytest.raises(ValueError, match="私钥"):
        verifier.issue(3, [])


def test_a_refusal_names_each_wanted_role_once() -> None:
    auditor_elsewhere = Principal(9, (Grant(Role.auditor, "compound", 2),))
    with pytest.raises(Forbidden) as refused:
        require_any(
            auditor_elsewhere,
            (Role.supervisory_committee, "compound", 1),
            (Role.auditor, "compound", 1),
            (Role.auditor, "community", 1),
            (Role.auditor, "street", 1),
        )
    assert refused.value.message == "无权执行此操作，需要角色：监委会委员、审计人员"


def test_a_remembered_token_still_expires_on_the_clock_and_a_changed_one_is_verified_anew() -> None:
    now = [datetime(2026, 11, 16, 2, 30, tzinfo=UTC)]
    codec = TokenCodec(Settings(), clock=lambda: now[0])
    token = codec.issue(7, [Grant(Role.grid_worker, "grid", 12)], ttl_seconds=900)
    assert codec.verify(token).person_id == 7
    assert codec.verify(token).has(Role.grid_worker, "grid", 12)  # remembered: the same caller
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    with pytest.raises(Unauthorized) as err:
        codec.verify(tampered)
    assert err.value.code == "token_invalid"
    now[0] += timedelta(seconds=901)
    with pytest.raises(Unauthorized) as err:
        codec.verify(token)
    assert err.value.code == "token_expired"


def test_the_remembered_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "VERIFIED_TOKENS_KEPT", 3)
    codec = TokenCodec(Settings())
    tokens = [codec.issue(person, [Grant(Role.resident)]) for person in range(5)]
    assert [codec.verify(t).person_id for t in tokens] == [0, 1, 2, 3, 4]
    assert list(codec._verified) == tokens[2:]  # the oldest were forgotten
    assert codec.verify(tokens[0]).person_id == 0  # and are verified again when they come back
