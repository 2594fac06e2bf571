"""One parsed entry -> one normalized entry: the composition of the other modules, and the content hash.

Pure and total: the same ``ParsedEntry``, settings and ``now`` always give the same ``NormalizedEntry``, and
no ``ParsedEntry`` (every field None or empty included) makes it raise.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from aggregator.models import Enclosure, NormalizedEntry, ParsedEntry, ParsedFeed
from aggregator.normalize.categories import map_categories
from aggregator.normalize.dates import parse_date, zone
from aggregator.normalize.html import (
    first_image,
    html_to_text,
    is_widget_image,
    sanitize_html,
    sanitized_html_to_text,
)
from aggregator.normalize.language import detect_language, normalize_language
from aggregator.normalize.links import canonical_link, resolve_web_url
from aggregator.normalize.text import clean_author, clean_title, make_summary, strip_control_chars

# Bump whenever the output for the same input changes: stored entries are then normalized again.
# 2: enclosures other than the image are kept (podcast audio was dropped before).
# 3: share buttons and images of feed widgets (FeedFlare) are removed from the content.
# 6: the content hash is taken over the fields' bytes, not over a JSON dump of them.
NORMALIZER_VERSION = 6

SUMMARY_CHARS = 200
FALLBACK_TITLE_CHARS = 80
# A summary this many times longer than the content is the article, and the content a teaser.
_TEASER_FACTOR = 3
UNTITLED = "(untitled)"

# A fixed table rather than ``mimetypes``: its answers depend on the Python version and on /etc/mime.types,
# and image_type feeds the content hash, which must be the same on every machine.
_IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "svg": "image/svg+xml",
    "bmp": "image/bmp",
    "ico": "image/vnd.microsoft.icon",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "heic": "image/heic",
}
# Attachments whose feed gives no usable type: RSS 2.0 requires one on every republished <enclosure>, and
# podcast apps decide from it whether they can play the file.
_ATTACHMENT_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "m4b": "audio/mp4",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/opus",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "pdf": "application/pdf",
    "epub": "application/epub+zip",
    "zip": "application/zip",
    "torrent": "application/x-bittorrent",
}
_TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "audio/mp3": "audio/mpeg",
    "audio/x-mp3": "audio/mpeg",
    "audio/x-mpeg": "audio/mpeg",
    "audio/x-m4a": "audio/mp4",
}
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
# type "/" subtype, in RFC 6838's characters: anything else ("audio/mpeg3 (MP3)") is republished as no type.
_MEDIA_TYPE_RE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_MAX_TYPE_CHARS = 100  # the image_type column
# More than this many attachments on one entry is a broken feed (a gallery pasted as enclosures), not a
# podcast: the first ones are kept.
MAX_ENCLOSURES = 20


@dataclass(frozen=True, slots=True)
class NormalizeSettings:
    """What normalizing needs to know about a source; see docs/configuration.md for each setting."""

    source_name: str
    timezone: str = "UTC"  # IANA name: zone of naive dates and of ambiguous "CST"
    categories: tuple[str, ...] = ()  # the source's configured categories, added to every entry
    aliases: Mapping[str, str] = field(default_factory=dict)  # folded name-or-alias -> canonical name
    language: str | None = None  # configured language: wins over the feed's and the entry's
    max_future_seconds: float = 86400.0  # dates further ahead than now+this are dated now (first seen)

    def __post_init__(self) -> None:
        zone(self.timezone)  # an unknown zone fails here, once, rather than on some entry's naive date

    def fingerprint(self) -> str:
        """A hash of every setting and of :data:`NORMALIZER_VERSION`: when it changes, entries are redone."""
        material = json.dumps(
            [
                NORMALIZER_VERSION,
                self.source_name,
                self.timezone,
                list(self.categories),
                sorted(self.aliases.items()),
                self.language,
                float(self.max_future_seconds),
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(material.encode()).hexdigest()


def content_hash(
    *,
    title: str,
    link: str | None,
    author: str | None,
    published: datetime | None,
    updated: datetime | None,
    content_html: str,
    summary: str,
    image: str | None,
    categories: Sequence[str],
    enclosures: Sequence[Enclosure] = (),
) -> str:
    """sha256 hex of what a reader sees of an entry: an edited title or body changes it, a re-fetch does not.

    ``published`` is the date the feed gave (before clamping), None when it gave none: an undated entry is
    dated "now" when first seen, and that must not make every later fetch look like an edit.

    Each field goes in as its UTF-8 bytes behind their length (lists behind their count), so no two
    different entries share a hash by moving text from one field to the next. Hashing the bytes as they
    are, rather than a JSON dump of the fields as before version 6, takes 7 µs instead of 17 for a
    portal article: JSON escaped every quote of the body first.
    """
    parts: list[bytes] = []
    put = parts.append
    for value in (
        title,
        link,
        author,
        published.astimezone(UTC).isoformat() if published else None,
        updated.astimezone(UTC).isoformat() if updated else None,
        content_html,
        summary,
        image,
    ):
        _put_field(put, value)
    put(len(categories).to_bytes(8, "big"))
    for category in categories:
        _put_field(put, category)
    put(len(enclosures).to_bytes(8, "big"))
    for enclosure in enclosures:
        _put_field(put, enclosure.url)
        _put_field(put, enclosure.type)
        _put_field(put, None if enclosure.length is None else str(enclosure.length))
    return hashlib.sha256(b"".join(parts)).hexdigest()


_MISSING = b"\xff" * 8  # no field is that long: a missing value differs from every string, "" included


def _put_field(put: Callable[[bytes], None], value: str | None) -> None:
    if value is None:
        put(_MISSING)
        return
    data = value.encode("utf-8", "surrogatepass")
    put(len(data).to_bytes(8, "big"))
    put(data)


def _has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def _media_type(given: str | None) -> str:
    """A declared media type without parameters, lower-case, common misspellings mended; "" when none."""
    declared = (given or "").split(";", 1)[0].strip().lower()
    return _TYPE_ALIASES.get(declared, declared)


def _image_type(url: str, given: str | None = None) -> str | None:
    """The declared type when it is an image type, else a guess from the file extension."""
    declared = _media_type(given)
    if declared.startswith("image/") and len(declared) <= _MAX_TYPE_CHARS:
        return declared
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    name = parts.path.rsplit("/", 1)[-1]
    if "." in name:
        return _IMAGE_TYPES.get(name.rsplit(".", 1)[1].lower())
    if "wx_fmt=" in parts.query:  # WeChat's image CDN (mmbiz.qpic.cn): ".../640?wx_fmt=jpeg"
        fmt = parts.query.split("wx_fmt=", 1)[1].split("&", 1)[0].lower()
        return _IMAGE_TYPES.get(fmt)
    return None


def _absolute_url(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    return resolve_web_url(strip_control_chars(url), base)


def _image_url(url: str | None, base: str | None) -> str | None:
    absolute = _absolute_url(url, base)
    return None if absolute is None or is_widget_image(absolute) else absolute


def _pick_image(
    entry: ParsedEntry, content_html: str, base: str | None
) -> tuple[str | None, str | None, int | None]:
    """(url, type, length) of the entry's image: explicit image, image enclosure, thumbnail, first <img>."""
    url = _image_url(entry.image, base)
    if url:
        return url, _image_type(url), None
    for enclosure in entry.enclosures:
        declared = _media_type(enclosure.type)
        if declared.startswith("image/") or (declared in _GENERIC_TYPES and _image_type(enclosure.url)):
            url = _image_url(enclosure.url, base)
            if url:
                length = enclosure.length if enclosure.length and enclosure.length > 0 else None
                return url, _image_type(url, declared), length
    for thumbnail in entry.thumbnails:
        url = _image_url(thumbnail, base)
        if url:
            return url, _image_type(url), None
    url = first_image(content_html)  # already absolute and http(s)
    if url:
        return url, _image_type(url), None
    return None, None, None


def _attachment_type(url: str, given: str | None) -> str | None:
    """The declared type when it names one, else a guess from the file extension, else None."""
    declared = _media_type(given)
    if (
        declared not in _GENERIC_TYPES
        and _MEDIA_TYPE_RE.fullmatch(declared)
        and len(declared) <= _MAX_TYPE_CHARS
    ):
        return declared
    try:
        name = urlsplit(url).path.rsplit("/", 1)[-1]
    except ValueError:
        return None
    if "." in name:
        suffix = name.rsplit(".", 1)[1].lower()
        return _ATTACHMENT_TYPES.get(suffix) or _IMAGE_TYPES.get(suffix)
    return None


def _enclosures(entry: ParsedEntry, image: str | None, base: str | None) -> tuple[Enclosure, ...]:
    """The entry's attachments but its image: absolute http(s) URLs, once each, typed where possible."""
    if not entry.enclosures:
        return ()
    seen = {image} if image else set()
    out: list[Enclosure] = []
    for enclosure in entry.enclosures:
        url = _absolute_url(enclosure.url, base)
        if url is None or url in seen:
            continue
        seen.add(url)
        length = enclosure.length if enclosure.length and enclosure.length > 0 else None
        out.append(Enclosure(url, _attachment_type(url, enclosure.type), length))
        if len(out) == MAX_ENCLOSURES:
            break
    return tuple(out)


def _dates(
    entry: ParsedEntry, settings: NormalizeSettings, now: datetime
) -> tuple[datetime, datetime | None, str | None, datetime | None]:
    """(published, updated, published_raw, the feed's own published date for the content hash)."""
    tz = settings.timezone
    published_raw = entry.published_raw
    given = parse_date(published_raw, tz)
    if given is None:
        published_raw = entry.updated_raw
        given = parse_date(published_raw, tz)
    if given is None:
        published_raw = None
    latest = now + timedelta(seconds=settings.max_future_seconds)
    # Undated entries are dated when first seen, a second apart in document order (the first, newest,
    # gets "now"): their order is kept, and readers and the W3C validator (DuplicateUpdated) see distinct
    # times instead of one timestamp shared by every undated entry of a fetch.
    first_seen = now - timedelta(seconds=max(entry.position, 0))
    published = given if given is not None and given <= latest else first_seen
    updated = parse_date(entry.updated_raw, tz)
    if updated is not None and (updated == published or updated > latest):
        updated = None
    raw = strip_control_chars(published_raw) if published_raw is not None else None
    return published, updated, raw, given


def _body(entry: ParsedEntry) -> str:
    """The entry's full text: its content, unless the content is a teaser of a much longer summary.

    A feed's content is normally the full article and its description a teaser, but not always: feedparser
    also reads a second ``description`` (Open Graph's, nested in an item by Google's Cloud blog) as the
    content, and some portals put a one-line "read more" in ``content:encoded`` beside a full description.
    Taking the shorter one there would publish a teaser in place of the article.
    """
    content, summary = entry.content_html, entry.summary_html
    if not _has_text(content):
        return summary or ""
    assert content is not None  # for mypy: _has_text checked it
    # Lengths of the markup first: the text of both is read only where the summary may be the article.
    if (
        summary
        and len(summary) > _TEASER_FACTOR * len(content)
        and len(html_to_text(summary)) > _TEASER_FACTOR * len(html_to_text(content))
    ):
        return summary
    return content


def _summary(entry: ParsedEntry, body: str, content_text: str) -> str:
    """From the entry's own summary when it is not just a copy of the body, else from the body."""
    text = ""
    summary_html = entry.summary_html
    if summary_html and summary_html is not body and summary_html.strip() != body.strip():
        text = html_to_text(summary_html)
    return make_summary(text or content_text, SUMMARY_CHARS)


def _language(
    entry: ParsedEntry, feed: ParsedFeed, settings: NormalizeSettings, title: str, text: str
) -> str | None:
    """Configured language > the entry's > the feed's > a guess from the text."""
    for code in (settings.language, entry.language, feed.language):
        language = normalize_language(code)
        if language:
            return language
    return detect_language(f"{title}\n{text}")


def normalize_entry(
    entry: ParsedEntry,
    key: str,
    feed: ParsedFeed,
    settings: NormalizeSettings,
    now: datetime,
    *,
    raw_hash: str | None = None,
) -> NormalizedEntry:
    """The stored form of ``entry`` (whose key :func:`~.keys.assign_keys` gave), first seen at ``now``.

    ``raw_hash`` replaces the parser's (the refresh stores it salted with the settings).

    Relative URLs in the content resolve against the entry's base (xml:base or document URL), else its link,
    else the feed's link; a fragment alone (``#notes``) against its link: the anchor is on the article's page,
    not in the feed. ``now`` must be timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be a timezone-aware datetime")
    now = now.astimezone(UTC)
    link = canonical_link(entry.link, entry.base_url, anchor=True)
    base = entry.base_url or link or canonical_link(feed.link)
    body = _body(entry)
    content_html = sanitize_html(body, base, page_url=link)
    content_text = sanitized_html_to_text(content_html)
    summary = _summary(entry, body, content_text)
    own_title = clean_title(entry.title, entry.title_is_html)
    title = own_title or make_summary(summary, FALLBACK_TITLE_CHARS) or UNTITLED
    author = clean_author(entry.author)
    published, updated, published_raw, given = _dates(entry, settings, now)
    image, image_type, image_length = _pick_image(entry, content_html, base)
    enclosures = _enclosures(entry, image, base)
    categories = map_categories(entry.categories, settings.categories, settings.aliases)
    language = _language(entry, feed, settings, own_title, content_text or summary)
    digest = content_hash(
        title=title,
        link=link,
        author=author,
        published=given,
        updated=updated,
        content_html=content_html,
        summary=summary,
        image=image,
        categories=categories,
        enclosures=enclosures,
    )
    return NormalizedEntry(
        key=key,
        link=link,
        title=title,
        author=author,
        published=published,
        updated=updated,
        published_raw=published_raw,
        summary=summary,
        content_html=content_html,
        content_text=content_text,
        image=image,
        image_type=image_type,
        image_length=image_length,
        language=language,
        categories=categories,
        content_hash=digest,
        raw_hash=entry.raw_hash if raw_hash is None else raw_hash,
        enclosures=enclosures,
    )
