"""Rendering the configured feeds to files: select, build, render only what changed, write atomically.

A feed whose selected entries and settings did not change (same signature as last time, files present) is
not even rendered; a rendering identical to the file on disk is not rewritten. Deterministic rendering makes
an unchanged feed byte-identical, so its ETag does not change and readers re-download nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aggregator.config import Config, PublishConfig
from aggregator.publish.build import build_document, feed_url, select_page, signature
from aggregator.publish.document import FILE_SUFFIXES, RENDERERS, FeedDocument, feed_updated
from aggregator.publish.files import write_if_changed
from aggregator.publish.opml import OpmlOutline, render_opml
from aggregator.store import Store
from aggregator.store.published import PublishedState

log = logging.getLogger(__name__)

OPML_NAME = "index.opml"


def etag_for(data: bytes) -> str:
    """A strong ETag (RFC 9110 §8.8.3) from the content itself: every process computes the same one."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


@dataclass(frozen=True, slots=True)
class PublishResult:
    name: str
    format: str
    path: Path
    url: str
    changed: bool
    entries: int
    etag: str


def newest_time(document: FeedDocument) -> datetime | None:
    """The feed's time as the renderers write it (``updated``/``lastBuildDate``), None when empty."""
    return feed_updated(document) if document.entries else None


def opml_outlines(config: Config) -> list[OpmlOutline]:
    base = config.public_base_url
    outlines = []
    for feed in config.publish:
        fmt = "atom" if "atom" in feed.formats else feed.formats[0]
        outlines.append(
            OpmlOutline(
                title=feed.title,
                xml_url=feed_url(base, feed.name, fmt),
                html_url=feed.link or base,
                description=feed.description or None,
            )
        )
    return outlines


class Publisher:
    """Renders the published feeds of one configuration from one store into ``output_dir``."""

    def __init__(self, config: Config, store: Store, *, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.aliases = config.category_aliases

    @property
    def output_dir(self) -> Path:
        return self.config.output_dir

    def publish(self, names: Sequence[str] | None = None, *, force: bool = False) -> list[PublishResult]:
        """Render all (or the named) feeds: one result per feed and format, ``changed`` when rewritten."""
        now = self.clock()
        feeds = [f for f in self.config.publish if not names or f.name in names]
        previous = {(s.name, s.format): s for s in self.store.published_states()}
        results: list[PublishResult] = []
        states: list[PublishedState] = []
        for feed in feeds:
            feed_results, feed_states = self._publish_feed(feed, previous, now, force)
            results.extend(feed_results)
            states.extend(feed_states)
        keep = [(f.name, fmt) for f in self.config.publish for fmt in f.formats]
        self.store.record_published(states, keep=keep if not names else None)
        if not names:
            self._remove_unconfigured(previous, set(keep))
        write_if_changed(
            self.output_dir / OPML_NAME, render_opml("Published feeds", opml_outlines(self.config))
        )
        for result in results:
            if result.changed:
                log.info(
                    "feed=%s format=%s entries=%d changed path=%s",
                    result.name,
                    result.format,
                    result.entries,
                    result.path,
                )
        return results

    def _publish_feed(
        self,
        feed: PublishConfig,
        previous: dict[tuple[str, str], PublishedState],
        now: datetime,
        force: bool,
    ) -> tuple[list[PublishResult], list[PublishedState]]:
        page = select_page(self.store, feed, self.aliases, now)
        document = build_document(self.config, feed, page)
        sig = signature(document)
        results = []
        states = []
        for fmt in feed.formats:
            path = self.output_dir / f"{feed.name}{FILE_SUFFIXES[fmt]}"
            before = previous.get((feed.name, fmt))
            if before is not None and before.signature == sig and path.exists() and not force:
                changed = False
                etag, size, changed_at = before.etag, before.size_bytes, before.changed_at
            else:
                data = RENDERERS[fmt](document)
                changed = write_if_changed(path, data)
                etag, size = etag_for(data), len(data)
                changed_at = now if changed or before is None or before.etag != etag else before.changed_at
            results.append(
                PublishResult(
                    name=feed.name,
                    format=fmt,
                    path=path,
                    url=document.self_urls[fmt],
                    changed=changed,
                    entries=len(document.entries),
                    etag=etag,
                )
            )
            states.append(
                PublishedState(
                    name=feed.name,
                    format=fmt,
                    etag=etag,
                    signature=sig,
                    entry_count=len(document.entries),
                    newest_entry_at=newest_time(document),
                    size_bytes=size,
                    changed_at=changed_at,
                    rendered_at=now,
                )
            )
        return results, states

    def _remove_unconfigured(
        self, previous: dict[tuple[str, str], PublishedState], keep: set[tuple[str, str]]
    ) -> None:
        """Files of feeds (or formats) removed from the configuration are deleted: we wrote them."""
        for name, fmt in previous.keys() - keep:
            path = self.output_dir / f"{name}{FILE_SUFFIXES[fmt]}"
            if path.exists():
                path.unlink()
                log.info("feed=%s format=%s removed from the configuration: deleted %s", name, fmt, path)
