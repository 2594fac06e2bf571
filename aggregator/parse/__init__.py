"""Bytes and headers -> :class:`~aggregator.models.ParsedFeed`: RSS 0.9x/1.0/2.0, Atom, RDF and JSON Feed.

Nothing here fetches anything: the caller passes the body it fetched (or read from disk) with its HTTP
headers, and :class:`ParseOptions` says what the configuration knows about the source. A document that
yields entries, even after repairs, is a success with ``warnings``; a document with none is a
:class:`~aggregator.errors.ParseError` whose message says why, except a well-formed feed that simply has
no items (FeedReader/Rss20DailyMail.xml), which is a valid empty feed.

Modules: :mod:`.sniff` (what kind of document), :mod:`.charset` (which charset, decoding), :mod:`.prepare`
(prolog, illegal characters), :mod:`.fast` and :mod:`.fast_elements` (well-formed RSS 2.0, Atom 1.0 and RSS
1.0 with lxml, giving exactly what feedparser gives), :mod:`.feedparser_path` (feedparser, for everything
the fast path refuses; the only code that reads feedparser's dicts), :mod:`.jsonfeed`, :mod:`.refs`
(entries read on demand).

:func:`parse_document` builds every entry; :func:`read_document` gives references, and lets the fast path
leave unchanged entries unread (see :mod:`.refs`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from aggregator.errors import ParseError
from aggregator.models import ParsedFeed
from aggregator.parse.charset import charset_from_content_type, media_type
from aggregator.parse.fast import read_fast
from aggregator.parse.feedparser_path import convert, run_feedparser
from aggregator.parse.jsonfeed import parse_json_feed
from aggregator.parse.prepare import prepare_utf8_unchecked, prepare_xml
from aggregator.parse.refs import EntryRef, ParsedDocument, StaleEntry
from aggregator.parse.selflink import self_link
from aggregator.parse.sniff import DocumentKind, describe_start, looks_like_html, sniff

__all__ = ["EntryRef", "ParseOptions", "ParsedDocument", "StaleEntry", "parse_document", "read_document"]

_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What the configuration knows about a source's documents."""

    url: str | None = None  # the document's URL: base for relative links, never fetched
    encoding: str | None = None  # decode as this charset whatever the document declares
    fast_path: bool = True  # False: always feedparser (the differential tests compare both paths)


def parse_document(
    body: bytes, headers: Mapping[str, str] | None = None, options: ParseOptions = ParseOptions()
) -> ParsedFeed:
    """Read a feed document; raises :class:`ParseError` when no entry can be read from it."""
    return read_document(body, headers, options).whole()


def read_document(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    options: ParseOptions = ParseOptions(),
    *,
    skippable: Callable[[str], bool] | None = None,
) -> ParsedDocument:
    """Read a feed document into references to its entries; :class:`ParseError` as :func:`parse_document`.

    ``skippable`` says which raw hashes belong to entries the caller already has: those the fast path may
    leave unread but for their id and links (:attr:`EntryRef.guid`, ``link``, ``base_url``), until
    :meth:`EntryRef.entry` is called. Reading such an entry later raises :class:`StaleEntry` in the unlikely
    case it fails; read the document again without ``skippable`` then. The other paths read every entry.
    """
    if options.url is None:  # a saved file: its own address, if it gives one, is its links' base
        options = replace(options, url=self_link(body))
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    content_type = lowered.get("content-type")
    kind = sniff(body, media_type(content_type))
    if kind is DocumentKind.EMPTY:
        raise ParseError("empty document")
    if kind is DocumentKind.JSON:
        feed = parse_json_feed(
            body,
            url=options.url,
            charset=options.encoding or charset_from_content_type(content_type),
            media_type=media_type(content_type),
        )
        return ParsedDocument.of(feed)
    if kind is DocumentKind.TEXT:
        raise ParseError(f"not a feed: neither XML nor JSON (starts with {describe_start(body)!r})")
    return _read_xml(body, content_type, options, skippable)


def _read_xml(
    body: bytes, content_type: str | None, options: ParseOptions, skippable: Callable[[str], bool] | None
) -> ParsedDocument:
    charset = charset_from_content_type(content_type)
    kind = media_type(content_type)
    unchecked = None
    if options.fast_path:
        # lxml refuses invalid UTF-8 and forbidden characters itself: the usual document need not be
        # decoded and scanned first (prepare_utf8_unchecked).
        unchecked = prepare_utf8_unchecked(body, http_charset=charset, override=options.encoding)
        if unchecked is not None:
            fast = read_fast(unchecked, media_type=kind, url=options.url, skippable=skippable)
            if fast is not None:
                return fast
    prepared = prepare_xml(body, http_charset=charset, override=options.encoding)
    if options.fast_path and prepared != unchecked:  # else the same document was just refused
        fast = read_fast(prepared, media_type=kind, url=options.url, skippable=skippable)
        if fast is not None:
            return fast
    result = run_feedparser(prepared.body, media_type=kind, url=options.url)
    feed, malformed = convert(result, prepared, url=options.url)
    if feed.entries or (feed.format and malformed is None):
        return ParsedDocument.of(feed)
    if looks_like_html(body):
        raise ParseError("not a feed: looks like an HTML page")
    if malformed:
        raise ParseError(f"no entries could be read: {malformed}")
    root = _ROOT.search(prepared.body, len(b'<?xml version="1.0" encoding="utf-8"?>'))
    found = f" (the root element is <{root.group(1).decode('utf-8', 'replace')}>)" if root else ""
    raise ParseError(f"not a feed: no RSS, Atom or RDF root element{found}")
