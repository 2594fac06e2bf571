"""FailureStreak: a recurring job's failures logged once per streak, with reminders and a recovery line."""

from __future__ import annotations

import logging

import pytest

from aggregator.streak import FailureStreak

LOGGER = logging.getLogger("tests.streak")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def told(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    caplog.clear()
    return lines


def test_a_streak_is_told_at_its_start_on_a_new_reason_as_a_reminder_and_at_its_end(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, LOGGER.name)
    clock = Clock()
    streak = FailureStreak("refresh cycle", LOGGER, remind_every=600, clock=clock)
    assert not streak.failing and streak.describe() is None
    streak.succeeded()
    assert told(caplog) == []

    streak.failed("database error: connection refused")
    assert told(caplog) == [("ERROR", "refresh cycle failed: database error: connection refused")]
    for _ in range(100):  # a tick every 5 s for 500 s: nothing more at INFO or above
        clock.now += 5
        streak.failed("database error: connection refused")
    assert told(caplog) == []
    assert streak.describe() == "failing for 8m20s (101 attempts): database error: connection refused"

    clock.now += 100  # 600 s since the first line
    streak.failed("database error: connection refused")
    assert told(caplog) == [
        (
            "ERROR",
            "refresh cycle still failing after 10m00s (102 attempts): database error: connection refused",
        )
    ]
    clock.now += 5
    streak.failed("database error: disk full")
    assert told(caplog) == [("ERROR", "refresh cycle failed again, now: database error: disk full")]

    clock.now += 5
    streak.succeeded()
    assert told(caplog) == [
        (
            "INFO",
            "refresh cycle works again after 10m10s of failures (103 attempts; last error: database error: "
            "disk full)",
        )
    ]
    assert not streak.failing and streak.attempts == 0 and streak.describe() is None

    clock.now += 3600
    streak.failed("database error: connection refused")  # a new streak is told again
    assert told(caplog) == [("ERROR", "refresh cycle failed: database error: connection refused")]
    clock.now += 3 * 3600 + 125
    assert streak.describe() == "failing for 3h02m (1 attempts): database error: connection refused"


def test_a_bug_is_told_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    streak = FailureStreak("refresh cycle", LOGGER, clock=Clock())
    try:
        raise KeyError("source")
    except KeyError:
        streak.failed("KeyError: 'source' (a bug: please report it)", bug=True)
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "KeyError" in caplog.text and "Traceback" in caplog.text
