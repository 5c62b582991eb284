"""One typed settings class read by the API, the worker and the CLI.

Values come from environment variables, nested with `__` (e.g. `DATABASE__URL`).
With nothing set, veracity runs the embedded default: SQLite, in-process pipeline,
the action log kept in the database.
"""

from __future__ import annotations

import enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.logging import LogSettings
from core.tracing import TracingSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused outside development


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class DatabaseSettings(BaseModel):
    url: str = f"sqlite:///{REPO_ROOT / 'var' / 'veracity.db'}"
    echo: bool = False


class RedisSettings(BaseModel):
    url: str | None = None  # None: no broker, the pipeline runs in-process


class ElasticsearchSettings(BaseModel):
    # Comma-separated in the environment; empty: the action log stays in the database.
    hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    index_prefix: str = "veracity"
    request_timeout: float = 10.0

    @field_validator("hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value


class PlatformSettings(BaseModel):
    takedown_url: str | None = None  # the platform's enforcement endpoint
    timeout: float = 5.0
    max_attempts: int = 5
    # Drill actions stop before the platform unless it wants them (then flagged `drill: true`).
    send_drill_actions: bool = False


class OutboundSettings(BaseModel):
    # Hosts that may be called although they resolve to loopback or private addresses
    # (comma-separated; for development and tests only, e.g. `127.0.0.1,localhost`).
    allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip().lower() for h in value.split(",") if h.strip()]
        return value


class SmtpSettings(BaseModel):
    """Where incident e-mails go (unset host: e-mail channels stay unsent, with the reason)."""

    host: str | None = None
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "veracity@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)


class PublicSettings(BaseModel):
    # Where the public reads veracity (`PUBLIC__BASE_URL`, e.g. https://trust.example.org):
    # every absolute link (the feed, ClaimReview, webhook payloads) starts with it. Required in
    # production; unset in development, links take the address the request came in on.
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _web_origin(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
            raise ValueError("PUBLIC__BASE_URL must be an http(s) URL without spaces")
        return value


class SecuritySettings(BaseModel):
    secret_key: str = DEV_SECRET
    token_ttl_seconds: int = 8 * 3600


class AuditSettings(BaseModel):
    retention_days: int = Field(default=730, ge=1)  # action-log events older than this may go
    export_page_size: int = Field(default=2000, ge=100, le=10_000)


class ApiSettings(BaseModel):
    max_batch: int = 256
    max_body_bytes: int = 2 * 1024 * 1024
    max_text_chars: int = 20_000  # refused above this; the classifier truncates far earlier
    # Serving: the dynamic batcher in front of the model, and admission control (503 beyond).
    model_batch: int = Field(default=32, ge=1, le=1024)  # texts per model call
    batch_wait_ms: float = Field(default=3.0, ge=0, le=1000)  # wait for more texts to batch
    max_queued_texts: int = Field(default=1024, ge=1)  # texts waiting for the model
    max_queue_seconds: float = Field(default=2.0, gt=0)  # refuse when the wait would be longer
    # Scoring requests at once. Each holds a database connection while it waits for the model,
    # so keep it below the pool (10 + 20 overflow); the rest are refused with 503.
    max_in_flight: int = Field(default=16, ge=1)
    admission_wait_seconds: float = Field(default=0.5, ge=0)  # wait for a slot before a 503


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_nested_delimiter="__", env_prefix="", extra="ignore", case_sensitive=False
    )

    environment: Environment = Environment.DEVELOPMENT
    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()
    platform: PlatformSettings = PlatformSettings()
    outbound: OutboundSettings = OutboundSettings()
    smtp: SmtpSettings = SmtpSettings()
    security: SecuritySettings = SecuritySettings()
    public: PublicSettings = PublicSettings()
    api: ApiSettings = ApiSettings()
    audit: AuditSettings = AuditSettings()
    log: LogSettings = LogSettings()  # LOG__FORMAT=json|text|auto, LOG__LEVEL
    tracing: TracingSettings = TracingSettings()  # TRACING__ENABLED, TRACING__OTLP_ENDPOINT
    model_dir: Path | None = None  # None: newest shipped model, else the reference scorer
    use_reference_classifier: bool = False
    # Language, claim matches and check-worthiness at intake (pipeline/signals.py). None: on,
    # except with the reference scorer (tests, quick runs); true turns them on with it too.
    intake_signals: bool | None = None

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        secret = self.security.secret_key
        if self.environment is Environment.PRODUCTION and (
            secret == DEV_SECRET or len(secret) < 32
        ):
            raise ValueError(
                "SECURITY__SECRET_KEY must be set to a random value of 32+ characters "
                "outside development"
            )
        return self

    @model_validator(mode="after")
    def _public_links_need_an_address(self) -> Self:
        # Guessing from a request behind a proxy would print internal addresses in public links.
        if self.environment is Environment.PRODUCTION and not self.public.base_url:
            raise ValueError(
                "PUBLIC__BASE_URL must be set in production (e.g. https://trust.example.org)"
            )
        return self

    @property
    def pipeline_mode(self) -> str:
        return "celery" if self.redis.url else "inprocess"

    @property
    def log_in_elasticsearch(self) -> bool:
        return bool(self.elasticsearch.hosts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
