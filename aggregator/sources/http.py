"""Fetching feeds over HTTP: conditional GET, redirects, limits, and errors a user can act on.

Every fetch is bounded in time (one total deadline, because socket timeouts are per operation and a server
dripping one byte a second would otherwise hold us forever), in size (counted after decompression, while
streaming, so a gzip or brotli bomb is stopped early) and in concurrency (globally and per host, to be
polite to portals that serve many of our sources). Whatever goes wrong becomes a :class:`FetchError` whose
``kind`` drives backoff and whose message says what happened.

The client is aiohttp: a conditional GET answered 304 costs it about 0.07 ms of CPU, where httpx (with
httpcore's pool checking every idle connection's socket on each request) took 0.5-1 ms; that was most of an
all-304 poll (docs/performance.md). Redirects are followed here, not by aiohttp, and bodies arrive raw.

This module owns the request and its redirects; reading and decoding the body within the size limit is
:mod:`aggregator.sources.decoding`, and the wording of network failures :mod:`aggregator.sources.neterrors`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import ssl
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from typing import Self

import aiohttp
import aiohttp_socks
import certifi
from yarl import URL

import aggregator
from aggregator.clock import ms_since
from aggregator.errors import FetchError, NotAFeedError
from aggregator.models import FetchedDocument
from aggregator.sources.decoding import BROTLI_BOUNDED, read_body
from aggregator.sources.discovery import find_feed_links
from aggregator.sources.neterrors import format_seconds, redact_proxy, transport_error
from aggregator.sources.retry import retry_after_seconds

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = f"aggregator/{aggregator.__version__} (+{aggregator.PROJECT_URL})"

# Brotli is only advertised when its output can be bounded per call (see decoding.BROTLI_BOUNDED).
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_BOUNDED else "gzip, deflate"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_ROOT = re.compile(rb"<(?:[a-z0-9_.-]+:)?(?:rss|feed|rdf)(?=[\s/>])", re.IGNORECASE)
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
_SNIFF_BYTES = 4096
_READ_BYTES = 65_536
_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_SOCKS_SCHEMES = frozenset({"socks5", "socks5h"})
_PROXY_SCHEMES = frozenset({"http", "https"}) | _SOCKS_SCHEMES
# aiohttp-socks' failures (a SOCKS proxy refusing or timing out) are not aiohttp.ClientError.
_SOCKS_ERRORS = (
    aiohttp_socks.ProxyError,
    aiohttp_socks.ProxyConnectionError,
    aiohttp_socks.ProxyTimeoutError,
)


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """How to fetch one source; built from its configuration (timeouts in seconds, sizes in bytes)."""

    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 10.0
    max_body_bytes: int = 15_000_000
    user_agent: str = DEFAULT_USER_AGENT
    headers: Mapping[str, str] = field(default_factory=dict)
    proxy: str | None = None
    max_redirects: int = 10
    discover: bool = False

    def __post_init__(self) -> None:
        if self.timeout_seconds <= 0 or self.connect_timeout_seconds <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_body_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("max_body_bytes must be positive and max_redirects not negative")


@dataclass(frozen=True, slots=True)
class _Answer:
    """The last response of a redirect chain; ``body`` is read only for 2xx answers."""

    url: str
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes | None
    redirected: bool
    permanent: bool  # at least one redirect, and all of them 301/308


@dataclass(frozen=True, slots=True)
class _Client:
    """An aiohttp session, and the HTTP proxy named on each of its requests (SOCKS is in the connector)."""

    session: aiohttp.ClientSession
    proxy: str | None


class HttpFetcher:
    """Owns the aiohttp sessions (one per distinct proxy), a global concurrency limit and per-host limits.

    Create one per process (in the composition root) and close it with :meth:`aclose` or ``async with``.
    """

    def __init__(self, *, concurrency: int = 16, per_host: int = 2) -> None:
        if concurrency < 1 or per_host < 1:
            raise ValueError("concurrency and per_host must be at least 1")
        self._concurrency = asyncio.Semaphore(concurrency)
        self._hosts = _HostLimits(per_host)
        self._clients: dict[str | None, _Client] = {}
        # HTTP_PROXY, HTTPS_PROXY and NO_PROXY, read once: sources without a proxy of their own use them,
        # as curl does. (aiohttp's trust_env would also read ~/.netrc in a thread on every request.)
        self._env_proxies = urllib.request.getproxies_environment()
        self._closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.session.close()

    async def fetch(
        self, url: str, options: HttpOptions, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedDocument:
        """Fetch ``url``; raise :class:`FetchError` (or :class:`NotAFeedError`) for anything but a document.

        The total timeout starts once a global slot is free: waiting behind other sources is not this
        server's fault. Waits for a per-host slot are likewise not counted.
        """
        if self._closed:
            raise RuntimeError("HttpFetcher is closed")
        async with self._concurrency:
            started = time.perf_counter()
            budget = asyncio.timeout(options.timeout_seconds)
            try:
                async with budget:
                    document = await self._fetch_document(
                        url.strip(), options, etag, last_modified, budget, started
                    )
            except TimeoutError as exc:
                if not budget.expired():
                    raise FetchError(f"request to {url} failed: timed out", kind="timeout") from exc
                seconds = format_seconds(options.timeout_seconds)
                raise FetchError(f"timed out after {seconds}s (total timeout)", kind="timeout") from None
        log.debug("fetched url=%s status=%s ms=%d", url, document.status, document.elapsed_ms)
        return document

    async def _fetch_document(
        self,
        url: str,
        options: HttpOptions,
        etag: str | None,
        last_modified: str | None,
        budget: asyncio.Timeout,
        started: float,
    ) -> FetchedDocument:
        validators = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        answer = await self._follow(url, options, validators, budget)
        _check_status(answer, conditional=bool(etag or last_modified))
        if answer.status == 304:
            return FetchedDocument(
                url=url,
                status=304,
                body=None,
                headers=answer.headers,
                final_url=answer.url,
                permanent_url=answer.url if answer.permanent else None,
                etag=answer.headers.get("etag", etag),
                last_modified=answer.headers.get("last-modified", last_modified),
                elapsed_ms=ms_since(started),
            )
        if not _is_html_page(answer):
            return _document(url, answer, answer.url if answer.permanent else None, started)

        links = find_feed_links(answer.body or b"", answer.url)
        if not options.discover or not links:
            raise NotAFeedError(
                _not_a_feed_message(answer.url, links), discovered=links, status=answer.status
            )
        feed_url = links[0]
        log.debug("discovered feed url=%s page=%s", feed_url, answer.url)
        try:
            # The validators belong to the page, not to the feed: ask for the feed unconditionally.
            feed = await self._follow(feed_url, options, {}, budget)
            _check_status(feed, conditional=False)
        except FetchError as exc:
            raise FetchError(
                f"{answer.url} links to the feed {feed_url}, but fetching it failed: {exc}",
                kind=exc.kind,
                status=exc.status,
                retry_after_seconds=exc.retry_after_seconds,
            ) from exc
        if _is_html_page(feed):  # discovery is followed once, never in a loop
            raise NotAFeedError(
                f"{answer.url} links to the feed {feed_url}, but that URL is an HTML page too "
                "(set the source's url to the feed itself)",
                discovered=links,
                status=feed.status,
            )
        return _document(url, feed, feed.url if feed.permanent else feed_url, started)

    async def _follow(
        self, url: str, options: HttpOptions, extra: Mapping[str, str | None], budget: asyncio.Timeout
    ) -> _Answer:
        """GET ``url``, following redirects by hand so every hop is checked, limited and recorded."""
        start = _checked_start(url)
        current = start
        client = self._client(options.proxy)
        headers = _request_headers(options, extra)
        _check_headers(headers, start)
        permanent, hops = True, 0
        host: str | None = None
        try:
            while True:
                key = _host_key(current)
                if key != host:
                    if host is not None:
                        self._hosts.release(host)
                        host = None
                    await self._wait_for_host(key, budget)
                    host = key
                same_origin = current is start or _origin(current) == _origin(start)
                proxy = client.proxy if options.proxy is not None else self._env_proxy(current)
                response = await _send(
                    client.session, current, headers if same_origin else _public(headers), options, proxy
                )
                try:
                    location = response.headers.get("location")
                    if response.status in _REDIRECT_STATUSES and location:
                        hops += 1
                        if hops > options.max_redirects:
                            raise FetchError(
                                f"too many redirects (more than {options.max_redirects}) from {url}",
                                kind="redirects",
                                status=response.status,
                            )
                        permanent = permanent and response.status in _PERMANENT_REDIRECTS
                        log.debug("redirect status=%s url=%s to=%s", response.status, current, location)
                        current = _checked_url(location.strip(), base=current)
                        continue
                    answer_headers = _lower_headers(response.headers)
                    body = None
                    if 200 <= response.status < 300:
                        raw = response.content.iter_chunked(_READ_BYTES)
                        body = await read_body(raw, answer_headers, options.max_body_bytes)
                    return _Answer(
                        url=str(current),
                        status=response.status,
                        reason=_reason(response),
                        headers=answer_headers,
                        body=body,
                        redirected=hops > 0,
                        permanent=permanent and hops > 0,
                    )
                finally:
                    # Back to the pool when the body was read to its end (a 304 has none), closed otherwise.
                    response.release()
        except (aiohttp.ClientError, *_SOCKS_ERRORS) as exc:
            raise transport_error(
                exc, current, proxy=options.proxy, connect_timeout_seconds=options.connect_timeout_seconds
            ) from exc
        finally:
            if host is not None:
                self._hosts.release(host)

    async def _wait_for_host(self, key: str, budget: asyncio.Timeout) -> None:
        """Take a slot for ``key`` with the total deadline paused: queueing behind siblings is not slow."""
        if self._hosts.free(key):  # taken at once: no deadline to pause (two timer changes per fetch)
            await self._hosts.acquire(key)
            return
        loop = asyncio.get_running_loop()
        deadline = budget.when()
        remaining = None if deadline is None else deadline - loop.time()
        budget.reschedule(None)
        try:
            await self._hosts.acquire(key)
        finally:
            if not budget.expired():
                budget.reschedule(None if remaining is None else loop.time() + remaining)

    def _client(self, proxy: str | None) -> _Client:
        client = self._clients.get(proxy)
        if client is None:
            client = _open_client(proxy)
            self._clients[proxy] = client
        return client

    def _env_proxy(self, url: URL) -> str | None:
        proxy = self._env_proxies.get(url.scheme)
        if proxy is None:
            return None
        # The stdlib's NO_PROXY rules (suffixes, ports, "*"); public since Python 2 but missing from typeshed.
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        return None if bypass(url.raw_host or "", self._env_proxies) else proxy


def _open_client(proxy: str | None) -> _Client:
    """A session for one proxy (or none): no cookie jar (sources must not share cookies), raw bodies.

    Connections are not limited by aiohttp: our own global and per-host semaphores decide.
    """
    scheme = proxy.partition(":")[0].lower() if proxy is not None else ""
    if proxy is not None and scheme not in _PROXY_SCHEMES:
        supported = "only http, https and socks5 proxies work"
        raise FetchError(f"cannot use the proxy {redact_proxy(proxy)}: {supported}", kind="network")
    connector: aiohttp.BaseConnector
    if proxy is not None and scheme in _SOCKS_SCHEMES:
        try:
            # Host names are resolved by the proxy, for socks5:// too (as httpx did).
            connector = aiohttp_socks.ProxyConnector.from_url(
                proxy.replace("socks5h://", "socks5://", 1),
                rdns=True,
                ssl=_tls_context(),
                limit=0,
            )
        except ValueError as exc:
            raise FetchError(f"cannot use the proxy {redact_proxy(proxy)}: {exc}", kind="network") from exc
        proxy = None
    else:
        connector = aiohttp.TCPConnector(limit=0, ssl=_tls_context())
    session = aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=None),
    )
    return _Client(session=session, proxy=proxy)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Certificates are checked against certifi's bundle (Mozilla's), the same on every machine."""
    return ssl.create_default_context(cafile=certifi.where())


class _HostLimits:
    """One semaphore per host:port, created on first use and dropped when idle so the map stays small."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._semaphores: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    def free(self, key: str) -> bool:
        """Whether a slot for ``key`` is free now, so that :meth:`acquire` takes it without waiting."""
        entry = self._semaphores.get(key)
        return entry is None or not entry[0].locked()

    async def acquire(self, key: str) -> None:
        semaphore, users = self._semaphores.setdefault(key, (asyncio.Semaphore(self._per_host), [0]))
        users[0] += 1
        try:
            await semaphore.acquire()
        except BaseException:
            self._forget(key)
            raise

    def release(self, key: str) -> None:
        self._semaphores[key][0].release()
        self._forget(key)

    def _forget(self, key: str) -> None:
        users = self._semaphores[key][1]
        users[0] -= 1
        if users[0] == 0:
            del self._semaphores[key]


# ------------------------------------------------------------------------------------ requests and URLs


@functools.lru_cache(maxsize=8192)
def _checked_start(url: str) -> URL:
    """A source's URL checked once, not on every poll (yarl's parsing is a tenth of a 304's cost)."""
    return _checked_url(url)


def _checked_url(url: str, base: URL | None = None) -> URL:
    """Only http(s) with a host: a feed (or a redirect) must never make us read ``file:`` or ``gopher:``."""
    action = f"follow the redirect from {base} to" if base is not None else "fetch"
    try:
        parsed = base.join(URL(url)) if base is not None else URL(url)
        parsed.raw_host  # noqa: B018 - decoding the host is where an invalid one is found
    except (ValueError, TypeError, UnicodeError) as exc:
        raise FetchError(f"refusing to {action} {url!r}: not a valid URL ({exc})", kind="scheme") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            f"refusing to {action} {url}: only http:// and https:// URLs are fetched", kind="scheme"
        )
    if not parsed.raw_host:
        raise FetchError(f"refusing to {action} {url}: the URL has no host", kind="scheme")
    return parsed


def _host_key(url: URL) -> str:
    return f"{(url.raw_host or '').lower()}:{url.port}"  # yarl gives the scheme's port when none is written


def _origin(url: URL) -> tuple[str, str]:
    return url.scheme, _host_key(url)


def _request_headers(options: HttpOptions, extra: Mapping[str, str | None]) -> dict[str, str]:
    """Our defaults, then the source's own headers (which win), then the conditional-GET validators."""
    merged = {
        "user-agent": ("User-Agent", options.user_agent),
        "accept": ("Accept", _ACCEPT),
        "accept-encoding": ("Accept-Encoding", ACCEPT_ENCODING),
    }
    for items in (options.headers.items(), extra.items()):
        for name, value in items:
            key = name.lower()
            merged.pop(key, None)  # a later spelling of a name replaces, and moves, the earlier one
            if value is not None:
                merged[key] = (name, value)
    return dict(merged.values())


def _check_headers(headers: Mapping[str, str], url: URL) -> None:
    """Once per fetch, before any request: aiohttp would send a non-ASCII value as UTF-8, and refuse a line
    break only once connected."""
    for name, value in headers.items():
        if not value.isascii() or "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise FetchError(
                f"cannot send the request to {url}: the header {name!r} must be one line of ASCII text",
                kind="http",
            )


def _public(headers: Mapping[str, str]) -> dict[str, str]:
    """Credentials configured for a source go to its own origin only, never to where it redirects."""
    return {name: value for name, value in headers.items() if name.lower() not in _CREDENTIAL_HEADERS}


async def _send(
    session: aiohttp.ClientSession,
    url: URL,
    headers: Mapping[str, str],
    options: HttpOptions,
    proxy: str | None,
) -> aiohttp.ClientResponse:
    timeout = _client_timeout(options.connect_timeout_seconds)
    try:
        return await session.get(url, headers=headers, allow_redirects=False, proxy=proxy, timeout=timeout)
    except ValueError as exc:
        if isinstance(exc, aiohttp.ClientError):
            raise
        raise FetchError(f"cannot send the request to {url}: invalid header ({exc})", kind="http") from exc


@functools.lru_cache(maxsize=16)
def _client_timeout(connect_seconds: float) -> aiohttp.ClientTimeout:
    """Reading has no timeout of its own: the total deadline around the fetch bounds it."""
    return aiohttp.ClientTimeout(total=None, connect=connect_seconds)


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Names in lower case; a header sent several times is joined with commas (RFC 9110 §5.3)."""
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        lowered[key] = f"{lowered[key]}, {value}" if key in lowered else value
    return lowered


# -------------------------------------------------------------------------------------------- responses


def _reason(response: aiohttp.ClientResponse) -> str:
    """The standard phrase when we know the code: servers send odd ones ("OK" on a 404), HTTP/2 none."""
    phrase = _PHRASES.get(response.status)
    return phrase if phrase is not None else (response.reason or "").strip()[:80]


def _check_status(answer: _Answer, *, conditional: bool) -> None:
    status = answer.status
    if 200 <= status < 300 or (status == 304 and conditional):
        return
    text = f"HTTP {status} {answer.reason}".rstrip()
    if answer.redirected:
        text += f" (redirected to {answer.url})"
    if status == 304:
        raise FetchError(f"{text} to a request that was not conditional", kind="http", status=status)
    if status == 410:
        raise FetchError(
            f"{text}: the feed was removed; fix or remove the source", kind="gone", status=status
        )
    if status in (429, 503):
        wait = retry_after_seconds(answer.headers.get("retry-after"), datetime.now(UTC))
        if wait is not None:
            text += f"; the server asks to retry after {wait:.0f}s"
        raise FetchError(text, kind="rate_limited", status=status, retry_after_seconds=wait)
    if status in _REDIRECT_STATUSES:
        text += " without a Location to follow"
    raise FetchError(text, kind="http", status=status)


def _document(url: str, answer: _Answer, permanent_url: str | None, started: float) -> FetchedDocument:
    return FetchedDocument(
        url=url,
        status=answer.status,
        body=answer.body,
        headers=answer.headers,
        final_url=answer.url,
        permanent_url=permanent_url,
        etag=answer.headers.get("etag"),
        last_modified=answer.headers.get("last-modified"),
        elapsed_ms=ms_since(started),
    )


def _is_html_page(answer: _Answer) -> bool:
    """An HTML page, unless the bytes are a feed anyway (many CMSs serve RSS as text/html)."""
    head = (answer.body or b"")[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf")
    if _FEED_ROOT.search(head) or (head.lstrip().startswith(b"{") and b"jsonfeed.org/version" in head):
        return False
    media_type = answer.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type in _HTML_TYPES:
        return True
    # Misconfigured servers send pages as text/plain or with no type at all; trust the markup then.
    return media_type in ("", "text/plain") and bool(_HTML_START.match(head))


def _not_a_feed_message(page: str, links: tuple[str, ...]) -> str:
    if not links:
        return (
            f"{page} is an HTML page, not a feed, and no feed link was found in it "
            "(use the URL of the RSS, Atom or JSON feed itself)"
        )
    if len(links) == 1:
        return (
            f"{page} is an HTML page, not a feed; it links to the feed {links[0]} "
            "(use that URL, or set discover: true)"
        )
    return (
        f"{page} is an HTML page, not a feed; it links to the feeds {', '.join(links)} "
        "(use one of those URLs, or set discover: true to take the first)"
    )
