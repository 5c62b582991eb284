"""Exports and statements of reasons keep text byte-exact (issue 20, item 6): Chinese, emoji
with skin tones and joiners, characters outside the Basic Multilingual Plane, right-to-left
and combining marks, written through the product and read back from the files legal gets.

The CSV is UTF-8 without a byte-order mark: the manifest's SHA-256 covers the exact bytes
handed over, and a spreadsheet opens it through its UTF-8 import (README, Legal)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi.testclient import TestClient

from runtime.container import Runtime
from tests.audit.factories import write_events
from tests.conftest import auth, new_user_token

MIXED = (
    "喝盐水可以预防新冠病毒？不能。"  # Simplified Chinese
    " 臺灣 𠮷野家 "  # Traditional, and a character beyond the BMP (4 UTF-8 bytes)
    "👩🏽‍⚕️ 🧂🚫 "  # emoji: skin tone, zero-width joiner, variation selector
    "مرحبا "  # right to left
    "é (e\u0301) Ελληνικά русский 한국어 — “quotes”"
)
GROUND = "《中华人民共和国网络安全法》第十二条"


def _events(rt: Runtime) -> None:
    write_events(
        rt,
        3,
        reason=f"false_claim: {MIXED}",
        after={
            "action": "remove",
            "reason_code": "false_claim",
            "public_facts": MIXED,
            "legal_ground": GROUND,
        },
    )


def _legal(rt: Runtime) -> dict[str, str]:
    return auth(new_user_token(rt, "legal"))


def test_the_csv_export_keeps_every_script_byte_exact(rt: Runtime, client: TestClient) -> None:
    _events(rt)
    resp = client.get(
        "/v1/audit/export", params={"action": "case.decided", "format": "csv"}, headers=_legal(rt)
    )
    assert resp.status_code == 200
    raw = resp.content
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM: the hashed bytes are the events
    assert f"false_claim: {MIXED}".encode() in raw  # UTF-8, not escaped or transcoded
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == 3
    for row in rows:
        assert row["veracity.reason"] == f"false_claim: {MIXED}"
        after = json.loads(row["veracity.after"])
        assert after["public_facts"] == MIXED and after["legal_ground"] == GROUND


def test_the_ndjson_export_keeps_every_script_byte_exact(rt: Runtime, client: TestClient) -> None:
    _events(rt)
    resp = client.get("/v1/audit/export", params={"action": "case.decided"}, headers=_legal(rt))
    assert resp.status_code == 200
    assert MIXED.encode() in resp.content and b"\\u" not in resp.content
    docs: list[dict[str, Any]] = [json.loads(line) for line in resp.content.splitlines()]
    assert [d["veracity"]["after"]["public_facts"] for d in docs] == [MIXED] * 3


def test_statements_of_reasons_keep_the_authors_facts_and_the_law_exact(
    rt: Runtime, client: TestClient
) -> None:
    _events(rt)
    resp = client.get("/v1/audit/dsa/statements", headers=_legal(rt))
    assert resp.status_code == 200
    assert MIXED.encode() in resp.content and GROUND.encode() in resp.content
    statements = [s for line in resp.content.splitlines() for s in json.loads(line)["statements"]]
    assert len(statements) == 3
    for statement in statements:
        assert statement["decision_facts"] == MIXED
        assert statement["incompatible_content_explanation"] == MIXED
        assert statement["illegal_content_legal_ground"] == GROUND
        assert statement["incompatible_content_illegal"] == "Yes"
