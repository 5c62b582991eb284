"""`veracity demo` seeds the bundled claim libraries (English and Chinese) before its posts, so
matches show at once; the Chinese demo posts are loaded after the English ones."""

from __future__ import annotations

from sqlalchemy import func, select

from claims.models import Claim, ClaimPost
from pipeline.models import Post, Score
from runtime.container import Runtime
from tests.pipeline.test_intake_triage import with_shipped_matcher
from veracity_cli.demo import seed


def test_the_demo_imports_the_bundled_claims_and_its_posts_are_matched(rt: Runtime) -> None:
    with_shipped_matcher(rt)
    seed(rt, post_limit=200)
    seed(rt, post_limit=0)  # a second start adds no claim twice
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 32 + 28
        linked = session.scalar(select(func.count()).select_from(ClaimPost)) or 0
        measured = session.scalar(
            select(func.count()).select_from(Score).where(Score.claim_matches.is_not(None))
        )
        chinese = session.scalar(
            select(func.count()).select_from(Post).where(Post.id.like("demo-zh-%"))
        )
    assert chinese == 32
    assert measured == 200 + 32
    assert linked >= 5, "demo posts repeating a bundled claim are linked to it"
