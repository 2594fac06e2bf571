"""RSS, Atom and RDF through feedparser, into our dataclasses. The only module that sees feedparser's dicts.

feedparser is called on prepared bytes (see :mod:`aggregator.parse.prepare`) wrapped in a stream, never
on a URL or a path: given bare bytes it tries ``open(bytes)`` first, so a body that happens to be a file
name (``b"/etc/passwd"``) would be read from disk. Its sanitizer and URI resolver are off (our normalize
package does both, twice as fast overall), and its parsed dates are never used: it reads
``2024年3月5日 10:30`` as 2024-11-01, so raw date strings go to ``normalize.dates``.

Values are read with ``dict.get``: ``FeedParserDict.__getitem__`` maps ``updated`` to ``published`` with a
DeprecationWarning and ``description`` to ``summary``, which would blur what the document said.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import xml.sax
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import feedparser
from feedparser.exceptions import ThingsNobodyCaresAboutButMe

from aggregator.errors import ParseError
from aggregator.models import Enclosure, ParsedEntry, ParsedFeed
from aggregator.parse.jsonfeed import text_to_html
from aggregator.parse.prepare import PreparedXML

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
TEXT_TYPES = frozenset({"text/plain", "text"})
_CLOSING_TAG_RE = re.compile(
    r"</(?:p|div|span|a|li|ul|ol|h[1-6]|table|blockquote|pre|figure|em|strong)\s*>", re.I
)
_IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "jpe", "png", "gif", "webp", "avif"})
_PERIOD_SECONDS = {"hourly": 3600, "daily": 86400, "weekly": 604800, "monthly": 2592000, "yearly": 31536000}


# --------------------------------------------------------------------------------------- dict access


def _get(mapping: object, key: str) -> Any:
    """``mapping[key]`` without FeedParserDict's key aliases, or None."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _text(value: object) -> str | None:
    """A stripped non-empty string, or None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _dicts(value: object) -> Iterable[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _dedupe(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


# ------------------------------------------------------------------------------------------- entries


def looks_like_markup(text: str) -> bool:
    """Plain text that is an HTML document body: it opens with a tag and closes common elements.

    Atom says content without a ``type`` is text, and Adobe's blog sends its whole HTML that way: escaped,
    readers would show every tag. A text that merely mentions ``</p>`` does not open with a tag.
    """
    return text.lstrip().startswith("<") and _CLOSING_TAG_RE.search(text) is not None


def _detail_html(detail: object) -> str | None:
    """The HTML of a feedparser text construct: HTML as is, plain text escaped, blank as None."""
    value = _get(detail, "value")
    if not isinstance(value, str) or not value.strip():
        return None
    kind = _get(detail, "type")
    if kind in TEXT_TYPES and not looks_like_markup(value):
        return text_to_html(value)
    return value


def _pick_content(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The longest HTML/XHTML content (several when content:encoded and Atom content coexist), else text."""
    contents = [c for c in _dicts(_get(entry, "content")) if isinstance(_get(c, "value"), str)]
    html = [c for c in contents if _get(c, "type") in HTML_TYPES and c["value"].strip()]
    if html:
        return max(html, key=lambda c: len(c["value"]))  # max keeps the first of equal lengths
    text = [c for c in contents if _get(c, "type") in TEXT_TYPES and c["value"].strip()]
    return text[0] if text else None


def _link(item: Mapping[str, Any], guid: str | None) -> str | None:
    """The rel=alternate link (an HTML one first), else ``link`` unless it is a copy of a non-URL id.

    feedparser copies the id into ``link`` when there is no link (``guidislink``): right for an RSS
    ``<guid isPermaLink="true">``, wrong for an Atom ``urn:`` or YouTube ``yt:video:`` id.
    """
    alternates = [
        candidate
        for candidate in _dicts(_get(item, "links"))
        if _get(candidate, "rel") in (None, "alternate") and _text(candidate.get("href"))
    ]
    for candidate in alternates:
        if _get(candidate, "type") in (None, "text/html", "application/xhtml+xml"):
            return _text(candidate["href"])
    if alternates:
        return _text(alternates[0]["href"])
    link = _text(_get(item, "link"))
    if link and link == guid and not link.lower().startswith(("http://", "https://", "/")):
        return None
    return link


def _enclosures(entry: Mapping[str, Any]) -> tuple[Enclosure, ...]:
    result: dict[str, Enclosure] = {}
    for link in _dicts(_get(entry, "links")):
        if _get(link, "rel") != "enclosure":
            continue
        url = _text(link.get("href")) or _text(link.get("url"))
        if url and url not in result:
            length = _int(link.get("length"))
            result[url] = Enclosure(
                url=url, type=_text(link.get("type")), length=length if length and length > 0 else None
            )
    return tuple(result.values())


def _is_image(media: Mapping[str, Any]) -> bool:
    """A media:content that is an image: so declared, or declaring nothing and named like one.

    The Guardian and Google's Cloud blog give their pictures as a bare ``url`` with a width and no type.
    """
    kind = (_text(media.get("type")) or "").lower()
    medium = _text(media.get("medium"))
    if medium == "image" or kind.startswith("image/"):
        return True
    if medium or kind:
        return False
    name = (_text(media.get("url")) or "").split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[1].lower() in _IMAGE_EXTENSIONS


def _width(media: Mapping[str, Any]) -> int:
    try:
        return int(_text(media.get("width")) or 0)
    except ValueError:
        return 0


def _thumbnails(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Thumbnails, then media:content images widest first (feeds list a small size before a large one)."""
    urls: list[str | None] = [_text(t.get("url")) for t in _dicts(_get(entry, "media_thumbnail"))]
    images = [media for media in _dicts(_get(entry, "media_content")) if _is_image(media)]
    urls.extend(_text(media.get("url")) for media in sorted(images, key=_width, reverse=True))
    urls.append(_text(_get(_get(entry, "image"), "href")))  # itunes:image of a podcast episode
    return _dedupe(urls)


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    return _dedupe(_text(tag.get("term")) or _text(tag.get("label")) for tag in _dicts(_get(entry, "tags")))


def _author(entry: Mapping[str, Any]) -> str | None:
    """Every author's name, in document order, once each ("Jane, John").

    feedparser's own ``author`` is the last one met (the second of two Atom authors, the last dc:creator),
    which credited co-written articles to their second author alone.
    """
    names = _dedupe(_text(_get(person, "name")) for person in _dicts(_get(entry, "authors")))
    if names:
        return ", ".join(names)
    return _text(_get(_get(entry, "author_detail"), "name")) or _text(_get(entry, "author"))


def hash_fields(fields: Mapping[str, object]) -> str:
    """sha256 of the canonical JSON of what we read from an entry (not its position: moving is no change)."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, Enclosure):
        return [value.url, value.type, value.length]
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@dataclass(frozen=True, slots=True)
class EntryContext:
    """What converting an entry needs to know about its document, besides the entry's own dict."""

    url: str | None
    feed_language: str | None
    rss: bool
    feed_link: str | None
    feed_author: str | None = None  # an Atom feed's author: RFC 4287 §4.2.1 applies it to entries without one


def convert_entry(
    entry: Mapping[str, Any], position: int, context: EntryContext, raw_hash: str | None = None
) -> ParsedEntry:
    """One entry's dict as our dataclass; ``raw_hash`` defaults to the hash of the fields read."""
    guid = _text(_get(entry, "id"))
    title_detail = _get(entry, "title_detail")
    content = _pick_content(entry)
    # Without a summary of its own, feedparser copies the content into ``summary`` (no ``summary_detail``).
    summary_detail = _get(entry, "summary_detail")
    details = [d for d in (content, summary_detail, title_detail) if isinstance(d, dict)]
    link = _link(entry, guid)
    fields: dict[str, Any] = {
        "guid": guid,
        "link": link,
        "title": _text(_get(entry, "title")),
        "title_is_html": _get(title_detail, "type") in HTML_TYPES,
        "summary_html": _detail_html(summary_detail),
        "content_html": _detail_html(content) if content else None,
        "author": _author(entry) or context.feed_author,
        "published_raw": _text(_get(entry, "published")) or _text(_get(entry, "created")),
        "updated_raw": _text(_get(entry, "updated")),
        "categories": _categories(entry),
        "enclosures": _enclosures(entry),
        "thumbnails": _thumbnails(entry),
        "base_url": entry_base_url(link, context, [d.get("base") for d in details[:2]]),
        "language": _text(_get(entry, "language"))
        or next((lang for d in details if (lang := _text(d.get("language")))), None)
        or context.feed_language,
    }
    raw = hash_fields(fields) if raw_hash is None else raw_hash
    return ParsedEntry(position=position, raw_hash=raw, **fields)


def convert_identity(
    entry: Mapping[str, Any], context: EntryContext
) -> tuple[str | None, str | None, str | None]:
    """(guid, link, base URL) of an entry, as :func:`convert_entry` gives them, from its id and links alone.

    Exact when no xml:base is in play (the base of the entry's text constructs is the document URL or
    nothing): the base URL then depends on the entry's link and the document, not on its text constructs.
    """
    guid = _text(_get(entry, "id"))
    link = _link(entry, guid)
    return guid, link, entry_base_url(link, context, ())


def entry_base_url(link: str | None, context: EntryContext, bases: Sequence[object]) -> str | None:
    """The base for relative URLs in the entry's HTML; ``bases``: of its content, summary or title, in order.

    Atom has xml:base semantics (RFC 4287 §2): the document URL is the base unless xml:base says otherwise.
    RSS has none; portals write relative links meaning their own site, and serve the feed from elsewhere
    (a CDN, FeedBurner, an RSSHub instance), so unless the document sets xml:base explicitly, the entry's
    own link is the better base (normalize falls back to it, then to the feed's link), as Miniflux does;
    the document URL remains the base of last resort.
    """
    url = context.url
    base = next((b for candidate in bases if (b := _text(candidate))), None)
    if context.rss and (not base or base == url):
        return None if (link or context.feed_link) else url
    return base or url


# ---------------------------------------------------------------------------------------------- feed


def ttl_seconds(feed: Mapping[str, Any]) -> int | None:
    """``<ttl>`` minutes, else ``sy:updatePeriod`` divided by ``sy:updateFrequency``."""
    minutes = _int(_get(feed, "ttl"))
    if minutes and minutes > 0:
        return minutes * 60
    period = _text(_get(feed, "sy_updateperiod"))
    if period and period.lower() in _PERIOD_SECONDS:
        frequency = _int(_get(feed, "sy_updatefrequency")) or 1
        return _PERIOD_SECONDS[period.lower()] // max(frequency, 1)
    return None


def _describe(exception: object) -> str:
    if isinstance(exception, xml.sax.SAXParseException):
        line, column = exception.getLineNumber(), exception.getColumnNumber()
        return f"line {line}, column {column}: {exception.getMessage()}"
    return f"{type(exception).__name__}: {exception}" if str(exception) else type(exception).__name__


def run_feedparser(body: bytes, *, media_type: str, url: str | None) -> Any:
    """feedparser on UTF-8 bytes; any exception it raises becomes a :class:`ParseError`."""
    headers = {"content-type": f"{media_type or 'application/xml'}; charset=utf-8"}
    if url:
        headers["content-location"] = url
    try:
        return feedparser.parse(
            io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as e:  # feedparser's failures have no common base class
        raise ParseError(f"no entries could be read: the feed parser failed ({_describe(e)})") from e


def convert_feed(
    result: Any, prepared: PreparedXML, *, url: str | None
) -> tuple[ParsedFeed, EntryContext, str | None]:
    """(the feed without its entries, what converting them needs, why the XML was malformed or None)."""
    warnings = list(prepared.warnings)
    malformed = None
    if _get(result, "bozo"):
        exception = _get(result, "bozo_exception")
        if isinstance(exception, ThingsNobodyCaresAboutButMe):
            warnings.append(_describe(exception))
        else:
            malformed = _describe(exception)
            warnings.append(f"recovered from malformed XML: {malformed}")
    feed = _get(result, "feed") or {}
    language = _text(_get(feed, "language")) or _text(_get(_get(feed, "title_detail"), "language"))
    version = _text(_get(result, "version")) or ""
    context = EntryContext(
        url=url,
        feed_language=language,
        rss=version.startswith("rss"),
        feed_link=_text(_get(feed, "link")),
        # Only Atom's: feedparser also reads RSS's managingEditor as the feed's author, who edits the
        # channel rather than writing each item.
        feed_author=_author(feed) if version.startswith("atom") else None,
    )
    if version == "rss091u" and prepared.netscape_doctype:
        version = "rss091n"  # feedparser tells them apart by the DOCTYPE, which we removed
    parsed = ParsedFeed(
        title=_text(_get(feed, "title")),
        link=_link(feed, _text(_get(feed, "id"))),
        description=_text(_get(feed, "subtitle")),
        language=language,
        icon=_text(_get(feed, "icon"))
        or _text(_get(feed, "logo"))
        or _text(_get(_get(feed, "image"), "href")),
        ttl_seconds=ttl_seconds(feed),
        format=version,
        encoding=prepared.encoding,
        warnings=tuple(warnings),
    )
    return parsed, context, malformed


def convert(result: Any, prepared: PreparedXML, *, url: str | None) -> tuple[ParsedFeed, str | None]:
    """(the feed, why the XML was malformed or None) from a feedparser result."""
    feed, context, malformed = convert_feed(result, prepared, url=url)
    entries = tuple(
        convert_entry(entry, position, context)
        for position, entry in enumerate(_dicts(_get(result, "entries")))
    )
    return replace(feed, entries=entries), malformed
