"""Draft generators behind one interface: offline templates (default) or an LLM endpoint.

Whatever a generator writes goes through the same checks before anyone can approve it. The LLM
endpoint is called through the outbound gate like every other URL (`core/outbound.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from core.errors import DomainError
from core.outbound import OutboundPolicy, RefusedDestination, gated_client
from statements.checks import CHANNEL_LIMITS
from statements.evidence import Evidence
from statements.templates import DraftText, render


class GeneratorUnavailable(DomainError, status=502, code="generator_unavailable"):
    """The drafting model was refused by the outbound gate, did not answer, or answered with
    something other than the JSON asked for; the draft can be written by hand instead."""


@dataclass(frozen=True)
class DraftBrief:
    kind: str
    channel: str
    evidence: Evidence
    platform: str
    language: str | None = None  # "en" or "zh"; None: from the claim's and fact's text


class Generator(Protocol):
    @property
    def name(self) -> str: ...

    def generate(self, brief: DraftBrief) -> DraftText: ...


class OfflineGenerator:
    """Retrieval plus templates: no network, the same answer every time."""

    name = "offline"

    def generate(self, brief: DraftBrief) -> DraftText:
        return render(brief.kind, brief.channel, brief.evidence, brief.platform, brief.language)


SYSTEM_PROMPT = """You write public statements for a social platform's trust and safety team.
Rules: state the verified fact first; never repeat the false claim in the headline or the first
sentence; cite only the source URLs you are given, at least one, written out in full; stay
within the length limits; plain words, short sentences; no placeholders.
Answer with JSON only: {"title": "...", "body": "..."}."""


class OpenAICompatibleGenerator:
    """Calls `POST {base_url}/chat/completions` (the OpenAI shape many servers speak)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        outbound: OutboundPolicy,
        api_key: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"  # gated on every request
        self._model = model
        headers = [("Authorization", f"Bearer {api_key}")] if api_key else []
        self._client = gated_client(outbound, timeout=timeout, transport=transport, headers=headers)

    @property
    def name(self) -> str:
        return f"llm:{self._model}"

    def generate(self, brief: DraftBrief) -> DraftText:
        start = render(brief.kind, brief.channel, brief.evidence, brief.platform, brief.language)
        title_limit, body_limit = CHANNEL_LIMITS[brief.channel]
        user = {
            "kind": brief.kind,
            "channel": brief.channel,
            "language": brief.language or "as the template draft",
            "limits": {"title_chars": title_limit, "body_chars": body_limit},
            "evidence": brief.evidence.as_dict(),
            "template_draft": {"title": start.title, "body": start.body},
        }
        payload = {
            "model": self._model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(user, ensure_ascii=False)},
            ],
        }
        try:
            resp = self._client.post(self._url, json=payload)
            resp.raise_for_status()  # a 3xx too: redirects are not followed
            content = resp.json()["choices"][0]["message"]["content"]
        except RefusedDestination as exc:
            raise GeneratorUnavailable(f"the drafting model was not called: {exc}") from exc
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise GeneratorUnavailable(f"the drafting model did not answer: {exc}") from exc
        return _parse(str(content))


def _parse(content: str) -> DraftText:
    text = content.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
    try:
        data: Any = json.loads(text)
        return DraftText(title=str(data["title"]).strip(), body=str(data["body"]).strip())
    except (ValueError, KeyError, TypeError) as exc:
        raise GeneratorUnavailable(
            "the drafting model's answer was not the JSON asked for"
        ) from exc
