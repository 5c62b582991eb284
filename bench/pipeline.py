"""Review pipeline speed with real PostgreSQL, Redis, a real API server and a real Celery worker.

1. Intake: posts go to `POST /v1/score` on a uvicorn server (Celery dispatch) at a fixed
   offered load; a Celery worker routes them into cases. Reports posts/s from intake to a
   queued case and the p50/p95 intake-to-queue latency (client send time to case creation).
2. Claim: 100,000 open cases are bulk-loaded with COPY; "claim next case" (lease + log event,
   one transaction each) is timed; reports p50/p95/p99 and the plan PostgreSQL chose.

    VERACITY_TEST_POSTGRES_URL=... VERACITY_TEST_REDIS_URL=... \\
        python bench/pipeline.py [--posts 1500] [--rate 100] [--open-cases 100000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from accounts.service import create_api_key  # noqa: E402
from audit.events import Actor, ActorType  # noqa: E402
from core.db import make_engine, make_session_factory, transaction  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from pipeline.models import Post, ReviewCase  # noqa: E402
from pipeline.queue import claim_next  # noqa: E402

TEXTS = [
    "SHOCKING: the miracle cure they don't want you to know, garlic water. Share before it is banned!!",
    "5G towers spread the virus, this hoax is 100% exposed, share before they delete it",
    "Bill Gates microchip in the vaccine, the plandemic truth exposed!!",
    "Drinking bleach is the secret cure, doctors are hiding it",
]
ADMIN = Actor("bench", ActorType.HUMAN, ("admin",))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_database(base_url: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def drop_database(base_url: str, url: str) -> None:
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def intake(db_url: str, redis_url: str, posts: int, rate: float, batch: int) -> dict[str, Any]:
    port = 8765
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE__", "REDIS__", "ELASTICSEARCH__"))
    }
    env.update(
        ENVIRONMENT="test",
        DATABASE__URL=db_url,
        REDIS__URL=redis_url,
        USE_REFERENCE_CLASSIFIER="true",
    )
    logs = Path("/tmp/veracity-bench")
    logs.mkdir(exist_ok=True)
    py = sys.executable
    server = start(
        [py, "-m", "uvicorn", "runtime.server:create_served_app", "--factory", "--port",
         str(port), "--log-level", "warning", "--no-access-log"],
        env, logs / "server.log",
    )  # fmt: skip
    worker = start(
        [py, "-m", "celery", "-A", "pipeline.celery_app:app", "worker", "-Q", "veracity",
         "--concurrency", "2", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        env, logs / "worker.log",
    )  # fmt: skip
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    with transaction(sessions) as s:
        key = create_api_key(s, "bench", ["score"], ADMIN).secret
    sent_at: dict[str, float] = {}
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        client.post("/v1/score", json={"posts": [{"id": "warm", "text": TEXTS[0]}]})
        interval = batch / rate
        t0 = time.time()
        for start_i in range(0, posts, batch):
            ids = [f"b{i}" for i in range(start_i, min(posts, start_i + batch))]
            due = t0 + (start_i // batch) * interval
            time.sleep(max(0.0, due - time.time()))
            now = time.time()
            body = {
                "posts": [{"id": i, "text": TEXTS[hash(i) % len(TEXTS)], "views": 100} for i in ids]
            }
            threading.Thread(target=client.post, args=("/v1/score",), kwargs={"json": body}).start()
            sent_at.update(dict.fromkeys(ids, now))
        deadline = time.time() + 300
        while time.time() < deadline:
            with sessions() as s:
                done = s.scalar(sa.select(sa.func.count()).select_from(ReviewCase)) or 0
            if done >= posts + 1:
                break
            time.sleep(0.5)
        with sessions() as s:
            rows = s.execute(sa.select(ReviewCase.post_id, ReviewCase.created_at)).all()
            stored = dict(s.execute(sa.select(Post.id, Post.received_at)).all())
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        worker.wait(timeout=30)
        engine.dispose()
    latencies = [
        created.timestamp() - sent_at[post_id] for post_id, created in rows if post_id in sent_at
    ]
    last = max(created.timestamp() for _, created in rows)
    in_api = [stored[p].timestamp() - sent_at[p] for p in sent_at if p in stored]
    return {
        "posts": posts,
        "queued": len(latencies),
        "offered_rate_posts_per_s": rate,
        "batch": batch,
        "posts_per_s_intake_to_queue": round(len(latencies) / (last - t0), 1),
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(pct(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3),
        "api_stored_p50_s": round(statistics.median(in_api), 3),
    }


def bulk_open_cases(db_url: str, n: int) -> None:
    engine = make_engine(db_url)
    now = datetime.now(UTC)
    posts, cases = io.StringIO(), io.StringIO()
    for i in range(n):
        pid = f"load-{i}"
        ts = (now - timedelta(seconds=i)).isoformat()
        posts.write(f"{pid}\tsynthetic\t{'0' * 64}\t10\t0\t0\tqueued\tf\t{ts}\t{ts}\n")
        prio = round(10 + (i * 7919 % 1000) / 10, 3)
        due = (now + timedelta(hours=24)).isoformat()
        cases.write(
            f"{uuid.uuid4().hex}\t{pid}\treview\t{prio}\topen\treview\tbench\t{due}\t{ts}\t{ts}\n"
        )
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(
            "COPY posts (id, text, text_sha256, views, shares, author_followers, status, "
            "is_drill, received_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(posts.getvalue())
        with cur.copy(
            "COPY review_cases (id, post_id, band, priority, status, stage, policy_version, "
            "due_at, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(cases.getvalue())
        raw.commit()
        cur.execute("ANALYZE review_cases")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def claims(db_url: str, n_open: int, samples: int) -> dict[str, Any]:
    t = time.perf_counter()
    bulk_open_cases(db_url, n_open)
    load_s = time.perf_counter() - t
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    timings: list[float] = []
    for i in range(samples):
        who = Actor(f"rev{i % 20}", ActorType.HUMAN, ("reviewer",))
        t = time.perf_counter()
        with transaction(sessions) as s:
            assert claim_next(s, who) is not None
        timings.append((time.perf_counter() - t) * 1000)
    with engine.connect() as conn:
        open_now = conn.scalar(sa.text("SELECT count(*) FROM review_cases WHERE status = 'open'"))
        plan = conn.execute(
            sa.text(
                "EXPLAIN SELECT id FROM review_cases WHERE status IN ('open', 'awaiting_second', "
                "'escalated') ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
            )
        ).scalars()
        plan_text = [str(line) for line in plan]
    engine.dispose()
    return {
        "open_cases": n_open,
        "still_open_after": open_now,
        "bulk_load_s": round(load_s, 1),
        "claims_timed": samples,
        "claim_ms_p50": round(statistics.median(timings), 2),
        "claim_ms_p95": round(pct(timings, 0.95), 2),
        "claim_ms_p99": round(pct(timings, 0.99), 2),
        "plan": plan_text,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--rate", type=float, default=100.0, help="offered posts per second")
    parser.add_argument("--batch", type=int, default=10, help="posts per API request")
    parser.add_argument("--open-cases", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=500)
    parser.add_argument("--skip-intake", action="store_true")
    args = parser.parse_args()
    pg = os.environ["VERACITY_TEST_POSTGRES_URL"]
    redis_url = os.environ["VERACITY_TEST_REDIS_URL"].rsplit("/", 1)[0] + "/9"
    report: dict[str, Any] = {"machine_cpus": os.cpu_count()}
    if not args.skip_intake:
        db = fresh_database(pg)
        try:
            report["intake"] = intake(db, redis_url, args.posts, args.rate, args.batch)
        finally:
            drop_database(pg, db)
    db = fresh_database(pg)
    try:
        report["claim"] = claims(db, args.open_cases, args.claims)
    finally:
        drop_database(pg, db)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
