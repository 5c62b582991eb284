"""/v1/score over HTTP against the same scoring called in-process, in the same run.

    .venv/bin/python -m bench.api_load [--seconds 3] [--repeats 3] [--workers 1 2]
        [--concurrency 1 8 32 64] [--batches 1 32] [--out bench/results/api_load.json]

Production-style settings (PostgreSQL in a fresh database, Redis for rate limits and the
Celery broker, the real models when `models/` has them, else the reference scorer, which it
says). The in-process baseline is the app the server builds (`create_served_app`), built in
this process, its scoring called from `concurrency` threads: validation, admission, the
batchers, intake's signals, the database writes and the action log, exactly what /v1/score
runs minus the HTTP edge (connection, parsing, middleware, authentication, rate limit, JSON).
The HTTP side is `veracity serve --workers N` driven by a lean keep-alive client
(`bench.http_load`). At every level (concurrency x batch, closed loop, every post id new) the
two run back to back, `--repeats` times, alternating; the ratio is the median of each pair's
HTTP / in-process posts/s, with the load average (1 min) beside every figure: the machine is
shared, so each figure says how busy it was. One open-loop run of 1-post requests at half the
best 1-post rate gives the p99 at a sustainable rate. Needs VERACITY_TEST_POSTGRES_URL and
VERACITY_TEST_REDIS_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench import http_load
from bench.http_load import Tally
from bench.proc import tree_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
WARM_SECONDS = 1.0  # one thread calling before each in-process run


@dataclass
class Run:
    posts_per_s: float
    p50_ms: float
    p99_ms: float
    refused: int
    cpu_ms_per_post: float  # the serving process(es)' CPU; load-independent, unlike the rate
    client_cpu_ms_per_post: float  # the HTTP load generator's (0 in-process: it is the caller)
    loadavg_1m: float

    @classmethod
    def of(cls, tally: Tally, batch: int) -> Run:
        posts = max(1, len(tally.latencies) * batch)
        return cls(
            round(tally.rate(batch), 1),
            round(tally.p50_ms(), 1),
            round(tally.ms(0.99), 1),
            tally.refused,
            round(1000 * tally.cpu_seconds / posts, 2),
            round(1000 * tally.client_cpu_seconds / posts, 2),
            round(os.getloadavg()[0], 2),
        )


@dataclass
class Level:
    workers: int
    concurrency: int
    batch: int
    inprocess: list[Run] = field(default_factory=list)
    http: list[Run] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [
            round(h.posts_per_s / i.posts_per_s, 3) if i.posts_per_s else 0.0
            for i, h in zip(self.inprocess, self.http, strict=True)
        ]

    def summary(self) -> dict[str, Any]:
        def med(runs: list[Run], name: str) -> float:
            return round(statistics.median(float(getattr(r, name)) for r in runs), 2)

        return {
            "workers": self.workers,
            "concurrency": self.concurrency,
            "batch": self.batch,
            "ratio_median": round(statistics.median(self.ratios), 3),
            "ratios": self.ratios,
            "inprocess_posts_per_s_median": med(self.inprocess, "posts_per_s"),
            "http_posts_per_s_median": med(self.http, "posts_per_s"),
            "http_p50_ms_median": med(self.http, "p50_ms"),
            "http_p99_ms_median": med(self.http, "p99_ms"),
            "inprocess_cpu_ms_per_post_median": med(self.inprocess, "cpu_ms_per_post"),
            "http_server_cpu_ms_per_post_median": med(self.http, "cpu_ms_per_post"),
            "http_client_cpu_ms_per_post_median": med(self.http, "client_cpu_ms_per_post"),
            "loadavg_1m_median": med(self.inprocess + self.http, "loadavg_1m"),
            "inprocess": [asdict(r) for r in self.inprocess],
            "http": [asdict(r) for r in self.http],
        }


class InProcess:
    """The served app built in this process; its scoring called the way /v1/score calls it."""

    def __init__(self) -> None:
        from core.actors import Actor, ActorType
        from core.settings import Settings
        from runtime.server import create_served_app

        self.app = create_served_app(Settings())
        self.actor = Actor(name="apikey:bench", type=ActorType.PLATFORM, roles=("platform",))

    @property
    def model_version(self) -> str:
        return str(self.app.state.runtime.classifier.model_version)

    def closed_loop(self, concurrency: int, batch: int, seconds: float) -> Tally:
        from api.admission import ScoreJob, score_admitted
        from core.db import transaction
        from core.refusal import Refusal
        from pipeline.schemas import ScoreRequest, ScoreResponse

        serving, sessions = self.app.state.serving, self.app.state.runtime.sessions
        latencies: list[float] = []
        refused = [0]
        tag = f"i{concurrency}b{batch}"

        def call(stop_at: float, record: bool) -> None:
            while True:
                payload = http_load.body(tag, batch)
                t0 = time.perf_counter()
                try:
                    request = ScoreRequest.model_validate(payload)
                    with transaction(sessions) as session:
                        results = score_admitted(
                            serving, session, ScoreJob(request, self.actor, None)
                        )
                    ScoreResponse(results=results)
                    if record:
                        latencies.append(time.perf_counter() - t0)
                except Refusal:
                    refused[0] += record
                if time.perf_counter() >= stop_at:
                    return

        call(time.perf_counter() + WARM_SECONDS, False)
        stop_at = time.perf_counter() + seconds
        threads = [threading.Thread(target=call, args=(stop_at, True)) for _ in range(concurrency)]
        start, cpu = time.perf_counter(), time.process_time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        return Tally(latencies, refused[0], elapsed, time.process_time() - cpu)


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


def server_env(db_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ENVIRONMENT": "production",
        "SECURITY__SECRET_KEY": secrets.token_urlsafe(48),
        "PUBLIC__BASE_URL": "https://trust.example.org",
        "DATABASE__URL": db_url,
        "REDIS__URL": redis_url,
        "LOG__FORMAT": "json",  # production's: one access line per request, at INFO
        "PYTHONPATH": str(ROOT),
    }


def cli(env: dict[str, str], *args: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "veracity_cli.main", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()


def start_server(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "veracity_cli.main", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited during start-up; its log: {log}")
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("server did not become ready")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()  # the serve command ends its workers and removes its metrics directory
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def measure(
    inproc: InProcess, url: str, key: str, server_pid: int, workers: int, args: argparse.Namespace
) -> list[Level]:
    levels = []
    for batch in args.batches:
        for conc in args.concurrency:
            level = Level(workers, conc, batch)
            for _ in range(args.repeats):
                tally = inproc.closed_loop(conc, batch, args.seconds)
                level.inprocess.append(Run.of(tally, batch))
                server_cpu, client_cpu = tree_cpu_seconds(server_pid), time.process_time()
                tally = asyncio.run(http_load.closed_loop(url, key, conc, batch, args.seconds))
                tally.cpu_seconds = tree_cpu_seconds(server_pid) - server_cpu
                tally.client_cpu_seconds = time.process_time() - client_cpu
                level.http.append(Run.of(tally, batch))
            levels.append(level)
            print(_row(level), flush=True)
    return levels


def _row(level: Level) -> str:
    s = level.summary()
    return (
        f"workers={level.workers} conc={level.concurrency:>3} batch={level.batch:>2}  "
        f"in-process {s['inprocess_posts_per_s_median']:>7.1f}  "
        f"HTTP {s['http_posts_per_s_median']:>7.1f} posts/s  ratio {s['ratio_median']:.3f} "
        f"{s['ratios']}  HTTP p50 {s['http_p50_ms_median']:.0f} p99 "
        f"{s['http_p99_ms_median']:.0f} ms  refused {sum(r.refused for r in level.http)}/"
        f"{sum(r.refused for r in level.inprocess)}  CPU ms/post in-process "
        f"{s['inprocess_cpu_ms_per_post_median']} HTTP server "
        f"{s['http_server_cpu_ms_per_post_median']} client "
        f"{s['http_client_cpu_ms_per_post_median']}  load {s['loadavg_1m_median']}"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    pg, redis_base = os.environ["VERACITY_TEST_POSTGRES_URL"], os.environ["VERACITY_TEST_REDIS_URL"]
    redis_url = redis_base.rsplit("/", 1)[0] + "/15"  # its own Redis database, flushed after
    db_url, db_name = fresh_database(pg)
    env = server_env(db_url, redis_url)
    if args.reference:
        env["USE_REFERENCE_CLASSIFIER"] = "true"
    report: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "note": "shared machine: each figure carries the 1-minute load average beside it",
    }
    try:
        key = cli(
            env,
            "apikeys",
            "create",
            "--name",
            "bench",
            "--scopes",
            "score,read",
            "--rate-limit",
            "1000000",
        )[-1]
        os.environ.update(env)  # the in-process app reads the same settings
        inproc = InProcess()
        real = "reference" not in inproc.model_version
        print(f"model: {inproc.model_version} ({'real' if real else 'REFERENCE scorer'})")
        report.update(model_version=inproc.model_version, real_model=real, levels=[])
        for workers in args.workers:
            port = http_load_port()
            proc = start_server(env, port, workers, args.server_log)
            url = f"http://127.0.0.1:{port}"
            try:
                levels = measure(inproc, url, key, proc.pid, workers, args)
                report["levels"].extend(level.summary() for level in levels)
                best = max(
                    (lv.summary()["http_posts_per_s_median"] for lv in levels if lv.batch == 1),
                    default=0.0,
                )
                if best:
                    half = asyncio.run(http_load.open_loop(url, key, best / 2, args.seconds))
                    row = open_loop_row(workers, best / 2, half)
                    report.setdefault("half_rate_open_loop", []).append(row)
                    print(f"open loop: {row}")
            finally:
                stop_server(proc)
    finally:
        drop_database(pg, db_name)
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    ratios = [lv["ratio_median"] for lv in report["levels"]]
    report["min_ratio"] = min(ratios) if ratios else None
    return report


def open_loop_row(workers: int, rate: float, half: Tally) -> dict[str, Any]:
    run = Run.of(half, 1)
    return {
        "workers": workers,
        "rate_per_s": round(rate, 1),
        "posts_per_s": run.posts_per_s,
        "p50_ms": run.p50_ms,
        "p99_ms": run.p99_ms,
        "refused": run.refused,
        "loadavg_1m": run.loadavg_1m,
    }


def http_load_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per run")
    parser.add_argument("--repeats", type=int, default=3, help="pairs per level")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32, 64])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="the reference scorer (near-free model): the HTTP edge's cost at its largest share",
    )
    parser.add_argument("--server-log", type=Path, default=Path("/tmp/veracity-api-load.log"))
    args = parser.parse_args()
    report = run(args)
    print(f"lowest ratio: {report['min_ratio']}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
