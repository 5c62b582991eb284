"""Intake writes a request's new posts in one statement, and still scores a post that another
replica inserted between its read and its insert."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event, select

import pipeline.intake as intake
from classifier.reference import ReferenceClassifier
from core.db import transaction
from core.errors import Conflict
from pipeline.models import Post, Score
from pipeline.schemas import PostIn
from runtime.container import Runtime, build_runtime
from tests.conftest import ADMIN, make_settings


def _statements(rt: Runtime) -> list[str]:
    seen: list[str] = []

    def remember(*args: Any) -> None:
        seen.append(str(args[2]))  # (conn, cursor, statement, ...)

    event.listen(rt.engine, "before_cursor_execute", remember)
    return seen


def test_new_posts_are_inserted_in_one_statement_and_a_resent_post_updated(rt: Runtime) -> None:
    posts = [PostIn(id=f"n{i}", text=f"miracle cure number {i}", views=10) for i in range(8)]
    with transaction(rt.sessions) as session:
        intake.score_posts(session, ReferenceClassifier(), posts[:2], ADMIN)
    seen = _statements(rt)
    changed = [PostIn(id="n0", text="an edited text", views=99), *posts[2:]]
    with transaction(rt.sessions) as session:
        results = intake.score_posts(session, ReferenceClassifier(), changed, ADMIN)
    assert [r.id for r in results] == [p.id for p in changed] and not any(r.cached for r in results)
    inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT INTO POSTS")]
    assert len(inserts) == 1, inserts
    with rt.sessions() as session:
        edited = session.get_one(Post, "n0")
        assert (edited.text, edited.views) == ("an edited text", 99)
        assert {p.id for p in session.scalars(select(Post))} == {p.id for p in posts}
        assert session.scalar(select(sa.func.count()).select_from(Score)) == 9


def _replica_inserts_race(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, *, drill: bool
) -> list[str]:
    """Another replica inserts post "race" (a drill's when `drill`) and commits just before this
    request's joint insert; returns the ids this request then inserts one by one."""
    set_fields = intake._set_fields

    def replica_wins(post: Post, post_in: PostIn, measured: object) -> Post:
        if post_in.id == "race" and post.text is None:  # about to be inserted by us
            with rt.engine.begin() as conn:  # the other replica, committed first
                conn.execute(
                    sa.insert(Post).values(
                        id="race", text="x", text_sha256="0" * 64, status="scored", is_drill=drill
                    )
                )
        return set_fields(post, post_in, measured)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "_set_fields", replica_wins)
    one_by_one: list[str] = []
    insert_post = intake._insert_post

    def spy(session: Any, post_in: PostIn, digest: str, is_drill: bool) -> Post:
        one_by_one.append(post_in.id)
        return insert_post(session, post_in, digest, is_drill)

    monkeypatch.setattr(intake, "_insert_post", spy)
    return one_by_one


RACED = [PostIn(id="calm", text="ministry data"), PostIn(id="race", text="miracle cure")]


def test_a_post_another_replica_inserted_meanwhile_is_scored(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    one_by_one = _replica_inserts_race(rt, monkeypatch, drill=False)
    with transaction(rt.sessions) as session:
        results = intake.score_posts(session, ReferenceClassifier(), RACED, ADMIN)
    assert [r.id for r in results] == ["calm", "race"]
    assert one_by_one == ["calm", "race"], "the joint insert failed, then each post alone"
    with rt.sessions() as session:
        raced = session.get_one(Post, "race")
        assert raced.text == "miracle cure"
        assert session.get(Post, "calm") is not None
        assert session.scalar(select(sa.func.count()).select_from(Score)) == 2
    rt.engine.dispose()


def test_a_drill_post_inserted_meanwhile_under_the_same_id_is_not_taken_over(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = build_runtime(make_settings(postgres_url), classifier=ReferenceClassifier())
    one_by_one = _replica_inserts_race(rt, monkeypatch, drill=True)
    with pytest.raises(Conflict) as refused, transaction(rt.sessions) as session:
        intake.score_posts(session, ReferenceClassifier(), RACED, ADMIN)
    assert refused.value.code == "drill_mismatch" and "race" in refused.value.message
    assert one_by_one == ["calm", "race"]
    with rt.sessions() as session:
        raced = session.get_one(Post, "race")
        assert (raced.text, raced.is_drill) == ("x", True)
        assert session.get(Post, "calm") is None, "nothing of the refused request is kept"
        assert session.scalar(select(sa.func.count()).select_from(Score)) == 0
    rt.engine.dispose()
