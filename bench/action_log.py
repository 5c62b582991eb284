"""The action log against real Elasticsearch: shipping rate from the outbox, export throughput
and the export's peak memory at two sizes (it should not grow with the export).

    VERACITY_TEST_ELASTICSEARCH_URL=http://127.0.0.1:9200 \\
    [VERACITY_TEST_POSTGRES_URL=postgresql+psycopg://...] \\
    python bench/action_log.py [--events 1000000] [--ship-events 20000] [--keep]

Shipping writes real events through `record()` into the outbox (PostgreSQL when its URL is
set, else SQLite) and times `ship_pending`. The export corpus is bulk-loaded straight into
Elasticsearch as valid chained documents, then exported as NDJSON in a fresh process per size
(N/10 and N), whose peak RSS (VmHWM) is reported.

The baseline, measured in the same run on fresh events and the same corpus, is the shipping
and export loop as it was before issue 21 (bench/action_log_baseline.py); the two exports must
write the same bytes (SHA-256 compared). Besides wall time, each reports the CPU seconds of
its own process, which a loaded machine disturbs less. Results: bench/results/action_log.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit.chain import GENESIS, event_hash  # noqa: E402
from audit.es_store import ElasticsearchLog, make_client  # noqa: E402
from bench import action_log_baseline  # noqa: E402

BASE = datetime(2026, 1, 1, tzinfo=UTC)
ACTIONS = ("post.scored", "post.routed", "case.queued", "case.claimed", "case.decided")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    """User + system CPU of this process (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def synthetic_docs(n: int) -> Iterator[dict[str, Any]]:
    """Chained documents shaped exactly like `record()` writes them, one second apart."""
    prev = GENESIS
    for seq in range(1, n + 1):
        action = ACTIONS[seq % len(ACTIONS)]
        human = action in ("case.claimed", "case.decided")
        doc: dict[str, Any] = {
            "@timestamp": (BASE + timedelta(seconds=seq)).isoformat(),
            "event": {
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{seq}").hex,
                "action": action,
                "kind": "event",
                "outcome": "success",
            },
            "user": {
                "name": f"reviewer-{seq % 40}" if human else "system:pipeline",
                "roles": ["reviewer"] if human else ["system"],
            },
            "http": {},
            "veracity": {
                "actor_type": "human" if human else "system",
                "post_id": f"post-{seq // 5}",
                "case_id": f"case-{seq // 5}",
                "action_id": None,
                "statement_id": None,
                "incident_id": None,
                "claim_id": None,
                "subject": {},
                "reason": "false_claim: miracle cure claim repeated from a known hoax",
                "policy_version": "policy-7",
                "model_version": "minilm-2026.11",
                "score": 0.91,
                "before": {"post_status": "scored"},
                "after": {"action": "remove"},
                "is_drill": False,
                "chain": {"name": "main", "seq": seq, "prev_hash": prev},
            },
        }
        prev = event_hash(doc, prev)
        doc["veracity"]["chain"]["hash"] = prev
        yield doc


def load_corpus(store: ElasticsearchLog, n: int) -> float:
    from elasticsearch.helpers import parallel_bulk

    store.ensure_template()
    index = store.index_for(BASE.isoformat())
    store.client.indices.create(index=index, settings={"refresh_interval": "-1"})
    actions = (
        {"_op_type": "create", "_index": index, "_id": d["event"]["id"], "_source": d}
        for d in synthetic_docs(n)
    )
    started = time.perf_counter()
    for ok, info in parallel_bulk(
        store.client.options(request_timeout=120),
        actions,
        thread_count=2,
        chunk_size=2000,
        queue_size=2,
    ):
        if not ok:
            raise RuntimeError(f"bulk load failed: {info}")
    store.client.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
    store.refresh()
    return time.perf_counter() - started


def bench_shipping(es_url: str, prefix: str, events: int, *, baseline: bool) -> dict[str, Any]:
    """Ship `events` fresh outbox events; `baseline` times the loop as it was before issue 21."""
    from audit.events import Action, Subject
    from audit.service import record
    from audit.shipping import ship_pending
    from core.actors import Actor
    from core.db import make_engine, make_session_factory, transaction
    from core.migrate import upgrade

    pg = os.environ.get("VERACITY_TEST_POSTGRES_URL")
    tmp = tempfile.mkdtemp(prefix="bench-outbox-")
    admin = None
    if pg:
        import sqlalchemy as sa

        name = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = pg.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp}/outbox.db"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    actor = Actor.system("bench")
    for start in range(0, events, 1000):
        with transaction(sessions) as session:
            for i in range(start, min(events, start + 1000)):
                record(
                    session,
                    Action.POST_SCORED,
                    actor,
                    Subject(post_id=f"p{i}"),
                    model_version="bench",
                    score=0.5,
                )
    suffix = "shipbase" if baseline else "ship"
    store = ElasticsearchLog(make_client([es_url], timeout=60), f"{prefix}-{suffix}")
    store.ensure_template()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    if baseline:
        shipped = action_log_baseline.ship_pending(sessions, store, batch_size=1000)
    else:
        result = ship_pending(sessions, store, batch_size=1000, max_batches=10_000)
        if result.remaining or result.failed:
            raise SystemExit(f"shipping left work undone: {result}")
        shipped = result.shipped
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    if shipped != events:
        raise SystemExit(f"shipped {shipped} of {events} events")
    engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return {
        "events": events,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rate": events / seconds,
        "db": "postgresql" if pg else "sqlite",
    }


def export_child(es_url: str, prefix: str, n: int, page_size: int, baseline: bool) -> None:
    """Runs in its own process: export the first n events, print count, time and peak RSS."""
    from audit.es_search import ElasticsearchSearch
    from audit.export import Export
    from audit.schemas import ExportFormat, SearchFilters
    from core.actors import Actor
    from core.db import make_engine, make_session_factory
    from core.migrate import upgrade

    tmp = tempfile.mkdtemp(prefix="bench-export-")
    url = f"sqlite:///{tmp}/log.db"
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    store = ElasticsearchSearch(ElasticsearchLog(make_client([es_url], timeout=120), prefix))
    filters = SearchFilters(until=BASE + timedelta(seconds=n))
    job = Export(
        store, sessions, filters, ExportFormat.NDJSON, Actor.system("bench"), page_size=page_size
    )
    rss_before = peak_rss_mb()
    digest = hashlib.sha256()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    chunks = (
        action_log_baseline.export_ndjson(store, filters, page_size) if baseline else job.chunks()
    )
    count = nbytes = 0
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            sink.write(chunk)
            digest.update(chunk)
            nbytes += len(chunk)
            count += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    print(
        json.dumps(
            {
                "count": count,
                "bytes": nbytes,
                "sha256": digest.hexdigest(),  # old and new must write the same bytes
                "seconds": seconds,
                "cpu_seconds": cpu,  # this process only; steadier than wall time under load
                "rss_before_mb": rss_before,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def bench_export(
    es_url: str, prefix: str, n: int, page_size: int, *, baseline: bool = False
) -> dict[str, Any]:
    out = (
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child-export",
                str(n),
                "--prefix",
                prefix,
                "--page-size",
                str(page_size),
                *(["--baseline"] if baseline else []),
            ],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    result: dict[str, Any] = json.loads(out)
    if result["count"] != n:
        raise SystemExit(f"export returned {result['count']} events, expected {n}")
    result["rate"] = n / result["seconds"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="export corpus size")
    parser.add_argument("--ship-events", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="leave the indices in place")
    parser.add_argument("--prefix", default=None)
    parser.add_argument("--child-export", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "action_log.json"))
    args = parser.parse_args()
    es_url = os.environ.get("VERACITY_TEST_ELASTICSEARCH_URL")
    if not es_url:
        print("set VERACITY_TEST_ELASTICSEARCH_URL to a real Elasticsearch", file=sys.stderr)
        return 2
    if args.child_export:
        export_child(es_url, args.prefix, args.child_export, args.page_size, args.baseline)
        return 0
    prefix = args.prefix or f"bench-{uuid.uuid4().hex[:8]}"
    client = make_client([es_url], timeout=120)
    load_before = os.getloadavg()
    try:
        # Baseline (the loops before issue 21) and current, each on fresh events, same run.
        ship_base = bench_shipping(es_url, prefix, args.ship_events, baseline=True)
        ship = bench_shipping(es_url, prefix, args.ship_events, baseline=False)
        print(
            f"shipping {ship['events']} events from the {ship['db']} outbox: baseline "
            f"{ship_base['seconds']:.1f}s, now {ship['seconds']:.1f}s",
            flush=True,
        )
        store = ElasticsearchLog(client, prefix)
        load_s = load_corpus(store, args.events)
        print(f"loaded {args.events} chained documents in {load_s:.1f}s", flush=True)
        exports = {}
        for label, n in (("N/10", args.events // 10), ("N", args.events)):
            for kind in ("baseline", "now"):
                exports[f"{label} {kind}"] = bench_export(
                    es_url, prefix, n, args.page_size, baseline=kind == "baseline"
                )
    finally:
        if not args.keep:
            client.options(ignore_status=404).indices.delete(index=f"{prefix}*")
            for name in ("actions", "ship-actions", "shipbase-actions"):
                client.options(ignore_status=404).indices.delete_index_template(
                    name=f"{prefix}-{name}"
                )
    for label in ("N/10", "N"):
        old, new = exports[f"{label} baseline"], exports[f"{label} now"]
        if old["sha256"] != new["sha256"]:
            raise SystemExit(f"export {label}: the bytes differ from the baseline's")
    report = {
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpus": os.cpu_count(),
        "shipping": {"baseline": ship_base, "now": ship, "ratio": ship["rate"] / ship_base["rate"]},
        "bulk_load": {"events": args.events, "seconds": load_s},
        "export": exports,
        "export_ratio": {
            label: exports[f"{label} now"]["rate"] / exports[f"{label} baseline"]["rate"]
            for label in ("N/10", "N")
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print_table(report, args.events)
    return 0


def print_table(report: dict[str, Any], events: int) -> None:
    print()
    print(
        "| measure | events | seconds | events/s | vs baseline | CPU s (this process) | peak RSS (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    ship = report["shipping"]
    for kind in ("baseline", "now"):
        r = ship[kind]
        ratio = f"{ship['ratio']:.2f}x" if kind == "now" else "1.00x"
        print(
            f"| ship outbox → ES ({r['db']}, {kind}) | {r['events']:,} | {r['seconds']:.1f} | "
            f"{r['rate']:,.0f} | {ratio} | {r['cpu_seconds']:.1f} | |"
        )
    load_s = report["bulk_load"]["seconds"]
    print(f"| bulk-load corpus | {events:,} | {load_s:.1f} | {events / load_s:,.0f} | | | |")
    for key, r in report["export"].items():
        label, kind = key.split(" ")
        base = report["export"][f"{label} baseline"]["rate"]
        print(
            f"| export NDJSON ({label}, {kind}) | {r['count']:,} | {r['seconds']:.1f} | "
            f"{r['rate']:,.0f} | {r['rate'] / base:.2f}x | {r['cpu_seconds']:.1f} | "
            f"{r['peak_rss_mb']:.0f} |"
        )
    small, large = report["export"]["N/10 now"], report["export"]["N now"]
    print(
        f"\npeak RSS grows {large['peak_rss_mb'] - small['peak_rss_mb']:+.1f} MB from "
        f"{small['count']:,} to {large['count']:,} events exported "
        f"({large['bytes'] / 1e6:,.0f} MB of NDJSON); load average "
        f"{report['load_average_before'][0]:.1f} before, {report['load_average_after'][0]:.1f} "
        f"after on {report['cpus']} CPUs"
    )


if __name__ == "__main__":
    raise SystemExit(main())
