"""HTTP serving of a published feed: requests per second answered 200 (gzip) and 304, on one core.

``aggregator publish`` writes the category feed, ``aggregator serve`` (uvicorn, one process) serves it on
127.0.0.1 pinned to CPU 0, and the load generator runs pinned to CPU 1: ``wrk`` when installed (Debian:
``apt-get install wrk``), else :func:`load` below (asyncio, keep-alive, one process). Each request either
accepts gzip (the answer is the gzip representation, 200) or sends the ETag it was given (the answer is 304).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVER_CPU = 0
CLIENT_CPU = 1


def _pin(cpu: int) -> Callable[[], None] | None:
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None

    def pin() -> None:
        os.sched_setaffinity(0, {cpu})

    return pin


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, b""


async def _load(
    host: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int
) -> dict[str, Any]:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    payload = (request + "\r\n").encode("latin-1")
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                writer.write(payload)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                if match:
                    await reader.readexactly(int(match.group(1)))
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return {"requests_per_second": round(sum(statuses.values()) / elapsed, 1), "statuses": statuses}


def load(url: str, headers: dict[str, str], seconds: float, connections: int) -> dict[str, Any]:
    """The Python load generator: ``connections`` keep-alive connections for ``seconds``."""
    parts = urllib.parse.urlsplit(url)
    return asyncio.run(
        _load(parts.hostname or "127.0.0.1", parts.port or 80, parts.path, headers, seconds, connections)
    )


def _wrk(url: str, headers: dict[str, str], seconds: float, connections: int) -> dict[str, Any]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*argv, url], capture_output=True, text=True, check=True, preexec_fn=_pin(CLIENT_CPU)
    )
    rps = re.search(r"Requests/sec:\s*([\d.]+)", output.stdout)
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output.stdout)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output.stdout)
    latency_ms = None
    if p99:
        latency_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {
        "requests_per_second": float(rps.group(1)) if rps else 0.0,
        "bad_responses": int(errors.group(1)) if errors else 0,
        "p99_ms": latency_ms,
    }


def run_serving(config: Path, *, seconds: float, connections: int, log: Any) -> dict[str, Any]:
    """Publish, serve, measure 200 (gzip) and 304; the server is stopped afterwards."""
    env = dict(os.environ)
    subprocess.run(
        [sys.executable, "-m", "aggregator", "--config", str(config), "publish", "--force"],
        check=True, stdout=subprocess.DEVNULL, stderr=log, env=env,
    )  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "--config", str(config), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=log, env=env, preexec_fn=_pin(SERVER_CPU),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/feeds/ai.rss"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = _get(url, {"Accept-Encoding": "gzip"})
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("aggregator serve did not start") from None
                time.sleep(0.2)
        etag = headers.get("etag", "")
        assert status == 200 and headers.get("content-encoding") == "gzip", (status, headers)
        not_modified, _, _ = _get(url, {"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert not_modified == 304, not_modified
        tool = "wrk" if shutil.which("wrk") else "python"
        measure = _wrk if tool == "wrk" else load
        ok = measure(url, {"Accept-Encoding": "gzip"}, seconds, connections)
        cached = measure(url, {"Accept-Encoding": "gzip", "If-None-Match": etag}, seconds, connections)
        return {
            "tool": tool,
            "connections": connections,
            "seconds": seconds,
            "pinned": _pin(SERVER_CPU) is not None,
            "gzip_bytes": len(body),
            "ok_200_gzip": ok,
            "not_modified_304": cached,
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(
        json.dumps(
            run_serving(args.config, seconds=args.seconds, connections=args.connections, log=sys.stderr)
        )
    )


if __name__ == "__main__":
    main()
