"""Settings read from environment variables, passed explicitly into every app factory."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES: tuple[str, ...] = ("registry", "dispatch", "billing", "deliberation")
DEFAULT_JWT_SECRET = "linli-development-secret-change-me"
DEFAULT_PAYMENT_CHANNEL_SECRET = "linli-development-payment-channel-secret"
# Development-only keys (base64 of 32 bytes); production refuses them.
DEFAULT_PII_KEY = "bGlubGktZGV2LXBpaS1lbmNyeXB0aW9uLWtleS0zMmI="
DEFAULT_PII_HASH_KEY = "bGlubGktZGV2LXBpaS1zZWFyY2gtaGFzaC1rZXktMzI="
MIN_SECRET_LENGTH = 32
# argon2id's cost (argon2-cffi's defaults, RFC 9106's second recommended option): production
# refuses anything cheaper. Only the test suite lowers it (tests/conftest.py), so that a story
# that logs in or seeds the demo accounts spends microseconds, not a third of a CPU second, a hash.
STRONG_ARGON2_TIME_COST = 3
STRONG_ARGON2_MEMORY_KIB = 65_536
STRONG_ARGON2_PARALLELISM = 4


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
    # Files (photos on orders, shared/storage.py): DATA_DIR/files, or an S3-compatible bucket.
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr = SecretStr("")
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
    # Rows the relay claims, publishes and marks per transaction. Each batch pays a few round
    # trips and the broker's acks whatever its size: 5,000 relayed 1.5-2x as many rows/s as 500
    # on the 2-core bench machine, at the same CPU per row (bench/README.md, bench/events).
    relay_batch_size: int = 5_000
    relay_poll_interval_ms: int = 200
    consumer_batch_size: int = 500
    # 8 attempts from 200 ms doubling up to 10 s ride out ~20 s of a database blip before an
    # event is parked on the dead-letter topic.
    consumer_max_attempts: int = 8
    consumer_backoff_base_ms: int = 200
    consumer_backoff_max_ms: int = 10_000

    # Personal data (PIPL): AES-256-GCM key for ID-card and mobile numbers at rest, and the HMAC
    # key of their exact-match search hashes; each 32 bytes, base64. Set both in production.
    pii_encryption_key: SecretStr = SecretStr(DEFAULT_PII_KEY)
    pii_hash_key: SecretStr = SecretStr(DEFAULT_PII_HASH_KEY)

    # Auth.
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    # Billing's key for the payment channels' notifications (the test signer's HMAC and AES-GCM
    # key until real WeChat Pay / Alipay certificates are configured); apart from JWT_SECRET so
    # rotating one does not break the other.
    payment_channel_secret: SecretStr = SecretStr(DEFAULT_PAYMENT_CHANNEL_SECRET)
    # WeChat Pay API v3 (README, production): the merchant id (mchid), the 32-character APIv3 key
    # that decrypts a notification's resource, and the keys that verify its signature, named by
    # the Wechatpay-Serial header: platform certificates (PEM text or a file path; several may
    # be concatenated while WeChat rotates them) and/or the 微信支付公钥 with its PUB_KEY_ID_….
    wechatpay_merchant_id: str = ""
    wechatpay_api_v3_key: SecretStr = SecretStr("")
    wechatpay_platform_certificates: str = ""
    wechatpay_public_key: str = ""
    wechatpay_public_key_id: str = ""
    # A notification whose Wechatpay-Timestamp is further than this from the service clock is
    # refused (WeChat's documentation recommends five minutes); its nonce is remembered this long.
    wechatpay_max_clock_skew_seconds: int = Field(default=300, gt=0, le=3600)
    # Alipay (RSA2): the application's app_id, the merchant's seller_id (PID, 2088…) and Alipay's
    # public key (支付宝公钥, PEM text, the bare base64 string Alipay shows, or a file path).
    alipay_app_id: str = ""
    alipay_seller_id: str = ""
    alipay_public_key: str = ""
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "linli"
    # Access tokens live at most 15 minutes: roles removed in the registry (or a deleted person)
    # stop working within that time, because refresh tokens are checked and revocable.
    token_ttl_seconds: int = Field(default=900, gt=0, le=900)
    # A refresh token is good for this long after it was issued; each use rotates it.
    refresh_token_ttl_seconds: int = Field(default=30 * 86_400, gt=0)
    # Peers (IPs or CIDRs, comma-separated) whose X-Forwarded-For names the real client: the
    # gateway's address for the services, a load balancer's for the gateway. Default: none, so a
    # client cannot claim to be "many addresses" by sending the header itself.
    trusted_proxies: str = ""

    # HTTP limits.
    max_body_bytes: int = 1_048_576
    # File uploads (multipart/form-data, e.g. a 100,000-row ledger .xlsx) get a larger cap.
    max_upload_bytes: int = 50 * 1_048_576
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 100
    idempotency_ttl_seconds: int = 24 * 3600
    shutdown_timeout_seconds: int = 25
    # After SIGTERM, keep serving (with /readyz answering 503) this long so load balancers see
    # the service leave before it stops accepting connections. 0 in development.
    shutdown_drain_seconds: float = 0.0

    # Gateway upstreams (distributed mode); embedded mode fills them with loopback ports.
    registry_url: str = "http://127.0.0.1:8101"
    dispatch_url: str = "http://127.0.0.1:8102"
    billing_url: str = "http://127.0.0.1:8103"
    deliberation_url: str = "http://127.0.0.1:8104"
    upstream_timeout_seconds: float = 30.0

    # Notifications (the registry delivers them). External channels the deployment turns on,
    # comma-separated: `log` (development: writes to the log what would be sent, no message
    # text) and `email` (SMTP below). The in-app inbox is always on.
    notify_channels: str = "log"
    # Quiet hours in the compound's time zone: non-urgent messages wait for their end on
    # external channels (the inbox gets them at once).
    notify_quiet_start: str = Field(default="22:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    notify_quiet_end: str = Field(default="07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    notify_max_attempts: int = Field(default=6, ge=1)
    notify_backoff_base_seconds: float = Field(default=30.0, gt=0)
    notify_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    notify_tick_seconds: float = Field(default=1.0, gt=0)
    # An urgent offer not opened in the app (read, or shown on an open live inbox) within this
    # many minutes goes by SMS as well: the offer lapses if nobody sees it.
    notify_escalate_after_minutes: float = Field(default=10.0, gt=0)
    # At most this many messages per person and external channel in any hour; more are not
    # sent (the inbox has them all). Urgent messages count against their own, higher bound.
    notify_rate_limit_per_hour: int = Field(default=10, ge=1)
    notify_urgent_rate_limit_per_hour: int = Field(default=30, ge=1)
    # The address people reach the platform at (the gateway), for links in e-mail and SMS
    # (the one-tap unsubscribe link works without a login).
    public_base_url: str = "http://127.0.0.1:8000"
    # E-mail over SMTP (port 465: SMTP_SSL; 587: SMTP_STARTTLS).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str = "Linli 邻里 <noreply@linli.local>"
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = 10.0
    # SMS: Aliyun (AccessKey id / secret) or Tencent Cloud (SecretId / SecretKey, SmsSdkAppId).
    # Providers send approved templates only: SMS_TEMPLATES maps kinds to template codes,
    # e.g. "order_offered=SMS_1234,order_escalated=SMS_5678"; each gets ${title} and ${link}.
    sms_provider: Literal["aliyun", "tencent"] = "aliyun"
    sms_endpoint: str | None = None  # unset: the provider's public endpoint
    sms_access_key_id: str = ""
    sms_access_key_secret: SecretStr = SecretStr("")
    sms_sign_name: str = "邻里"
    sms_app_id: str = ""
    sms_region: str = ""
    sms_templates: str = ""
    sms_timeout_seconds: float = 10.0
    # WeChat subscribe messages (小程序订阅消息): the mini program's appid and AppSecret, the
    # template id per kind ("order_offered=<id>,vote_opened=<id>"), which template keywords get
    # the message's title, body or link, and the mini program page a message opens (?link=…).
    wechat_app_id: str = ""
    wechat_app_secret: SecretStr = SecretStr("")
    wechat_api_base: str | None = None  # unset: https://api.weixin.qq.com
    wechat_templates: str = ""
    wechat_template_fields: str = "thing1=title,thing2=body"
    wechat_page: str = "pages/index/index"
    wechat_miniprogram_state: Literal["formal", "trial", "developer"] = "formal"
    wechat_timeout_seconds: float = 10.0

    # Shifts every service's clock (runtime.clock) forward, so a test or a rehearsal can pass a
    # 15-day notice or a 72-hour confirm window by restarting with an offset. Never in production.
    clock_offset_seconds: int = 0

    # OpenTelemetry: where to export spans over OTLP/HTTP (a collector, e.g. http://otel-collector:4318;
    # the standard variable name). Empty: no export; trace ids still travel in logs and events.
    otel_exporter_otlp_endpoint: str = ""

    # Embedded mode seeds a demo street into empty databases, with demo accounts (README).
    seed_demo: bool = True
    # How much history the demo street gets for the console's dashboard (a year of orders, bills
    # and payments): 0 none, 1 a small street that starts in seconds, more for a fuller one.
    # Reproducible: the same size gives the same records.
    demo_size: int = Field(default=1, ge=0, le=20)
    linli_demo_password: SecretStr = SecretStr("linli-demo")
    # Passwords are hashed with argon2id at this cost (hashes keep their own parameters, so a
    # change applies to new hashes; a login rehashes one made at another cost).
    argon2_time_cost: int = Field(default=STRONG_ARGON2_TIME_COST, ge=1)
    argon2_memory_kib: int = Field(default=STRONG_ARGON2_MEMORY_KIB, ge=8)
    argon2_parallelism: int = Field(default=STRONG_ARGON2_PARALLELISM, ge=1)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(
                        f"TRUSTED_PROXIES 应为逗号分隔的 IP 或网段，收到 {part.strip()!r} "
                        "(TRUSTED_PROXIES must be comma-separated IPs or CIDRs)"
                    ) from None
        return value

    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(p.strip(), strict=False) for p in self.trusted_proxies.split(",") if p.strip()
        )

    @model_validator(mode="after")
    def _no_default_secret_outside_development(self) -> Settings:
        if self.environment == "production":
            secret = self.jwt_secret.get_secret_value()
            if self.jwt_algorithm == "HS256" and (secret == DEFAULT_JWT_SECRET or len(secret) < MIN_SECRET_LENGTH):
                raise ValueError(
                    f"JWT_SECRET 须为至少 {MIN_SECRET_LENGTH} 个字符的非默认密钥 "
                    f"(JWT_SECRET must be a non-default secret of at least {MIN_SECRET_LENGTH} chars in production)"
                )

            if self.clock_offset_seconds:
                raise ValueError("生产环境不得设置 CLOCK_OFFSET_SECONDS (no clock offset in production)")
            if (
                self.argon2_time_cost < STRONG_ARGON2_TIME_COST
                or self.argon2_memory_kib < STRONG_ARGON2_MEMORY_KIB
                or self.argon2_parallelism < STRONG_ARGON2_PARALLELISM
            ):
                raise ValueError(
                    "生产环境的密码哈希强度不得低于默认值 "
                    "(ARGON2_TIME_COST, ARGON2_MEMORY_KIB and ARGON2_PARALLELISM "
                    "may not go below their defaults in production)"
                )
            if self.jwt_algorithm == "RS256" and self.jwt_public_key_file is None:
                raise ValueError("RS256 需要 JWT_PUBLIC_KEY_FILE (RS256 needs JWT_PUBLIC_KEY_FILE)")
        return self

    def check_pii_keys(self) -> None:
        """The registry (the only holder of personal data) refuses development keys in production."""
        if self.environment == "production" and (
            self.pii_encryption_key.get_secret_value() == DEFAULT_PII_KEY
            or self.pii_hash_key.get_secret_value() == DEFAULT_PII_HASH_KEY
        ):
            raise ValueError(
                "PII_ENCRYPTION_KEY 和 PII_HASH_KEY 仍是默认值，生产环境禁止使用 "
                "(set PII_ENCRYPTION_KEY and PII_HASH_KEY in production)"
            )

    def wechatpay_configured(self) -> bool:
        """Real WeChat Pay verification is configured (else development uses the test signer)."""
        return self._channel_settings("WECHATPAY", self._wechatpay_values())

    def alipay_configured(self) -> bool:
        """Real Alipay verification is configured (else development uses the test signer)."""
        return self._channel_settings("ALIPAY", self._alipay_values())

    def _wechatpay_values(self) -> dict[str, str]:
        keys = self.wechatpay_platform_certificates or self.wechatpay_public_key
        values = {
            "WECHATPAY_MERCHANT_ID": self.wechatpay_merchant_id,
            "WECHATPAY_API_V3_KEY": self.wechatpay_api_v3_key.get_secret_value(),
            "WECHATPAY_PLATFORM_CERTIFICATES or WECHATPAY_PUBLIC_KEY": keys,
        }
        if self.wechatpay_public_key or self.wechatpay_public_key_id:
            values["WECHATPAY_PUBLIC_KEY"] = self.wechatpay_public_key
            values["WECHATPAY_PUBLIC_KEY_ID"] = self.wechatpay_public_key_id
        return values

    def _alipay_values(self) -> dict[str, str]:
        return {
            "ALIPAY_APP_ID": self.alipay_app_id,
            "ALIPAY_SELLER_ID": self.alipay_seller_id,
            "ALIPAY_PUBLIC_KEY": self.alipay_public_key,
        }

    @staticmethod
    def _channel_settings(label: str, values: dict[str, str]) -> bool:
        # Half a channel is a typo, not a choice: refuse it everywhere rather than fall back to
        # the test signer without saying so.
        missing = [name for name, value in values.items() if not value.strip()]
        if missing and len(missing) < len(values):
            raise ValueError(
                f"{label} 配置不完整，缺少 {', '.join(missing)} ({label} is half configured: set {missing})"
            )
        return not missing

    def check_payment_channels(self) -> None:
        """Billing's channels: each is configured fully or not at all (half a channel is a typo,
        refused everywhere). Production verifies real signatures only: a compound that collects
        at the counter alone runs with no channel keys and offers no online payment; the HMAC
        test signer and its PAYMENT_CHANNEL_SECRET are for development and tests."""
        self.wechatpay_configured()
        self.alipay_configured()

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
