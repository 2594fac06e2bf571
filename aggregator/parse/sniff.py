"""What kind of document is this: an XML feed, a JSON Feed, an HTML page, or nothing at all?

The body decides, the Content-Type only breaks ties: servers label feeds ``text/html`` and
``application/octet-stream`` often enough, and a JSON Feed served as ``text/plain`` is still a JSON Feed.
HTML is never rejected up front: feedjira/DuplicateContentAtomFeed.xml wraps a real Atom feed in an
XHTML page and feedparser reads its ten entries. :func:`looks_like_html` only explains, after the fact,
why a document gave no entries.
"""

from __future__ import annotations

import codecs
import re
from enum import StrEnum

JSON_MEDIA_TYPES = frozenset({"application/feed+json", "application/json", "text/json"})

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE)
_HTML_MARKERS = re.compile(rb"<!doctype\s+html|<(?:html|head|body|meta|title|script|div)\b", re.IGNORECASE)
_FEED_MARKERS = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|rdf|channel|entry|item)\b", re.IGNORECASE)
_SNIFF_BYTES = 2048


class DocumentKind(StrEnum):
    EMPTY = "empty"  # no bytes, or only whitespace
    JSON = "json"  # a JSON document (a JSON Feed, we hope)
    MARKUP = "markup"  # starts with '<': XML feed, HTML page, or something feedparser may still read
    TEXT = "text"  # anything else: not a feed


def _start(body: bytes) -> bytes:
    for bom in _BOMS:
        if body.startswith(bom):
            if bom != codecs.BOM_UTF8:
                # UTF-16: keep the ASCII bytes only, enough to see the first characters.
                return body[len(bom) : len(bom) + 2 * _SNIFF_BYTES].replace(b"\x00", b"").lstrip()
            body = body[len(bom) :]
            break
    return body[:_SNIFF_BYTES].lstrip()


def sniff(body: bytes, media_type: str = "") -> DocumentKind:
    """Classify ``body``; ``media_type`` is the lower-case Content-Type without parameters."""
    start = _start(body)
    if not start:
        return DocumentKind.EMPTY
    first = start[:1]
    if first == b"<":
        return DocumentKind.MARKUP
    if first in (b"{", b"["):
        return DocumentKind.JSON
    if media_type in JSON_MEDIA_TYPES:
        return DocumentKind.JSON
    # Leading junk (a PHP notice before '<?xml'): let the XML path try, it drops text before the root.
    if b"<" in start:
        return DocumentKind.MARKUP
    return DocumentKind.TEXT


def looks_like_html(body: bytes) -> bool:
    """An HTML page rather than a feed (judged on the first bytes only)."""
    start = _start(body)
    return bool(_HTML_MARKERS.search(start)) and not _FEED_MARKERS.search(start)


def describe_start(body: bytes, limit: int = 40) -> str:
    """The first characters of a document, for error messages."""
    text = _start(body)[:limit].decode("utf-8", "replace")
    return " ".join(text.split())
