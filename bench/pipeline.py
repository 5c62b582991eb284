"""Review pipeline speed with real PostgreSQL, Redis, a real API server and a real Celery worker.

1. Intake: posts go to `POST /v1/score` on a uvicorn server (Celery dispatch) at a fixed
   offered load; a Celery worker routes them into cases. Reports posts/s from intake to a
   queued case, the p50/p95 intake-to-queue latency (client send time to case creation) and
   the intake-only latency (the `POST /v1/score` request as the client sees it).
2. Claim: 100,000 open cases are bulk-loaded with COPY; "claim next case" (lease + log event,
   one transaction each) is timed; reports p50/p95/p99 and the plan PostgreSQL chose.

    VERACITY_TEST_POSTGRES_URL=... VERACITY_TEST_REDIS_URL=... \\
        python bench/pipeline.py [--posts 1500] [--rate 100] [--open-cases 100000]

Every post has its own text (a claim-like template and its number), so nothing gains from
repeated texts. The server scores falsehood with the reference scorer (`--classifier shipped`:
with the shipped model, as production does, on both sides of a comparison); `--signals on` (the default)
adds the triage signals (language, claim matches against the bundled claim library,
check-worthiness: `INTAKE_SIGNALS=true`), as a server with the shipped models runs them;
`--signals both` runs this tree with them off and on. Each run also reports the API's and
the worker's CPU per post, which the machine's other load disturbs far less than latency.

Before/after in one run: `--compare-ref REF` runs intake on REF's tree (a `git worktree` at
/tmp/veracity-bench-<sha>, made once, same venv, its own migrations) and on this tree,
interleaved (before, after, before, after, ... `--rounds` each), with the load average before
each run and the mean per side; the claim part is skipped unless `--claims` is given. Issue
15's criterion (intake before triage, 4b4ce8e, against this tree):

    python bench/pipeline.py --compare-ref 4b4ce8e --signals both --posts 400 --rate 20 \
        --rounds 3 --out bench/results/pipeline_triage.json
    python bench/pipeline.py --compare-ref 4b4ce8e --signals both --posts 1000 --rate 50
    python bench/pipeline.py --compare-ref 4b4ce8e --signals both --posts 400 --rate 20 --batch 1
    python bench/pipeline.py --compare-ref 4b4ce8e --signals both --classifier shipped \
        --posts 400 --rate 20 --rounds 2 --out bench/results/pipeline_triage_shipped.json

Issue 21's intake target (p95 intake-to-queued <= 0.5 s at 100 posts/s offered), before/after
against a REF that already has the signals (`--ref-signals` runs REF with the same settings):

    python bench/pipeline.py --compare-ref ecb9535 --ref-signals --signals both --rounds 2 \
        --claims 500 --out bench/results/pipeline.json

`git worktree remove /tmp/veracity-bench-<sha>` when done.
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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.proc import tree_cpu_seconds  # noqa: E402
from core.actors import Actor, ActorType  # noqa: E402
from core.db import make_engine, make_session_factory, transaction  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from pipeline.queue import claim_next  # noqa: E402

TEXTS = [
    "SHOCKING: the miracle cure they don't want you to know, garlic water. Share before it is banned!!",
    "5G towers spread the virus, this hoax is 100% exposed, share before they delete it",
    "Bill Gates microchip in the vaccine, the plandemic truth exposed!!",
    "Drinking bleach is the secret cure, doctors are hiding it",
]
PORT = 8765

# Run inside the tree under test (its own migrations, models and key format): migrate, make
# an API key, optionally import the bundled claim library; prints the key.
SETUP = """
import sys
try:
    from core.actors import Actor, ActorType
except ImportError:  # a tree from before core.actors (--compare-ref)
    from audit.events import Actor, ActorType
from accounts.service import create_api_key
from core.db import make_engine, make_session_factory, transaction
from core.migrate import upgrade
url, library = sys.argv[1], sys.argv[2] == "1"
upgrade(url)
admin = Actor("bench", ActorType.HUMAN, ("admin",))
engine = make_engine(url)
with transaction(make_session_factory(engine)) as s:
    key = create_api_key(s, "bench", ["score"], admin).secret
    if library:
        from claims.importers import read_source
        from claims.service import import_claims
        import_claims(s, read_source("fixture", None), admin, source="fixture")
engine.dispose()
print(key)
"""


@dataclass(frozen=True)
class Variant:
    label: str
    tree: Path
    env: dict[str, str] = field(default_factory=dict)
    library: bool = False


def post_text(i: int) -> str:
    return f"{TEXTS[i % len(TEXTS)]} #{i}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_database(base_url: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(base_url: str, url: str) -> None:
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def worktree(ref: str) -> Path:
    """REF's tree under /tmp (made once per commit; `git worktree remove` it when done)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    path = Path(f"/tmp/veracity-bench-{sha[:12]}")
    if not (path / "runtime").is_dir():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), sha],
            cwd=ROOT, check=True, stdout=sys.stderr,
        )  # fmt: skip
    return path


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages (as `uptime` prints them)."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def start(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_http(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def intake(
    variant: Variant,
    db_url: str,
    redis_url: str,
    posts: int,
    rate: float,
    batch: int,
    classifier: str = "reference",
) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE__", "REDIS__", "ELASTICSEARCH__", "INTAKE_SIGNALS"))
    }
    env.update(
        ENVIRONMENT="test",
        DATABASE__URL=db_url,
        REDIS__URL=redis_url,
        USE_REFERENCE_CLASSIFIER=str(classifier == "reference").lower(),
        **variant.env,
    )
    py = sys.executable
    key = subprocess.run(
        [py, "-c", SETUP, db_url, "1" if variant.library else "0"],
        cwd=variant.tree, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    logs = Path("/tmp/veracity-bench")
    logs.mkdir(exist_ok=True)
    server = start(
        [py, "-m", "uvicorn", "runtime.server:create_served_app", "--factory", "--port",
         str(PORT), "--log-level", "warning", "--no-access-log"],
        variant.tree, env, logs / "server.log",
    )  # fmt: skip
    # a tree from before runtime/worker.py (--compare-ref 4b4ce8e) had its Celery app in pipeline
    celery_app = (
        "runtime.worker:app"
        if (variant.tree / "runtime" / "worker.py").is_file()
        else "pipeline.celery_app:app"
    )
    worker = start(
        [py, "-m", "celery", "-A", celery_app, "worker", "-Q", "veracity",
         "--concurrency", "2", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        variant.tree, env, logs / "worker.log",
    )  # fmt: skip
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    sent_at: dict[str, float] = {}
    request_s: list[float] = []
    routed: set[str] = set()
    failed: list[int] = []
    scored_at: list[float] = []  # when each request's posts came back scored (200)

    def send(client: httpx.Client, body: dict[str, Any]) -> None:
        t = time.time()
        response = client.post("/v1/score", json=body)
        request_s.append(time.time() - t)
        if response.status_code != 200:
            failed.append(response.status_code)
            return
        scored_at.extend([time.time()] * len(body["posts"]))
        routed.update(r["id"] for r in response.json()["results"] if r["case_opened"])

    try:
        wait_http(f"http://127.0.0.1:{PORT}/healthz")
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{PORT}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        # warm up the models and the connection pools, then start from a quiet queue
        for w in range(3):
            warm = [
                {"id": f"warm{w}-{i}", "text": f"{TEXTS[i % 4]} warm {w}"} for i in range(batch)
            ]
            client.post("/v1/score", json={"posts": warm}).raise_for_status()
        time.sleep(2.0)
        load = load_average()
        cpu_before = tree_cpu_seconds(server.pid), tree_cpu_seconds(worker.pid)
        interval = batch / rate
        threads: list[threading.Thread] = []
        t0 = time.time()
        for start_i in range(0, posts, batch):
            ids = range(start_i, min(posts, start_i + batch))
            due = t0 + (start_i // batch) * interval
            time.sleep(max(0.0, due - time.time()))
            now = time.time()
            body = {"posts": [{"id": f"b{i}", "text": post_text(i), "views": 100} for i in ids]}
            thread = threading.Thread(target=send, args=(client, body))
            thread.start()
            threads.append(thread)
            sent_at.update(dict.fromkeys((f"b{i}" for i in ids), now))
        for thread in threads:
            thread.join()
        deadline = time.time() + 300
        while time.time() < deadline:
            with sessions() as s:
                done = s.scalar(
                    sa.select(sa.func.count())
                    .select_from(sa.table("review_cases", sa.column("post_id")))
                    .where(sa.column("post_id").like("b%"))
                )
            if (done or 0) >= len(routed):
                break
            time.sleep(0.5)
        cpu = (
            tree_cpu_seconds(server.pid) - cpu_before[0],
            tree_cpu_seconds(worker.pid) - cpu_before[1],
        )
        with sessions() as s:
            rows = s.execute(sa.text("SELECT post_id, created_at FROM review_cases")).all()
            received = s.execute(sa.text("SELECT id, received_at FROM posts")).tuples()
            stored: dict[str, datetime] = dict(received.all())
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        worker.wait(timeout=30)
        engine.dispose()
    latencies = [
        created.timestamp() - sent_at[post_id] for post_id, created in rows if post_id in sent_at
    ]
    if not latencies:
        raise RuntimeError(f"no post was queued (HTTP failures: {failed[:5]})")
    last = max(created.timestamp() for post_id, created in rows if post_id in sent_at)
    in_api = [stored[p].timestamp() - sent_at[p] for p in sent_at if p in stored]
    return {
        "variant": variant.label,
        "tree": str(variant.tree),
        "env": variant.env,
        "load_average_1_5_15": load,
        "posts": posts,
        "routed": len(routed),
        "queued": len(latencies),
        "http_failures": len(failed),
        "offered_rate_posts_per_s": rate,
        "batch": batch,
        # every post sent, scored and answered (with the signals on, posts the triage leaves
        # alone are not queued, so the queued rate below counts fewer posts by design)
        "posts_per_s_scored": round(len(scored_at) / (max(scored_at) - t0), 1),
        "posts_per_s_intake_to_queue": round(len(latencies) / (last - t0), 1),
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(pct(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3),
        "request_p50_s": round(statistics.median(request_s), 3),
        "request_p95_s": round(pct(request_s, 0.95), 3),
        "api_stored_p50_s": round(statistics.median(in_api), 3),
        # CPU per post sent, robust to the machine's other load (the latencies are not)
        "api_cpu_ms_per_post": round(cpu[0] / posts * 1000, 1),
        "worker_cpu_ms_per_post": round(cpu[1] / posts * 1000, 1),
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
    upgrade(db_url)
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
    report: dict[str, Any] = {
        "open_cases": n_open,
        "still_open_after": open_now,
        "bulk_load_s": round(load_s, 1),
        "claims_timed": samples,
        "plan": plan_text,
    }
    if timings:
        report.update(
            claim_ms_p50=round(statistics.median(timings), 2),
            claim_ms_p95=round(pct(timings, 0.95), 2),
            claim_ms_p99=round(pct(timings, 0.99), 2),
        )
    return report


def summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per variant, the mean of each figure over its rounds."""
    keys = (
        "posts_per_s_scored", "posts_per_s_intake_to_queue", "latency_p50_s", "latency_p95_s",
        "request_p50_s", "request_p95_s", "api_stored_p50_s",
        "api_cpu_ms_per_post", "worker_cpu_ms_per_post",
    )  # fmt: skip
    out: dict[str, dict[str, float]] = {}
    for label in dict.fromkeys(r["variant"] for r in runs):
        mine = [r for r in runs if r["variant"] == label]
        out[label] = {k: round(statistics.mean(r[k] for r in mine), 3) for k in keys}
        out[label]["rounds"] = len(mine)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1500)
    parser.add_argument("--rate", type=float, default=100.0, help="offered posts per second")
    parser.add_argument("--batch", type=int, default=10, help="posts per API request")
    parser.add_argument("--open-cases", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=None, help="claim-next samples (500)")
    parser.add_argument("--skip-intake", action="store_true")
    parser.add_argument(
        "--signals", choices=("on", "off", "both"), default="on",
        help="this tree's intake signals (INTAKE_SIGNALS; on: with the bundled claim library)",
    )  # fmt: skip
    parser.add_argument("--compare-ref", metavar="REF", help="intake before (REF) and after (here)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="runs of each side with --compare-ref"
    )
    parser.add_argument(
        "--ref-signals", action="store_true",
        help="run REF with the same --signals settings (a REF that has intake signals)",
    )  # fmt: skip
    parser.add_argument(
        "--classifier", choices=("reference", "shipped"), default="reference",
        help="the falsehood scorer on every side: the reference scorer or the shipped model",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    pg = os.environ["VERACITY_TEST_POSTGRES_URL"]
    redis_url = os.environ["VERACITY_TEST_REDIS_URL"].rsplit("/", 1)[0] + "/9"
    settings = ("off", "on") if args.signals == "both" else (args.signals,)

    def with_signals(label: str, tree: Path, on: str) -> Variant:
        return Variant(
            f"{label} signals {on}", tree, {"INTAKE_SIGNALS": str(on == "on").lower()}, on == "on"
        )

    here = [with_signals("HEAD", ROOT, on) for on in settings]
    variants, rounds = here, 1
    if args.compare_ref:
        ref_tree = worktree(args.compare_ref)
        before = (
            [with_signals(f"before {args.compare_ref}", ref_tree, on) for on in settings]
            if args.ref_signals
            else [Variant(f"before {args.compare_ref}", ref_tree)]
        )
        variants = [*before, *here]
        rounds = args.rounds
    report: dict[str, Any] = {"machine_cpus": os.cpu_count(), "classifier": args.classifier}
    if not args.skip_intake:
        runs = []
        for _ in range(rounds):
            for variant in variants:
                db = fresh_database(pg)
                try:
                    runs.append(
                        intake(
                            variant, db, redis_url, args.posts, args.rate, args.batch,
                            args.classifier,
                        )
                    )  # fmt: skip
                finally:
                    drop_database(pg, db)
                print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
        report["intake"] = runs[0] if len(runs) == 1 else {"runs": runs, "mean": summary(runs)}
    samples = args.claims if args.claims is not None else (0 if args.compare_ref else 500)
    if samples or not args.compare_ref:
        db = fresh_database(pg)
        try:
            report["claim"] = claims(db, args.open_cases, samples)
        finally:
            drop_database(pg, db)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
