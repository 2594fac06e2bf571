"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) into :class:`ParsedFeed`.

feedparser does not read JSON Feed, so this is our own reader. It is lenient where the spec is easy to
get wrong (an ``id`` written as a number, ``tags`` as one string, 1.0's ``author`` in a 1.1 feed) and
strict where nothing sensible can be read: invalid JSON, a top level that is not an object, no
``items`` list.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping

from aggregator.errors import ParseError
from aggregator.models import Enclosure, ParsedEntry, ParsedFeed
from aggregator.parse.charset import decode, normalize_charset

VERSION_PREFIX = "https://jsonfeed.org/version/"
_FORMATS = {"1": "json10", "1.1": "json11"}


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept as ``<br>``."""
    escaped = html.escape(text.replace("\r\n", "\n").replace("\r", "\n"), quote=False)
    return escaped.replace("\n", "<br>\n")


def _str(value: object) -> str | None:
    """A non-empty string from a JSON scalar (numbers are accepted: ids written as numbers are common)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def _names(value: object) -> list[str]:
    """Author names from a JSON Feed author object or list of them."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = _str(item.get("name")) if isinstance(item, Mapping) else _str(item)
        if name:
            names.append(name)
    return names


def _tags(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    seen: dict[str, None] = {}
    for item in items:
        tag = _str(item)
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


def _enclosures(value: object) -> tuple[Enclosure, ...]:
    if not isinstance(value, list):
        return ()
    result = []
    for attachment in value:
        if not isinstance(attachment, Mapping):
            continue
        url = _str(attachment.get("url"))
        if not url:
            continue
        size = attachment.get("size_in_bytes")
        length = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
        result.append(Enclosure(url=url, type=_str(attachment.get("mime_type")), length=length))
    return tuple(result)


def _entry(
    item: Mapping[str, object],
    position: int,
    *,
    feed_language: str | None,
    base_url: str | None,
    feed_authors: list[str],
) -> ParsedEntry:
    content_html = _str(item.get("content_html"))
    if content_html is None:
        content_text = _str(item.get("content_text"))
        content_html = text_to_html(content_text) if content_text else None
    summary = _str(item.get("summary"))
    image = _str(item.get("image"))
    banner = _str(item.get("banner_image"))
    authors = _names(item.get("authors")) or _names(item.get("author"))
    raw = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if not authors and feed_authors:
        # JSON Feed 1.1: an item without authors has the feed's. They are part of what it was read from.
        authors = feed_authors
        raw += "\x00" + "\x00".join(feed_authors)
    return ParsedEntry(
        position=position,
        guid=_str(item.get("id")),
        link=_str(item.get("url")) or _str(item.get("external_url")),
        title=_str(item.get("title")),
        title_is_html=False,  # JSON Feed titles are plain text
        summary_html=text_to_html(summary) if summary else None,
        content_html=content_html,
        author=", ".join(authors) or None,
        published_raw=_str(item.get("date_published")),
        updated_raw=_str(item.get("date_modified")),
        categories=_tags(item.get("tags")),
        enclosures=_enclosures(item.get("attachments")),
        thumbnails=tuple(dict.fromkeys(url for url in (image, banner) if url)),
        image=image or banner,
        base_url=base_url,
        language=_str(item.get("language")) or feed_language,
        raw_hash=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )


def decode_json_text(body: bytes, charset: str | None) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings): JSON is UTF-8 (RFC 8259); a declared other charset is honoured."""
    try:
        return body.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as e:
        codec = normalize_charset(charset)
        if codec:
            try:
                return decode(body, codec), codec, [f"JSON document in {charset}, not UTF-8"]
            except (UnicodeDecodeError, LookupError):
                pass
        raise ParseError(f"invalid JSON Feed: not UTF-8 text ({e})") from e


def parse_json_feed(
    body: bytes, *, url: str | None = None, charset: str | None = None, media_type: str = ""
) -> ParsedFeed:
    """Read a JSON Feed document; raises :class:`ParseError` when it is not one."""
    text, encoding, warnings = decode_json_text(body, charset)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ParseError(f"invalid JSON: {e}") from e
    if not isinstance(document, dict):
        raise ParseError("not a feed: a JSON document whose top level is not an object")
    version = _str(document.get("version")) or ""
    if version.startswith(VERSION_PREFIX):
        fmt = _FORMATS.get(version.removeprefix(VERSION_PREFIX).rstrip("/"), "json11")
    elif isinstance(document.get("items"), list) and (media_type == "application/feed+json" or not version):
        fmt = "json11"
        warnings.append(f"no JSON Feed version ({version or 'none'}); read as JSON Feed 1.1")
    else:
        raise ParseError("not a feed: a JSON document that is not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("invalid JSON Feed: no 'items' list")

    language = _str(document.get("language"))
    base_url = url or _str(document.get("feed_url"))
    feed_authors = _names(document.get("authors")) or _names(document.get("author"))
    entries = []
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            warnings.append(f"JSON Feed item {position} is not an object; skipped")
            continue
        entries.append(
            _entry(item, position, feed_language=language, base_url=base_url, feed_authors=feed_authors)
        )
    if items and not entries:
        raise ParseError("no entries could be read: no JSON Feed item is an object")
    return ParsedFeed(
        title=_str(document.get("title")),
        link=_str(document.get("home_page_url")),
        description=_str(document.get("description")),
        language=language,
        icon=_str(document.get("icon")) or _str(document.get("favicon")),
        ttl_seconds=None,
        format=fmt,
        encoding=encoding,
        entries=tuple(entries),
        warnings=tuple(warnings),
    )
