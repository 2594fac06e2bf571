"""Plain data that travels between the layers of the pipeline.

config -> fetch (:class:`FetchedDocument`) -> parse (:class:`ParsedFeed` of :class:`ParsedEntry`)
-> normalize (:class:`NormalizedEntry`) -> store -> (:class:`StoredEntry`, :class:`SourceState`) -> publish.

Each stage has its own frozen dataclass so that no layer depends on another layer's library objects:
feedparser dicts stay inside ``parse``, ORM rows stay inside ``store``, feedgen stays inside ``publish``.
All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """Where a source's documents come from."""

    HTTP = "http"
    FILE = "file"  # one local feed file (RSS, Atom, RDF, JSON Feed)
    FOLDER = "folder"  # a folder of Markdown articles with YAML front matter


class FetchStatus(StrEnum):
    """Outcome of one attempt to refresh a source, as recorded in the fetch log."""

    OK = "ok"  # new document fetched and parsed (possibly with warnings)
    NOT_MODIFIED = "not_modified"  # HTTP 304, or a local source whose files did not change
    ERROR = "error"  # fetch or parse failed; the source keeps its entries and is retried with backoff
    GONE = "gone"  # HTTP 410: polling stops until the configuration changes the URL


# --------------------------------------------------------------------------------------------- fetch


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """The bytes of a document and what the transport said about them.

    ``body`` is None when the server answered 304 Not Modified. ``permanent_url`` is set when every
    redirect on the way was permanent (301/308): the source's stored URL should move there.
    ``headers`` has lower-case names.
    """

    url: str
    status: int
    body: bytes | None
    headers: Mapping[str, str] = field(default_factory=dict)
    final_url: str | None = None
    permanent_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: int = 0

    @property
    def not_modified(self) -> bool:
        return self.body is None


# --------------------------------------------------------------------------------------------- parse


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file attached to an entry: an RSS ``<enclosure>``, an Atom ``rel="enclosure"`` link, a JSON Feed
    attachment. Podcast episodes are their audio enclosure; once normalized, ``url`` is absolute http(s)."""

    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as the document gives it, before any normalization.

    HTML fields are raw (unsanitized, relative URLs unresolved) and plain-text content has already been
    turned into escaped HTML. Dates are the raw strings: one module (``normalize.dates``) reads them, in the
    source's timezone. ``raw_hash`` identifies the entry's source material, so an unchanged entry can be
    skipped before the expensive normalization.
    """

    position: int
    guid: str | None = None
    link: str | None = None
    title: str | None = None
    title_is_html: bool = False
    summary_html: str | None = None
    content_html: str | None = None
    author: str | None = None
    published_raw: str | None = None
    updated_raw: str | None = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    thumbnails: tuple[str, ...] = ()  # media:thumbnail, media:content images
    image: str | None = None  # an explicit image (front matter headimg/thumbnail, JSON Feed image)
    base_url: str | None = None  # xml:base or the document URL, for resolving relative links
    language: str | None = None
    raw_hash: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole document: feed-level metadata, its entries, and non-fatal warnings."""

    title: str | None = None
    link: str | None = None
    description: str | None = None
    language: str | None = None
    icon: str | None = None
    ttl_seconds: int | None = None  # from <ttl> or sy:updatePeriod/sy:updateFrequency
    format: str = ""  # rss20, atom10, rss10, json11, markdown, ...
    encoding: str | None = None
    entries: tuple[ParsedEntry, ...] = ()
    warnings: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------- normalize


@dataclass(frozen=True, slots=True)
class NormalizedEntry:
    """An entry ready to be stored: stable key, canonical link, UTC dates, sanitized HTML, plain text."""

    key: str
    link: str | None
    title: str
    author: str | None
    published: datetime
    updated: datetime | None
    published_raw: str | None
    summary: str
    content_html: str
    content_text: str
    image: str | None
    image_type: str | None
    image_length: int | None
    language: str | None
    categories: tuple[str, ...]
    content_hash: str
    raw_hash: str
    enclosures: tuple[Enclosure, ...] = ()  # attachments other than ``image`` (podcast audio, video, PDF)

    def __reduce__(self) -> tuple[type[NormalizedEntry], tuple[object, ...]]:
        # Pickled by the thousand from pool workers: the fields in one C call, where the default state
        # of a slots dataclass is built field by field in Python (half the pickling time, 0.3 ms per feed).
        return NormalizedEntry, _NORMALIZED_FIELDS(self)


_NORMALIZED_FIELDS = operator.attrgetter(*(f.name for f in fields(NormalizedEntry)))

# --------------------------------------------------------------------------------------------- store


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the database knows about one source: its identity and its fetch state."""

    id: int
    name: str
    kind: SourceKind
    location: str  # URL (possibly moved by a permanent redirect) or absolute local path
    configured_location: str
    title: str | None
    site_link: str | None
    enabled: bool
    gone: bool
    etag: str | None
    last_modified: str | None
    next_check_at: datetime | None
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_new_entry_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_errors: int
    feed_ttl_seconds: int | None
    stale: bool = False
    stale_reason: str | None = None
    rules_fingerprint: str | None = None  # of the rules that read the stored document (SourceRules)
    document_hash: str | None = None  # of the last document read, when it gave nothing to store


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry read back from the database, with what publishing needs to know of its source."""

    id: int
    uid: str  # the published id/guid: assigned once, never changes
    source_name: str
    source_title: str | None
    source_url: str
    source_link: str | None
    key: str
    link: str | None
    title: str
    author: str | None
    published: datetime
    updated: datetime | None
    first_seen: datetime
    summary: str
    content_html: str
    content_text: str
    image: str | None
    image_type: str | None
    image_length: int | None
    language: str | None
    categories: tuple[str, ...]
    content_hash: str = ""  # changes whenever what a reader sees changes
    enclosures: tuple[Enclosure, ...] = ()


# -------------------------------------------------------------------------------------------- update


@dataclass(frozen=True, slots=True)
class SourceResult:
    """The outcome of refreshing one source; an error is a value, never an exception."""

    source: str
    status: FetchStatus
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    filtered: int = 0
    duration_ms: int = 0
    bytes: int = 0
    http_status: int | None = None
    error: str | None = None
    error_kind: str | None = None
    warnings: tuple[str, ...] = ()
    next_check_at: datetime | None = None
    moved_to: str | None = None
    stale_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """What one refresh of a source intends to write to its row and to the fetch log.

    ``None`` in the optional metadata fields means "keep what is stored"; validators (``etag``,
    ``last_modified``) are written as given whenever ``status`` is OK (a server may stop sending them).
    """

    source_id: int
    started_at: datetime
    status: FetchStatus
    next_check_at: datetime | None
    duration_ms: int = 0
    bytes: int = 0
    http_status: int | None = None
    error: str | None = None
    error_kind: str | None = None
    count_error: bool = True  # False when the failure is not the source's fault (the whole network is down)
    filtered: int = 0
    etag: str | None = None
    last_modified: str | None = None
    rules_fingerprint: str | None = None  # on OK: of the rules that processed the document
    document_hash: str | None = None  # on OK: sha256 of the document, when it gave nothing to store
    # The document was read again whole because those rules changed: what differs in its entries is our
    # doing, not an edit by the publisher, and gives them no "updated" time.
    rules_changed: bool = False
    # Keys of pruned entries that the source's document no longer carries: their tombstones can go (kept,
    # every refresh would read them all, a number growing for as long as the daemon runs).
    obsolete_tombstones: tuple[str, ...] = ()
    moved_to: str | None = None
    title: str | None = None
    site_link: str | None = None
    language: str | None = None
    feed_ttl_seconds: int | None = None
    warnings: tuple[str, ...] = ()
    stale_reason: str | None = None  # set on success when the source looks silently broken
