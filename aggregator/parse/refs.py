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
from typing import Any

from aggregator.models import ParsedEntry, ParsedFeed

__all__ = ["EntryRef", "Identity", "ParsedDocument", "StaleEntry"]

#: (GUID, link, base URL) of an entry, as :class:`~aggregator.models.ParsedEntry` has them.
Identity = tuple[str | None, str | None, str | None]


class StaleEntry(Exception):  # noqa: N818 (a signal to the caller: "read the document again, eagerly")
    """A deferred entry could not be read as the hash that let it be deferred promised.

    A deferred entry's raw hash covers its bytes, the document context and the fast path's version, and
    matched an entry the fast path read before, so reading it cannot fail; this is the safety net if it
    does (a hash collision, or a change to the fast path without a version bump): the caller reads the
    document again without deferring.
    """


class EntryRef:
    """One entry of a document: its position and raw hash at once; its identity and the rest lazily.

    The identity (GUID, link, base URL) is what :func:`~aggregator.normalize.assign_keys` reads to give the
    entry its key, and is itself read only when asked: the key an unchanged entry had last time is usually
    known from its raw hash (see :func:`aggregator.processing.process_document`). ``title``,
    ``content_html`` and ``summary_html`` are there for ``assign_keys`` too, which needs them only to tell
    apart entries that share a GUID or link: reading them builds the entry.
    """

    __slots__ = ("_entry", "_identify", "_identity", "_load", "position", "raw_hash")

    def __init__(
        self,
        position: int,
        raw_hash: str,
        identify: Callable[[], Identity],
        load: Callable[[], ParsedEntry],
    ) -> None:
        self.position = position
        self.raw_hash = raw_hash
        self._identify: Callable[[], Identity] | None = identify
        self._identity: Identity | None = None
        self._load: Callable[[], ParsedEntry] | None = load
        self._entry: ParsedEntry | None = None

    @classmethod
    def of(cls, entry: ParsedEntry) -> EntryRef:
        """A reference to an entry already built."""
        ref = cls(entry.position, entry.raw_hash, _never, _never)
        ref._entry = entry
        ref._identity = (entry.guid, entry.link, entry.base_url)
        ref._load = ref._identify = None
        return ref

    @property
    def loaded(self) -> bool:
        """Whether the whole entry has been built (for tests and diagnostics)."""
        return self._entry is not None

    @property
    def identified(self) -> bool:
        """Whether the identity has been read (for tests and diagnostics)."""
        return self._identity is not None

    def entry(self) -> ParsedEntry:
        """The whole entry, built on the first call."""
        if self._entry is None:
            assert self._load is not None
            self._entry = self._load()
            self._load = None  # the loader holds the document's tree: let it go
            if self._identity is None:
                self._identity = (self._entry.guid, self._entry.link, self._entry.base_url)
                self._identify = None
        return self._entry

    def identity(self) -> Identity:
        """(GUID, link, base URL), read on the first call."""
        if self._identity is None:
            assert self._identify is not None
            self._identity = self._identify()
            self._identify = None
        return self._identity

    @property
    def guid(self) -> str | None:
        return self.identity()[0]

    @property
    def link(self) -> str | None:
        return self.identity()[1]

    @property
    def base_url(self) -> str | None:
        return self.identity()[2]

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
        state = "loaded" if self.loaded else "identified" if self.identified else "deferred"
        return f"EntryRef({self.position}, raw_hash={self.raw_hash[:12]!r}, {state})"


def _never() -> Any:  # pragma: no cover - EntryRef.of sets the entry and its identity first
    raise AssertionError("a reference to a built entry has nothing to read")


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
