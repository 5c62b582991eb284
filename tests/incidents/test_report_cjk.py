"""The post-incident report PDF shows Chinese (issue 20, item 6): Han characters are set in an
embedded CJK font, so the PDF reads back the same text and nothing shows as empty boxes."""

from __future__ import annotations

import io
from typing import Any

import pytest
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


EMOJI_LESSON = "辟谣帖转发 🔥 fast 😀👍🏽 ❤️ (Weibo 谣言)"


def test_emoji_in_a_report_are_drawn_in_the_emoji_font_beside_chinese(
    rt: Runtime, client: TestClient
) -> None:
    if report_fonts.EMOJI_FONT is None:
        pytest.skip("no emoji font: install Debian fonts-symbola (scripts/services/all.sh)")
    incident_id = open_incident(rt)
    admin = auth(new_user_token(rt, "admin"))
    made = client.post(
        f"/v1/incidents/{incident_id}/lessons", json={"text": EMOJI_LESSON}, headers=admin
    )
    assert made.status_code == 200, made.text
    pdf = client.get(
        f"/v1/incidents/{incident_id}/report?format=pdf", headers=auth(new_user_token(rt, "pr"))
    )
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    drawn: list[tuple[str, str]] = []  # (text, the font it was drawn in)

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        if text.strip() and font is not None:
            drawn.append((text, str(font.get("/BaseFont", ""))))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    text = "".join(t for t, _ in drawn)
    for emoji in ("🔥", "😀", "👍🏽", "❤️"):
        assert emoji in text, (emoji, drawn)
        assert all("Symbola" in f for t, f in drawn if emoji in t), [
            (t, f) for t, f in drawn if emoji in t
        ]
    assert "辟谣帖转发" in text and "谣言" in text
    assert all("WenQuanYi" in f for t, f in drawn if "谣言" in t)
    assert all("DejaVu" in f for t, f in drawn if "fast" in t)


def test_each_run_takes_a_font_that_has_its_glyphs() -> None:
    if report_fonts.EMOJI_FONT is None:
        pytest.skip("no emoji font: install Debian fonts-symbola (scripts/services/all.sh)")
    emoji, cjk, text = report_fonts.EMOJI_FONT, report_fonts.CJK_FONT, report_fonts.REGULAR
    assert report_fonts.runs("ok 😀 好 ❤️ ☺ 👨‍👩‍👧") == [
        (text, "ok "),
        (emoji, "😀"),  # DejaVu has this emoticon too; an emoji takes the emoji font first
        (text, " "),
        (cjk, "好"),
        (text, " "),
        (emoji, "❤️"),  # U+FE0F asks for the emoji; it stays with the heart
        (text, " ☺ "),  # without U+FE0F a symbol the text font has stays text
        (emoji, "👨‍👩‍👧"),  # the joiners stay in the emoji run
    ]
