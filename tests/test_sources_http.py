"""The HTTP fetcher against a real server on 127.0.0.1: validators, redirects, limits, errors, discovery."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import http.client
import socket
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import anyio
import brotli  # type: ignore[import-untyped]
import pytest

import aggregator
from aggregator.errors import FetchError, NotAFeedError
from aggregator.models import FetchedDocument
from aggregator.sources import decoding
from aggregator.sources.http import DEFAULT_USER_AGENT, HttpFetcher, HttpOptions
from tests.conftest import DATA_DIR
from tests.support.feedserver import FeedServer, http_date

pytestmark = pytest.mark.anyio

RSS = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
    b"<item><title>\xe6\x96\xb0\xe9\x97\xbb</title><guid>1</guid></item></channel></rss>\n"
)
ATOM = b'<?xml version="1.0"?>\n<!-- generated -->\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>'
JSON_FEED = b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}'
HTML_TYPE = "text/html; charset=utf-8"
LAST_MODIFIED = "Fri, 01 Mar 2024 12:00:00 GMT"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def fetch(
    url: str, options: HttpOptions | None = None, *, etag: str | None = None, last_modified: str | None = None
) -> FetchedDocument:
    async with HttpFetcher() as fetcher:
        return await fetcher.fetch(url, options or HttpOptions(), etag=etag, last_modified=last_modified)


async def fetch_error(url: str, options: HttpOptions | None = None, **validators: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch(url, options, **validators)
    return caught.value


# ------------------------------------------------------------------------------------- documents, headers


async def test_document_with_headers_and_validators(feed_server: FeedServer) -> None:
    url = feed_server.route(
        "/feed.xml",
        RSS,
        last_modified=LAST_MODIFIED,
        headers={"Cache-Control": "max-age=300", "Content-Location": "/feed-v1.xml", "X-Other": "kept"},
    )
    doc = await fetch(url)
    assert (doc.url, doc.status, doc.body, doc.final_url, doc.permanent_url) == (url, 200, RSS, url, None)
    assert doc.etag is not None and doc.etag.startswith('"')
    assert doc.last_modified == LAST_MODIFIED
    assert type(doc.headers) is dict
    assert doc.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert doc.headers["etag"] == doc.etag
    assert doc.headers["last-modified"] == LAST_MODIFIED
    assert doc.headers["cache-control"] == "max-age=300"
    assert doc.headers["content-location"] == "/feed-v1.xml"
    assert doc.headers["x-other"] == "kept"
    assert all(name == name.lower() for name in doc.headers)
    assert not doc.not_modified


async def test_default_user_agent_and_accept_encoding(feed_server: FeedServer) -> None:
    await fetch(feed_server.route("/feed.xml", RSS))
    [request] = feed_server.requests_for("/feed.xml")
    assert f"aggregator/{aggregator.__version__} (+{aggregator.PROJECT_URL})" == DEFAULT_USER_AGENT
    assert request.headers["user-agent"] == DEFAULT_USER_AGENT
    assert request.headers["accept-encoding"] == "gzip, deflate, br"
    assert "application/rss+xml" in request.headers["accept"]
    assert "if-none-match" not in request.headers and "if-modified-since" not in request.headers


async def test_source_user_agent_and_extra_headers(feed_server: FeedServer) -> None:
    options = HttpOptions(
        user_agent="Mozilla/5.0 (portal needs this)", headers={"X-Token": "abc", "Accept": "*/*"}
    )
    await fetch(feed_server.route("/feed.xml", RSS), options)
    [request] = feed_server.requests_for("/feed.xml")
    assert request.headers["user-agent"] == "Mozilla/5.0 (portal needs this)"
    assert request.headers["x-token"] == "abc"
    assert request.headers["accept"] == "*/*"  # the source's header wins over ours


# ----------------------------------------------------------------------------------------- conditional GET


async def test_etag_round_trip_gives_304(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS)
    first = await fetch(url)
    second = await fetch(url, etag=first.etag)
    assert (second.status, second.body, second.not_modified) == (304, None, True)
    assert second.etag == first.etag
    assert second.final_url == url
    assert feed_server.requests_for("/feed.xml")[-1].headers["if-none-match"] == first.etag


async def test_if_modified_since_gives_304_and_keeps_sent_validators(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS, etag=None, last_modified=LAST_MODIFIED)
    doc = await fetch(url, last_modified=LAST_MODIFIED)
    assert (doc.status, doc.body, doc.last_modified, doc.etag) == (304, None, LAST_MODIFIED, None)
    assert feed_server.requests_for("/feed.xml")[-1].headers["if-modified-since"] == LAST_MODIFIED


async def test_304_with_new_validators_returns_them(feed_server: FeedServer) -> None:
    # The server matches our weak tag and answers with its current strong one: that is what we store next.
    url = feed_server.route("/feed.xml", RSS, etag='"v7"')
    doc = await fetch(url, etag='W/"v7"', last_modified=LAST_MODIFIED)
    assert (doc.status, doc.etag, doc.last_modified) == (304, '"v7"', LAST_MODIFIED)


async def test_new_version_answers_200(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS)
    old = await fetch(url)
    feed_server.route("/feed.xml", RSS.replace(b"<guid>1</guid>", b"<guid>2</guid>"))
    new = await fetch(url, etag=old.etag)
    assert new.status == 200 and new.body is not None and b"<guid>2</guid>" in new.body
    assert new.etag != old.etag


async def test_304_to_an_unconditional_request_is_an_error(feed_server: FeedServer) -> None:
    error = await fetch_error(feed_server.route("/feed.xml", status=304))
    assert (error.kind, error.status) == ("http", 304)
    assert "not conditional" in str(error)


# ------------------------------------------------------------------------------------------------ redirects


async def test_permanent_redirect_chain_sets_permanent_url(feed_server: FeedServer) -> None:
    start = feed_server.redirect("/old.xml", "/moved.xml", status=301)
    feed_server.redirect("/moved.xml", feed_server.url("/feed.xml"), status=308)
    final = feed_server.route("/feed.xml", RSS)
    doc = await fetch(start)
    assert (doc.url, doc.final_url, doc.permanent_url, doc.body) == (start, final, final, RSS)


@pytest.mark.parametrize("chain", [(301, 302), (301, 303), (301, 307), (307, 308), (302, 301)])
async def test_any_temporary_hop_means_no_permanent_url(
    feed_server: FeedServer, chain: tuple[int, int]
) -> None:
    start = feed_server.redirect("/old.xml", "/moved.xml", status=chain[0])
    feed_server.redirect("/moved.xml", "/feed.xml", status=chain[1])
    final = feed_server.route("/feed.xml", RSS)
    doc = await fetch(start)
    assert (doc.final_url, doc.permanent_url, doc.body) == (final, None, RSS)


async def test_relative_location_resolves_against_current_url(feed_server: FeedServer) -> None:
    start = feed_server.redirect("/a/b/start", "../feeds/rss.xml", status=301)
    final = feed_server.route("/a/feeds/rss.xml", RSS)
    doc = await fetch(start)
    assert doc.final_url == final == feed_server.url("/a/feeds/rss.xml")


async def test_redirect_limit(feed_server: FeedServer) -> None:
    start = feed_server.redirect("/loop-a", "/loop-b", status=302)
    feed_server.redirect("/loop-b", "/loop-a", status=302)
    error = await fetch_error(start, HttpOptions(max_redirects=3))
    assert error.kind == "redirects"
    assert "more than 3" in str(error)
    assert len(feed_server.requests) == 4  # the first request and three redirects followed, no more


async def test_max_redirects_zero_refuses_any_redirect(feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", RSS)
    error = await fetch_error(feed_server.redirect("/old.xml", "/feed.xml"), HttpOptions(max_redirects=0))
    assert error.kind == "redirects"
    assert feed_server.requests_for("/feed.xml") == []


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "ftp://ftp.example.com/feed.xml",
        "gopher://example.com/1",
        "data:,x",
        "data:application/rss+xml;base64,PHJzcy8+",
        "javascript:alert(1)",
    ],
)
async def test_redirect_to_another_scheme_is_refused(feed_server: FeedServer, location: str) -> None:
    error = await fetch_error(feed_server.redirect("/feed.xml", location, status=301))
    assert error.kind == "scheme"
    assert location in str(error)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/feed.xml", "data:,<rss/>", "javascript:alert(1)", "http:///x"],
)
async def test_only_http_urls_are_fetched(url: str) -> None:
    error = await fetch_error(url)
    assert error.kind == "scheme"


async def test_credentials_stay_with_their_origin(feed_server: FeedServer) -> None:
    with FeedServer() as elsewhere:
        target = elsewhere.route("/feed.xml", RSS)
        start = feed_server.redirect("/feed.xml", target, status=302)
        options = HttpOptions(headers={"Authorization": "Bearer secret", "Cookie": "s=1", "X-Site": "a"})
        await fetch(start, options)
        [first] = feed_server.requests_for("/feed.xml")
        [second] = elsewhere.requests_for("/feed.xml")
    assert first.headers["authorization"] == "Bearer secret"
    assert "authorization" not in second.headers and "cookie" not in second.headers
    assert second.headers["x-site"] == "a"


# ---------------------------------------------------------------------------------------------- statuses


async def test_410_is_gone(feed_server: FeedServer) -> None:
    error = await fetch_error(feed_server.route("/feed.xml", b"removed", status=410))
    assert (error.kind, error.status) == ("gone", 410)
    assert str(error).startswith("HTTP 410 Gone")


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (429, "120", 120.0),
        (503, http_date(datetime(2020, 1, 1, tzinfo=UTC)), 0.0),  # a date in the past: retry now
        (503, None, None),
        (429, "whenever", None),
    ],
)
async def test_rate_limited(
    feed_server: FeedServer, status: int, retry_after: str | None, expected: float | None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    error = await fetch_error(feed_server.route("/feed.xml", status=status, headers=headers))
    assert (error.kind, error.status, error.retry_after_seconds) == ("rate_limited", status, expected)


async def test_future_retry_after_date(feed_server: FeedServer) -> None:
    retry_at = http_date(datetime.now(UTC) + timedelta(hours=1))
    error = await fetch_error(feed_server.route("/feed.xml", status=503, headers={"Retry-After": retry_at}))
    assert error.retry_after_seconds is not None and 3000 < error.retry_after_seconds <= 3600


@pytest.mark.parametrize(
    ("status", "message"),
    [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"), (599, "HTTP 599")],
)
async def test_other_statuses_are_http_errors(feed_server: FeedServer, status: int, message: str) -> None:
    error = await fetch_error(feed_server.route("/feed.xml", b"oops", status=status))
    assert (error.kind, error.status) == ("http", status)
    assert str(error) == message


async def test_redirect_without_location(feed_server: FeedServer) -> None:
    error = await fetch_error(feed_server.route("/feed.xml", status=301, etag=None))
    assert (error.kind, error.status) == ("http", 301)
    assert str(error) == "HTTP 301 Moved Permanently without a Location to follow"


async def test_unknown_path_after_redirect_names_where(feed_server: FeedServer) -> None:
    error = await fetch_error(feed_server.redirect("/old.xml", "/missing.xml", status=302))
    assert str(error) == f"HTTP 404 Not Found (redirected to {feed_server.url('/missing.xml')})"


# ------------------------------------------------------------------------------------------ network errors


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_connection_refused() -> None:
    port = _closed_port()
    error = await fetch_error(f"http://127.0.0.1:{port}/feed.xml")
    assert (error.kind, str(error)) == ("network", f"connection refused by 127.0.0.1:{port}")


async def test_dns_failure() -> None:
    error = await fetch_error("http://no-such-host.invalid/feed.xml")  # .invalid never resolves (RFC 2606)
    assert (error.kind, str(error)) == (
        "network",
        "could not resolve host no-such-host.invalid (DNS lookup failed)",
    )


async def test_tls_failure(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS).replace("http://", "https://")
    error = await fetch_error(url)
    assert error.kind == "network"
    assert str(error).startswith("TLS handshake with 127.0.0.1:")


async def test_connection_closed_mid_body(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS, headers={"Content-Length": "100000", "Connection": "close"})
    error = await fetch_error(url)
    assert error.kind == "network"
    assert "broke off" in str(error) and "Error(" not in str(error)


async def test_invalid_header_value_is_a_fetch_error(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS)
    for value in ("中文", "a\r\nInjected: yes"):
        error = await fetch_error(url, HttpOptions(headers={"X-Name": value}))
        assert error.kind == "http"
    assert feed_server.requests == []


# ------------------------------------------------------------------------------------------------ timeouts


async def test_total_timeout_stops_a_dripping_body(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS * 10, drip=0.05)  # every read succeeds, the whole never ends
    error = await fetch_error(url, HttpOptions(timeout_seconds=0.5))
    assert (error.kind, str(error)) == ("timeout", "timed out after 0.5s (total timeout)")


async def test_total_timeout_while_waiting_for_headers(feed_server: FeedServer) -> None:
    error = await fetch_error(feed_server.route("/feed.xml", RSS, delay=5), HttpOptions(timeout_seconds=0.5))
    assert (error.kind, str(error)) == ("timeout", "timed out after 0.5s (total timeout)")


@pytest.fixture
def unresponsive_port() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops further SYNs, so connecting hangs."""
    with contextlib.ExitStack() as stack:
        listener = stack.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        for _ in range(3):
            filler = stack.enter_context(socket.socket())
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        yield port


async def test_connect_timeout(unresponsive_port: int) -> None:
    options = HttpOptions(timeout_seconds=10, connect_timeout_seconds=0.5)
    error = await fetch_error(f"http://127.0.0.1:{unresponsive_port}/feed.xml", options)
    assert error.kind == "timeout"
    assert str(error) == f"timed out after 0.5s connecting to 127.0.0.1:{unresponsive_port} (connect timeout)"


# ---------------------------------------------------------------------------------- sizes and encodings


async def test_declared_length_over_limit_is_refused_before_reading(feed_server: FeedServer) -> None:
    error = await fetch_error(feed_server.route("/feed.xml", b"x" * 3000), HttpOptions(max_body_bytes=1000))
    assert (error.kind, str(error)) == (
        "too_large",
        "document larger than 1KB limit (max_body_size; Content-Length says 3KB)",
    )


async def test_chunked_body_over_limit(feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", b"x" * 3_000_000, chunked=True)
    error = await fetch_error(url, HttpOptions(max_body_bytes=1_000_000))
    assert (error.kind, str(error)) == ("too_large", "document larger than 1MB limit (max_body_size)")


async def test_body_of_exactly_the_limit_is_accepted(feed_server: FeedServer) -> None:
    doc = await fetch(
        feed_server.route("/feed.xml", b"x" * 1000, chunked=True), HttpOptions(max_body_bytes=1000)
    )
    assert doc.body == b"x" * 1000


def _inflate_backends() -> list[object]:
    backends: list[object] = [pytest.param(zlib, id="zlib")]
    try:
        from isal import isal_zlib
    except ImportError:
        backends.append(pytest.param(None, id="isal", marks=pytest.mark.skip(reason="isal is not installed")))
    else:
        backends.append(pytest.param(isal_zlib, id="isal"))
    return backends


@pytest.fixture(params=_inflate_backends())
def inflate(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> object:
    """Each gzip/deflate case on both inflate modules the decoder can run on (ISA-L where installed)."""
    monkeypatch.setattr(decoding, "_zlib", request.param)
    return request.param


BOMBS = {  # a few KB (gzip) or a few hundred bytes (brotli) that decode to 50 MB and 200 MB of zeros
    "gzip": lambda: gzip.compress(b"\0" * 50_000_000),
    "br": lambda: brotli.compress(b"\0" * 200_000_000, quality=5),
}


@pytest.mark.parametrize("encoding", sorted(BOMBS))
async def test_compression_bomb_stops_at_decoded_limit(
    feed_server: FeedServer, encoding: str, inflate: object
) -> None:
    bomb = BOMBS[encoding]()
    assert len(bomb) < 100_000
    url = feed_server.route("/feed.xml", bomb, headers={"Content-Encoding": encoding})
    error = await fetch_error(url, HttpOptions(max_body_bytes=1_000_000))
    assert (error.kind, str(error)) == ("too_large", "document larger than 1MB limit (max_body_size)")


async def test_gzip_route_is_decoded(feed_server: FeedServer) -> None:
    doc = await fetch(feed_server.route("/feed.xml", RSS * 100, gzip=True))
    assert doc.body == RSS * 100
    assert doc.headers["content-encoding"] == "gzip"


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(RSS)),
        ("x-gzip", gzip.compress(RSS)),
        ("gzip", gzip.compress(RSS[:50]) + gzip.compress(RSS[50:])),  # two members, as `cat a.gz b.gz`
        ("deflate", zlib.compress(RSS)),  # zlib-wrapped, as RFC 9110 says
        ("deflate", _raw_deflate(RSS)),  # raw, as some servers send
        ("br", brotli.compress(RSS)),
        ("identity", RSS),
        ("zstd-from-the-future", RSS),  # unknown codings pass through, as httpx does
        ("gzip", RSS),  # labelled gzip, sent plain: read as it is, as feedparser does
        ("x-gzip", b"<"),  # ... however short
    ],
)
async def test_content_encodings(
    feed_server: FeedServer, encoding: str, body: bytes, inflate: object
) -> None:
    doc = await fetch(feed_server.route("/feed.xml", body, headers={"Content-Encoding": encoding}))
    assert doc.body == (b"<" if body == b"<" else RSS)


@pytest.mark.parametrize("body", [gzip.compress(RSS), RSS], ids=["gzip", "plain"])
async def test_gzip_magic_split_across_reads(body: bytes, inflate: object) -> None:
    """Whether a body labelled gzip is gzip is told by its first two bytes, whatever pieces they come in."""

    async def one_byte_first() -> AsyncIterator[bytes]:
        yield body[:1]
        yield body[1:]

    assert await decoding.read_body(one_byte_first(), {"content-encoding": "gzip"}, 1_000_000) == RSS


async def test_large_gzip_body_decodes_whole(feed_server: FeedServer, inflate: object) -> None:
    data = bytes(range(256)) * 40_000  # 10 MB: many 64 KB pieces through the bounded decoder
    doc = await fetch(
        feed_server.route("/feed.xml", gzip.compress(data), headers={"Content-Encoding": "gzip"})
    )
    assert doc.body == data


async def test_corrupt_gzip(feed_server: FeedServer, inflate: object) -> None:
    url = feed_server.route("/feed.xml", b"\x1f\x8bnot really gzip", headers={"Content-Encoding": "gzip"})
    error = await fetch_error(url)
    assert error.kind == "http"
    assert str(error).startswith("the body is not valid gzip data")


# ----------------------------------------------------------------------------------------------- concurrency


async def test_per_host_limit_holds_across_redirect_hops(feed_server: FeedServer) -> None:
    feed_server.redirect("/hop", "/slow", status=302)
    feed_server.route("/slow", RSS, delay=0.3)
    async with HttpFetcher(concurrency=16, per_host=2) as fetcher, anyio.create_task_group() as tasks:
        for _ in range(6):
            tasks.start_soon(fetcher.fetch, feed_server.url("/hop"), HttpOptions())
    assert len(feed_server.requests_for("/slow")) == 6
    assert feed_server.max_in_flight["/slow"] == 2
    assert feed_server.max_in_flight_total == 2


async def test_global_limit_across_hosts(feed_server: FeedServer) -> None:
    feed_server.route("/slow", RSS, delay=0.3)
    hosts = [feed_server.url("/slow"), feed_server.url("/slow").replace("127.0.0.1", "localhost")]
    async with HttpFetcher(concurrency=3, per_host=2) as fetcher, anyio.create_task_group() as tasks:
        for index in range(8):
            tasks.start_soon(fetcher.fetch, hosts[index % 2], HttpOptions())
    assert {r.headers["host"].split(":")[0] for r in feed_server.requests} == {"127.0.0.1", "localhost"}
    assert feed_server.max_in_flight_total == 3  # 4 without the global limit (2 hosts x 2)


async def test_waiting_for_a_host_slot_does_not_count_against_the_timeout(feed_server: FeedServer) -> None:
    # Eight fetches, one at a time, 0.1 s each: the last waits far longer than its 0.5 s total timeout.
    feed_server.route("/slow", RSS, delay=0.1)
    results: list[FetchedDocument] = []

    async def one(fetcher: HttpFetcher) -> None:
        results.append(await fetcher.fetch(feed_server.url("/slow"), HttpOptions(timeout_seconds=0.5)))

    async with HttpFetcher(per_host=1) as fetcher, anyio.create_task_group() as tasks:
        for _ in range(8):
            tasks.start_soon(one, fetcher)
    assert [doc.status for doc in results] == [200] * 8
    assert feed_server.max_in_flight["/slow"] == 1


async def test_redirects_between_hosts_do_not_deadlock(feed_server: FeedServer) -> None:
    # One slot per host; one fetch goes A -> B -> A, the other B -> A -> B. Keeping A's slot while waiting
    # for B's (and the other way round) would deadlock, so a hop gives up its host before taking the next.
    a, b = feed_server.base_url, feed_server.base_url.replace("127.0.0.1", "localhost")
    feed_server.route("/first", status=302, headers={"Location": f"{b}/second"}, delay=0.1)
    feed_server.route("/second", status=302, headers={"Location": f"{a}/feed.xml"}, delay=0.1)
    feed_server.route("/other-first", status=302, headers={"Location": f"{a}/other-second"}, delay=0.1)
    feed_server.route("/other-second", status=302, headers={"Location": f"{b}/feed.xml"}, delay=0.1)
    feed_server.route("/feed.xml", RSS)
    with anyio.fail_after(10):
        async with HttpFetcher(per_host=1) as fetcher, anyio.create_task_group() as tasks:
            for _ in range(2):
                tasks.start_soon(fetcher.fetch, f"{a}/first", HttpOptions())
                tasks.start_soon(fetcher.fetch, f"{b}/other-first", HttpOptions())
    assert len(feed_server.requests_for("/feed.xml")) == 4
    assert feed_server.max_in_flight_total <= 2  # one per host


# ---------------------------------------------------------------------------------------- HTML and discovery


async def test_html_page_with_feed_link(feed_server: FeedServer) -> None:
    html = (DATA_DIR / "html_page_with_feed_links.html").read_bytes()
    page = feed_server.route("/", html, content_type=HTML_TYPE)
    with pytest.raises(NotAFeedError) as caught:
        await fetch(page)
    error = caught.value
    assert (error.kind, error.status) == ("not_a_feed", 200)
    assert error.discovered[0] == feed_server.url("/rss.xml")
    assert len(error.discovered) == 4
    assert str(error).startswith(
        f"{page} is an HTML page, not a feed; it links to the feeds {feed_server.url('/rss.xml')}"
    )
    assert feed_server.requests_for("/rss.xml") == []  # discover is off: nothing followed


async def test_html_page_with_one_feed_link_message(feed_server: FeedServer) -> None:
    page = feed_server.route(
        "/",
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">',
        content_type=HTML_TYPE,
    )
    with pytest.raises(NotAFeedError) as caught:
        await fetch(page)
    assert str(caught.value) == (
        f"{page} is an HTML page, not a feed; it links to the feed {feed_server.url('/feed.xml')} "
        "(use that URL, or set discover: true)"
    )


async def test_html_page_without_feed_link(feed_server: FeedServer) -> None:
    html = (DATA_DIR / "html_page_without_feed_links.html").read_bytes()
    page = feed_server.route("/", html, content_type="application/xhtml+xml")
    with pytest.raises(NotAFeedError) as caught:
        await fetch(page, HttpOptions(discover=True))
    assert caught.value.discovered == ()
    assert str(caught.value).startswith(
        f"{page} is an HTML page, not a feed, and no feed link was found in it"
    )


async def test_html_sent_as_text_plain_is_recognised(feed_server: FeedServer) -> None:
    page = feed_server.route("/", "<!DOCTYPE html><html><head><title>x</title>", content_type="text/plain")
    with pytest.raises(NotAFeedError):
        await fetch(page)


@pytest.mark.parametrize("body", [RSS, ATOM, JSON_FEED, b"\xef\xbb\xbf" + RSS])
async def test_feed_served_as_text_html_is_a_feed(feed_server: FeedServer, body: bytes) -> None:
    doc = await fetch(feed_server.route("/feed", body, content_type=HTML_TYPE))
    assert doc.body == body


async def test_discover_follows_the_first_feed_link(feed_server: FeedServer) -> None:
    html = (DATA_DIR / "html_page_with_feed_links.html").read_bytes()
    page = feed_server.route("/", html, content_type=HTML_TYPE)
    feed = feed_server.route("/rss.xml", RSS)
    doc = await fetch(page, HttpOptions(discover=True), etag='"page-tag"')
    assert (doc.url, doc.final_url, doc.permanent_url, doc.body, doc.status) == (page, feed, feed, RSS, 200)
    assert doc.etag is not None and doc.etag == doc.headers["etag"]  # the feed's validators, not the page's
    [feed_request] = feed_server.requests_for("/rss.xml")
    assert "if-none-match" not in feed_request.headers  # the page's validator is not the feed's


async def test_discovered_feed_that_moves_permanently(feed_server: FeedServer) -> None:
    page = feed_server.route(
        "/", '<link rel="alternate" type="application/atom+xml" href="/atom">', content_type=HTML_TYPE
    )
    feed_server.redirect("/atom", "/atom.xml", status=301)
    final = feed_server.route("/atom.xml", ATOM, content_type="application/atom+xml")
    doc = await fetch(page, HttpOptions(discover=True))
    assert (doc.final_url, doc.permanent_url) == (final, final)


async def test_discovery_never_loops(feed_server: FeedServer) -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="/page{}">'
    page = feed_server.route("/page1", link.format(2), content_type=HTML_TYPE)
    feed_server.route("/page2", link.format(3), content_type=HTML_TYPE)
    feed_server.route("/page3", RSS)
    with pytest.raises(NotAFeedError) as caught:
        await fetch(page, HttpOptions(discover=True))
    assert "is an HTML page too" in str(caught.value)
    assert [r.path for r in feed_server.requests] == ["/page1", "/page2"]


async def test_discovered_feed_failure_names_both_urls(feed_server: FeedServer) -> None:
    page = feed_server.route(
        "/", '<link rel="alternate" type="application/rss+xml" href="/gone">', content_type=HTML_TYPE
    )
    feed_server.route("/gone", status=410)
    error = await fetch_error(page, HttpOptions(discover=True))
    assert (error.kind, error.status) == ("gone", 410)
    assert str(error).startswith(
        f"{page} links to the feed {feed_server.url('/gone')}, but fetching it failed: HTTP 410"
    )


# ---------------------------------------------------------------------------------------- proxies and life


async def test_http_proxy_gets_absolute_form_requests(feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", RSS)
    async with HttpFetcher() as fetcher:
        proxied = await fetcher.fetch(
            "http://feeds.invalid/feed.xml", HttpOptions(proxy=feed_server.base_url)
        )
        direct = await fetcher.fetch(feed_server.url("/feed.xml"), HttpOptions())
    assert proxied.body == direct.body == RSS
    via_proxy, straight = feed_server.requests_for("/feed.xml")
    assert via_proxy.target == "http://feeds.invalid/feed.xml"  # the proxy's client was used
    assert straight.target == "/feed.xml"  # and the direct client for the other source


async def test_http_proxy_credentials_go_to_the_proxy(feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", RSS)
    proxy = feed_server.base_url.replace("http://", "http://user:secret@")
    doc = await fetch("http://feeds.invalid/feed.xml", HttpOptions(proxy=proxy))
    assert doc.body == RSS
    [request] = feed_server.requests_for("/feed.xml")
    assert request.headers["proxy-authorization"] == "Basic " + base64.b64encode(b"user:secret").decode()


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_unusable_proxy_is_a_fetch_error(scheme: str) -> None:
    proxy = f"{scheme}://user:secret@127.0.0.1:{_closed_port()}"
    error = await fetch_error("http://example.com/feed.xml", HttpOptions(proxy=proxy))
    assert error.kind == "network"
    assert f"{scheme}://user:***@127.0.0.1" in str(error)  # names the proxy, not example.com
    assert "secret" not in str(error)  # the proxy password never reaches logs


async def test_unsupported_proxy_scheme_is_named() -> None:
    error = await fetch_error("http://example.com/feed.xml", HttpOptions(proxy="ftp://user:secret@proxy:21"))
    assert (error.kind, str(error)) == (
        "network",
        "cannot use the proxy ftp://user:***@proxy:21: only http, https and socks5 proxies work",
    )


async def test_environment_proxy_is_used_unless_no_proxy(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.route("/feed.xml", RSS)
    monkeypatch.setenv("HTTP_PROXY", feed_server.base_url)
    monkeypatch.setenv("NO_PROXY", "skipped.invalid")
    proxied = await fetch("http://feeds.invalid/feed.xml")
    assert proxied.body == RSS
    [via_proxy] = feed_server.requests_for("/feed.xml")
    assert via_proxy.target == "http://feeds.invalid/feed.xml"
    error = await fetch_error("http://skipped.invalid/feed.xml")  # NO_PROXY: straight to DNS, which fails
    assert str(error) == "could not resolve host skipped.invalid (DNS lookup failed)"
    # A source's own proxy wins over the environment's.
    error = await fetch_error(
        "http://feeds.invalid/feed.xml", HttpOptions(proxy=f"http://127.0.0.1:{_closed_port()}")
    )
    assert str(error).startswith("connection refused by the proxy http://127.0.0.1:")


async def test_cookies_are_never_sent_back(feed_server: FeedServer) -> None:
    first = feed_server.route("/a.xml", RSS, headers={"Set-Cookie": "session=secret; Path=/"})
    second = feed_server.route("/b.xml", RSS)
    async with HttpFetcher() as fetcher:
        await fetcher.fetch(first, HttpOptions())
        await fetcher.fetch(second, HttpOptions())
        await fetcher.fetch(first, HttpOptions())
    assert all("cookie" not in request.headers for request in feed_server.requests)


async def test_repeated_response_headers_are_joined() -> None:
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n"
        b'Link: <https://hub.example/>; rel="hub"\r\nlink: </self>; rel=self\r\n\r\n%s' % (len(RSS), RSS)
    )

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        doc = await fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert doc.body == RSS
    assert doc.headers["link"] == '<https://hub.example/>; rel="hub", </self>; rel=self'


async def test_closed_fetcher_refuses_work(feed_server: FeedServer) -> None:
    fetcher = HttpFetcher()
    await fetcher.fetch(feed_server.route("/feed.xml", RSS), HttpOptions())
    await fetcher.aclose()
    await fetcher.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await fetcher.fetch(feed_server.url("/feed.xml"), HttpOptions())


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="timeouts"):
        HttpOptions(timeout_seconds=0)
    with pytest.raises(ValueError, match="max_body_bytes"):
        HttpOptions(max_body_bytes=0)
    with pytest.raises(ValueError, match="at least 1"):
        HttpFetcher(per_host=0)


# ------------------------------------------------------------------------------------- the test server itself


def test_feed_server_closes_while_a_handler_drips() -> None:
    server = FeedServer()
    server.route("/drip", RSS * 100, drip=0.05)
    with socket.create_connection(("127.0.0.1", server.port)) as client:
        client.sendall(b"GET /drip HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(12).startswith(b"HTTP/1.1 200")
        server.close()  # returns promptly: the drip waits on the closed flag, the connection is shut down
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    assert len(received) < len(RSS * 100)
    server.close()  # closing twice is harmless


def test_feed_server_records_posts_heads_and_unknown_paths(feed_server: FeedServer) -> None:
    feed_server.route("/hub", b"accepted", status=202)
    connection = http.client.HTTPConnection("127.0.0.1", feed_server.port, timeout=5)
    answers = []
    try:
        for method, path, body in [
            ("POST", "/hub?x=1", b"hub.mode=publish"),
            ("HEAD", "/hub", None),
            ("GET", "/x", None),
        ]:
            connection.request(method, path, body=body, headers={"X-Sig": "s"})
            response = connection.getresponse()
            answers.append((response.status, response.read()))
    finally:
        connection.close()
    assert answers == [(202, b"accepted"), (202, b""), (404, b"not found\n")]
    post, head = feed_server.requests_for("/hub")
    assert (post.method, post.path, post.body, post.headers["x-sig"]) == (
        "POST",
        "/hub?x=1",
        b"hub.mode=publish",
        "s",
    )
    assert head.method == "HEAD"
    assert feed_server.requests_for("/hub?x=1") == [post]
    assert [r.path for r in feed_server.requests] == ["/hub?x=1", "/hub", "/x"]
