"""A multipart /ui form (an upload) whose text fields are not UTF-8, or hold the NUL character,
is refused with the form refusal page and nothing is stored; Starlette would have read the text
as Latin-1 and the title would have been stored changed. A file part is the route's business."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.actors import Actor, ActorType
from core.db import transaction
from incidents.drill_types import WHAT
from incidents.material_models import Attachment
from incidents.response import Report, report_incident
from incidents.types import IncidentType
from review_ui.form_encoding import TextParts
from tests.review_ui.conftest import Stack, csrf_of, signed_in

PNG = b"\x89PNG\r\n\x1a\n\x00\xff\xfe\xe9 not UTF-8, and a NUL"


def _incident(stack: Stack) -> str:
    lead = Actor("lead-m", ActorType.HUMAN, ("leadership",))
    outage = IncidentType.OUTAGE
    with transaction(stack.rt.sessions) as session:
        return report_incident(session, Report(outage, "Upload down", WHAT[outage]), lead).id


def _attach(client: TestClient, incident_id: str, title: bytes | str, data: bytes = PNG) -> Any:
    """The incident page's attachment form, sent as a browser sends it (multipart)."""
    token = csrf_of(client.get(f"/ui/incidents/{incident_id}").text)
    return client.post(
        f"/ui/incidents/{incident_id}/attachments",
        data={"csrf_token": token, "title": title, "kind": "evidence"},
        files={"file": ("runbook.png", data, "image/png")},
        follow_redirects=False,
    )


def _titles(stack: Stack) -> list[str]:
    with stack.rt.sessions() as session:
        return list(session.scalars(select(Attachment.title)))


def test_a_latin1_title_is_refused_as_a_page_and_nothing_is_stored(stack: Stack) -> None:
    client = signed_in(stack, "pr")
    incident_id = _incident(stack)
    refused = _attach(client, incident_id, "Café runbook".encode("latin-1"))
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    assert (
        "UTF-8" in refused.text and "title" in refused.text and "Nothing was saved" in refused.text
    )
    assert _titles(stack) == []


def test_a_title_with_the_nul_character_is_refused_as_a_page(stack: Stack) -> None:
    client = signed_in(stack, "pr")
    refused = _attach(client, _incident(stack), "run\x00book")
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    assert "NUL" in refused.text and "title" in refused.text
    assert _titles(stack) == []


def test_a_chinese_title_is_stored_and_the_files_bytes_are_left_to_the_route(
    stack: Stack,
) -> None:
    client = signed_in(stack, "pr")
    attached = _attach(client, _incident(stack), "事件处置手册（第二版）")
    assert attached.status_code == 303, attached.text
    assert _titles(stack) == ["事件处置手册（第二版）"]


def _body(*parts: tuple[bytes, bytes]) -> bytes:
    """A multipart body with boundary "b" from (Content-Disposition parameters, data) pairs."""
    sent = b"".join(
        b"--b\r\nContent-Disposition: form-data; %s\r\n\r\n%s\r\n" % (params, data)
        for params, data in parts
    )
    return sent + b"--b--\r\n"


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_which_text_parts_are_not_utf8_or_hold_nul_however_the_body_arrives(chunk: int) -> None:
    body = _body(
        (b'name="csrf_token"', b"abc"),
        (b'name="title"', "Café 事件".encode()),
        (b'name="note"', "café".encode("latin-1")),
        (b'name="cut"', "事".encode()[:2]),  # a character cut short at the end of the part
        (b'name="kind"', b"a\x00b"),
        (b'name="file"; filename="x.bin"', PNG),
        (b'name="caf\xe9"', b"ok"),
    )
    parts = TextParts.of(b"multipart/form-data; boundary=b")
    assert parts is not None
    for start in range(0, len(body), chunk):
        parts.feed(body[start : start + chunk])
    assert parts.misencoded == ["note", "cut", "caf\ufffd"]
    assert parts.with_nul == ["kind"]
    assert TextParts.of(b"multipart/form-data") is None


@pytest.mark.parametrize(
    ("charset", "refused"),
    [(b"latin-1", True), (b"ISO-8859-1", True), (b"utf-8", False), (b"UTF8", False)],
)
def test_a_form_declaring_a_charset_other_than_utf8_has_its_text_parts_refused(
    charset: bytes, refused: bool
) -> None:
    """Starlette decodes the text parts with the request's declared charset: UTF-8 text sent
    under `charset=latin-1` would be stored as mojibake ('CafÃ©'), though each part is UTF-8."""
    parts = TextParts.of(b"multipart/form-data; boundary=b; charset=" + charset)
    assert parts is not None
    parts.feed(_body((b'name="title"', "Café".encode()), (b'name="file"; filename="x"', PNG)))
    assert parts.misencoded == (["title"] if refused else [])
