"""RSS 2.0 output, built with feedgen.

feedgen writes the RSS 2.0 core (https://www.rssboard.org/rss-specification); its ``dc`` and ``media``
extensions add ``dc:creator`` and ``media:thumbnail``; one small extension of ours adds the channel links
feedgen's RSS side does not know (``atom:link`` with ``rel="hub"`` for WebSub and ``rel="next"`` for RFC 5005
paging). Choices that matter to readers and validators:

* ``<author>`` must hold an e-mail address (RSS 2.0, "email address of the author"); our authors are plain
  names, so they go in ``dc:creator``, which every reader shows and the W3C validator accepts.
* ``<guid isPermaLink="false">urn:uuid:...</guid>``: our id is not the article's URL.
* ``<description>`` is the plain-text summary, HTML-escaped (RSS descriptions are HTML); the full sanitized
  HTML goes in ``content:encoded``. An entry without a summary gets its HTML as description instead.
* ``<enclosure>`` needs ``url``, ``length`` and ``type`` (RSS 2.0). An unknown length is written ``0``, as
  the RSS Advisory Board profile says and the W3C validator asks ("UseZeroForUnknown"); an unknown type is
  guessed from the URL, else :data:`~aggregator.publish.document.FALLBACK_IMAGE_TYPE`.
* One ``<enclosure>`` per item: readers disagree on more (RSS Advisory Board profile), and podcast apps play
  the one there is. It is the entry's first attachment (a podcast episode's audio) when it has any, else its
  image. Further attachments are ``media:content``; the image is always ``media:thumbnail``.
* ``lastBuildDate`` is the newest entry's time, so unchanged content gives unchanged bytes.
"""

from __future__ import annotations

import html
from typing import Any

from feedgen.feed import FeedGenerator
from lxml import etree

from aggregator.errors import PublishError
from aggregator.publish.document import (
    LINK_TYPES,
    FeedDocument,
    description_or_title,
    enclosure_type,
    entry_categories,
    entry_id,
    entry_title,
    feed_updated,
    image_type,
    is_web_url,
    prepare,
    source_title,
    utc,
)

ATOM_NS = "http://www.w3.org/2005/Atom"


class _ChannelLinks:
    """A feedgen extension: ``atom:link`` elements on the channel beyond the single ``rel="self"`` one.

    feedgen instantiates it itself (``register_extension``) and calls ``extend_rss`` with the ``<rss>``
    element after the channel's own children, before the items.
    """

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return {}  # feedgen always declares the atom prefix in RSS

    def extend_rss(self, rss: Any) -> Any:
        channel = rss.find("channel")
        for attributes in self.links:
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", attributes)
        return rss

    def extend_atom(self, feed: Any) -> Any:
        return feed


def render_rss(doc: FeedDocument) -> bytes:
    """``doc`` as an RSS 2.0 document in UTF-8; the same document always gives the same bytes."""
    doc = prepare(doc)
    try:
        generator = _generator(doc)
        data: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except (ValueError, TypeError) as e:
        raise PublishError(f"feed {doc.name!r}: cannot render RSS: {e}") from e
    return data


def _generator(doc: FeedDocument) -> Any:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.load_extension("media", atom=False, rss=True)
    fg.register_extension("aggregator", _ChannelLinks, None, atom=False, rss=True)
    channel_links: _ChannelLinks = fg.aggregator

    fg.title(doc.title)
    fg.description(description_or_title(doc))
    if "rss" in doc.self_urls:
        fg.link(href=doc.self_urls["rss"], rel="self", type=LINK_TYPES["rss"])
    fg.link(href=doc.site_url, rel="alternate")  # feedgen takes the channel <link> from the last link added
    if doc.language:
        fg.language(doc.language)
    fg.generator(doc.generator)
    fg.lastBuildDate(feed_updated(doc))
    if doc.ttl_minutes:
        fg.ttl(doc.ttl_minutes)
    if doc.logo or doc.icon:
        fg.image(url=doc.logo or doc.icon, title=doc.title, link=doc.site_url)
    if doc.hub_url:
        channel_links.links.append({"href": doc.hub_url, "rel": "hub"})
    if "rss" in doc.next_page_urls:
        channel_links.links.append(
            {"href": doc.next_page_urls["rss"], "rel": "next", "type": LINK_TYPES["rss"]}
        )

    for entry in doc.entries:
        fe = fg.add_entry(order="append")  # the default, "prepend", would reverse the newest-first order
        fe.guid(entry_id(entry), permalink=False)
        fe.title(entry_title(entry))
        if is_web_url(entry.link):
            fe.link(href=entry.link)
        if entry.summary:
            fe.description(html.escape(entry.summary, quote=False))
        if entry.content_html:
            fe.content(entry.content_html)
        if entry.author:
            fe.dc.dc_creator(entry.author)
        if categories := entry_categories(entry):
            fe.category([{"term": name} for name in categories])
        if entry.enclosures:
            first, *others = entry.enclosures
            fe.enclosure(first.url, first.length or 0, enclosure_type(first))
            for other in others:
                content = {"url": other.url, "type": enclosure_type(other), "group": None}
                if other.length:
                    content["fileSize"] = str(other.length)
                fe.media.content(content)
        elif entry.image and is_web_url(entry.image):
            fe.enclosure(entry.image, entry.image_length or 0, image_type(entry))
        if entry.image and is_web_url(entry.image):
            fe.media.thumbnail(url=entry.image, group=None)
        fe.published(utc(entry.published, f"entry {entry.id} published"))
        if is_web_url(entry.source_url):
            fe.source(url=entry.source_url, title=source_title(entry))
    return fg
