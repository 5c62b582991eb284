"""Real local HTTP endpoints: one that answers as told (429 with Retry-After, 503 ...), then 200;
one that redirects and leaks detail in its error bodies."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Remote:
    """What the server answers next: (status, Retry-After or None); then 200 for ever."""

    url: str = ""
    answers: list[tuple[int, str | None]] = field(default_factory=list)
    hit_times: list[float] = field(default_factory=list)  # time.monotonic() of each request
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def hits(self) -> int:
        with self.lock:
            return len(self.hit_times)


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that writes no access log to the test output."""

    def log_message(self, format: str, *args: Any) -> None:
        return


def serve_in_thread(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """Serve `handler` on a free loopback port from a daemon thread: (server, base URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def start_remote() -> tuple[ThreadingHTTPServer, Remote]:
    state = Remote()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            with state.lock:
                state.hit_times.append(time.monotonic())
                status, retry_after = state.answers.pop(0) if state.answers else (200, None)
            body = b'{"reference": "ref-1"}'
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server, base = serve_in_thread(Handler)
    state.url = f"{base}/hook"
    return server, state


# What a hostile receiver puts in an error body: never kept, logged or shown.
REVEALING_BODY = b"internal detail: db password is hunter2"


def start_redirecting() -> tuple[ThreadingHTTPServer, str, list[str]]:
    """POST /go redirects to /target; anything else answers 400 with REVEALING_BODY. Returns the
    server, its base URL and the paths it was asked for, in order."""
    hits: list[str] = []

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            redirect = self.path == "/go"
            body = b"" if redirect else REVEALING_BODY
            self.send_response(302 if redirect else 400)
            if redirect:
                self.send_header("Location", "/target")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server, base = serve_in_thread(Handler)
    return server, base, hits
