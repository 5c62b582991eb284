"""A small stand-in for the platform's takedown endpoint, for the demo and tests.

It records every request it gets (JSON lines) and answers a repeated idempotency key with the
first answer, as a real platform API does. Faults can be injected to exercise retries.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class ReceiverState:
    def __init__(self, log_path: Path | None = None) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []  # every request, duplicates included
        self.arrived = 0  # requests read, counted before any delay (requests: after it)
        self.applied: dict[str, dict[str, Any]] = {}  # by idempotency key: what took effect
        self.fail_next: list[int] = []  # statuses to answer before succeeding (fault injection)
        self.delay_seconds = 0.0
        self.log_path = log_path

    def record(self, action: dict[str, Any]) -> None:
        """Append the action to the log file, if there is one (before it counts as applied)."""
        if self.log_path:
            with self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(action) + "\n")

    def actions_applied(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.applied.values())


def make_handler(state: ReceiverState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            key = self.headers.get("idempotency-key") or ""
            with state.lock:
                state.arrived += 1
            if state.delay_seconds:
                threading.Event().wait(state.delay_seconds)
            with state.lock:
                state.requests.append({"key": key, "body": body})
                if state.fail_next:
                    self._reply(state.fail_next.pop(0), {"error": "injected fault"})
                    return
                first = key not in state.applied
                if first:
                    action = dict(body, idempotency_key=key)
                    try:
                        state.record(action)
                    except OSError as exc:
                        # Not applied: the sender retries the same key, which then takes effect
                        # once, instead of a replay answering for an action nobody recorded.
                        self._reply(503, {"error": f"cannot record the action: {exc.strerror}"})
                        return
                    state.applied[key] = action
            self._reply(
                201 if first else 200, {"reference": f"platform-{key}", "replayed": not first}
            )

        def do_GET(self) -> None:
            self._reply(200, {"applied": state.actions_applied()})

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def start_receiver(
    host: str = "127.0.0.1", port: int = 0, log_path: Path | None = None
) -> tuple[ThreadingHTTPServer, ReceiverState, str]:
    """Start in a daemon thread; returns (server, state, takedown URL)."""
    state = ReceiverState(log_path)
    server = ThreadingHTTPServer((host, port), make_handler(state))
    threading.Thread(target=server.serve_forever, name="platform-receiver", daemon=True).start()
    return server, state, f"http://{host}:{server.server_address[1]}/takedowns"
