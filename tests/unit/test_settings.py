"""Settings fail fast on a default secret in production; one DATABASE_URL serves four services."""

import pytest
from pydantic import SecretStr, ValidationError

from shared.settings import Settings


@pytest.fixture(autouse=True)
def _wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # `make test` moves every clock ahead (CLOCK_OFFSET_SECONDS); production never runs so.
    monkeypatch.delenv("CLOCK_OFFSET_SECONDS", raising=False)


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(environment="production")
    keys = {"pii_encryption_key": SecretStr("a" * 44), "pii_hash_key": SecretStr("b" * 44)}
    with pytest.raises(ValidationError, match="32"):
        Settings(environment="production", jwt_secret=SecretStr("short-secret"), **keys)
    with pytest.raises(ValueError, match="PII"):
        Settings(environment="production", jwt_secret=SecretStr("s3cret-of-the-street-" * 2)).check_pii_keys()
    good = Settings(environment="production", jwt_secret=SecretStr("s3cret-of-the-street-" * 2), **keys)
    good.check_pii_keys()
    assert good.environment == "production"


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
