"""Next-check times and backoff: pure functions of an explicit now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.schedule import (
    SchedulePolicy,
    backoff_seconds,
    next_check_after_error,
    next_check_after_success,
)

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
POLICY = SchedulePolicy(min_interval_seconds=60, max_interval_seconds=86400, max_backoff_seconds=6 * 3600)


@pytest.mark.parametrize(
    ("interval", "ttl", "fresh", "retry", "expected"),
    [
        (1800, None, None, None, 1800),  # the configured interval
        (1800, 3600, None, None, 3600),  # the feed's <ttl> is longer: honour it
        (1800, 600, None, None, 1800),  # a shorter ttl does not make us poll faster
        (1800, None, 7200, None, 7200),  # Cache-Control: max-age
        (1800, 3600, 7200, 10800, 10800),  # the latest of all
        (5, None, None, None, 60),  # clamped to min_interval
        (1800, 30 * 86400, None, None, 86400),  # clamped to max_interval
    ],
)
def test_next_check_after_success(
    interval: float, ttl: float | None, fresh: float | None, retry: float | None, expected: float
) -> None:
    at = next_check_after_success(
        NOW, interval, POLICY, feed_ttl_seconds=ttl, freshness_seconds=fresh, retry_after_seconds=retry
    )
    assert at == NOW + timedelta(seconds=expected)


def test_backoff_is_exponential_and_capped() -> None:
    waits = [backoff_seconds(n, 600, POLICY) for n in range(1, 10)]
    assert waits[:4] == [600, 1200, 2400, 4800]
    assert max(waits) == 6 * 3600
    assert waits == sorted(waits)


def test_backoff_never_below_interval_even_when_cap_is_smaller() -> None:
    policy = SchedulePolicy(min_interval_seconds=60, max_interval_seconds=86400, max_backoff_seconds=60)
    assert backoff_seconds(5, 3600, policy) == 3600


def test_backoff_jitter_stretches_by_at_most_a_quarter() -> None:
    assert backoff_seconds(1, 600, POLICY, jitter=0.0) == 600
    assert backoff_seconds(1, 600, POLICY, jitter=0.999) == pytest.approx(600 * 1.25, rel=1e-3)


def test_retry_after_is_honoured_but_bounded() -> None:
    assert backoff_seconds(1, 600, POLICY, retry_after_seconds=5000) == 5000
    assert backoff_seconds(1, 600, POLICY, retry_after_seconds=10) == 600
    assert backoff_seconds(1, 600, POLICY, retry_after_seconds=90 * 86400) == 86400


def test_failing_source_is_always_rescheduled() -> None:
    at = next_check_after_error(NOW, 1000, 1800, POLICY)
    assert NOW < at <= NOW + timedelta(hours=6)
