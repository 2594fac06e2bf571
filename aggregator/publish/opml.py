"""OPML 2.0 subscription lists (http://opml.org/spec2.opml): writing ours, reading the readers' exports.

Writing: one ``<outline type="rss">`` per feed, grouped in folder outlines by category (the way every reader
shows and imports folders), in the order given. ``dateCreated`` is written only when the caller passes it, so
the same list renders to the same bytes.

Reading (for ``aggregator import-opml``): the exports of Feedly, Inoreader, NetNewsWire, Miniflux,
Thunderbird, Tiny Tiny RSS... differ in small ways that are all accepted: OPML 1.0 or 2.0, folders nested at
any depth, ``title`` or only ``text``, attribute names in other cases (``xmlurl``), unescaped ``&`` in old
files. A feed is an outline with a non-empty ``xmlUrl``; its category is the innermost folder around it, else
the last segment of its own OPML 2.0 ``category`` attribute. A feed listed twice (Inoreader allows one feed in
several folders) is returned once, at its first place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from lxml import etree

from aggregator.publish.document import utc
from aggregator.publish.xmlsafe import xml_safe


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """One subscription: a feed URL, what to call it, and optionally the folder it lives in."""

    title: str
    xml_url: str
    html_url: str | None = None
    description: str | None = None
    type: str = "rss"
    category: str | None = None


def render_opml(
    title: str, outlines: Sequence[OpmlOutline], *, date_created: datetime | None = None
) -> bytes:
    """An OPML 2.0 document listing ``outlines``, those with a category inside a folder of that name."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = xml_safe(title)
    if date_created is not None:
        # OPML 2.0: "dateCreated ... a date-time conforming to RFC 822".
        etree.SubElement(head, "dateCreated").text = format_datetime(utc(date_created, "dateCreated"), True)
    body = etree.SubElement(root, "body")
    folders: dict[str, Any] = {}
    for outline in outlines:
        parent = body
        if outline.category:
            category = xml_safe(outline.category)
            parent = folders.get(category)
            if parent is None:
                # Only "text": the W3C validator warns about a title on an outline that has no type.
                parent = folders[category] = etree.SubElement(body, "outline", text=category)
        etree.SubElement(parent, "outline", _attributes(outline))
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return data


def _attributes(outline: OpmlOutline) -> dict[str, str]:
    attributes = {
        "type": outline.type,
        "text": outline.title,  # OPML 2.0 requires text; readers show title when present
        "title": outline.title,
        "xmlUrl": outline.xml_url,
    }
    if outline.html_url:
        attributes["htmlUrl"] = outline.html_url
    if outline.description:
        attributes["description"] = outline.description
    return {name: xml_safe(value) for name, value in attributes.items()}


_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_LENIENT = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
)


def parse_opml(data: bytes) -> list[OpmlOutline]:
    """The feeds listed in an OPML document, in document order.

    Raises ValueError, with a message for the user, when ``data`` is not an OPML document at all (not XML,
    an HTML page, an RSS feed...). A well-formed OPML file listing no feed gives an empty list.
    """
    root = _parse(data)
    if _local(root.tag) != "opml":
        raise ValueError(f"not an OPML file: the document is <{_local(root.tag)}>, not <opml>")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise ValueError("not a usable OPML file: it has no <body>")
    found: list[OpmlOutline] = []
    seen: set[str] = set()
    for outline in _feeds(body, None):
        if outline.xml_url not in seen:
            seen.add(outline.xml_url)
            found.append(outline)
    return found


def _parse(data: bytes) -> Any:
    if not data.strip():
        raise ValueError("not an OPML file: it is empty")
    try:
        return etree.fromstring(data, _STRICT)
    except etree.XMLSyntaxError as strict_error:
        # Old exports (OPML 1.0 era) often carry a bare "&" in titles or URLs: escape those, then let the
        # parser recover what it can of anything else rather than refuse a whole subscription list.
        repaired = _BARE_AMPERSAND.sub(b"&amp;", data)
        for parser in (_STRICT, _LENIENT):
            try:
                root = etree.fromstring(repaired, parser)
            except etree.XMLSyntaxError:
                continue
            if root is not None:
                return root
        raise ValueError(f"not an OPML file: it is not XML ({strict_error})") from None


_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _feeds(parent: Any, category: str | None) -> Iterator[OpmlOutline]:
    for element in parent:
        if not isinstance(element.tag, str) or _local(element.tag) != "outline":
            continue  # comments, processing instructions, foreign elements
        attributes = {_local(name).lower(): value.strip() for name, value in element.attrib.items()}
        label = attributes.get("title") or attributes.get("text") or ""
        xml_url = attributes.get("xmlurl", "")
        if xml_url:
            yield OpmlOutline(
                title=label or xml_url,
                xml_url=xml_url,
                html_url=attributes.get("htmlurl") or None,
                description=attributes.get("description") or None,
                type=(attributes.get("type") or "rss").lower(),
                category=category or _category_attribute(attributes.get("category", "")),
            )
        else:
            yield from _feeds(element, label or category)


def _category_attribute(value: str) -> str | None:
    """OPML 2.0 ``category``: comma-separated, slash-delimited paths; the first path's last segment."""
    first = value.split(",")[0]
    segments = [segment.strip() for segment in first.split("/") if segment.strip()]
    return segments[-1] if segments else None


def _local(tag: str) -> str:
    """An element or attribute name without its namespace (a few exporters put OPML in one)."""
    return tag.rsplit("}", 1)[-1]
