"""Settings fail fast on a default secret in production; one DATABASE_URL serves four services."""

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from services.registry.accounts.service import hasher_of
from shared.settings import Settings


@pytest.fixture(autouse=True)
def _wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # `make test` moves every clock ahead (CLOCK_OFFSET_SECONDS) and the suite hashes passwords
    # cheaply (ARGON2_*, tests/conftest.py); production never runs so.
    for key in ("CLOCK_OFFSET_SECONDS", "ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM"):
        monkeypatch.delenv(key, raising=False)


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(environment="production")
    keys: dict[str, Any] = {"pii_encryption_key": SecretStr("a" * 44), "pii_hash_key": SecretStr("b" * 44)}
    with pytest.raises(ValidationError, match="32"):
        Settings(environment="production", jwt_secret=SecretStr("short-secret"), **keys)
    with pytest.raises(ValueError, match="PII"):
        Settings(environment="production", jwt_secret=SecretStr("s3cret-of-the-street-" * 2)).check_pii_keys()
    good = Settings(environment="production", jwt_secret=SecretStr("s3cret-of-the-street-" * 2), **keys)
    good.check_pii_keys()
    assert good.environment == "production"


def test_passwords_are_hashed_at_the_strong_cost_unless_told_and_never_cheaper_in_production() -> None:
    # Without ARGON2_* (the _wall_clock fixture removed the suite's) the cost is argon2-cffi's
    # default, RFC 9106's second recommended option.
    settings = Settings()
    assert (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism) == (3, 65_536, 4)
    assert hasher_of(settings).hash("plum-blossom-lane-7").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    keys = {"pii_encryption_key": SecretStr("a" * 44), "pii_hash_key": SecretStr("b" * 44)}
    secret = SecretStr("s3cret-of-the-street-" * 2)
    for weaker in ({"argon2_time_cost": 1}, {"argon2_memory_kib": 8}, {"argon2_parallelism": 1}):
        with pytest.raises(ValidationError, match="ARGON2"):
            Settings(environment="production", jwt_secret=secret, **keys, **weaker)  # type: ignore[arg-type]


def test_database_url_template_names_each_service_database() -> None:
    settings = Settings(database_url="postgresql+asyncpg://root@127.0.0.1:5432/linli_{service}")
    assert settings.database_url_for("billing") == "postgresql+asyncpg://root@127.0.0.1:5432/linli_billing"


def test_embedded_default_is_sqlite_files_under_data_dir(tmp_path: object) -> None:
    settings = Settings(data_dir="/srv/linli")
    assert settings.database_url_for("dispatch") == "sqlite+aiosqlite:////srv/linli/dispatch.db"
    assert settings.bus_url() == "sqlite+aiosqlite:////srv/linli/bus.db"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENT_BUS", "kafka")
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka:9092")
    settings = Settings()
    assert (settings.event_bus, settings.kafka_bootstrap) == ("kafka", "kafka:9092")
