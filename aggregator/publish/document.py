"""What a renderer is given: one published feed and its entries, and the rules every format shares.

A :class:`FeedDocument` is plain data built by the caller (selection and orchestration live elsewhere); the
renderers in ``rss``, ``atom`` and ``jsonfeed`` turn it into bytes and hold no state, so the same document
always renders to the same bytes. The helpers here are the decisions all three formats must agree on: which
time a feed carries, what an entry's id is, how dates are normalized, and which entries survive.
"""

from __future__ import annotations

import html
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

from aggregator.errors import PublishError
from aggregator.models import Enclosure, StoredEntry
from aggregator.publish.xmlsafe import xml_safe_fields

log = logging.getLogger(__name__)

MEDIA_TYPES: Mapping[str, str] = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
"""``Content-Type`` of each format, for HTTP responses."""

LINK_TYPES: Mapping[str, str] = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
"""The bare media type of each format, for ``type=`` attributes of links (no parameters there)."""

FILE_SUFFIXES: Mapping[str, str] = {"rss": ".rss", "atom": ".atom", "json": ".json"}

if TYPE_CHECKING:
    RENDERERS: Mapping[str, Callable[[FeedDocument], bytes]]
    """Format name -> renderer; defined in the package, re-exported here by :func:`__getattr__`."""


def __getattr__(name: str) -> object:
    """Re-export ``RENDERERS`` from the package on first use (PEP 562).

    The renderers import this module, so this module cannot import them while it loads; the mapping lives in
    ``aggregator.publish`` and is fetched from there when asked for, by then fully initialized.
    """
    if name == "RENDERERS":
        from aggregator.publish import RENDERERS

        return RENDERERS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)
"""The ``updated``/``lastBuildDate`` of a feed with no entries: 2000-01-01T00:00:00Z.

A feed's time is its newest entry's time, never "now", so that an unchanged feed renders to identical bytes
(and the same ETag). An empty feed has no newest entry; a fixed, obviously artificial date keeps it
deterministic and valid in every format. Not the Unix epoch: the W3C validator reports any date before 1990
as implausible ("ImplausibleDate").
"""

UNTITLED = "Untitled"
"""Title of an entry that has none (Atom and feedgen require one); its summary is preferred when present."""

FALLBACK_IMAGE_TYPE = "image/jpeg"
"""Media type announced for an entry image whose type is unknown and not guessable from its URL.

RSS 2.0 requires ``type`` on ``<enclosure>``. Readers only look at the ``image/`` prefix to decide to show
it, and browsers sniff the actual bytes, so a wrong image subtype is harmless where
``application/octet-stream`` would turn the picture into a download.
"""


FALLBACK_ENCLOSURE_TYPE = "application/octet-stream"
"""Media type announced for an attachment whose feed gave none and whose URL suffix says nothing: RSS 2.0 and
JSON Feed require one, and this one makes no promise the file would not keep."""


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """One page of one published feed, ready to render in any format.

    ``entries`` are already selected, sorted newest first and capped by the caller; renderers keep that
    order. ``self_urls`` and ``next_page_urls`` map a format name (``rss``, ``atom``, ``json``) to absolute
    URLs. ``description`` may be empty: formats that require one use the title instead.
    """

    name: str
    title: str
    description: str
    site_url: str
    self_urls: Mapping[str, str]
    language: str | None = None
    icon: str | None = None
    logo: str | None = None
    ttl_minutes: int | None = None
    hub_url: str | None = None
    next_page_urls: Mapping[str, str] = field(default_factory=dict)
    generator: str = "aggregator"
    generator_uri: str | None = None
    entries: tuple[StoredEntry, ...] = ()


def utc(value: datetime, what: str) -> datetime:
    """``value`` in UTC, to the second; a naive datetime is a bug upstream and is refused.

    Seconds are enough for every format (RSS cannot carry more), and dropping microseconds keeps the three
    formats showing the same instant.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise PublishError(
            f"{what} is a naive datetime ({value.isoformat()}); publishing needs aware UTC times"
        )
    return value.astimezone(UTC).replace(microsecond=0)


def entry_updated(entry: StoredEntry) -> datetime:
    """When the entry last changed: its ``updated`` time, never earlier than its ``published`` time."""
    published = utc(entry.published, f"entry {entry.id} published")
    if entry.updated is None:
        return published
    return max(published, utc(entry.updated, f"entry {entry.id} updated"))


def feed_updated(doc: FeedDocument) -> datetime:
    """The feed's own time: the newest entry time (not "now"), or :data:`EMPTY_FEED_UPDATED` when empty."""
    if not doc.entries:
        return EMPTY_FEED_UPDATED
    return max(entry_updated(entry) for entry in doc.entries)


def entry_id(entry: StoredEntry) -> str:
    """The published id of an entry: ``urn:uuid:`` and its uid (RFC 4122 URN, an IRI as Atom requires)."""
    try:
        canonical = uuid.UUID(entry.uid)
    except ValueError:
        raise PublishError(f"entry {entry.id} has uid {entry.uid!r}, which is not a UUID") from None
    return canonical.urn


def is_web_url(value: str | None) -> bool:
    """True for an absolute http(s) URL.

    A local source's location is a filesystem path: it must not be published as a URL (it would be invalid
    and would leak the server's layout).
    """
    if not value:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


_URI_SAFE = "/:@!$&'()*+,;=-._~%?#[]"  # RFC 3986 reserved and unreserved characters, and "%" (no re-encoding)


def web_uri(value: str) -> str:
    """``value`` as a URI: a non-ASCII host in IDNA, other non-ASCII characters and spaces percent-encoded.

    Chinese portals link to IRIs (``https://例子.cn/文章``); RSS 2.0 wants URLs and the W3C validator rejects
    non-ASCII in ``<link>``, ``<guid>`` or ``url=``. Every reader resolves the encoded form to the same page.
    ASCII URLs come back unchanged.
    """
    if value.isascii() and " " not in value:
        return value
    parts = urlsplit(value)
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="")
        netloc = userinfo + at + host + colon + port
    path, query, fragment = (
        quote(part, safe=_URI_SAFE) for part in (parts.path, parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def _uri(value: str | None) -> str | None:
    return web_uri(value) if value is not None and is_web_url(value) else value


# Query parameters that carry a subscriber's secret in private feed URLs (Feedbin, Inoreader, GitHub,
# Patreon, Substack, RSSHub's own `key`...): compared case-insensitively, with "-" as "_".
_SECRET_PARAMETERS = frozenset(
    {
        "token", "access_token", "auth", "auth_token", "authtoken", "key", "apikey", "api_key", "secret",
        "password", "passwd", "pass", "sig", "signature", "private_token", "session", "sessionid",
    }
)  # fmt: skip


def _without_credentials(url: str) -> str:
    """A source's URL as published: a user name and password in it (``https://user:pw@host/feed``, how a
    private feed is configured), and query parameters named as secrets (``?token=...``), are the operator's
    secret, not part of the feed's address."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
    if parts.query:
        pairs = [pair for pair in parts.query.split("&") if pair]
        kept = [p for p in pairs if p.partition("=")[0].lower().replace("-", "_") not in _SECRET_PARAMETERS]
        if len(kept) != len(pairs):
            parts = parts._replace(query="&".join(kept))
    return urlunsplit(parts)


def _with_uris(doc: FeedDocument) -> FeedDocument:
    """``doc`` with every web address in it turned into a URI (:func:`web_uri`)."""
    entries = tuple(
        replace(
            entry,
            link=_uri(entry.link),
            image=_uri(entry.image),
            enclosures=tuple(
                replace(enclosure, url=web_uri(enclosure.url))
                for enclosure in entry.enclosures
                if is_web_url(enclosure.url)
            ),
            source_url=_uri(_without_credentials(entry.source_url)) or entry.source_url,
            source_link=_uri(entry.source_link),
        )
        for entry in doc.entries
    )
    return replace(
        doc,
        site_url=web_uri(doc.site_url),
        self_urls={fmt: web_uri(url) for fmt, url in doc.self_urls.items()},
        next_page_urls={fmt: web_uri(url) for fmt, url in doc.next_page_urls.items()},
        icon=_uri(doc.icon),
        logo=_uri(doc.logo),
        hub_url=_uri(doc.hub_url),
        generator_uri=_uri(doc.generator_uri),
        entries=entries,
    )


_IMAGE_TYPES_BY_SUFFIX: Mapping[str, str] = {
    ".avif": "image/avif",
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
"""A fixed table rather than :mod:`mimetypes`, whose answers depend on the host's mime.types files."""


def image_type(entry: StoredEntry) -> str:
    """The media type of the entry's image: as stored, else from the URL's suffix, else a generic one."""
    if entry.image_type:
        return entry.image_type
    path = urlsplit(entry.image or "").path.lower()
    for suffix, media_type in _IMAGE_TYPES_BY_SUFFIX.items():
        if path.endswith(suffix):
            return media_type
    return FALLBACK_IMAGE_TYPE


def enclosure_type(enclosure: Enclosure) -> str:
    """The attachment's media type as stored, else :data:`FALLBACK_ENCLOSURE_TYPE`."""
    return enclosure.type or FALLBACK_ENCLOSURE_TYPE


def description_or_title(doc: FeedDocument) -> str:
    """RSS requires a channel description: an empty one falls back to the title."""
    return doc.description or doc.title


def source_title(entry: StoredEntry) -> str:
    """The origin feed's display title, its configured name when the feed has none."""
    return entry.source_title or entry.source_name


def unique_entries(entries: tuple[StoredEntry, ...]) -> tuple[StoredEntry, ...]:
    """``entries`` without later repeats of a uid: two entries with one id make every format invalid.

    The first (newest) occurrence is kept; a repeat is a bug upstream, logged rather than fatal, so that one
    bad row does not stop a whole feed from being published.
    """
    seen: set[str] = set()
    kept: list[StoredEntry] = []
    for entry in entries:
        key = entry_id(entry)
        if key in seen:
            log.warning(
                "duplicate entry uid dropped from published feed uid=%s entry=%s", entry.uid, entry.id
            )
            continue
        seen.add(key)
        kept.append(entry)
    return tuple(kept)


def entry_title(entry: StoredEntry) -> str:
    """The entry's title; a blank one falls back to the start of its summary, then to :data:`UNTITLED`."""
    if entry.title.strip():
        return entry.title
    summary = " ".join(entry.summary.split())
    if not summary:
        return UNTITLED
    return summary if len(summary) <= _TITLE_FROM_SUMMARY else summary[: _TITLE_FROM_SUMMARY - 1] + "…"


_TITLE_FROM_SUMMARY = 80


def entry_categories(entry: StoredEntry) -> list[str]:
    """The entry's categories in their stored order, without repeats or blanks (both invalid in Atom)."""
    return [name for name in dict.fromkeys(entry.categories) if name.strip()]


def entry_html(entry: StoredEntry) -> str:
    """The entry's body as HTML: its sanitized content, else its escaped summary, else its escaped title.

    Never empty, so that every format has a body to show (Atom and JSON Feed require one when there is no
    link, and the W3C validator flags an empty ``content``).
    """
    if entry.content_html.strip():
        return entry.content_html
    return html.escape(entry.summary.strip() or entry_title(entry), quote=False)


def prepare(doc: FeedDocument) -> FeedDocument:
    """The document every renderer works from: XML-safe strings, URIs, checked ids and times, unique ids.

    Problems that would make the output invalid are found here, before any format is started, and raised as
    :class:`PublishError` naming the feed and entry: a naive datetime or a uid that is not a UUID is a bug
    upstream, not something to paper over.
    """
    doc = xml_safe_fields(doc)
    if not doc.title.strip():
        raise PublishError(f"feed {doc.name!r} has an empty title")
    if not is_web_url(doc.site_url):
        raise PublishError(f"feed {doc.name!r}: site_url {doc.site_url!r} is not an absolute http(s) URL")
    for fmt, url in (*doc.self_urls.items(), *doc.next_page_urls.items()):
        if not is_web_url(url):
            raise PublishError(f"feed {doc.name!r}: {fmt} URL {url!r} is not an absolute http(s) URL")
    if doc.ttl_minutes is not None and doc.ttl_minutes < 0:
        raise PublishError(f"feed {doc.name!r}: ttl_minutes must not be negative")
    entries = unique_entries(doc.entries)
    for entry in entries:
        entry_updated(entry)  # raises on a naive datetime
    return _with_uris(replace(doc, entries=entries))
