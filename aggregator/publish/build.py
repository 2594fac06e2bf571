"""Which entries a published feed shows, and the document describing it: pure but for the store read.

The filter from the configuration (plus any ad-hoc request filter) is compiled into a predicate, and its
database-checkable part into a pushdown; the store reads candidates through its indexes and the predicate
decides. Page ``n`` holds entries ``(n-1)*limit .. n*limit`` of the newest-first order (RFC 5005 paging).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlencode

from aggregator import PROJECT_URL, __version__
from aggregator.config import Config, PublishConfig
from aggregator.filters import All, Filter
from aggregator.filters.match import Subject, compile_filter
from aggregator.filters.pushdown import pushdown
from aggregator.models import StoredEntry
from aggregator.publish.document import FILE_SUFFIXES, FeedDocument
from aggregator.store import Store


@dataclass(frozen=True, slots=True)
class Page:
    entries: tuple[StoredEntry, ...]
    has_next: bool


def combined_filter(feed: PublishConfig, extra: Filter | None) -> Filter | None:
    if feed.filter is None:
        return extra
    if extra is None:
        return feed.filter
    return All((feed.filter, extra))


def select_page(
    store: Store,
    feed: PublishConfig,
    aliases: Mapping[str, str],
    now: datetime,
    *,
    limit: int | None = None,
    page: int = 1,
    extra: Filter | None = None,
) -> Page:
    """The entries of one page of a published feed, newest first (reads one more to know if a next exists)."""
    size = limit or feed.limit
    node = combined_filter(feed, extra)
    predicate = compile_filter(node, aliases) if node is not None else None

    def accept(entry: StoredEntry) -> bool:
        return predicate is None or predicate(Subject(entry, entry.source_name, now))

    found = store.select_entries(pushdown(node, aliases, now), accept, limit=size + 1, skip=(page - 1) * size)
    return Page(entries=tuple(found[:size]), has_next=len(found) > size)


def feed_url(base_url: str, name: str, fmt: str, query: Mapping[str, str] | None = None) -> str:
    url = f"{base_url}feeds/{name}{FILE_SUFFIXES[fmt]}"
    return f"{url}?{urlencode(sorted(query.items()))}" if query else url


def build_document(
    config: Config,
    feed: PublishConfig,
    page: Page,
    *,
    number: int = 1,
    query: Mapping[str, str] | None = None,
) -> FeedDocument:
    """The document of one page; ``query`` holds ad-hoc request parameters, kept in self and next links."""
    base = config.public_base_url
    query = dict(query or {})
    if number > 1:
        query["page"] = str(number)
    next_query = {**query, "page": str(number + 1)}
    ttl = feed.ttl or config.defaults.interval
    return FeedDocument(
        name=feed.name,
        title=feed.title,
        description=feed.description,
        site_url=feed.link or base,
        self_urls={fmt: feed_url(base, feed.name, fmt, query) for fmt in feed.formats},
        language=feed.language,
        icon=feed.icon,
        logo=feed.logo,
        ttl_minutes=max(1, int(ttl.total_seconds() // 60)),
        hub_url=config.websub.hub,
        next_page_urls={fmt: feed_url(base, feed.name, fmt, next_query) for fmt in feed.formats}
        if page.has_next
        else {},
        generator=f"aggregator {__version__}",
        generator_uri=PROJECT_URL,
        entries=_without_private_urls(config, page.entries),
    )


def _without_private_urls(config: Config, entries: tuple[StoredEntry, ...]) -> tuple[StoredEntry, ...]:
    """Entries of private sources lose their source's URL: it holds a token (published as a local
    source's entries are: with the source's title only)."""
    private = {source.name for source in config.sources if source.private}
    if not private:
        return entries
    return tuple(replace(e, source_url="") if e.source_name in private else e for e in entries)


def signature(document: FeedDocument) -> str:
    """Changes whenever the rendered feed would: its settings, links and each entry's identity and dates.

    Each entry contributes its identity, dates, content hash and source title, which is everything its
    rendering depends on, so a feed can be found unchanged without rendering it.
    """
    payload = {
        "feed": [
            document.title,
            document.description,
            document.site_url,
            sorted(document.self_urls.items()),
            document.language,
            document.icon,
            document.logo,
            document.ttl_minutes,
            document.hub_url,
            sorted(document.next_page_urls.items()),
            document.generator,
        ],
        "entries": [
            [
                e.uid,
                e.published.isoformat(),
                e.updated.isoformat() if e.updated else None,
                e.content_hash,
                e.source_title,
                e.source_url,
            ]
            for e in document.entries
        ],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()
