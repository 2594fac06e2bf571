"""Is a source quietly broken, and how often should a busy or quiet source be polled? Pure functions.

A feed that answers 200 but stops producing entries, or whose entries all come back under new ids, is the
breakage nobody notices: the fetch succeeds every time. These rules flag it from what the store knows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from statistics import median

from aggregator.schedule import SchedulePolicy

WEEK_SECONDS = 7 * 86400
# News portals go quiet at night and over holidays; never call a source stale before a day of silence.
MIN_STALE_SECONDS = 86400
MIN_ENTRIES_FOR_CADENCE = 4
MIN_ENTRIES_FOR_KEY_CHANGE = 5


def cadence_seconds(published_newest_first: Sequence[datetime]) -> float | None:
    """The usual time between two entries: the median gap between consecutive ones (None: too few)."""
    if len(published_newest_first) < MIN_ENTRIES_FOR_CADENCE:
        return None
    gaps = [(newer - older).total_seconds() for newer, older in itertools.pairwise(published_newest_first)]
    positive = [g for g in gaps if g > 0]
    return median(positive) if positive else None


def stale_reason(
    now: datetime, last_new_entry_at: datetime | None, cadence: float | None, factor: float
) -> str | None:
    """Why the source looks silently broken, or None."""
    if last_new_entry_at is None or cadence is None:
        return None
    silent = (now - last_new_entry_at).total_seconds()
    if silent <= max(cadence * factor, MIN_STALE_SECONDS):
        return None
    return f"no new entry for {_rounded(silent)} although it usually publishes one every {_rounded(cadence)}"


def keys_changed_reason(seen: int, new: int, stored: int) -> str | None:
    """Every entry of a substantial document is new although the source has history: its ids changed."""
    if seen >= MIN_ENTRIES_FOR_KEY_CHANGE and new == seen and stored >= seen:
        return (
            f"all {seen} entries arrived under new ids although {stored} are stored: the feed may have "
            "changed its GUIDs or links (readers may see duplicates)"
        )
    return None


def adaptive_interval_seconds(entries_last_week: int, policy: SchedulePolicy) -> float:
    """Miniflux's entry-frequency rule: a week divided by last week's entries, within min and max."""
    if entries_last_week <= 0:
        return policy.max_interval_seconds
    return policy.clamp(WEEK_SECONDS / entries_last_week)


def _rounded(seconds: float) -> str:
    """Human-sized: ``3d``, ``30h``, ``45m``."""
    for unit, size in (("d", 86400), ("h", 3600)):
        if seconds >= 2 * size:
            return f"{round(seconds / size)}{unit}"
    return f"{max(1, round(seconds / 60))}m"
