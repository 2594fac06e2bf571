"""Network failures as one sentence a user can act on: what failed, where, and why.

aiohttp reports a failed request as a handful of broad types (``ClientConnectorError``,
``ClientPayloadError``, ...) whose text is often an errno string or a nested TLS message; the cause that
tells a user what to fix (DNS, certificate, refused, reset) sits further down the exception chain, sometimes
inside an exception group. This module finds it and names the host, or the proxy when one stood between us
and the server. The resulting :class:`FetchError` is raised ``from`` the original, so ``--verbose`` still
shows every detail.
"""

from __future__ import annotations

import re
import socket
import ssl
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import aiohttp_socks
from yarl import URL

from aggregator.errors import FetchError

# Failures on the way to the server (or to the proxy, when there is one), and the proxy's own refusals.
_CONNECTING = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp_socks.ProxyConnectionError,
    aiohttp_socks.ProxyTimeoutError,
)
_PROXY_REFUSED = (aiohttp.ClientHttpProxyError, aiohttp_socks.ProxyError)
_BROKEN_RESPONSE = (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)


def transport_error(
    exc: Exception, url: URL, *, proxy: str | None, connect_timeout_seconds: float
) -> FetchError:
    """A short sentence for a transport failure; the exception chain keeps the details for --verbose."""
    where = url.host if url.explicit_port is None else f"{url.host}:{url.explicit_port}"
    cause = _root_cause(exc)
    connecting = isinstance(exc, _CONNECTING) and not isinstance(cause, ssl.SSLError)
    if proxy is not None and connecting:
        where = f"the proxy {redact_proxy(proxy)}"  # we never reach the server ourselves
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp_socks.ProxyTimeoutError):
        seconds = format_seconds(connect_timeout_seconds)
        return FetchError(
            f"timed out after {seconds}s connecting to {where} (connect timeout)", kind="timeout"
        )
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return FetchError(f"timed out waiting for {where}", kind="timeout")
    if isinstance(exc, _PROXY_REFUSED):
        message = f"the proxy {redact_proxy(proxy)} failed: {_short(exc)}"
    elif isinstance(cause, socket.gaierror) or isinstance(exc, aiohttp.ClientConnectorDNSError):
        host = where if proxy is not None and connecting else f"host {url.host}"
        message = f"could not resolve {host} (DNS lookup failed)"
    elif isinstance(cause, ssl.SSLCertVerificationError):
        message = f"the TLS certificate of {where} is not valid: {cause.verify_message}"
    elif isinstance(cause, ssl.SSLError):
        reason = (cause.reason or _short(cause)).replace("_", " ").lower()
        message = f"TLS handshake with {where} failed: {reason}"
    elif isinstance(cause, ConnectionRefusedError):
        message = f"connection refused by {where}"
    elif isinstance(cause, ConnectionResetError):
        message = f"connection reset by {where}"
    elif isinstance(exc, _BROKEN_RESPONSE):
        message = f"{where} broke off or garbled the response: {_short(exc)}"
    elif connecting:
        message = f"could not connect to {where}: {_short(cause or exc)}"
    else:
        message = f"request to {where} failed: {_short(cause or exc)}"
    return FetchError(message, kind="network")


def redact_proxy(url: str | None) -> str:
    """A proxy URL without its password, fit for logs and error messages."""
    if url is None:
        return "(none)"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def format_seconds(value: float) -> str:
    """Seconds for a message: one decimal (``30.0``, ``2.5``), more only when needed (``0.25``)."""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:g}"


def _root_cause(exc: BaseException) -> BaseException | None:
    """The first DNS, TLS or connection error in the chain (through exception groups), if any."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        # aiohttp's wrappers subclass ssl.SSLError and OSError themselves: look past them to the cause.
        if isinstance(current, socket.gaierror | ssl.SSLError | ConnectionError) and not isinstance(
            current, aiohttp.ClientError
        ):
            return current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return None


def _short(exc: BaseException) -> str:
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc).strip())
    return (text or type(exc).__name__)[:200]
