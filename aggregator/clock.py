"""The one place that reads the wall clock; everything else receives ``now`` or a clock function."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def ms_since(start: float) -> int:
    """Whole milliseconds since ``start``, a ``time.perf_counter()`` reading (durations in the fetch log)."""
    return int((time.perf_counter() - start) * 1000)
