"""Settings, one group per subsystem, each read from its own environment prefix.

`get_settings()` is the one cached accessor; tests call `reset_settings()` after
changing the environment. Every field is documented in `.env.example`, and a
test checks that the two name the same variables.
"""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A development secret: good enough for a laptop, refused in production.
DEFAULT_JWT_SECRET = "dev-only-insecure-jwt-secret-change-me"
# HMAC-SHA256 keys shorter than the hash output weaken it.
MIN_JWT_SECRET_CHARS = 32


def _group(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", extra="ignore", case_sensitive=False
    )


class AppSettings(BaseSettings):
    model_config = _group("APP_")

    env: Literal["development", "test", "production"] = Field(
        "development", description="Deployment mode; production enforces secrets."
    )
    name: str = Field("Kubera", description="Product name shown in emails and the API root.")
    base_url: str = Field(
        "http://localhost:8000", description="Public URL of the web process, used in emails."
    )
    log_level: str = Field("INFO", description="Level of the kubera.* loggers.")
    log_json: bool | None = Field(
        None, description="JSON log lines; unset means JSON unless stderr is a terminal."
    )
    max_body_bytes: int = Field(
        65_536, description="Largest accepted request body; bigger bodies get 413."
    )


class DatabaseSettings(BaseSettings):
    model_config = _group("DATABASE_")

    url: str = Field(
        "", description="PostgreSQL URL (postgresql+asyncpg://…); empty starts pgserver in dev."
    )
    pool_size: int = Field(20, description="Connections kept open per process.")
    max_overflow: int = Field(
        0, description="Extra connections opened past pool_size in a burst, closed after."
    )
    ping_idle_s: float = Field(
        2.0, description="A connection idle this long is checked before use (server restarts)."
    )
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")


class RedisSettings(BaseSettings):
    model_config = _group("REDIS_")

    url: str = Field("", description="Redis URL (redis://host:port/db); empty starts Valkey.")


class SmtpSettings(BaseSettings):
    model_config = _group("SMTP_")

    host: str = Field("", description="SMTP server host; empty starts a local sink in dev.")
    port: int = Field(587, description="SMTP server port.")
    user: str = Field("", description="SMTP login; empty means no authentication.")
    password: SecretStr = Field(SecretStr(""), description="SMTP password.")
    from_email: str = Field("kubera@localhost", description="Sender address of every email.")
    from_name: str = Field("Kubera", description="Sender display name.")
    starttls: bool = Field(False, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(False, description="Connect with implicit TLS (port 465).")
    timeout_s: float = Field(15.0, description="Connect and command timeout.")


class JwtSettings(BaseSettings):
    model_config = _group("JWT_")

    secret: SecretStr = Field(
        SecretStr(DEFAULT_JWT_SECRET), description="HMAC key for tokens; 32+ chars in production."
    )
    issuer: str = Field("kubera", description="`iss` claim written and required.")
    access_ttl_s: int = Field(900, description="Access token lifetime (15 minutes).")
    refresh_ttl_s: int = Field(2_592_000, description="Refresh token lifetime (30 days).")


class OtpSettings(BaseSettings):
    model_config = _group("OTP_")

    ttl_s: int = Field(600, description="How long an emailed code stays valid.")
    max_attempts: int = Field(5, description="Wrong tries that void a code.")
    resend_cooldown_s: int = Field(60, description="Wait before another code is sent.")
    verified_window_s: int = Field(
        1800, description="How long a verified registration code allows step 3."
    )


class AdminSettings(BaseSettings):
    model_config = _group("ADMIN_")

    email: str = Field("admin@kubera.local", description="Email of the admin seeded at start.")
    username: str = Field("admin", description="Username of the seeded admin.")
    password: SecretStr = Field(
        SecretStr(""), description="Seeded admin's password; empty generates one, printed once."
    )


class LlmSettings(BaseSettings):
    model_config = _group("LLM_")

    base_url: str = Field(
        "https://openrouter.ai/api/v1", description="OpenAI-compatible chat-completions base URL."
    )
    model: str = Field(
        "meta-llama/llama-3.3-70b-instruct", description="Model name sent to the gateway."
    )
    api_key: SecretStr = Field(
        SecretStr(""), description="Gateway key; OPENROUTER_API_KEY is used when empty."
    )
    openrouter_api_key: SecretStr = Field(
        SecretStr(""),
        validation_alias="OPENROUTER_API_KEY",
        description="OpenRouter key; with no key the offline analyst answers.",
    )
    timeout_s: float = Field(60.0, description="Per-request timeout to the gateway.")


class MarketSettings(BaseSettings):
    model_config = _group("MARKET_")

    data_source: Literal["auto", "yfinance", "demo"] = Field(
        "auto", description="auto tries Yahoo and falls back to demo data."
    )
    deadline_s: float = Field(10.0, description="Hard deadline for one upstream call.")
    risk_free_rate: float = Field(0.065, description="Annual rate used in Sharpe ratios.")


class WorkerSettings(BaseSettings):
    model_config = _group("WORKER_")

    email_max_retries: int = Field(8, description="SMTP attempts before an email is failed.")
    email_min_backoff_ms: int = Field(1_000, description="First retry delay; doubles each try.")
    email_max_backoff_ms: int = Field(300_000, description="Longest delay between retries.")
    heartbeat_s: int = Field(10, description="How often a worker reports it is alive.")


class Settings(BaseSettings):
    """All groups together; build it with `get_settings()`."""

    model_config = SettingsConfigDict(extra="ignore")

    app: AppSettings = Field(default_factory=AppSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    jwt: JwtSettings = Field(default_factory=JwtSettings)
    otp: OtpSettings = Field(default_factory=OtpSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    market: MarketSettings = Field(default_factory=MarketSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.app.env != "production":
            return self
        secret = self.jwt.secret.get_secret_value()
        if secret == DEFAULT_JWT_SECRET or len(secret) < MIN_JWT_SECRET_CHARS:
            raise ValueError(
                "JWT_SECRET must be set to a random value of at least "
                f"{MIN_JWT_SECRET_CHARS} characters in production"
            )
        return self


GROUPS: tuple[type[BaseSettings], ...] = (
    AppSettings,
    DatabaseSettings,
    RedisSettings,
    SmtpSettings,
    JwtSettings,
    OtpSettings,
    AdminSettings,
    LlmSettings,
    MarketSettings,
    WorkerSettings,
)


def env_names() -> set[str]:
    """Every environment variable the settings read, upper-cased."""
    names: set[str] = set()
    for group in GROUPS:
        prefix = group.model_config.get("env_prefix", "")
        for name, field in group.model_fields.items():
            alias = field.validation_alias
            names.add(alias.upper() if isinstance(alias, str) else (prefix + name).upper())
    return names


@functools.cache
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings so the next call re-reads the environment."""
    get_settings.cache_clear()
