"""A recurring job's failures told once per streak, not once per attempt.

The daemon starts a refresh cycle every ``scheduler.tick`` (5 s). When something they all need is down (the
database restarting, a full disk), every cycle fails the same way: logged each time, a five-minute outage
wrote sixty identical ERROR lines and buried what came before. A streak logs its first failure, a new reason,
a reminder every ``remind_every`` seconds while it lasts, and one line when the job works again, saying for
how long and how many attempts it failed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

REMIND_EVERY_SECONDS = 600.0


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class FailureStreak:
    """Consecutive failures of one job, and what to log about them (``what``: "refresh cycle")."""

    def __init__(
        self,
        what: str,
        logger: logging.Logger,
        *,
        remind_every: float = REMIND_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        level: int = logging.ERROR,
    ) -> None:
        self.what = what
        self._log = logger
        self._level = level
        self._remind_every = remind_every
        self._clock = clock
        self._since: float | None = None
        self._reminded_at = 0.0
        self.attempts = 0  # failed attempts in the current streak
        self.reason: str | None = None  # the latest failure's message

    @property
    def failing(self) -> bool:
        return self._since is not None

    def failing_for(self) -> float:
        """Seconds since the streak's first failure (0 when not failing)."""
        return 0.0 if self._since is None else self._clock() - self._since

    def describe(self) -> str | None:
        """One line for a health check, or None when the job works."""
        if self._since is None:
            return None
        return f"failing for {_duration(self.failing_for())} ({self.attempts} attempts): {self.reason}"

    def failed(self, reason: str, *, bug: bool = False) -> None:
        """Record a failure; log it if it starts the streak, changes its reason, or is due as a reminder.

        ``bug``: an unexpected exception is being handled; its traceback goes with the lines that are logged.
        """
        now = self._clock()
        self.attempts += 1
        if self._since is None:
            self._since = now
            self._say(f"{self.what} failed: %s", reason, bug)
        elif reason != self.reason:
            self._say(f"{self.what} failed again, now: %s", reason, bug)
        elif now - self._reminded_at >= self._remind_every:
            lasted = _duration(now - self._since)
            self._say(f"{self.what} still failing after {lasted} ({self.attempts} attempts): %s", reason, bug)
        else:
            self._log.debug("%s failed (attempt %d of this streak): %s", self.what, self.attempts, reason)
            return
        self.reason = reason
        self._reminded_at = now

    def succeeded(self) -> None:
        """Record a success; ends a streak with one line."""
        if self._since is None:
            return
        self._log.info(
            "%s works again after %s of failures (%d attempts; last error: %s)",
            self.what,
            _duration(self.failing_for()),
            self.attempts,
            self.reason,
        )
        self._since = None
        self.attempts = 0
        self.reason = None

    def _say(self, message: str, reason: str, bug: bool) -> None:
        self._log.log(self._level, message, reason, exc_info=bug)
