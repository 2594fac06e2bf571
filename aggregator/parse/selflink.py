"""The address a feed document gives for itself (``rel="self"``), for documents read without a URL.

A feed saved from a website and read from a local file has no document URL, so its relative links
(``/blog/2013/01/30/Plex``) could not be made absolute. Atom's ``rel="self"`` link (RFC 4287 §4.2.7.2), which
RSS 2.0 feeds also carry as ``atom:link``, names the document's own address: the base those links were
written against. Only an absolute http(s) address is taken, and only at feed level (before the first entry
or item), read from the raw bytes so that the fast path and feedparser get the same base.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from aggregator.normalize.html import raw_attributes

_HEAD_BYTES = 65_536
_FIRST_ITEM = re.compile(rb"<(?:[\w.-]+:)?(?:entry|item)[\s/>]")
_LINK_TAG = re.compile(rb"<(?:[\w.-]+:)?link\b([^>]*)>")


def self_link(body: bytes) -> str | None:
    """The feed's absolute http(s) ``rel="self"`` address; None when it gives none, or a relative one."""
    head = body[:_HEAD_BYTES]
    first_item = _FIRST_ITEM.search(head)
    if first_item is not None:
        head = head[: first_item.start()]
    for tag in _LINK_TAG.finditer(head):
        attributes = raw_attributes(tag[1].decode("utf-8", "replace"))
        if attributes.get("rel", "").strip().lower() != "self" or "href" not in attributes:
            continue
        href = attributes["href"].strip()
        try:
            parts = urlsplit(href)
        except ValueError:
            continue
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            return href
    return None
