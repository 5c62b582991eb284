"""Hash chaining of log documents: each carries the hash of the one before it in its chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(doc_without_hash: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(doc_without_hash)).hexdigest()


def strip_hash(doc: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Split a stored document into (the hashed part, its recorded hash)."""
    body = json.loads(json.dumps(doc))
    chain = body["veracity"]["chain"]
    recorded = str(chain.pop("hash"))
    return body, recorded
