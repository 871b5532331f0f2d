"""A stand-in for a Mastodon server's publishing side, for the publishing bench.

    .venv/bin/python bench/network_simulator.py [--port 0] [--latency 0.1]
        [--error-rate 0.01] [--rate-limited-rate 0.005] [--seed 1]
    .venv/bin/python bench/network_simulator.py --capacity 16 [--requests 2000]

An imitation, not Mastodon: it answers only what the publishing engine sends,
`POST /api/v1/statuses` and `GET /api/v1/accounts/verify_credentials`, after
a fixed delay (the network's latency), and it misbehaves on purpose:

- a fraction of statuses is answered 5xx: half of them BEFORE the status is
  created (503, nothing happened), half AFTER it was created (500, the
  dangerous case: a client that repeats the request with another key, or
  without one, posts twice);
- a fraction is answered 429 with Retry-After (1 or 2 seconds), nothing created;
- an `Idempotency-Key` is honoured as Mastodon does, per account: a key seen
  before gets the status it first created, whatever happened to the answer.

It counts what was created per target marker: each bench post's text carries
`[t:<id>]`, so a marker created twice is a duplicate on the network, and a
marker never created is a publication that did not happen. `GET /stats`
returns the counts as JSON (`?markers=1` adds the count per marker);
`POST /reset` (a JSON object of the Faults fields) forgets everything and sets
new faults, so one server serves several measurements.

`--capacity N` starts a server without faults and measures its raw capacity:
N threads sending statuses through one plain httpx client, as many at once as
the engine may send. Standard library only (asyncio), so the bench needs no
web framework; one process, one event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

MARKER = re.compile(r"\[t:(\d+)\]")
REASONS = {
    200: "OK",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Faults:
    """How the server behaves; rates are fractions of status requests."""

    latency_s: float = 0.1
    error_rate: float = 0.0
    rate_limited_rate: float = 0.0
    retry_after_s: tuple[int, ...] = (1, 2)
    seed: int = 1


class Simulator:
    """The server's state: statuses by idempotency key, counts per marker, answers."""

    def __init__(self, faults: Faults):
        self.reset(faults)

    def reset(self, faults: Faults) -> None:
        self.faults = faults
        self.rng = random.Random(faults.seed)
        self.by_key: dict[tuple[str, str], dict] = {}
        self.created: Counter[str] = Counter()
        self.answers: Counter[str] = Counter()
        self.unmarked = 0
        self.inflight = 0
        self.max_inflight = 0
        self.inflight_by_account: dict[str, list[str]] = {}  # token -> keys in flight
        # Two requests of one account at once: the engine promises one (Pace).
        self.account_overlaps = 0
        self.overlaps_sample: list[dict] = []
        self.next_id = 110_000_000_000_000_000
        self.first_at: float | None = None
        self.last_at: float | None = None

    def stats(self, markers: bool = False) -> dict:
        duplicates = {m: n for m, n in self.created.items() if n > 1}
        result = {
            "faults": asdict(self.faults),
            "requests": sum(self.answers.values()),
            "answers": dict(self.answers),
            "statuses_created": sum(self.created.values()) + self.unmarked,
            "markers_created": len(self.created),
            "duplicate_markers": len(duplicates),
            "duplicates_sample": dict(list(duplicates.items())[:20]),
            "unmarked_created": self.unmarked,
            "max_inflight": self.max_inflight,
            "account_overlaps": self.account_overlaps,
            "overlaps_sample": self.overlaps_sample,
            "first_request_at": self.first_at,
            "last_answer_at": self.last_at,
        }
        if markers:
            result["created_per_marker"] = dict(self.created)
        return result

    def _create(self, token: str, text: str, key: str) -> dict:
        self.next_id += 1
        found = MARKER.search(text)
        if found:
            self.created[found.group(1)] += 1
        else:
            self.unmarked += 1
        user = f"u{abs(hash(token)) % 100000}"
        status = {
            "id": str(self.next_id),
            "url": f"http://mastodon.invalid/@{user}/{self.next_id}",
            "uri": f"http://mastodon.invalid/users/{user}/statuses/{self.next_id}",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "content": f"<p>{text}</p>",
            "visibility": "public",
        }
        if key:
            self.by_key[(token, key)] = status
        return status

    async def post_status(self, headers: dict, body: bytes) -> tuple[int, dict, dict]:
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token:
            return 401, {"error": "The access token is invalid"}, {}
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return 422, {"error": "Validation failed: body is not JSON"}, {}
        text = str(payload.get("status") or "")
        if not text:
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        key = headers.get("idempotency-key", "")
        faults = self.faults
        roll = self.rng.random()
        self.inflight += 1
        self.max_inflight = max(self.max_inflight, self.inflight)
        flying = self.inflight_by_account.setdefault(token, [])
        if flying:
            self.account_overlaps += 1
            if len(self.overlaps_sample) < 20:
                self.overlaps_sample.append(
                    {"token": token, "key": key, "in_flight": list(flying), "at": time.time()}
                )
        flying.append(key)
        try:
            await asyncio.sleep(faults.latency_s)
        finally:
            self.inflight -= 1
            flying.remove(key)
            if not flying:
                del self.inflight_by_account[token]
        if roll < faults.error_rate / 2:
            self.answers["503_before_creating"] += 1
            return 503, {"error": "Service Unavailable"}, {}
        if roll < faults.error_rate + faults.rate_limited_rate and roll >= faults.error_rate:
            self.answers["429"] += 1
            wait = self.rng.choice(faults.retry_after_s)
            return 429, {"error": "Too many requests"}, {"Retry-After": str(wait)}
        status = self.by_key.get((token, key)) if key else None
        replayed = status is not None
        if status is None:
            status = self._create(token, text, key)
        if roll < faults.error_rate:
            self.answers["500_after_creating" if not replayed else "500_after_replay"] += 1
            return 500, {"error": "Internal Server Error"}, {}
        self.answers["200_replayed" if replayed else "200_created"] += 1
        return 200, status, {}

    async def route(self, method: str, target: str, headers: dict, body: bytes):
        parts = urlsplit(target)
        path = parts.path
        if path == "/api/v1/statuses":
            if method != "POST":
                return 405, {"error": "Method not allowed"}, {}
            self.first_at = self.first_at or time.time()
            answer = await self.post_status(headers, body)
            self.last_at = time.time()
            return answer
        if path == "/api/v1/accounts/verify_credentials" and method == "GET":
            token = headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not token:
                return 401, {"error": "The access token is invalid"}, {}
            await asyncio.sleep(self.faults.latency_s)
            user = f"u{abs(hash(token)) % 100000}"
            profile = {"id": user[1:], "username": user, "acct": user, "display_name": user}
            return 200, {**profile, "url": f"http://mastodon.invalid/@{user}"}, {}
        if path == "/stats" and method == "GET":
            markers = parse_qs(parts.query).get("markers", ["0"])[0] == "1"
            return 200, self.stats(markers), {}
        if path == "/reset" and method == "POST":
            given = json.loads(body or b"{}")
            known = {f.name for f in fields(Faults)}
            values = {k: v for k, v in given.items() if k in known}
            if "retry_after_s" in values:
                values["retry_after_s"] = tuple(values["retry_after_s"])
            self.reset(Faults(**values))
            return 200, self.stats(), {}
        return 404, {"error": "Record not found"}, {}

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        """Serve one keep-alive HTTP/1.1 connection (Content-Length bodies only)."""
        try:
            while True:
                line = await reader.readline()
                if not line.strip():
                    break
                method, target, version = line.decode("latin-1").split()
                headers = {}
                while True:
                    raw = await reader.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    name, _sep, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                status, payload, extra = await self.route(method, target, headers, body)
                data = json.dumps(payload).encode()
                close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
                head = [
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}",
                    "Content-Type: application/json; charset=utf-8",
                    f"Content-Length: {len(data)}",
                    *(f"{k}: {v}" for k, v in extra.items()),
                ]
                if close:
                    head.append("Connection: close")
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
                await writer.drain()
                if close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


async def serve(host: str, port: int, faults: Faults) -> None:
    simulator = Simulator(faults)
    server = await asyncio.start_server(simulator.connection, host, port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on http://{host}:{bound}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


# --- Used by the bench (a client of the server above) --------------------------------------


def start(faults: Faults, log: Path) -> tuple[subprocess.Popen, str]:
    """Start the simulator in its own process group; return (process, base URL)."""
    command = [
        sys.executable, __file__, "--port", "0", "--latency", str(faults.latency_s),
        "--error-rate", str(faults.error_rate),
        "--rate-limited-rate", str(faults.rate_limited_rate), "--seed", str(faults.seed),
    ]  # fmt: skip
    out = log.open("w")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=out, start_new_session=True)
    line = process.stdout.readline().decode().strip() if process.stdout else ""
    if not line.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"the network simulator did not start: {log.read_text()[-2000:]}")
    return process, line.removeprefix("listening on ")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def stats(base_url: str, markers: bool = False) -> dict:
    import httpx

    query = "?markers=1" if markers else ""
    return httpx.get(f"{base_url}/stats{query}", timeout=30).json()


def reset(base_url: str, faults: Faults) -> dict:
    import httpx

    return httpx.post(f"{base_url}/reset", json=asdict(faults), timeout=30).json()


def capacity(base_url: str, concurrency: int, requests: int) -> dict:
    """Drive the server with `concurrency` threads sharing one httpx client; return req/s.

    Every request is a new status with its own key, on one of 1,000 accounts.
    """
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    counter = iter(range(requests))
    lock = threading.Lock()
    codes: Counter[int] = Counter()

    def sender(client: httpx.Client) -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            response = client.post(
                f"{base_url}/api/v1/statuses",
                json={"status": f"Raw capacity {n}", "visibility": "public"},
                headers={"Authorization": f"Bearer raw-{n % 1000}", "Idempotency-Key": f"raw{n}"},
            )
            with lock:
                codes[response.status_code] += 1

    with httpx.Client(limits=limits, timeout=30) as client:
        began = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            for future in [pool.submit(sender, client) for _ in range(concurrency)]:
                future.result()
        elapsed = time.perf_counter() - began
    return {
        "concurrency": concurrency,
        "requests": requests,
        "seconds": elapsed,
        "per_second": requests / elapsed,
        "codes": dict(codes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--rate-limited-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--capacity", type=int, metavar="N", help="measure with N at once")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    faults = Faults(args.latency, args.error_rate, args.rate_limited_rate, seed=args.seed)
    if args.capacity:
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"network-simulator-{os.getpid()}.log"
        process, base_url = start(Faults(latency_s=args.latency), log)
        try:
            result = capacity(base_url, args.capacity, args.requests)
        finally:
            stop(process)
        print(
            f"raw capacity: {result['per_second']:.1f} statuses/s with {args.capacity} at once "
            f"({args.requests} requests in {result['seconds']:.1f} s, latency "
            f"{args.latency * 1000:.0f} ms; answers {result['codes']})"
        )
        return 0
    asyncio.run(serve(args.host, args.port, faults))
    return 0


if __name__ == "__main__":
    sys.exit(main())
