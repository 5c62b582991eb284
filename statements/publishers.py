"""Publishing channels behind one interface.

Push channels record what must reach the outside (a delivery row, an enforcement action) in
the publishing transaction and send it after commit, idempotently and with retries. Pull
channels (the Atom feed, ClaimReview JSON-LD) read published statements from the database, so
publishing and withdrawing them is the statement's own state change.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from claims.repository import post_ids_of_claim
from core.actors import Actor
from core.dispatch import enqueue_after_commit
from pipeline.decisions import EXECUTE_TASK
from pipeline.models import EnforcementAction, Post
from pipeline.repository.actions import action_by_key
from statements import repository
from statements.models import Statement, StatementDelivery

LABEL_PREFIX = "stmt-label-"
UNLABEL_PREFIX = "stmt-unlabel-"


class Publisher(Protocol):
    channel: str

    def publish(self, session: Session, statement: Statement, actor: Actor) -> None: ...

    def withdraw(self, session: Session, statement: Statement, actor: Actor) -> None: ...


def _key(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return prefix + digest[: 64 - len(prefix)]


class WebhookPublisher:
    """The platform's official account, through a signed webhook (sent by `delivery.py`)."""

    channel = "webhook"

    def publish(self, session: Session, statement: Statement, actor: Actor) -> None:
        self._queue(session, statement, "publish")

    def withdraw(self, session: Session, statement: Statement, actor: Actor) -> None:
        self._queue(session, statement, "withdraw")

    def _queue(self, session: Session, statement: Statement, event: str) -> None:
        version = statement.published_version or statement.version
        key = _key("stmt-", statement.id, version, event)
        if not repository.delivery_key_taken(session, key):
            session.add(
                StatementDelivery(
                    statement_id=statement.id,
                    channel=self.channel,
                    event=event,
                    version=version,
                    idempotency_key=key,
                )
            )


class LabelPublisher:
    """A note on every post linked to the claim, through the pipeline's enforcement path."""

    channel = "labels"

    def publish(self, session: Session, statement: Statement, actor: Actor) -> None:
        if not statement.claim_id:
            return
        for post_id in post_ids_of_claim(session, statement.claim_id):
            self.label_post(session, statement, post_id, actor)

    @classmethod
    def label_post(cls, session: Session, statement: Statement, post_id: str, actor: Actor) -> None:
        """Label one post (also for a post matched to the claim after publication); the key
        makes it once per statement version and post."""
        key = _key(LABEL_PREFIX, statement.id, statement.published_version, post_id)
        cls._request(
            session,
            statement,
            post_id,
            "label",
            key,
            actor,
            {"note": statement.title, "statement_id": statement.id},
        )

    def withdraw(self, session: Session, statement: Statement, actor: Actor) -> None:
        labels = repository.label_requests(session, LABEL_PREFIX)
        posts = sorted({a.post_id for a in labels if a.params.get("statement_id") == statement.id})
        for post_id in posts:
            key = _key(UNLABEL_PREFIX, statement.id, post_id)
            self._request(
                session, statement, post_id, "unlabel", key, actor, {"statement_id": statement.id}
            )

    @staticmethod
    def _request(
        session: Session,
        statement: Statement,
        post_id: str,
        action_name: str,
        key: str,
        actor: Actor,
        params: dict[str, object],
    ) -> None:
        if action_by_key(session, key) is not None:
            return  # already requested: publishing twice changes nothing
        post = session.get(Post, post_id)
        action = EnforcementAction(
            post_id=post_id, action=action_name, params=params, idempotency_key=key
        )
        session.add(action)
        session.flush()
        record(
            session,
            Action.ENFORCEMENT_REQUESTED,
            actor,
            Subject(
                post_id=post_id,
                action_id=action.id,
                statement_id=statement.id,
                claim_id=statement.claim_id,
            ),
            reason=f"statement {statement.id} {action_name}",
            after={"action": action_name, "idempotency_key": key},
            is_drill=bool(post and post.is_drill),
        )
        enqueue_after_commit(session, EXECUTE_TASK, action.id)


class PullPublisher:
    """The Atom feed and ClaimReview JSON-LD: rendered from published statements on request."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def publish(self, session: Session, statement: Statement, actor: Actor) -> None:
        return None

    def withdraw(self, session: Session, statement: Statement, actor: Actor) -> None:
        return None


def default_publishers(*, webhook: bool) -> list[Publisher]:
    publishers: list[Publisher] = [
        PullPublisher("atom"),
        PullPublisher("claimreview"),
        LabelPublisher(),
    ]
    if webhook:
        publishers.append(WebhookPublisher())
    return publishers
