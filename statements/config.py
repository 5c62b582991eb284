"""Statement settings: publishing and the optional LLM drafter, from `STATEMENTS__*` variables.

Kept beside the domain (read like the main settings class, same nesting) so enabling the LLM
drafter or the official-account webhook needs no change outside `statements/`.

The two URLs called out to (the webhook and the LLM) pass the outbound gate three times: their
form when the settings load, their resolved addresses against the allow-list when a serving
process starts (`check_outbound`), and again on every request inside the gated transport.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Self

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.outbound import OutboundPolicy, OutboundRefused
from core.settings import Environment, Settings


class StatementSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STATEMENTS__", extra="ignore")

    public_base_url: str = "http://127.0.0.1:8000"  # where the feed and statements are read
    publisher_name: str = "Veracity Trust & Safety"
    platform_name: str = "the platform"
    webhook_url: str | None = None  # the platform's official-account endpoint
    webhook_secret: str | None = None
    webhook_timeout: float = 5.0
    max_delivery_attempts: int = 5
    llm_url: str | None = None  # an OpenAI-compatible base URL, e.g. http://host:8080/v1
    llm_model: str = "default"
    llm_api_key: str | None = None
    llm_timeout: float = 30.0

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Self:
        if self.webhook_url and not (self.webhook_secret and len(self.webhook_secret) >= 16):
            raise ValueError("STATEMENTS__WEBHOOK_URL needs STATEMENTS__WEBHOOK_SECRET (16+ chars)")
        return self

    @model_validator(mode="after")
    def _urls_are_callable(self) -> Self:
        # Form only (scheme, credentials, host): addresses need the allow-list, see check_outbound.
        for setting, url in self.outbound_urls().items():
            try:
                OutboundPolicy().parse(url)
            except OutboundRefused as exc:
                raise ValueError(f"{setting}: {exc.message}") from exc
        return self

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url and self.webhook_secret)

    def outbound_urls(self) -> dict[str, str]:
        """The configured URLs veracity calls, by the variable that sets them."""
        urls = {"STATEMENTS__WEBHOOK_URL": self.webhook_url, "STATEMENTS__LLM_URL": self.llm_url}
        return {setting: url for setting, url in urls.items() if url}


def check_outbound(settings: StatementSettings, outbound: OutboundPolicy) -> None:
    """At startup: refuse a configured URL whose host is private or loopback (and not allowed),
    naming the variable, rather than failing each delivery later."""
    for setting, url in settings.outbound_urls().items():
        try:
            outbound.check(url)
        except OutboundRefused as exc:
            raise OutboundRefused(f"{setting} is refused: {exc.message}") from exc


@lru_cache(maxsize=1)
def get_statement_settings() -> StatementSettings:
    return StatementSettings()


def public_base_url(
    statements: StatementSettings, core: Settings, request_base: str | None = None
) -> str:
    """The address every absolute link starts with: `PUBLIC__BASE_URL`, else an explicit
    `STATEMENTS__PUBLIC_BASE_URL`, else (development only) the address the request came in
    on, else the development default."""
    if core.public.base_url:
        return core.public.base_url
    if "public_base_url" in statements.model_fields_set:
        return statements.public_base_url.rstrip("/")
    if core.environment is Environment.DEVELOPMENT and request_base:
        return request_base.rstrip("/")
    return statements.public_base_url.rstrip("/")


def statement_settings_for(core: Settings, request_base: str | None = None) -> StatementSettings:
    """The statement settings with the public address resolved (feeds, pages, deliveries)."""
    settings = get_statement_settings()
    resolved = public_base_url(settings, core, request_base)
    return settings.model_copy(update={"public_base_url": resolved})
