"""A stand-in for the platform's webhook endpoint (demo and tests): it checks signatures.

Every request is kept; valid ones (fresh, correctly signed) are accepted once per event id.
Faults can be injected to exercise retries.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from webhooks.signing import SIGNATURE_HEADER, verify_signature


class WebhookReceiverState:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret  # set after registering the subscription
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.events: dict[str, dict[str, Any]] = {}  # accepted, by event id
        self.fail_next: list[int] = []
        self.arrived = threading.Condition(self.lock)

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)


def _handler(state: WebhookReceiverState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            signature = self.headers.get(SIGNATURE_HEADER, "")
            valid = verify_signature(state.secret, body, signature)
            with state.arrived:
                state.requests.append({"headers": dict(self.headers), "body": body, "valid": valid})
                state.arrived.notify_all()
                if state.fail_next:
                    self._reply(state.fail_next.pop(0))
                    return
                if not valid:
                    self._reply(401)
                    return
                event = json.loads(body)
                state.events.setdefault(event["id"], event)
            self._reply(200)

        def _reply(self, status: int) -> None:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def start_webhook_receiver(
    host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, WebhookReceiverState, str]:
    state = WebhookReceiverState()
    server = ThreadingHTTPServer((host, port), _handler(state))
    threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True).start()
    return server, state, f"http://{host}:{server.server_address[1]}/hooks"
