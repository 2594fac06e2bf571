"""The one place that reads the wall clock; everything else receives ``now`` or a clock function."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
