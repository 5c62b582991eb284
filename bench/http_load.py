"""A lean HTTP/1.1 load generator: keep-alive connections on asyncio streams, one per slot.

The machine is small (2 cores shared with the server under test), so the client must cost
little: a request is one pre-built header block plus a JSON body made by string formatting
(every post id new), and a response is read by its Content-Length, the status checked and
the body not parsed. httpx costs several times more CPU per request, and that CPU is taken
from the server it measures.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

TEXTS = [
    "BREAKING: 5G towers spread the virus, the miracle cure is garlic. Share before they delete it!!",
    "According to the ministry, 1,204 new confirmed cases were reported today across 12 states.",
    "They don't want you to know: drinking hot water every 15 minutes kills the virus.",
    "The CDC updated its guidance on masks in schools after a new study of 40 districts.",
    "Bill Gates admits the vaccine contains a microchip to track everyone, video exposed.",
    "Our hospital tested 3,000 people this week; positivity fell to 4 percent.",
]
_QUOTED = [json.dumps(t) for t in TEXTS]
REFUSED = (429, 503)


def body(tag: str, n: int) -> dict[str, list[dict[str, object]]]:
    """One request's posts, as a dict (for the in-process call): every id new."""
    return {"posts": [_post(tag, i, TEXTS[i % len(TEXTS)]) for i in range(n)]}


def _post(tag: str, i: int, text: str) -> dict[str, object]:
    return {"id": f"{tag}-{uuid.uuid4().hex[:12]}", "text": text, "views": 10 + i}


def body_bytes(tag: str, n: int) -> bytes:
    """The same shape as `body`, encoded without json.dumps of the whole."""
    posts = ",".join(
        f'{{"id":"{tag}-{uuid.uuid4().hex[:12]}","text":{_QUOTED[i % len(TEXTS)]},"views":{10 + i}}}'
        for i in range(n)
    )
    return f'{{"posts":[{posts}]}}'.encode()


@dataclass
class Tally:
    """Closed-loop outcome: the latency of each answered request, and the refusals."""

    latencies: list[float]
    refused: int
    seconds: float
    cpu_seconds: float = 0.0  # the serving side's CPU over the run (all its processes)
    client_cpu_seconds: float = 0.0  # the load generator's, when it is another process

    def rate(self, batch: int) -> float:
        return len(self.latencies) * batch / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def cpu_ms_per_post(self, batch: int) -> float:
        posts = len(self.latencies) * batch
        return 1000 * self.cpu_seconds / posts if posts else float("nan")

    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.latencies) if self.latencies else float("nan")


class Connection:
    def __init__(
        self, host: str, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.host, self.port = host, port
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, url: str) -> Connection:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        reader, writer = await asyncio.open_connection(host, port)
        return cls(host, port, reader, writer)

    async def post(self, head: bytes, payload: bytes) -> tuple[int, bytes]:
        request = head + str(len(payload)).encode() + b"\r\n\r\n" + payload
        self.writer.write(request)
        status_line = await self.reader.readline()
        if not status_line:  # the server closed an idle keep-alive connection: once more
            self.close()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(request)
            status_line = await self.reader.readline()
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def request_head(url: str, path: str, key: str) -> bytes:
    host = urlsplit(url).netloc
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()


async def closed_loop(url: str, key: str, concurrency: int, batch: int, seconds: float) -> Tally:
    """`concurrency` connections, each sending its next request when the last is answered."""
    head = request_head(url, "/v1/score", key)
    conns = [await Connection.open(url) for _ in range(concurrency)]

    async def warm(conn: Connection) -> None:
        status, text = await conn.post(head, body_bytes("warm", batch))
        if status not in (200, *REFUSED):
            raise RuntimeError(f"{status}: {text[:200]!r}")

    # every connection (and so every worker it reached) answered once, all at once
    await asyncio.gather(*(warm(c) for c in conns))
    latencies: list[float] = []
    refused = 0
    stop_at = time.perf_counter() + seconds
    tag = f"c{concurrency}b{batch}"

    async def slot(conn: Connection) -> None:
        nonlocal refused
        while time.perf_counter() < stop_at:
            payload = body_bytes(tag, batch)
            t0 = time.perf_counter()
            status, text = await conn.post(head, payload)
            if status == 200:
                latencies.append(time.perf_counter() - t0)
            elif status in REFUSED:
                refused += 1
            else:
                raise RuntimeError(f"{status}: {text[:200]!r}")

    start = time.perf_counter()
    try:
        await asyncio.gather(*(slot(c) for c in conns))
    finally:
        for conn in conns:
            conn.close()
    return Tally(latencies, refused, time.perf_counter() - start)


async def open_loop(url: str, key: str, rate: float, seconds: float) -> Tally:
    """1-post requests at a fixed arrival rate whatever the latency (no coordinated omission):
    each arrival takes an idle connection or opens one."""
    head = request_head(url, "/v1/score", key)
    idle: list[Connection] = []
    latencies: list[float] = []
    refused = 0

    async def one() -> None:
        nonlocal refused
        conn = idle.pop() if idle else await Connection.open(url)
        t0 = time.perf_counter()
        status, _ = await conn.post(head, body_bytes("open", 1))
        if status == 200:
            latencies.append(time.perf_counter() - t0)
        else:
            refused += 1
        idle.append(conn)

    tasks, start, n = [], time.perf_counter(), int(rate * seconds)
    for i in range(n):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for conn in idle:
        conn.close()
    return Tally(latencies, refused, elapsed)
