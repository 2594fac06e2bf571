"""Retry-After and freshness (Cache-Control max-age, Expires) parsing, against an explicit clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.sources.retry import freshness_seconds, retry_after_seconds

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)  # Fri, 01 Mar 2024 12:00:00 GMT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("99999999999999999999", 2_147_483_648.0),  # RFC 9111 §1.2.2 ceiling
        ("Fri, 01 Mar 2024 12:02:00 GMT", 120.0),  # IMF-fixdate
        ("Friday, 01-Mar-24 12:00:30 GMT", 30.0),  # obsolete RFC 850 form
        ("Fri Mar  1 12:01:00 2024", 60.0),  # obsolete asctime form, no zone: GMT
        ("Fri, 01 Mar 2024 20:00:00 +0800", 0.0),  # 12:00 UTC: now
        ("Thu, 29 Feb 2024 12:00:00 GMT", 0.0),  # in the past
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        ("Fri, 99 Foo 2024 12:00:00 GMT", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, NOW) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"cache-control": "max-age=300"}, 300.0),
        ({"Cache-Control": "public, MAX-AGE=60"}, 60.0),  # names are case-insensitive
        ({"cache-control": 'max-age="90"'}, 90.0),
        ({"cache-control": "max-age=60, max-age=10"}, 60.0),  # first occurrence wins
        ({"cache-control": "max-age=0"}, 0.0),
        ({"cache-control": "s-maxage=600"}, None),  # shared caches only
        ({"cache-control": "s-maxage=600, max-age=30"}, 30.0),
        ({"cache-control": "no-cache, max-age=300"}, None),
        ({"cache-control": "no-store"}, None),
        ({"cache-control": "private, max-age=120", "expires": "Fri, 01 Mar 2024 13:00:00 GMT"}, 120.0),
        ({"expires": "Fri, 01 Mar 2024 13:00:00 GMT"}, 3600.0),  # against now
        ({"expires": "Fri, 01 Mar 2024 13:00:00 GMT", "date": "Fri, 01 Mar 2024 12:30:00 GMT"}, 1800.0),
        ({"expires": "Fri, 01 Mar 2024 13:00:00 GMT", "date": "not a date"}, 3600.0),
        ({"expires": "Thu, 29 Feb 2024 12:00:00 GMT"}, 0.0),  # already expired
        ({"expires": "0"}, 0.0),  # RFC 9111 §5.3: invalid means expired
        ({"cache-control": "max-age=soon", "expires": "Fri, 01 Mar 2024 12:10:00 GMT"}, 600.0),
    ],
)
def test_freshness_seconds(headers: dict[str, str], expected: float | None) -> None:
    assert freshness_seconds(headers, NOW) == expected


def test_now_must_be_aware() -> None:
    naive = datetime(2024, 3, 1, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        retry_after_seconds("120", naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        freshness_seconds({"cache-control": "max-age=1"}, naive)
