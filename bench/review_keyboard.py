"""A reviewer working cases by keyboard only, in headless Chromium: time and requests per case,
for the console as it is and for the flow before the keyboard console, in the same run.

    python bench/review_keyboard.py [--cases 30] [--warmup 3] [--rounds 4]
        [--baseline-ref 226f73a] [--out bench/results/review_keyboard.json]

Needs Debian's chromium and chromium-driver (scripts/services/chromium.sh), as tests/review_ui does.
Nothing else: each flow runs its own server on SQLite, set up as the UI tests set it up
(`tests.review_ui.conftest.stack_on`: the reference classifier, the in-process pipeline, a local
platform receiver).

The baseline is the tree before the console change (19d060d "the reviewer console", whose
parent is 226f73a), checked out with `git worktree` into a temporary folder and served by the
same Python (that commit lacks four core modules its settings import, committed a little later
by parallel work: they are taken from cf8ec07, unchanged): there, deciding shows a decision page and `n` takes the next case (POST decide,
GET decision, POST next, GET case); now deciding opens the next case (POST decide, GET case).

Per case the reviewer: sees the case page, reads the post (its text from the page), presses
`1` (false claim), `d` (reduce reach) and Enter, and, in the old flow, `n` on the decision
page. A case's time runs from its page being ready (document complete, a new case id) to the
next case's page being ready, so it includes the server, the page loads and the browser's
rendering, and no human think time. The first `--warmup` cases of each server are not counted.
Rounds alternate baseline and current to spread a loaded machine's drift over both.

Requests are counted by the server itself (an ASGI wrapper around the app): per case, page and
form requests apart from static files. Results: printed, and JSON in --out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: `python bench/review_keyboard.py`

from bench.chromium import headless_chromium, installed  # noqa: E402

BASELINE_REF = "226f73a"  # the parent of 19d060d, which made deciding open the next case
# 226f73a's core/settings.py imports modules that were committed a little later, in cf8ec07
# (parallel work): the baseline tree gets them from there, unchanged, and nothing else.
SUPPLIER = "cf8ec07"
SUPPLIED = ("core/logging.py", "core/tracing.py", "core/tracing_sql.py", "core/version.py")
POSTS = [
    "Miracle cure: garlic and bleach kill the virus, share before they delete it!!",
    "5G towers spread the plandemic, the secret microchip truth exposed",
    "BREAKING: vaccines contain tracking microchips, share before they delete this!!",
]
POLL = 0.005  # seconds between looks at the page


# --- the server: run in the tree being measured -------------------------------------------------


def serve(tree: Path, cases: int) -> None:
    """Serve the UI of the tree in the current directory with `cases` queued posts, printing
    one JSON line when ready and one `REQ <monotonic> <method> <path>` line per request."""
    here = Path(__file__).resolve().parent  # bench/ has a pipeline.py: keep it off the path
    sys.path[:] = [str(tree)] + [p for p in sys.path if Path(p or ".").resolve() != here]
    import uvicorn

    from core.migrate import upgrade
    from runtime.web import create_app
    from tests.conftest import PASSWORD
    from tests.review_ui.conftest import stack_on

    folder = Path(tempfile.mkdtemp(prefix="review-keyboard-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    stacks = stack_on(url)
    stack = next(stacks)
    reviewer = stack.user("reviewer")
    texts = [f"{POSTS[i % len(POSTS)]} #{i}" for i in range(cases)]
    stack.queue_posts(texts, author_id="bench-author", views=800, shares=10)
    app = create_app(stack.rt)

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            print(f"REQ {time.monotonic():.6f} {scope['method']} {scope['path']}", flush=True)
        await app(scope, receive, send)

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(counted, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=_stop_on_eof, args=(server,), daemon=True).start()
    import review_ui

    ready = {
        "port": port,
        "user": reviewer,
        "password": PASSWORD,
        "queued": _queued(stack),
        "code": str(Path(review_ui.__file__).resolve().parent.parent),
    }
    threading.Timer(0.5, lambda: print("READY " + json.dumps(ready), flush=True)).start()
    server.run()
    with contextlib.suppress(StopIteration):
        next(stacks)


def _stop_on_eof(server: Any) -> None:
    sys.stdin.read()
    server.should_exit = True


def _queued(stack: Any) -> int:
    from sqlalchemy import func, select

    from pipeline.models import ReviewCase

    with stack.rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ReviewCase)) or 0)


# --- the driver ------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[str]
    ready: dict[str, Any]
    requests: list[tuple[float, str, str]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://localhost:{self.ready['port']}"

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(tree: Path, cases: int) -> Server:
    """The server's own log (access lines, enforcement calls) goes to a file, not the terminal."""
    log = Path(tempfile.mkstemp(prefix="review-keyboard-server-", suffix=".log")[1])
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "serve", str(tree), str(cases)],
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env={**os.environ, "PYTHONPATH": str(tree)},
        )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("READY "):
            server = Server(process, json.loads(line[6:]))
            break
    else:
        raise RuntimeError(f"the server in {tree} did not start ({process.wait()}; see {log})")
    threading.Thread(target=_collect, args=(server,), daemon=True).start()
    return server


def _collect(server: Server) -> None:
    assert server.process.stdout is not None
    for line in server.process.stdout:
        if line.startswith("REQ "):
            _, at, method, path = line.split(" ", 3)
            server.requests.append((float(at), method, path.strip()))


def browser() -> Any:
    return headless_chromium(tempfile.mkdtemp(prefix="review-keyboard-chromium-"))


def _state(driver: Any) -> tuple[str, str, str]:
    state: list[str] = driver.execute_script(
        "return [document.readyState, (document.body && document.body.dataset.page) || '',"
        " location.pathname]"
    )
    return state[0], state[1], state[2]


def _wait(driver: Any, page: str, *, not_path: str = "", timeout: float = 30) -> str:
    """Wait until `page` is loaded (and, for a case, is not the one at `not_path`)."""
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ready, shown, path = _state(driver)
        except WebDriverException:  # mid-navigation
            time.sleep(POLL)
            continue
        if ready == "complete" and shown == page and path != not_path:
            return path
        time.sleep(POLL)
    raise TimeoutError(f"no {page} page (last: {_state(driver)})")


def _keys(driver: Any, *sequence: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(driver)
    for key in sequence:
        chain.send_keys(key)
    chain.perform()


def work(driver: Any, server: Server, *, flow: str, cases: int, warmup: int) -> dict[str, Any]:
    """Log in, take the first case with `n`, then work `warmup + cases` cases by keyboard."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    driver.get(server.base + "/ui/login")
    _wait(driver, "login")
    driver.find_element(By.CSS_SELECTOR, "#username").send_keys(server.ready["user"])
    driver.find_element(By.CSS_SELECTOR, "#password").send_keys(
        server.ready["password"] + Keys.ENTER
    )
    _wait(driver, "review-overview")
    _keys(driver, "n")
    path = _wait(driver, "review-case")
    times: list[float] = []
    marks: list[float] = []
    shown = time.monotonic()
    for number in range(warmup + cases):
        text = driver.find_element(By.CSS_SELECTOR, "#post-text").text  # read the post
        assert text, "the case shows its post"
        _keys(driver, "1", "d", Keys.ENTER)
        if flow == "baseline":
            _wait(driver, "review-decision")
            _keys(driver, "n")
        path = _wait(driver, "review-case", not_path=path)
        now = time.monotonic()
        if number == warmup:
            marks.append(shown)
        if number >= warmup:
            times.append(now - shown)
        shown = now
    marks.append(shown)
    time.sleep(0.5)  # let the last request lines arrive
    window = [r for r in server.requests if marks[0] <= r[0] <= marks[1]]
    static = [r for r in window if r[2].startswith("/ui/static/") or r[2] == "/favicon.ico"]
    pages = [r for r in window if r not in static]
    return {
        "times": times,
        "requests": len(pages),
        "static_requests": len(static),
        "kinds": _kinds(pages),
    }


def _kinds(requests: list[tuple[float, str, str]]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for _, method, path in requests:
        parts = [p if not _looks_like_id(p) else "{id}" for p in path.split("/")]
        key = f"{method} {'/'.join(parts)}"
        kinds[key] = kinds.get(key, 0) + 1
    return kinds


def _looks_like_id(part: str) -> bool:
    return len(part) >= 16 and all(c in "0123456789abcdef" for c in part)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(runs: list[dict[str, Any]], cases: int) -> dict[str, Any]:
    times = [t for run in runs for t in run["times"]]
    total = cases * len(runs)
    kinds: dict[str, int] = {}
    for run in runs:
        for key, count in run["kinds"].items():
            kinds[key] = kinds.get(key, 0) + count
    return {
        "cases": total,
        "median_s": round(statistics.median(times), 4),
        "p90_s": round(percentile(times, 0.9), 4),
        "mean_s": round(statistics.fmean(times), 4),
        "requests_per_case": round(sum(r["requests"] for r in runs) / total, 2),
        "static_requests_per_case": round(sum(r["static_requests"] for r in runs) / total, 2),
        "requests_by_kind_per_case": {k: round(v / total, 2) for k, v in sorted(kinds.items())},
    }


def baseline_tree(ref: str) -> tuple[Path, bool]:
    """A worktree of `ref` (made here, removed after the run), with the modules it imports but
    lacks taken from the commit that first supplied them."""
    folder = Path(tempfile.mkdtemp(prefix="review-keyboard-baseline-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), ref],
        check=True,
        capture_output=True,
    )
    for path in SUPPLIED:
        if not (folder / path).exists():
            blob = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{SUPPLIER}:{path}"],
                check=True,
                capture_output=True,
            )
            (folder / path).write_bytes(blob.stdout)
    return folder, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Keyboard time per case, now and before")
    parser.add_argument("--cases", type=int, default=30, help="measured cases per server")
    parser.add_argument("--warmup", type=int, default=3, help="cases not counted per server")
    parser.add_argument("--rounds", type=int, default=4, help="baseline/current pairs")
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/review_keyboard.json")
    args = parser.parse_args(argv)
    if not installed():
        print("needs /usr/bin/chromium and /usr/bin/chromedriver", file=sys.stderr)
        return 2
    old, made = baseline_tree(args.baseline_ref)
    trees = {"baseline": old, "current": ROOT}
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "current": []}
    code: dict[str, str] = {}
    driver = browser()
    started = time.time()
    try:
        for round_number in range(args.rounds):
            for flow in (
                ("baseline", "current") if round_number % 2 == 0 else ("current", "baseline")
            ):
                server = start_server(trees[flow], args.cases + args.warmup + 2)
                try:
                    code[flow] = server.ready["code"]
                    run = work(driver, server, flow=flow, cases=args.cases, warmup=args.warmup)
                finally:
                    server.stop()
                runs[flow].append(run)
                median = statistics.median(run["times"])
                print(f"round {round_number + 1} {flow}: median {median:.3f} s", flush=True)
    finally:
        driver.quit()
        if made:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                check=False,
                capture_output=True,
            )
    result = {
        "flows": {flow: summary(r, args.cases) for flow, r in runs.items()},
        "baseline_ref": args.baseline_ref,
        "current_ref": _head(),
        # the working tree is what runs: say whether it differs from current_ref
        "current_tree_has_uncommitted_changes": _dirty(),
        "code": code,
        "cases_per_server": args.cases,
        "warmup_per_server": args.warmup,
        "rounds": args.rounds,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "seconds": round(time.time() - started, 1),
        "command": " ".join(["python", "bench/review_keyboard.py", *(argv or sys.argv[1:])]),
    }
    base, now = result["flows"]["baseline"], result["flows"]["current"]
    result["median_ratio_current_to_baseline"] = round(now["median_s"] / base["median_s"], 3)
    result["p90_ratio_current_to_baseline"] = round(now["p90_s"] / base["p90_s"], 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for flow in ("baseline", "current"):
        s = result["flows"][flow]
        print(
            f"{flow:9} {s['cases']} cases: median {s['median_s']:.3f} s, p90 {s['p90_s']:.3f} s, "
            f"{s['requests_per_case']} requests per case (+{s['static_requests_per_case']} static)"
        )
    print(
        f"current / baseline: median {result['median_ratio_current_to_baseline']}, "
        f"p90 {result['p90_ratio_current_to_baseline']}; load average {result['load_average']}"
    )
    return 0


def _head() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip()


def _dirty() -> bool:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    )
    return bool(done.stdout.strip())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(Path(sys.argv[2]).resolve(), int(sys.argv[3]))
    else:
        sys.exit(main())
