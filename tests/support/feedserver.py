"""A real HTTP server for tests: serves feeds (and failures) on 127.0.0.1 and records every request.

It is a plain :class:`http.server.ThreadingHTTPServer` on a free port in a background thread, so it works
for in-process clients and for a daemon started as a subprocess alike. Use it as a context manager or
through the ``feed_server`` fixture: ``tests/conftest.py`` can load this module as a plugin
(``pytest_plugins = ["tests.support.feedserver"]``, before anything imports it, or pytest warns that it
cannot rewrite its asserts), or a test module can bind it (``feed_server = feedserver.feed_server``)::

    with FeedServer() as server:
        url = server.route("/feed.xml", RSS)          # 200, strong ETag, 304 when the client has it
        server.route("/feed.xml", RSS_V2)             # registering again publishes a new version
        server.redirect("/old.xml", "/feed.xml")      # 301 (relative Location, as given)
        server.route("/gone", status=410)
        server.route("/busy", status=429, headers={"Retry-After": "120"})
        server.route("/slow", RSS, delay=2.0)         # answer after 2 s
        server.route("/drip", RSS, drip=0.1)          # one body byte every 0.1 s
        server.route("/big", RSS, chunked=True)       # Transfer-Encoding: chunked, no Content-Length
        server.route("/gz", RSS, gzip=True)           # gzip when the client accepts it
        # (the code under test fetches from server.url(...) here)
        [request] = server.requests_for("/feed.xml")
        assert request.headers["user-agent"].startswith("aggregator/")

Routes match the request path with its query first, then without it; anything else answers 404. A route
answering 200 honours ``If-None-Match`` (its ETag) and, when no ``If-None-Match`` was sent,
``If-Modified-Since`` (its ``last_modified``), as RFC 9110 §13.2.2 orders them. Requests in absolute form
(``GET http://elsewhere.example/feed.xml``, as sent to a proxy) are served by path too, so the server can
stand in for an HTTP proxy; :attr:`RecordedRequest.target` keeps what was sent.

``close()`` stops at once: waits (``delay``, ``drip``) end when the server closes and open connections are
shut down, so a test that gave up on a slow answer does not hang or leak sockets.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_codec
import hashlib
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import pytest

__all__ = ["FeedServer", "RecordedRequest", "feed_server", "http_date"]

RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
_CLOSE_TIMEOUT_SECONDS = 5.0


def http_date(moment: datetime) -> str:
    """An aware datetime as an HTTP-date (``Fri, 01 Mar 2024 12:00:00 GMT``), e.g. for Last-Modified."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str  # path and query, e.g. "/feed.xml?page=2" (also for absolute-form targets)
    headers: dict[str, str]  # lower-case names; a repeated header's values joined with ", "
    time: datetime  # UTC, when the request was read
    target: str = ""  # the request target as sent: "http://host/path" when we were used as a proxy
    body: bytes = b""  # the request body (POST), empty otherwise


@dataclass(frozen=True, slots=True)
class _Route:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str | None
    last_modified: str | None
    gzipped: bytes | None
    delay: float
    chunked: bool
    drip: float | None


@dataclass
class _Stats:
    requests: list[RecordedRequest] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    max_in_flight: dict[str, int] = field(default_factory=dict)
    in_flight_total: int = 0
    max_in_flight_total: int = 0


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 with routes registered by the test (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, _Route] = {}
        self._stats = _Stats()
        self.closed = threading.Event()
        self._httpd = _HTTPServer(self)
        self.port: int = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="feedserver", daemon=True
        )
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` ("/feed.xml") on this server."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        return self.base_url + path

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = RSS_CONTENT_TYPE,
        headers: Mapping[str, str] | None = None,
        etag: str | None = "auto",
        last_modified: str | datetime | None = None,
        gzip: bool = False,
        delay: float = 0.0,
        chunked: bool = False,
        drip: float | None = None,
    ) -> str:
        """Serve ``body`` at ``path`` (replacing any earlier route there) and return the route's URL.

        ``etag="auto"`` derives a strong ETag from the body (200 answers only); None sends none.
        ``headers`` are sent as given and win over the computed ones (Content-Type, ETag, even
        Content-Length). ``gzip`` compresses for clients that accept it. ``delay`` waits before answering;
        ``drip`` sends the body one byte at a time with this pause, for total-timeout tests.
        """
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if etag == "auto":
            etag = f'"{hashlib.sha256(data).hexdigest()[:20]}"' if status == 200 else None
        if isinstance(last_modified, datetime):
            last_modified = http_date(last_modified)
        computed: dict[str, str] = {}
        if content_type:
            computed["Content-Type"] = content_type
        if etag:
            computed["ETag"] = etag
        if last_modified:
            computed["Last-Modified"] = last_modified
        for name, value in (headers or {}).items():
            for existing in [n for n in computed if n.lower() == name.lower()]:
                del computed[existing]
            computed[name] = value
        route = _Route(
            status=status,
            body=data,
            headers=tuple(computed.items()),
            etag=etag,
            last_modified=last_modified,
            gzipped=gzip_codec.compress(data, mtime=0) if gzip else None,
            delay=delay,
            chunked=chunked,
            drip=drip,
        )
        with self._lock:
            self._routes[path] = route
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 301) -> str:
        """Answer ``path`` with a redirect to ``location`` (sent as given: relative or absolute)."""
        return self.route(path, status=status, content_type=None, headers={"Location": location}, etag=None)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first (a copy: safe to iterate while the server runs)."""
        with self._lock:
            return list(self._stats.requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """Requests for ``path``; a path without "?" matches whatever query was sent with it."""
        return [r for r in self.requests if r.path == path or ("?" not in path and _bare(r.path) == path)]

    def clear_requests(self) -> None:
        """Forget recorded requests and concurrency maxima (e.g. between phases of one test)."""
        with self._lock:
            self._stats = _Stats(in_flight=self._stats.in_flight, in_flight_total=self._stats.in_flight_total)

    @property
    def max_in_flight(self) -> dict[str, int]:
        """Per path (without query), the most requests ever being answered at the same time."""
        with self._lock:
            return dict(self._stats.max_in_flight)

    @property
    def max_in_flight_total(self) -> int:
        """The most requests, all paths together, ever being answered at the same time."""
        with self._lock:
            return self._stats.max_in_flight_total

    def close(self) -> None:
        """Stop serving, wake every waiting handler, close every connection; safe to call twice."""
        if self.closed.is_set():
            return
        self.closed.set()
        self._httpd.shutdown()
        self._thread.join()
        self._httpd.close_connections()
        self._httpd.server_close()

    # ---------------------------------------------------------------------- used by the handler threads

    def _begin(self, request: RecordedRequest) -> _Route | None:
        key = _bare(request.path)
        with self._lock:
            stats = self._stats
            stats.requests.append(request)
            stats.in_flight[key] = stats.in_flight.get(key, 0) + 1
            stats.max_in_flight[key] = max(stats.max_in_flight.get(key, 0), stats.in_flight[key])
            stats.in_flight_total += 1
            stats.max_in_flight_total = max(stats.max_in_flight_total, stats.in_flight_total)
            return self._routes.get(request.path) or self._routes.get(key)

    def _end(self, request: RecordedRequest) -> None:
        with self._lock:
            self._stats.in_flight[_bare(request.path)] -= 1
            self._stats.in_flight_total -= 1


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running :class:`FeedServer`, closed after the test."""
    with FeedServer() as server:
        yield server


# ---------------------------------------------------------------------------------------- internals


def _bare(path: str) -> str:
    return path.split("?", 1)[0]


class _HTTPServer(ThreadingHTTPServer):
    """Tracks its connections and threads itself, so closing can unblock and join them with a bound."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, feed: FeedServer) -> None:
        self.feed = feed
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), which can stall in a sandbox.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address), name="feedserver-conn", daemon=True
        )
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(request, None)
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a timeout test, an aborted oversized download) is expected, not an error.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = dict(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its client
                connection.shutdown(socket.SHUT_RDWR)
        for thread in connections.values():
            thread.join(_CLOSE_TIMEOUT_SECONDS)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    _before_last_write: Callable[[], None]

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: pytest shows failures, not a line per request."""

    def _answer(self) -> None:
        feed = self.server.feed
        length = self.headers.get("Content-Length", "0").strip()
        body = self.rfile.read(int(length)) if length.isdigit() and int(length) > 0 else b""
        target = self.path
        parts = urlsplit(target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "") if parts.scheme else target
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = RecordedRequest(self.command, path, headers, datetime.now(UTC), target, body)
        route = feed._begin(request)
        ended = False

        def end() -> None:
            nonlocal ended
            if not ended:
                ended = True
                feed._end(request)

        # Counted as answered just before the last bytes go out: a client that has them may send its next
        # request at once, and that one must never be seen in flight together with this one.
        self._before_last_write = end
        try:
            if route is None:
                self._send(404, (("Content-Type", "text/plain; charset=utf-8"),), b"not found\n")
            elif route.delay and feed.closed.wait(route.delay):
                self.close_connection = True  # closing: give up on this answer
            else:
                self._send_route(route, headers)
        finally:
            end()

    def _send_route(self, route: _Route, request_headers: Mapping[str, str]) -> None:
        if route.status == 200 and _not_modified(route, request_headers):
            kept = tuple(
                (n, v) for n, v in route.headers if n.lower() not in ("content-type", "content-length")
            )
            self._send(304, kept, b"")
            return
        headers, body = route.headers, route.body
        accepts_gzip = "gzip" in request_headers.get("accept-encoding", "").lower()
        if route.gzipped is not None and accepts_gzip:
            headers += (("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
            body = route.gzipped
        self._send(route.status, headers, body, chunked=route.chunked, drip=route.drip)

    def _send(
        self,
        status: int,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        *,
        chunked: bool = False,
        drip: float | None = None,
    ) -> None:
        self.send_response(status)
        has_body = self.command != "HEAD" and status not in (204, 304) and status >= 200
        names = {name.lower() for name, _ in headers}
        for name, value in headers:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "content-length" not in names and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        if not has_body or (not body and not chunked):
            self._before_last_write()
        self.end_headers()
        if not has_body:
            return
        step = 1 if drip else 16_384
        for start in range(0, len(body), step):
            if drip and start and self.server.feed.closed.wait(drip):
                self.close_connection = True
                return
            piece = body[start : start + step]
            if start + step >= len(body) and not chunked:
                self._before_last_write()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self._before_last_write()
            self.wfile.write(b"0\r\n\r\n")


def _not_modified(route: _Route, request_headers: Mapping[str, str]) -> bool:
    if_none_match = request_headers.get("if-none-match")
    if if_none_match is not None:
        if route.etag is None:
            return False
        wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in wanted or route.etag.removeprefix("W/") in wanted
    if_modified_since = request_headers.get("if-modified-since")
    if if_modified_since is None or route.last_modified is None:
        return False
    try:
        return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(route.last_modified)
    except (TypeError, ValueError):
        return False
