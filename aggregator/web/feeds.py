"""The feed endpoints: the published files as written, or a fresh rendering for ad-hoc requests.

Requests without parameters are answered from the files the publisher wrote (atomically, so never half a
file), cached in memory by (mtime, size, inode) so a 304 costs a ``stat``. Requests with parameters
(``?q=``, ``?page=2``...) are rendered from the database with the same code that writes the files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aggregator.config import Config, PublishConfig
from aggregator.publish import MEDIA_TYPES, RENDERERS
from aggregator.publish.build import build_document, select_page
from aggregator.publish.document import FILE_SUFFIXES
from aggregator.store import Store
from aggregator.web.params import FeedParams
from aggregator.web.representation import Representation


@dataclass(frozen=True, slots=True)
class _Cached:
    stamp: tuple[int, int, int]
    representation: Representation


class FileCache:
    """Published files in memory, re-read only when the file on disk changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Path, _Cached] = {}

    def get(self, path: Path, media_type: str) -> Representation | None:
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            cached = self._entries.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached.representation
        body = path.read_bytes()
        rep = Representation(body, media_type, datetime.fromtimestamp(info.st_mtime, UTC))
        with self._lock:
            self._entries[path] = _Cached(stamp, rep)
        return rep


class FeedService:
    """Finds or renders the representation of a published feed in one format."""

    def __init__(self, config: Config, store: Store, *, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.files = FileCache()
        self.aliases = config.category_aliases
        self.feeds = {feed.name: feed for feed in config.publish}

    def find(self, name: str, fmt: str) -> PublishConfig | None:
        feed = self.feeds.get(name)
        return feed if feed is not None and fmt in feed.formats else None

    def representation(self, feed: PublishConfig, fmt: str, params: FeedParams) -> Representation:
        media_type = MEDIA_TYPES[fmt]
        if params.is_default and params.page == 1:
            path = self.config.output_dir / f"{feed.name}{FILE_SUFFIXES[fmt]}"
            cached = self.files.get(path, media_type)
            if cached is not None:
                return cached
        return self.render(feed, fmt, params)

    def render(self, feed: PublishConfig, fmt: str, params: FeedParams) -> Representation:
        now = self.clock()
        page = select_page(
            self.store, feed, self.aliases, now, limit=params.limit, page=params.page, extra=params.extra
        )
        document = build_document(self.config, feed, page, number=params.page, query=params.query)
        body = RENDERERS[fmt](document)
        newest = max(
            (e.updated or e.published for e in page.entries), default=datetime(1970, 1, 1, tzinfo=UTC)
        )
        return Representation(body, MEDIA_TYPES[fmt], newest)
