"""Statement settings: publishing and the optional LLM drafter, from `STATEMENTS__*` variables.

Kept beside the domain (read like the main settings class, same nesting) so enabling the LLM
drafter or the official-account webhook needs no change outside `statements/`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Self

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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


@lru_cache(maxsize=1)
def get_statement_settings() -> StatementSettings:
    return StatementSettings()
