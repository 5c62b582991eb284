"""The supervise page's notice after a bulk decision is the page's own sentence with the counts
the redirect carried: a link with other text in its query shows no notice at all."""

from __future__ import annotations

import pytest

from tests.review_ui.conftest import Stack, signed_in

BULK = "Bulk decision applied"


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    return module_stack


@pytest.mark.parametrize(
    "query",
    [
        "done=PWND&skipped=0",
        "done=2&skipped=Call",
        "done=<b>&skipped=0",
        "done=-1&skipped=0",
        "done=9999&skipped=0",  # more than a bulk decision can take
        "done=%EF%BC%93&skipped=0",  # a digit, but not 0-9
        "skipped=1",
        f"done={'9' * 5000}&skipped=0",  # past int()'s 4,300 digits: was a 500
    ],
)
def test_a_crafted_bulk_notice_link_shows_no_notice(stack: Stack, query: str) -> None:
    senior = signed_in(stack, "senior_reviewer")
    page = senior.get(f"/ui/supervise?notice=bulk&{query}")
    assert page.status_code == 200
    assert BULK not in page.text and "PWND" not in page.text and "Call " not in page.text


def test_the_bulk_notice_renders_the_counts_of_the_redirect(stack: Stack) -> None:
    senior = signed_in(stack, "senior_reviewer")
    page = senior.get("/ui/supervise?notice=bulk&done=3&skipped=1").text
    assert "Bulk decision applied to 3 cases. 1 could not be taken and were skipped." in page
    page = senior.get("/ui/supervise?notice=bulk&done=2&skipped=0").text
    assert "Bulk decision applied to 2 cases." in page and "skipped" not in page
