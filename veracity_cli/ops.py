"""`veracity serve|worker|beat|migrate|ship-outbox|sweep|platform-receiver`: running the product."""

from __future__ import annotations

import argparse
import dataclasses
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from audit.tasks import ship_outbox
from classifier.serving.threads import size_for_serving
from core.cli_args import add_port, int_in, port
from core.errors import Invalid
from core.settings import REPO_ROOT
from core.user_files import output_file
from pipeline.platform_receiver import start_receiver
from pipeline.tasks import sweep
from runtime.container import Runtime
from runtime.metrics_dir import multiprocess_metrics
from veracity_cli.output import emit, json_parent
from veracity_cli.sends import install_sends, run_queued

WORKER_HEALTHCHECK_SECONDS = 60


def check_listen(host: str, port_number: int) -> None:
    """An address the server cannot take (a host that does not resolve, a port in use or not
    allowed) is refused in one line before the models load: uvicorn only logs it as JSON and
    exits 1 or 3."""
    try:
        found = socket.getaddrinfo(
            host, port_number, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise Invalid(f"--host {host} does not resolve: {exc.strerror}") from None
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise Invalid(f"cannot listen on {host}:{port_number}: {exc.strerror}") from None


def serve(rt: Runtime, args: argparse.Namespace) -> int:
    import uvicorn

    check_listen(args.host, args.port)
    print(
        f"veracity serving on http://{args.host}:{args.port} "
        f"(pipeline: {rt.settings.pipeline_mode})",
        flush=True,
    )
    size_for_serving(args.workers)  # the workers inherit it: their models share the cores
    with multiprocess_metrics(args.workers):  # /metrics sums every worker's values
        uvicorn.run(
            "runtime.server:create_served_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
            access_log=False,  # the app logs each request itself (api/access_log.py)
            log_config=None,  # uvicorn's lines go through our handler (core/logging.py)
            # A spawned worker re-imports this command and loads the models before it answers
            # the supervisor's health check; uvicorn's 5 s killed and respawned workers forever
            # on a loaded 2-core machine, so `--workers N` never became ready.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    return 0


def _celery(rt: Runtime, command: str, *options: str) -> int:
    if not rt.settings.redis.url:
        print(
            f"veracity {command} needs REDIS__URL (the embedded default runs the pipeline "
            "in-process)",
            file=sys.stderr,
        )
        return 2
    cmd = [sys.executable, "-m", "celery", "-A", "runtime.worker:app", command, *options]
    return subprocess.call(cmd, env=os.environ.copy())  # noqa: S603 - fixed argv


def worker(rt: Runtime, args: argparse.Namespace) -> int:
    options = ["--loglevel", "INFO", "--concurrency", str(args.concurrency), "-Q", "veracity"]
    if args.beat:  # small setups: one process; production runs `veracity beat` once instead
        options.append("--beat")
    return _celery(rt, "worker", *options)


def beat(rt: Runtime, args: argparse.Namespace) -> int:
    """Celery beat alone: the periodic schedule (runtime/worker.py), sent to the workers."""
    schedule = Path(args.schedule_file)
    schedule.parent.mkdir(parents=True, exist_ok=True)  # beat keeps its last-run times there
    return _celery(rt, "beat", "--loglevel", "INFO", "--schedule", str(schedule))


def migrate(_: Runtime, args: argparse.Namespace) -> int:
    emit(args, {"schema": "latest"}, "database is at the latest schema")
    return 0


def ship(rt: Runtime, args: argparse.Namespace) -> int:
    result = ship_outbox(rt)
    if result is None:
        emit(
            args,
            {"elasticsearch": False},
            "no Elasticsearch configured (ELASTICSEARCH__HOSTS): the database is the action log",
        )
        return 0
    emit(
        args,
        {"elasticsearch": True, **dataclasses.asdict(result)},
        f"shipped {result.shipped}, failed {result.failed}, remaining {result.remaining}"
        + (f"; shipping paused: {result.error}" if result.error else ""),
    )
    return 1 if result.error else 0


def run_sweep(rt: Runtime, args: argparse.Namespace) -> int:
    """Re-queue unfinished work and send it: to the broker, or (no REDIS__URL) run it here."""
    sends = install_sends(rt)
    counts = sweep(rt)
    run_queued(rt, sends)
    result = {**counts, "sent_to": sends.sent_to, "sent": sends.sent, "unsent": len(sends.failed)}
    emit(args, result, f"{counts}; {sends.sent} task(s) sent to {sends.sent_to}")
    if sends.failed:
        tried = sends.sent + len(sends.failed)
        print(
            f"veracity: could not send {len(sends.failed)} of {tried} task(s) "
            f"({sends.failed[0]}); the next sweep finds the work again",
            file=sys.stderr,
        )
        return 1
    return 0


def receiver(_: Runtime, args: argparse.Namespace) -> int:
    log = output_file(Path(args.log)) if args.log else None  # not lost request by request
    server, _state, url = start_receiver(args.host, args.port, log)
    # A loopback or private receiver must be allowed explicitly by the outbound gate.
    print(
        f"platform receiver listening: PLATFORM__TAKEDOWN_URL={url} "
        f"OUTBOUND__ALLOW_HOSTS={args.host}",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
    return 0


processes = int_in(1, 256)  # serve's --workers, worker's --concurrency


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="serve the API and review UI")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    add_port(p, "the port to listen on")
    p.add_argument(
        "--workers",
        type=processes,
        default=1,
        help="server processes, 1 to 256; the model's threads are shared among them",
    )
    p.set_defaults(handler=serve)
    w = sub.add_parser("worker", help="run a Celery worker (needs REDIS__URL)")
    w.add_argument("--concurrency", type=processes, default=2, help="1 to 256")
    w.add_argument(
        "--beat",
        action="store_true",
        help="also send the periodic tasks (one process only; production: `veracity beat`)",
    )
    w.set_defaults(handler=worker)
    b = sub.add_parser(
        "beat", help="send the periodic tasks (shipping, sweeps, deliveries): run exactly one"
    )
    b.add_argument("--schedule-file", default=str(REPO_ROOT / "var" / "celerybeat-schedule"))
    b.set_defaults(handler=beat, needs_db=False)
    js = [json_parent()]
    sub.add_parser("migrate", help="bring the database schema up to date", parents=js).set_defaults(
        handler=migrate
    )
    sub.add_parser(
        "ship-outbox", help="ship pending log events to Elasticsearch", parents=js
    ).set_defaults(handler=ship)
    sub.add_parser("sweep", help="re-enqueue unfinished work", parents=js).set_defaults(
        handler=run_sweep
    )
    r = sub.add_parser(
        "platform-receiver", help="a local stand-in for the platform's takedown endpoint"
    )
    r.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    r.add_argument("--port", type=port, default=8099, help="1 to 65535")
    r.add_argument("--log", help="append received actions to this JSONL file")
    r.set_defaults(handler=receiver, needs_db=False)
