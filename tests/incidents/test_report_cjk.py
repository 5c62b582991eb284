"""The post-incident report PDF shows Chinese (issue 20, item 6): Han characters are set in an
embedded CJK font, so the PDF reads back the same text and nothing shows as empty boxes."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from incidents import report_fonts
from runtime.container import Runtime
from tests.conftest import auth, new_user_token
from tests.incidents.conftest import open_incident

LESSON = "谣言在微博上两小时内扩散：下次先发布辟谣声明 (Ελληνικά, русский, 한국어)"


def _fonts(reader: PdfReader) -> set[str]:
    names: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        fonts: Any = resources.get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def test_chinese_in_a_report_is_embedded_and_reads_back(rt: Runtime, client: TestClient) -> None:
    assert report_fonts.CJK_EMBEDDED, "install Debian fonts-wqy-zenhei (scripts/services/all.sh)"
    incident_id = open_incident(rt)
    admin = auth(new_user_token(rt, "admin"))
    made = client.post(f"/v1/incidents/{incident_id}/lessons", json={"text": LESSON}, headers=admin)
    assert made.status_code == 200, made.text
    pdf = client.get(
        f"/v1/incidents/{incident_id}/report?format=pdf", headers=auth(new_user_token(rt, "pr"))
    )
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    assert "".join(LESSON.split()) in text
    assert any("WenQuanYi" in name for name in _fonts(reader)), _fonts(reader)


def test_markup_sets_only_cjk_runs_in_the_cjk_font() -> None:
    marked = report_fonts.markup("a<b> 谣言 & x")
    assert marked == f'a&lt;b&gt; <font name="{report_fonts.CJK_FONT}">谣言</font> &amp; x'
    assert not report_fonts.has_cjk("Ελληνικά русский")
