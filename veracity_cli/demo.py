"""`veracity demo`: the embedded default with demo accounts, a key, a platform stand-in, posts."""

from __future__ import annotations

import argparse
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from accounts.repository import api_keys_oldest_first, user_named
from accounts.service import add_user, create_api_key, revoke_api_key
from claims.importers import read_source
from claims.service import import_claims
from core.actors import Actor
from core.cli_args import add_port, int_in
from core.db import transaction
from core.errors import DomainError
from core.roles import Role
from core.settings import REPO_ROOT, Environment
from pipeline.intake import score_posts
from pipeline.platform_receiver import start_receiver
from pipeline.repository.posts import posts_by_ids
from pipeline.schemas import PostIn
from runtime.container import Runtime
from runtime.server import start_pipeline
from runtime.web import create_app
from veracity_cli.admin import cli_actor

DEMO_POSTS = [
    REPO_ROOT / "data" / "demo" / "posts.jsonl",
    REPO_ROOT / "models" / "demo_posts.jsonl",
]
# Chinese demo posts (written for the project; models/demo_posts.LICENSE.md), loaded after the
# English ones.
DEMO_POSTS_ZH = REPO_ROOT / "models" / "demo_posts_zh.jsonl"
DEMO_KEY_NAME = "demo-platform"
DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - development only; refused in production
DEMO_USERS = [
    ("reviewer", Role.REVIEWER),
    ("senior", Role.SENIOR_REVIEWER),
    ("pr", Role.PR),
    ("legal", Role.LEGAL),
    ("admin", Role.ADMIN),
]


def demo_posts(limit: int) -> Iterator[PostIn]:
    path = next((p for p in DEMO_POSTS if p.exists()), None)
    if path is None:
        return
    yield from _read_posts(path, limit)


def _read_posts(path: Path, limit: int) -> Iterator[PostIn]:
    allowed = set(PostIn.model_fields)
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= limit:
                break
            raw = json.loads(line)
            yield PostIn.model_validate({k: v for k, v in raw.items() if k in allowed})


@dataclass(frozen=True)
class Seeded:
    key: str  # the demo platform's key; the one a previous start printed is revoked
    scored: int  # demo posts scored by this start
    already_loaded: int  # demo posts a previous start had loaded


def _demo_key(session: Session, actor: Actor) -> str:
    """A fresh demo key (a secret is shown once, so the last one cannot be shown again);
    the keys earlier starts printed are revoked, so one demo key is active at a time."""
    for old in api_keys_oldest_first(session):
        if old.name == DEMO_KEY_NAME and old.revoked_at is None:
            revoke_api_key(session, old.id, actor)
    return create_api_key(session, DEMO_KEY_NAME, ["score", "read"], actor).secret


def seed(rt: Runtime, post_limit: int) -> Seeded:
    actor = cli_actor()
    with transaction(rt.sessions) as session:
        for username, role in DEMO_USERS:
            if user_named(session, username) is None:
                add_user(session, username, DEMO_PASSWORD, role.value, actor)
        key = _demo_key(session, actor)
        # The bundled claim library (claims/fixtures/claims.json; idempotent), so the demo
        # posts that repeat a known claim are matched on the first page.
        import_claims(session, read_source("fixture", None), actor, source="fixture")
        import_claims(session, read_source("fixture_zh", None), actor, source="fixture_zh")
    posts = list(demo_posts(post_limit))
    if DEMO_POSTS_ZH.exists():
        posts += _read_posts(DEMO_POSTS_ZH, post_limit)
    with transaction(rt.sessions) as session:
        loaded = {p.id for p in posts_by_ids(session, [p.id for p in posts])}
    new = [p for p in posts if p.id not in loaded]
    for start in range(0, len(new), 32):
        with transaction(rt.sessions) as session:
            batch = new[start : start + 32]
            score_posts(session, rt.classifier, batch, actor, signals=rt.intake_signals)
    return Seeded(key, scored=len(new), already_loaded=len(posts) - len(new))


def _listen(port: int) -> socket.socket:
    """The API's socket, bound before anything is created: a port in use ends the demo here."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise DomainError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; choose another --port"
        ) from exc
    return sock


def _banner(rt: Runtime, args: argparse.Namespace, url: str, seeded: Seeded) -> str:
    key = seeded.key
    return "\n".join(
        [
            "",
            f"veracity demo: http://127.0.0.1:{args.port}   (API docs: /docs, review UI: /ui)",
            f"  model: {rt.classifier.model_version}   database: {rt.settings.database.url}",
            f"  platform takedown receiver: {url} (log: var/platform-received.jsonl)",
            f"  demo posts: {seeded.scored} scored now, {seeded.already_loaded} already loaded",
            f"  accounts (password '{DEMO_PASSWORD}'): "
            + ", ".join(f"{u} ({r.value})" for u, r in DEMO_USERS),
            "  try:",
            f"    curl -s -H 'Authorization: Bearer {key}' -H 'content-type: application/json' \\",
            f'      -d \'{{"posts":[{{"id":"p1","text":"Drinking bleach cures COVID-19"}}]}}\' '
            f"http://127.0.0.1:{args.port}/v1/score",
            "  API key (scopes score,read; the one an earlier start printed is revoked):",
            key,
            "",
        ]
    )


def run_demo(rt: Runtime, args: argparse.Namespace) -> int:
    import uvicorn

    if rt.settings.environment is Environment.PRODUCTION:
        print(
            "veracity demo creates accounts with a known password; it refuses to run in production"
        )
        return 2
    sock = _listen(args.port)
    _server, _state, url = start_receiver(
        port=args.receiver_port, log_path=REPO_ROOT / "var" / "platform-received.jsonl"
    )
    rt.settings.platform.takedown_url = url
    # The demo's receivers listen on loopback, which the outbound gate allows only when told.
    allowed = {*rt.settings.outbound.allow_hosts, "127.0.0.1", "localhost"}
    rt.settings.outbound.allow_hosts = sorted(allowed)
    start_pipeline(rt)
    seeded = seed(rt, args.posts)
    print(_banner(rt, args, url, seeded), flush=True)
    config = uvicorn.Config(create_app(rt), host="127.0.0.1", port=args.port, log_level="warning")
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0 if server.started else 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser("demo", help="run the embedded demo: API, review UI, pipeline, demo data")
    add_port(d, "the API and review UI's port on 127.0.0.1")
    d.add_argument(
        "--receiver-port",
        type=int_in(0, 65535),
        default=0,
        help="the platform stand-in's port (0: any free one)",
    )
    d.add_argument(
        "--posts",
        type=int_in(0, 1_000_000),
        default=200,
        help="how many demo posts to load (0: none)",
    )
    d.set_defaults(handler=run_demo)
