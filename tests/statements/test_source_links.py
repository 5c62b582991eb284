"""A statement's sources and URL facts pass the outbound gate where they are typed (draft and
edit, API and PR page): no loopback, private, link-local (metadata) or reserved address and no
credentials in a link the public pages would render; refused 422 naming the source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.actors import Actor, ActorType
from core.db import transaction
from core.errors import Invalid
from core.outbound import OutboundPolicy
from runtime.container import Runtime
from runtime.web import create_app
from statements import service
from statements.generators import OfflineGenerator
from statements.models import Statement
from statements.schemas import DraftIn
from tests.conftest import auth, new_user_token
from tests.statements.helpers import false_claim, statement_api

URL = "/v1/statements"
REFUSED = [
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://127.0.0.1:8820/ui/admin", "loopback"),
    ("http://10.0.0.5/x", "private"),
    ("http://localhost/x", "loopback"),
    ("http://[::1]/", "loopback"),
    ("https://user:pw@evil.example/", "user name or password"),
]


@pytest.fixture
def api(strict_rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(strict_rt)) as client:
        yield from statement_api(client)


def _refused(resp: Any, field: str, url: str, reason: str) -> None:
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "outbound_url_refused", error
    assert error["message"].startswith(f"{field} ("), error["message"]
    assert reason in error["message"] and url.split("//")[1][:9] in error["message"]


def _count(rt: Runtime) -> int:
    with rt.sessions() as session:
        return session.query(Statement).count()


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_a_draft_with_a_private_or_credentialed_source_is_refused(
    strict_rt: Runtime, api: TestClient, url: str, reason: str
) -> None:
    pr = auth(new_user_token(strict_rt, "pr"))
    claim_id = false_claim(strict_rt).id
    good = "https://good.example/facts"
    body = {"kind": "counter_statement", "claim_id": claim_id, "sources": [good, url]}
    _refused(api.post(URL, json=body, headers=pr), "sources[1]", url, reason)
    facts = {"kind": "counter_statement", "claim_id": claim_id, "facts": {"status_url": url}}
    _refused(api.post(URL, json=facts, headers=pr), "facts.status_url", url, reason)
    assert _count(strict_rt) == 0


def test_an_edit_adding_a_private_source_is_refused_and_saves_nothing(
    strict_rt: Runtime, api: TestClient
) -> None:
    pr1, pr2 = new_user_token(strict_rt, "pr"), new_user_token(strict_rt, "pr")
    body = {"kind": "counter_statement", "claim_id": false_claim(strict_rt).id}
    made = api.post(URL, json=body, headers=auth(pr1)).json()
    for url, reason in REFUSED:
        text = {"title": made["title"], "body": made["body"], "base_version": 1}
        text["sources"] = [*made["sources"], url]
        resp = api.post(f"{URL}/{made['id']}/edit", json=text, headers=auth(pr2))
        _refused(resp, f"sources[{len(made['sources'])}]", url, reason)
    after = api.get(f"{URL}/{made['id']}", headers=auth(pr1)).json()
    assert (after["version"], after["sources"]) == (1, made["sources"])


def test_a_source_whose_name_resolves_to_a_private_address_is_refused(
    strict_rt: Runtime,
) -> None:
    """The gate resolves a name where it can (a name that does not resolve yet is accepted);
    one that resolves inside the network is refused like the address itself."""
    inside = OutboundPolicy(resolver=lambda host, port: ["10.1.2.3"])
    pr = Actor(name="pr-one", type=ActorType.HUMAN, roles=("pr",))
    draft_in = DraftIn.model_validate(
        {
            "kind": "counter_statement",
            "claim_id": false_claim(strict_rt).id,
            "sources": ["https://intranet.example/wiki"],
        }
    )
    with pytest.raises(Invalid) as refused, transaction(strict_rt.sessions) as session:
        service.draft(session, draft_in, pr, OfflineGenerator(), platform="Demo", outbound=inside)
    assert "intranet.example is a private address (10.1.2.3)" in refused.value.message
    assert _count(strict_rt) == 0
