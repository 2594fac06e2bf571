"""Retention as configured: old and surplus entries (tombstoned), and old rows of the fetch log.

One function for every shell that keeps a database tidy: the daemon runs it every ``retention.every``, and
``aggregator run --once`` (cron) at the end of each pass, so that a database fed from cron does not grow
without bound either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aggregator.config import Config
from aggregator.store import Store


@dataclass(frozen=True, slots=True)
class Pruned:
    entries: int  # each leaves a tombstone: not new again while its feed carries it
    fetch_log: int  # rows of the fetch log


def apply_retention(config: Config, store: Store, now: datetime) -> Pruned:
    """Prune what ``config.retention`` says is too old or too many; StoreError when the database fails."""
    retention = config.retention
    fetch_log = store.prune_fetch_log(now - retention.fetch_log) if retention.fetch_log is not None else 0
    default_max = retention.max_entries_per_source
    limits = {s.name: keep for s in config.sources if (keep := s.max_entries or default_max)}
    entries = 0
    if retention.max_age is not None or limits:
        entries = store.prune(now, max_age=retention.max_age, max_entries=limits)
    return Pruned(entries=entries, fetch_log=fetch_log)
