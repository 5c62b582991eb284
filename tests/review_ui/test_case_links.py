"""The case page links the post on its platform only through an http(s) URL: a stored URL of
another scheme (a row from before the API refused one) is never made a link."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from core.db import transaction
from pipeline.models import Post
from tests.review_ui.conftest import Stack, claim_next_in_ui, signed_in

HOAX = "Miracle cure: garlic and bleach, share before they delete it!!"


@pytest.mark.parametrize(
    "stored", ["javascript:alert(1)//x.png", "JaVaScRiPt:alert(1)", "data:text/html,<b>.jpg"]
)
def test_a_post_url_that_is_not_http_is_no_link_on_the_case_page(stack: Stack, stored: str) -> None:
    [post_id] = stack.queue_posts([HOAX], url="https://social.example/p/1/photo.jpg")
    client = signed_in(stack, "reviewer")
    case_page = f"/ui/review/cases/{claim_next_in_ui(client)}"
    assert (
        'id="post-link" href="https://social.example/p/1/photo.jpg"' in client.get(case_page).text
    )
    with transaction(stack.rt.sessions) as session:
        session.execute(update(Post).where(Post.id == post_id).values(url=stored))
    html = client.get(case_page).text
    assert 'id="post-link"' not in html
    assert 'href="javascript' not in html.lower() and 'href="data:' not in html
