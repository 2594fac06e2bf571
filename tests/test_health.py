"""Silent breakage and adaptive polling rules: pure functions of timestamps and counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.health import adaptive_interval_seconds, cadence_seconds, keys_changed_reason, stale_reason
from aggregator.schedule import SchedulePolicy

NOW = datetime(2024, 3, 21, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
POLICY = SchedulePolicy(min_interval_seconds=300, max_interval_seconds=86400)


def test_cadence_is_the_median_gap() -> None:
    times = [NOW - HOUR * k for k in (0, 1, 2, 3, 10)]
    assert cadence_seconds(times) == 3600
    assert cadence_seconds(times[:3]) is None  # too few entries to tell


@pytest.mark.parametrize(
    ("silent", "cadence", "expected"),
    [
        (timedelta(hours=30), 3600, "no new entry for 30h"),  # hourly source, silent over a day
        (timedelta(hours=20), 3600, None),  # a quiet night is not breakage (a day at least)
        (timedelta(days=20), 7 * 86400, None),  # weekly blog: 8 weeks before it is odd
        (timedelta(days=60), 7 * 86400, "no new entry for 60d"),
    ],
)
def test_stale_reason(silent: timedelta, cadence: float, expected: str | None) -> None:
    reason = stale_reason(NOW, NOW - silent, cadence, 8.0)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(expected)


def test_not_stale_without_history() -> None:
    assert stale_reason(NOW, None, 3600, 8) is None
    assert stale_reason(NOW, NOW - timedelta(days=100), None, 8) is None


def test_keys_changed() -> None:
    assert keys_changed_reason(seen=20, new=20, stored=40) is not None
    assert keys_changed_reason(seen=20, new=20, stored=0) is None  # first fetch
    assert keys_changed_reason(seen=20, new=19, stored=40) is None
    assert keys_changed_reason(seen=3, new=3, stored=40) is None  # too small to tell


def test_adaptive_interval() -> None:
    assert adaptive_interval_seconds(0, POLICY) == 86400  # quiet: as rarely as allowed
    assert adaptive_interval_seconds(7, POLICY) == 86400  # one a day
    assert adaptive_interval_seconds(168, POLICY) == 3600  # one an hour
    assert adaptive_interval_seconds(100_000, POLICY) == 300  # busy: as often as allowed
