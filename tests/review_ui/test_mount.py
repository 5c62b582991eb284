"""A NUL character in a /ui address (its path or its query) is refused as the UI's refusal page,
as a NUL in a /ui form is; the API keeps its JSON refusal."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.review_ui.conftest import Stack, browser_client, signed_in


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    return module_stack


def _refused_as_page(client: TestClient, url: str) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "nul_character" not in response.text and "NUL character" in response.text
    return response.text


@pytest.mark.parametrize(
    "url",
    [
        "/ui/supervise?q=a%00b",
        "/ui/supervise?state=ok&x%00y=1",
        "/ui/supervise?Your+session+expired.+Sign+in+again+at+evil.example%00=1",
        "/ui/review/cases/ab%00c",
        "/ui/supervise%00",
        "/ui/static/app%00.css",
    ],
)
def test_a_nul_in_a_ui_address_is_refused_as_a_page(stack: Stack, url: str) -> None:
    """The page says "the address" whatever the link holds: a crafted query name is never
    shown to the reader as the page's own words."""
    page = _refused_as_page(signed_in(stack, "senior_reviewer"), url)
    assert "The NUL character is not allowed in the address." in page
    assert "evil.example" not in page and "\\u0000" not in page
    assert 'href="/ui/supervise"' in page, "the way on to the reader's pages"


def test_a_nul_in_a_ui_address_is_refused_as_a_page_before_sign_in(stack: Stack) -> None:
    page = _refused_as_page(browser_client(stack), "/ui/login?next=%2Fui%00")
    assert 'href="/ui/login"' in page


def test_the_api_still_refuses_a_nul_in_its_address_as_json(stack: Stack) -> None:
    response = browser_client(stack).get("/v1/cases?q=a%00b")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "nul_character"


def test_the_refusal_page_speaks_the_readers_language(stack: Stack) -> None:
    client = browser_client(stack)
    client.headers["accept-language"] = "zh-CN"
    response = client.get("/ui/supervise%00")
    assert response.status_code == 422
    assert "页面地址 中不允许出现 NUL 字符。" in response.text
