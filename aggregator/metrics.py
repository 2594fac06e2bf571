"""Prometheus metrics of one daemon process, in a registry of its own (no module-level global state)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from aggregator.models import SourceResult, SourceState

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.fetches = Counter(
            "aggregator_fetches",
            "Source refreshes, by outcome and error kind.",
            ["status", "kind"],
            registry=r,
        )
        self.fetch_seconds = Histogram(
            "aggregator_fetch_duration_seconds",
            "Time to refresh one source (fetch, parse, normalize, store).",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.entries_written = Counter(
            "aggregator_entries_written",
            "Entries stored by refreshes, new or updated.",
            ["change"],
            registry=r,
        )
        self.entries_stored = Gauge("aggregator_entries_stored", "Entries in the database.", registry=r)
        self.sources = Gauge("aggregator_sources", "Enabled sources.", registry=r)
        self.sources_failing = Gauge(
            "aggregator_sources_failing", "Enabled sources whose last refresh failed.", registry=r
        )
        self.sources_stale = Gauge(
            "aggregator_sources_stale", "Sources answering but silent for much longer than usual.", registry=r
        )
        self.sources_gone = Gauge("aggregator_sources_gone", "Sources that answered 410 Gone.", registry=r)
        self.last_refresh = Gauge(
            "aggregator_last_refresh_cycle_timestamp_seconds",
            "When the last refresh cycle ended.",
            registry=r,
        )
        self.refresh_cycles = Counter(
            "aggregator_refresh_cycles",
            "Refresh cycles (ticks refreshing the due sources), by result: ok, or failed as a whole "
            "(the database unreachable, say; one source failing is not a failed cycle).",
            ["result"],
            registry=r,
        )
        self.publish_seconds = Histogram(
            "aggregator_publish_duration_seconds",
            "Time to select, render and write all published feeds.",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.feeds_changed = Counter(
            "aggregator_published_files_changed",
            "Published files rewritten because they changed.",
            registry=r,
        )
        self.http_requests = Counter(
            "aggregator_http_requests",
            "HTTP requests served, by route and status.",
            ["route", "status"],
            registry=r,
        )
        self.config_reloads = Counter(
            "aggregator_config_reloads", "Configuration reloads, by result.", ["result"], registry=r
        )

    def record_results(self, results: Iterable[SourceResult]) -> None:
        for result in results:
            self.fetches.labels(result.status.value, result.error_kind or "").inc()
            self.fetch_seconds.observe(result.duration_ms / 1000)
            if result.new:
                self.entries_written.labels("new").inc(result.new)
            if result.updated:
                self.entries_written.labels("updated").inc(result.updated)

    def record_sources(self, states: Sequence[SourceState], entries: int) -> None:
        enabled = [s for s in states if s.enabled]
        self.sources.set(len(enabled))
        self.sources_failing.set(sum(1 for s in enabled if s.consecutive_errors and not s.gone))
        self.sources_stale.set(sum(1 for s in enabled if s.stale))
        self.sources_gone.set(sum(1 for s in enabled if s.gone))
        self.entries_stored.set(entries)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
