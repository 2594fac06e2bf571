"""Publishing: a :class:`FeedDocument` rendered as RSS 2.0, Atom 1.0 or JSON Feed 1.1, OPML lists, files.

Renderers are pure functions from a document to bytes: no clock, no randomness, no I/O, so an unchanged feed
renders to identical bytes (same file, same ETag). This package is the only one that uses feedgen. Writing
files (:func:`write_if_changed`) is separate from rendering so that the HTTP server can serve the same bytes
without touching the disk. Errors are :class:`~aggregator.errors.PublishError`, except :func:`parse_opml`,
which reads user input and raises ValueError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aggregator.publish.atom import render_atom
from aggregator.publish.document import FILE_SUFFIXES, MEDIA_TYPES, FeedDocument
from aggregator.publish.files import write_if_changed
from aggregator.publish.jsonfeed import render_json
from aggregator.publish.opml import OpmlOutline, parse_opml, render_opml
from aggregator.publish.rss import render_rss

RENDERERS: Mapping[str, Callable[[FeedDocument], bytes]] = {
    "rss": render_rss,
    "atom": render_atom,
    "json": render_json,
}

__all__ = [
    "FILE_SUFFIXES",
    "MEDIA_TYPES",
    "RENDERERS",
    "FeedDocument",
    "OpmlOutline",
    "parse_opml",
    "render_atom",
    "render_json",
    "render_opml",
    "render_rss",
    "write_if_changed",
]
