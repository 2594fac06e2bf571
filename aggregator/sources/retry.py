"""How long a server asks us to wait (``Retry-After``) or lets us reuse a response (``max-age``, ``Expires``).

Pure functions over header values and an explicit ``now``, so the scheduler can turn them into next-check
times and the tests need no clock. Both follow RFC 9110 §10.2.3 and RFC 9111 §4.2.1 and tolerate what real
servers send: garbage gives None, dates in the past give 0.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_DELTA_SECONDS = re.compile(r"\d+")
_MAX_DELTA_SECONDS = 2_147_483_648.0  # RFC 9111 §1.2.2: larger values are read as this
_DIRECTIVE = re.compile(r'\s*([A-Za-z0-9_-]+)\s*(?:=\s*("[^"]*"|[^,\s]*))?\s*')


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait before retrying, from a ``Retry-After`` value (delta-seconds or an HTTP-date)."""
    now = _aware(now)
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return _delta(value)
    when = _parse_http_date(value)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds a response stays fresh: ``Cache-Control: max-age``, else ``Expires`` minus ``Date`` (or now).

    ``s-maxage`` is for shared caches and we are a private one, so it is ignored. ``no-cache`` and
    ``no-store`` mean the server gave no freshness at all (None), which differs from "stale now" (0): the
    caller then falls back to its own schedule rather than treating the answer as an instruction.
    """
    now = _aware(now)
    lower = {name.lower(): value for name, value in headers.items()}
    no_freshness, max_age = _cache_control(lower.get("cache-control", ""))
    if no_freshness:
        return None
    if max_age is not None:
        return max_age
    expires = lower.get("expires")
    if expires is None:
        return None
    expires_at = _parse_http_date(expires.strip())
    if expires_at is None:
        return 0.0  # RFC 9111 §5.3: an invalid Expires, "0" above all, means already expired
    date = _parse_http_date(lower.get("date", "").strip())
    base = date if date is not None else now
    return max(0.0, (expires_at - base).total_seconds())


@functools.lru_cache(maxsize=256)
def _cache_control(value: str) -> tuple[bool, float | None]:
    """(no freshness given at all, max-age seconds) of a ``Cache-Control`` value.

    Parsed once per distinct value: servers send the same few values on every response."""
    directives = _cache_directives(value)
    if "no-cache" in directives or "no-store" in directives:
        return True, None
    max_age = directives.get("max-age")
    if max_age is not None and _DELTA_SECONDS.fullmatch(max_age):
        return False, _delta(max_age)
    return False, None


def _cache_directives(value: str) -> dict[str, str | None]:
    """Directive names (lower-case) to unquoted arguments; the first occurrence wins (RFC 9111 §4.2.1)."""
    directives: dict[str, str | None] = {}
    for part in value.split(","):
        match = _DIRECTIVE.fullmatch(part)
        if not match:
            continue
        name, argument = match.group(1).lower(), match.group(2)
        if argument is not None:
            argument = argument.strip('"')
        directives.setdefault(name, argument)
    return directives


def _delta(digits: str) -> float:
    return min(float(digits), _MAX_DELTA_SECONDS)


def _parse_http_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _utc(parsed)


def _utc(moment: datetime) -> datetime:
    """HTTP-dates are GMT by definition (RFC 9110 §5.6.7), so a date without a zone is read as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _aware(now: datetime) -> datetime:
    """A naive ``now`` is a bug in the caller (local time or UTC?), so it fails loudly instead of guessing."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be a timezone-aware datetime, got naive {now.isoformat()}")
    return now.astimezone(UTC)
