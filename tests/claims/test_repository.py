"""claims.repository: what the claim page counts."""

from __future__ import annotations

from claims.repository import linked_post_count
from runtime.container import Runtime
from tests.statements.helpers import load_fixture_claims, post_linked_to


def test_linked_posts_are_counted_per_claim(rt: Runtime) -> None:
    first, second = load_fixture_claims(rt)[:2]
    post_linked_to(rt, first.id)
    post_linked_to(rt, first.id, text="another post repeating it")
    with rt.sessions() as session:
        assert linked_post_count(session, first.id) == 2
        assert linked_post_count(session, second.id) == 0
        assert linked_post_count(session, "no-such-claim") == 0
