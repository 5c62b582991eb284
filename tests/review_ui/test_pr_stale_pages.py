"""A PR statement page left open while someone else saves a new version: its Approve and Save
forms carry the version shown, and are refused (409) once it is not the current one, so
nobody approves text they never saw and no editor's correction is dropped by a second save."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from core.actors import Actor, ActorType
from core.db import transaction
from statements import service
from statements.generators import OfflineGenerator
from statements.models import Statement
from statements.schemas import DraftIn
from tests.review_ui.conftest import Stack, browser_client, sign_in, submit
from tests.statements.helpers import false_claim

STALE = "changed since you opened it (now version {}"


def _drafted(stack: Stack) -> str:
    """A counter-statement a person drafted (version 1)."""
    writer = Actor(name=stack.user("pr"), type=ActorType.HUMAN, roles=("pr",))
    draft_in = DraftIn(kind="counter_statement", claim_id=false_claim(stack.rt).id)
    with transaction(stack.rt.sessions) as session:
        return service.draft(session, draft_in, writer, OfflineGenerator(), platform="Demo").id


def _pr(stack: Stack) -> TestClient:
    client = browser_client(stack)
    assert sign_in(client, stack.user("pr")).status_code == 303
    return client


def _hidden(page_html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="(\d+)"', page_html)
    assert found, f"the form carries the {name} shown"
    return found.group(1)


def _save(client: TestClient, page: Any, sid: str, line: str) -> Any:
    with_line = _text_of(page.text) + f"\n{line}"
    sources = _text_of(page.text, "sources")
    return submit(
        client,
        page,
        f"/ui/pr/statements/{sid}/edit",
        base_version=_hidden(page.text, "base_version"),
        title=_title_of(page.text),
        body=with_line,
        note=line,
        sources=sources,
    )


def _title_of(page_html: str) -> str:
    found = re.search(r'id="title" name="title" value="([^"]*)"', page_html)
    assert found
    return html.unescape(found.group(1))


def _text_of(page_html: str, field: str = "body") -> str:
    found = re.search(rf'<textarea id="{field}"[^>]*>(.*?)</textarea>', page_html, re.S)
    assert found
    return html.unescape(found.group(1))


def _stored(stack: Stack, sid: str) -> Statement:
    with stack.rt.sessions() as session:
        found = session.get(Statement, sid)
        assert found is not None
        return found


def test_approve_on_a_page_opened_before_a_new_version_is_refused(stack: Stack) -> None:
    sid = _drafted(stack)
    url = f"/ui/pr/statements/{sid}"
    editor, approver = _pr(stack), _pr(stack)
    assert _save(editor, editor.get(url), sid, "Version two.").status_code == 303
    opened = approver.get(url)  # the approver reads version 2
    assert _hidden(opened.text, "version") == "2"
    assert _save(editor, editor.get(url), sid, "Version three.").status_code == 303

    refused = submit(approver, opened, f"{url}/approve", version=_hidden(opened.text, "version"))
    assert refused.status_code == 409 and STALE.format(3) in refused.text
    assert (_stored(stack, sid).approved_by, _stored(stack, sid).status) == (None, "draft")

    current = approver.get(url)
    done = submit(approver, current, f"{url}/approve", version=_hidden(current.text, "version"))
    assert done.status_code == 303
    assert _stored(stack, sid).approved_version == 3


def test_a_second_editor_on_the_same_version_keeps_their_text_and_is_refused(
    stack: Stack,
) -> None:
    sid = _drafted(stack)
    url = f"/ui/pr/statements/{sid}"
    first, second = _pr(stack), _pr(stack)
    first_page, second_page = first.get(url), second.get(url)
    assert _save(first, first_page, sid, "First correction.").status_code == 303
    refused = _save(second, second_page, sid, "Second correction.")
    assert refused.status_code == 409 and STALE.format(2) in refused.text
    assert "Second correction." in _text_of(refused.text)  # what they typed is still there
    assert _stored(stack, sid).version == 2
    assert "First correction." in _stored(stack, sid).body


def test_the_forms_need_the_version_shown(stack: Stack) -> None:
    sid = _drafted(stack)
    url = f"/ui/pr/statements/{sid}"
    client = _pr(stack)
    page = client.get(url)
    bare_edit = submit(client, page, f"{url}/edit", title="T", body="B")
    bare_approval = submit(client, page, f"{url}/approve")
    assert (bare_edit.status_code, bare_approval.status_code) == (422, 422)
    assert _stored(stack, sid).version == 1 and _stored(stack, sid).approved_by is None
