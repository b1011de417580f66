"""Settings read from environment variables, passed explicitly into every app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES: tuple[str, ...] = ("registry", "dispatch", "billing", "deliberation")
DEFAULT_JWT_SECRET = "linli-development-secret-change-me"


class Settings(BaseSettings):
    """Every knob Linli reads. Environment variable = field name in upper case."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    log_json: bool = True

    # Where a service listens (distributed mode) or the gateway listens (embedded mode).
    host: str = "127.0.0.1"
    port: int = 8000

    # Database. `{service}` in DATABASE_URL is replaced by the service name, so one variable
    # can point four services at four databases. Unset: SQLite files under DATA_DIR.
    database_url: str | None = None
    data_dir: Path = Path("data")
    db_pool_size: int = 10

    # Events.
    event_bus: Literal["inprocess", "kafka"] = "inprocess"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_partitions: int = 6
    kafka_replication_factor: int = 1
    kafka_fetch_max_wait_ms: int = 10
    # Turn on against real Kafka; the Tansu test broker refuses InitProducerId.
    kafka_idempotence: bool = False
    # The in-process bus (embedded mode) keeps its log here; unset: DATA_DIR/bus.db.
    bus_database_url: str | None = None
    relay_batch_size: int = 500
    relay_poll_interval_ms: int = 200
    consumer_batch_size: int = 500
    consumer_max_attempts: int = 5
    consumer_backoff_base_ms: int = 100
    consumer_backoff_max_ms: int = 5_000

    # Auth.
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "linli"
    token_ttl_seconds: int = 8 * 3600

    # HTTP limits.
    max_body_bytes: int = 1_048_576
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 100
    idempotency_ttl_seconds: int = 24 * 3600
    shutdown_timeout_seconds: int = 25

    # Gateway upstreams (distributed mode); embedded mode fills them with loopback ports.
    registry_url: str = "http://127.0.0.1:8101"
    dispatch_url: str = "http://127.0.0.1:8102"
    billing_url: str = "http://127.0.0.1:8103"
    deliberation_url: str = "http://127.0.0.1:8104"
    upstream_timeout_seconds: float = 30.0

    # Embedded mode seeds a demo street into empty databases.
    seed_demo: bool = True

    # Fault injection for crash tests, comma separated (see shared/failpoints.py).
    linli_failpoints: str = Field(default="")

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> Settings:
        if self.environment == "production":
            if self.jwt_algorithm == "HS256" and self.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET:
                raise ValueError(
                    "JWT_SECRET 仍是默认值，生产环境禁止使用 "
                    "(JWT_SECRET is the development default; set a real secret in production)"
                )
            if self.jwt_algorithm == "RS256" and self.jwt_public_key_file is None:
                raise ValueError("RS256 需要 JWT_PUBLIC_KEY_FILE (RS256 needs JWT_PUBLIC_KEY_FILE)")
        return self

    def database_url_for(self, service: str) -> str:
        """The SQLAlchemy async URL of one service's own database."""
        if self.database_url:
            return self.database_url.replace("{service}", service)
        return f"sqlite+aiosqlite:///{self.data_dir / f'{service}.db'}"

    def bus_url(self) -> str:
        """The database that holds the in-process event log."""
        if self.bus_database_url:
            return self.bus_database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'bus.db'}"

    def upstream_url(self, service: str) -> str:
        """Base URL of a service as the gateway sees it."""
        url: str = getattr(self, f"{service}_url")
        return url.rstrip("/")
