"""Fetching documents: HTTP(S) with limits and conditional GET, feed autodiscovery, retry and cache hints."""

from aggregator.sources.discovery import find_feed_links
from aggregator.sources.http import DEFAULT_USER_AGENT, HttpFetcher, HttpOptions
from aggregator.sources.retry import freshness_seconds, retry_after_seconds

__all__ = [
    "DEFAULT_USER_AGENT",
    "HttpFetcher",
    "HttpOptions",
    "find_feed_links",
    "freshness_seconds",
    "retry_after_seconds",
]
