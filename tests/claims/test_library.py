"""The claim library: imports (idempotent, from dataset-shaped files), search, reviewer adds."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from audit.models import AuditEvent
from claims.cli import claims_import
from claims.importers import DEFAULT_DATASETS, read_checkthat, read_fixture, read_liar_plus
from claims.models import ClaimPost
from claims.service import count_claims, import_claims
from core.db import transaction
from core.errors import Invalid
from runtime.container import Runtime
from tests.conftest import auth, new_api_key, new_user_token
from tests.statements.helpers import SYSTEM, load_fixture_claims, post_linked_to

CHECKTHAT = (
    "\tvclaim\ttitle\n0\tA claim about a thing.\tDid a thing happen?\n"
    '1\t"Another claim that\nspans two lines."\tAnother title\n'
)
LIAR_ROW = "\t".join(
    ["0", "1234.json", "pants-fire", "The moon is cheese.", "space", "some-one", "", "", "none"]
    + ["0"] * 5
    + ["a chain email", "Astronomers have sampled the moon; it is rock."]
)


def test_fixture_import_is_idempotent_and_logged_once_per_run(rt: Runtime) -> None:
    first = load_fixture_claims(rt)
    assert len(first) == len(list(read_fixture())) >= 30
    assert all(c.source_url and c.source_url.startswith("https://") for c in first)
    with transaction(rt.sessions) as session:
        again = import_claims(session, read_fixture(), SYSTEM, source="fixture")
        assert (again.added, again.already_present) == (0, len(first))
        assert count_claims(session) == len(first)
        runs = session.scalars(select(AuditEvent).where(AuditEvent.action == "claim.imported"))
        assert len(list(runs)) == 2


def test_checkthat_and_liar_plus_files_are_read_with_their_verdicts(tmp_path: Path) -> None:
    (tmp_path / "vc.tsv").write_text(CHECKTHAT, encoding="utf-8")
    (tmp_path / "liar.tsv").write_text(LIAR_ROW + "\n", encoding="utf-8")
    checkthat = list(read_checkthat(tmp_path / "vc.tsv"))
    assert [c.origin_ref for c in checkthat] == ["0", "1"]
    assert checkthat[1].text == "Another claim that spans two lines."
    assert checkthat[0].verdict == "unverified" and checkthat[0].source_name == "Snopes"
    [liar] = read_liar_plus(tmp_path / "liar.tsv")
    assert (liar.origin_ref, liar.verdict, liar.text) == ("1234", "false", "The moon is cheese.")
    assert liar.explanation.startswith("Astronomers")


@pytest.mark.skipif(not DEFAULT_DATASETS.is_dir(), reason="research datasets not present")
def test_the_research_datasets_read_in_full_when_present() -> None:
    assert len(list(read_checkthat(DEFAULT_DATASETS))) == 10_375
    liar = list(read_liar_plus(DEFAULT_DATASETS))
    assert len(liar) == 1_284
    assert {c.verdict for c in liar} == {"false", "misleading", "true"}


def test_a_wrong_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "x.tsv").write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(Invalid, match="not a CheckThat"):
        list(read_checkthat(tmp_path / "x.tsv"))
    with pytest.raises(Invalid, match="not found"):
        list(read_liar_plus(tmp_path / "missing"))


def test_import_command_loads_the_bundled_fixture(
    rt: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    claims_import(rt, argparse.Namespace(source="fixture", path=None))
    assert "added 32" in capsys.readouterr().out


def test_staff_search_the_library_and_platform_keys_cannot(rt: Runtime, client: TestClient) -> None:
    load_fixture_claims(rt)
    token = new_user_token(rt, "pr")
    found = client.get("/v1/claims", params={"q": "5g", "verdict": "false"}, headers=auth(token))
    assert found.status_code == 200
    assert [c["origin"] for c in found.json()] == ["fixture"]
    one = client.get(f"/v1/claims/{found.json()[0]['id']}", headers=auth(token))
    assert one.json()["source_url"].startswith("https://www.who.int/")
    assert client.get("/v1/claims", headers=auth(new_api_key(rt))).status_code == 403
    assert client.get("/v1/claims").status_code == 401
    assert client.get("/v1/claims/nope", headers=auth(token)).status_code == 404


def test_reviewer_adds_a_claim_from_a_decision_and_the_post_is_linked(
    rt: Runtime, client: TestClient
) -> None:
    from pipeline.models import Decision

    claim = load_fixture_claims(rt)[0]
    post_id = post_linked_to(rt, claim.id)
    with transaction(rt.sessions) as session:
        decision = Decision(
            post_id=post_id, decided_by="r1", reason_code="false_claim", action="label"
        )
        session.add(decision)
        session.flush()
        decision_id = decision.id
    body = {
        "text": "Towers spread the virus",
        "verdict": "false",
        "source_url": "https://example.org/check",
        "source_name": "Example",
        "explanation": "Radio waves do not carry viruses.",
    }
    reviewer = new_user_token(rt, "reviewer")
    made = client.post(f"/v1/claims/from-decision/{decision_id}", json=body, headers=auth(reviewer))
    assert made.status_code == 201, made.text
    assert made.json()["origin"] == "reviewer"
    with transaction(rt.sessions) as session:
        links = session.scalars(select(ClaimPost).where(ClaimPost.claim_id == made.json()["id"]))
        assert [link.post_id for link in links] == [post_id]
    bad = client.post("/v1/claims", json=dict(body, verdict="maybe"), headers=auth(reviewer))
    assert bad.status_code == 422
    legal = new_user_token(rt, "legal")
    assert client.post("/v1/claims", json=body, headers=auth(legal)).status_code == 403
    pr = new_user_token(rt, "pr")
    refused = client.post(f"/v1/claims/from-decision/{decision_id}", json=body, headers=auth(pr))
    assert refused.status_code == 403
    missing = client.post("/v1/claims/from-decision/nope", json=body, headers=auth(reviewer))
    assert missing.status_code == 404


def test_an_edit_stores_the_verdict_and_url_as_text_and_logs_only_what_changed(
    rt: Runtime,
) -> None:
    from claims.models import Verdict
    from claims.schemas import ClaimIn
    from claims.service import add_claim, edit_claim

    given = ClaimIn(text="The moon is cheese.", verdict=Verdict.FALSE, source_name="Example")
    with transaction(rt.sessions) as session:
        claim_id = add_claim(session, given, SYSTEM, origin="reviewer").id
    with transaction(rt.sessions) as session:
        unchanged = edit_claim(session, claim_id, given, SYSTEM)
        assert unchanged.updated_at is None
        edit = dict(given.model_dump(), verdict="misleading", source_url="https://Example.org")
        edited = edit_claim(session, claim_id, ClaimIn.model_validate(edit), SYSTEM)
        assert (edited.verdict, edited.source_url) == ("misleading", "https://example.org/")
        assert type(edited.verdict) is str and edited.updated_at is not None
        logged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "claim.edited")
        ).one()
        document: dict[str, Any] = logged.document
        assert document["veracity"]["before"] == {"verdict": "false", "source_url": None}
        assert document["veracity"]["after"] == {
            "verdict": "misleading",
            "source_url": "https://example.org/",
        }
