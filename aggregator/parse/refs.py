"""Entries as references: what deciding "new or changed?" needs at once, the whole entry on demand.

Refreshing a feed mostly finds entries it already has: a portal's feed carries its last 50 articles and
adds a few. Whether an entry is new or changed is decided from its key (GUID, link and base URL, see
:func:`aggregator.normalize.assign_keys`) and the hash of its raw material; reading the rest (content,
dates, categories, authors...) and normalizing it is worth doing only for the few that are. An
:class:`EntryRef` carries the first and builds the :class:`~aggregator.models.ParsedEntry` when asked.

The feedparser and JSON Feed paths read every entry anyway: their references hold the built entry. The
lxml fast path (:mod:`.fast`) can defer: see :func:`aggregator.parse.read_document`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from aggregator.models import ParsedEntry, ParsedFeed

__all__ = ["EntryRef", "ParsedDocument", "StaleEntry"]


class StaleEntry(Exception):  # noqa: N818 (a signal to the caller: "read the document again, eagerly")
    """A deferred entry could not be read as the hash that let it be deferred promised.

    A deferred entry's raw hash covers its bytes, the document context and the fast path's version, and
    matched an entry the fast path read before, so reading it cannot fail; this is the safety net if it
    does (a hash collision, or a change to the fast path without a version bump): the caller reads the
    document again without deferring.
    """


class EntryRef:
    """One entry of a document: its position, identity (GUID, link, base URL) and raw hash; the rest lazily.

    ``title``, ``content_html`` and ``summary_html`` are there for :func:`~aggregator.normalize.assign_keys`,
    which needs them only to tell apart entries that share a GUID or link: reading them builds the entry.
    """

    __slots__ = ("_entry", "_load", "base_url", "guid", "link", "position", "raw_hash")

    def __init__(
        self,
        position: int,
        guid: str | None,
        link: str | None,
        base_url: str | None,
        raw_hash: str,
        load: Callable[[], ParsedEntry],
    ) -> None:
        self.position = position
        self.guid = guid
        self.link = link
        self.base_url = base_url
        self.raw_hash = raw_hash
        self._load: Callable[[], ParsedEntry] | None = load
        self._entry: ParsedEntry | None = None

    @classmethod
    def of(cls, entry: ParsedEntry) -> EntryRef:
        """A reference to an entry already built."""
        ref = cls(entry.position, entry.guid, entry.link, entry.base_url, entry.raw_hash, _never)
        ref._entry = entry
        ref._load = None
        return ref

    @property
    def loaded(self) -> bool:
        """Whether the whole entry has been built (for tests and diagnostics)."""
        return self._entry is not None

    def entry(self) -> ParsedEntry:
        """The whole entry, built on the first call."""
        if self._entry is None:
            assert self._load is not None
            self._entry = self._load()
            self._load = None  # the loader holds the document's tree: let it go
        return self._entry

    @property
    def title(self) -> str | None:
        return self.entry().title

    @property
    def content_html(self) -> str | None:
        return self.entry().content_html

    @property
    def summary_html(self) -> str | None:
        return self.entry().summary_html

    def __repr__(self) -> str:
        state = "loaded" if self.loaded else "deferred"
        return f"EntryRef({self.position}, guid={self.guid!r}, link={self.link!r}, {state})"


def _never() -> ParsedEntry:  # pragma: no cover - EntryRef.of sets the entry first
    raise AssertionError("a reference to a built entry has nothing to load")


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A parsed document: the feed's own fields (``feed.entries`` is empty) and references to its entries."""

    feed: ParsedFeed
    entries: tuple[EntryRef, ...]

    @classmethod
    def of(cls, feed: ParsedFeed) -> ParsedDocument:
        """The document of a feed whose entries are all built (feedparser, JSON Feed, Markdown folders)."""
        return cls(replace(feed, entries=()), tuple(EntryRef.of(entry) for entry in feed.entries))

    def whole(self) -> ParsedFeed:
        """The feed with every entry built."""
        return replace(self.feed, entries=tuple(ref.entry() for ref in self.entries))
