"""Load on the real scoring server over HTTP, compared with the classifier in-process.

    .venv/bin/python -m bench.api_load [--seconds 4] [--out bench/results/api_load.json]

Starts uvicorn as a subprocess with production-style settings (PostgreSQL in a fresh
database, Redis for rate limits and the Celery broker, the real model when `models/` has
one, else the reference scorer, which it says), then drives it from this process with
asyncio + httpx at concurrency 1, 8, 32, 64 and batch sizes 1 and 32 (closed loop, every
post id new so nothing is served from the stored results). It also measures one open-loop
run of 1-post requests at half the best 1-post rate, for the p99 goal. Needs
VERACITY_TEST_POSTGRES_URL and VERACITY_TEST_REDIS_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from classifier.interface import Classifier
from classifier.loader import load_classifier

TEXTS = [
    "BREAKING: 5G towers spread the virus, the miracle cure is garlic. Share before they delete it!!",
    "According to the ministry, 1,204 new confirmed cases were reported today across 12 states.",
    "They don't want you to know: drinking hot water every 15 minutes kills the virus.",
    "The CDC updated its guidance on masks in schools after a new study of 40 districts.",
    "Bill Gates admits the vaccine contains a microchip to track everyone, video exposed.",
    "Our hospital tested 3,000 people this week; positivity fell to 4 percent.",
]
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LevelResult:
    concurrency: int
    batch: int
    requests: int
    posts: int
    refused: int  # 429/503
    seconds: float
    posts_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    ratio_to_inprocess: float | None = None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def inprocess_throughput(model: Classifier, batch: int, seconds: float) -> float:
    texts = [TEXTS[i % len(TEXTS)] for i in range(batch)]
    model.predict(texts, explain=True)  # warm-up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        model.predict(texts, explain=True)
        done += batch
    return done / (time.perf_counter() - start)


def fresh_database(base_url: str) -> tuple[str, str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + f"/{name}", name


def drop_database(base_url: str, name: str) -> None:
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(db_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ENVIRONMENT": "production",
        "SECURITY__SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE__URL": db_url,
        "REDIS__URL": redis_url,
        "PYTHONPATH": str(ROOT),
    }


def issue_key(env: dict[str, str]) -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "veracity_cli.main",
            "apikeys",
            "create",
            "--name",
            "bench",
            "--scopes",
            "score,read",
            "--rate-limit",
            "0",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn", "runtime.server:create_served_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("server exited during start-up")
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("server did not become ready")


def _body(tag: str, n: int) -> dict[str, Any]:
    return {
        "posts": [
            {"id": f"{tag}-{uuid.uuid4().hex[:12]}", "text": TEXTS[i % len(TEXTS)], "views": 10}
            for i in range(n)
        ]
    }


async def closed_loop(
    url: str, key: str, concurrency: int, batch: int, seconds: float
) -> LevelResult:
    latencies: list[float] = []
    refused = 0
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as c:
        await c.post("/v1/score", json=_body("warm", batch))
        stop_at = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal refused
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                resp = await c.post("/v1/score", json=_body(f"c{concurrency}b{batch}", batch))
                if resp.status_code == 200:
                    latencies.append(time.perf_counter() - t0)
                elif resp.status_code in (429, 503):
                    refused += 1
                else:
                    raise RuntimeError(f"{resp.status_code}: {resp.text[:200]}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return _result(concurrency, batch, latencies, refused, elapsed)


async def open_loop(url: str, key: str, rate: float, seconds: float) -> LevelResult:
    """1-post requests at a fixed arrival rate, whatever the latency (no coordinated omission)."""
    latencies: list[float] = []
    refused = 0
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as c:

        async def one() -> None:
            nonlocal refused
            t0 = time.perf_counter()
            resp = await c.post("/v1/score", json=_body("open", 1))
            if resp.status_code == 200:
                latencies.append(time.perf_counter() - t0)
            else:
                refused += 1

        tasks, start, n = [], time.perf_counter(), int(rate * seconds)
        for i in range(n):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return _result(0, 1, latencies, refused, elapsed)


def _result(
    concurrency: int, batch: int, latencies: list[float], refused: int, elapsed: float
) -> LevelResult:
    ms = [x * 1000 for x in latencies]
    return LevelResult(
        concurrency=concurrency,
        batch=batch,
        requests=len(ms),
        posts=len(ms) * batch,
        refused=refused,
        seconds=round(elapsed, 2),
        posts_per_s=round(len(ms) * batch / elapsed, 1),
        p50_ms=round(statistics.median(ms), 1) if ms else float("nan"),
        p95_ms=round(percentile(ms, 0.95), 1),
        p99_ms=round(percentile(ms, 0.99), 1),
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    pg, redis_base = os.environ["VERACITY_TEST_POSTGRES_URL"], os.environ["VERACITY_TEST_REDIS_URL"]
    redis_url = redis_base.rsplit("/", 1)[0] + "/15"  # its own Redis database, flushed after
    model = load_classifier()
    real = type(model).__name__ != "ReferenceClassifier"
    print(
        f"classifier: {model.model_version} ({'real model' if real else 'REFERENCE scorer: no model under models/'})"
    )
    inproc = {b: round(inprocess_throughput(model, b, args.seconds), 1) for b in (1, 32)}
    print(f"in-process throughput (explain=True): {inproc} posts/s")
    version = model.model_version
    del model
    db_url, db_name = fresh_database(pg)
    env = server_env(db_url, redis_url)
    key = issue_key(env)  # also migrates the fresh database
    port = free_port()
    proc = start_server(env, port)
    url = f"http://127.0.0.1:{port}"
    results: list[LevelResult] = []
    try:
        for batch in args.batches:
            for conc in args.concurrency:
                res = asyncio.run(closed_loop(url, key, conc, batch, args.seconds))
                res.ratio_to_inprocess = round(res.posts_per_s / inproc[32], 3)
                results.append(res)
                print(_row(res))
        best_single = max((r.posts_per_s for r in results if r.batch == 1), default=0.0)
        half = asyncio.run(open_loop(url, key, best_single / 2, args.seconds))
        print(f"open loop at {best_single / 2:.1f} req/s (half the best 1-post rate): {_row(half)}")
    finally:
        proc.terminate()
        proc.wait(10)
        drop_database(pg, db_name)
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    return {
        "model_version": version,
        "real_model": real,
        "cpu_count": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
        "inprocess_posts_per_s": inproc,
        "levels": [asdict(r) for r in results],
        "half_rate_open_loop": {"rate_per_s": round(best_single / 2, 1), **asdict(half)},
    }


def _row(r: LevelResult) -> str:
    return (
        f"conc={r.concurrency:>3} batch={r.batch:>2}  {r.posts_per_s:>8.1f} posts/s  "
        f"p50={r.p50_ms:>7.1f} p95={r.p95_ms:>7.1f} p99={r.p99_ms:>7.1f} ms  "
        f"refused={r.refused}  ratio={r.ratio_to_inprocess}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0, help="per level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    report = run(args)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
