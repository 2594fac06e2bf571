"""When to check a source next: pure functions of what we know and an explicit ``now``.

The rules, in one place:

* after a success, the next check is the *latest* of the configured interval, the feed's own ``<ttl>`` /
  ``sy:updatePeriod``, the response's freshness (``Cache-Control: max-age`` / ``Expires``) and any
  ``Retry-After``; then clamped to ``scheduler.min_interval`` .. ``scheduler.max_interval``;
* after a failure, exponential backoff from the interval (interval, 2x, 4x, ...) with up to 25% jitter so
  that sources failing together do not retry together, capped by ``scheduler.max_backoff`` (never below the
  interval), and never sooner than a ``Retry-After`` the server sent (RFC 9110 §10.2.3). A failing source is
  retried forever; it is never disabled;
* a source answering 410 Gone is not polled until its configuration changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SchedulePolicy:
    min_interval_seconds: float = 60.0
    max_interval_seconds: float = 86400.0
    max_backoff_seconds: float = 6 * 3600.0

    def clamp(self, seconds: float) -> float:
        return min(max(seconds, self.min_interval_seconds), self.max_interval_seconds)


def next_check_after_success(
    now: datetime,
    interval_seconds: float,
    policy: SchedulePolicy,
    *,
    feed_ttl_seconds: float | None = None,
    freshness_seconds: float | None = None,
    retry_after_seconds: float | None = None,
) -> datetime:
    candidates = [interval_seconds, feed_ttl_seconds, freshness_seconds, retry_after_seconds]
    wait = max(c for c in candidates if c is not None)
    return now + timedelta(seconds=policy.clamp(wait))


def backoff_seconds(
    consecutive_errors: int,
    interval_seconds: float,
    policy: SchedulePolicy,
    *,
    jitter: float = 0.0,
    retry_after_seconds: float | None = None,
) -> float:
    """Seconds to wait after the ``consecutive_errors``-th failure in a row (1 for the first).

    ``jitter`` in [0, 1) stretches the wait by up to 25%; callers pass ``random.random()``.
    """
    base = max(interval_seconds, policy.min_interval_seconds)
    cap = max(policy.max_backoff_seconds, base)
    exponent = min(max(consecutive_errors - 1, 0), 30)
    wait: float = min(base * float(2**exponent), cap) * (1 + 0.25 * jitter)
    if retry_after_seconds is not None:
        # Honour the server, but a Retry-After of a month must not park the source beyond max_interval.
        wait = max(wait, min(retry_after_seconds, policy.max_interval_seconds))
    return wait


def next_check_after_error(
    now: datetime,
    consecutive_errors: int,
    interval_seconds: float,
    policy: SchedulePolicy,
    *,
    jitter: float = 0.0,
    retry_after_seconds: float | None = None,
) -> datetime:
    wait = backoff_seconds(
        consecutive_errors, interval_seconds, policy, jitter=jitter, retry_after_seconds=retry_after_seconds
    )
    return now + timedelta(seconds=wait)
