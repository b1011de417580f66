"""Who the client is (X-Forwarded-For believed only from TRUSTED_PROXIES) and the secret
embedded mode signs with (its own, generated into DATA_DIR, never the published default)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from starlette.requests import Request

from linli.secret import SECRET_FILE, with_local_secret
from shared.auth import Grant, Role, TokenCodec
from shared.errors import Unauthorized
from shared.http import client_address, forwarded_chain
from shared.settings import DEFAULT_JWT_SECRET, Settings


def request_from(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "client": (peer, 40000)})


def test_x_forwarded_for_counts_only_from_a_trusted_peer() -> None:
    none = Settings(trusted_proxies="").trusted_proxy_networks()
    gateway = Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8").trusted_proxy_networks()
    # A client writing the header itself, straight to the service: ignored.
    assert client_address(request_from("198.51.100.7", "1.2.3.4"), none) == "198.51.100.7"
    assert client_address(request_from("198.51.100.7", "1.2.3.4"), gateway) == "198.51.100.7"
    # Through the gateway: the hop it saw; what the client wrote before that is not believed.
    assert forwarded_chain(request_from("127.0.0.1", "1.2.3.4, 198.51.100.7"), gateway) == [
        "198.51.100.7",
        "127.0.0.1",
    ]
    # Through a load balancer and the gateway, both trusted.
    assert client_address(request_from("127.0.0.1", "203.0.113.9", "10.1.2.3"), gateway) == "203.0.113.9"
    assert client_address(request_from("127.0.0.1", "not-an-ip"), gateway) == "not-an-ip"
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        Settings(trusted_proxies="the gateway")


def test_embedded_mode_generates_its_own_secret_once(tmp_path: Path) -> None:
    settings = with_local_secret(Settings(data_dir=tmp_path))
    secret = settings.jwt_secret.get_secret_value()
    assert secret != DEFAULT_JWT_SECRET
    assert len(secret) >= 32
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert with_local_secret(Settings(data_dir=tmp_path)).jwt_secret.get_secret_value() == secret
    # Tokens minted with the published default are refused.
    forged = TokenCodec(Settings()).issue(1, [Grant(Role.street_admin)])
    with pytest.raises(Unauthorized):
        TokenCodec(settings).verify(forged)
    # The published default set explicitly is no better than none.
    assert with_local_secret(Settings(data_dir=tmp_path, jwt_secret=SecretStr(DEFAULT_JWT_SECRET))).jwt_secret == (
        settings.jwt_secret
    )


def test_a_secret_that_is_set_is_used_as_is(tmp_path: Path) -> None:
    own = SecretStr("an-operator-chosen-secret-of-40-characters")
    assert with_local_secret(Settings(data_dir=tmp_path, jwt_secret=own)).jwt_secret == own
    assert not (tmp_path / SECRET_FILE).exists()
