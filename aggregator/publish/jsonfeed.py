"""JSON Feed 1.1 output (https://www.jsonfeed.org/version/1.1/), written by hand: the format is a few keys.

Keys are written in a fixed order (the spec's own order, ``version`` first, so a human can read the file),
never sorted by the encoder and never taken from a mapping's iteration order; text is UTF-8, not ``\\u``
escapes. Dates are RFC 3339 in UTC with ``Z``. Mapping from :class:`FeedDocument`:

* ``icon`` (square, large) is the document's logo, else its icon; ``favicon`` (small) is its icon.
* ``hubs`` announces the WebSub hub; ``next_url`` the next (older) page.
* ``authors`` is the 1.1 form (a list of objects); the deprecated 1.0 ``author`` is not written.
* An entry's enclosures (podcast audio, video, documents) are its ``attachments``; its image is ``image``.
* Where an entry came from is not part of JSON Feed: it goes in the ``_aggregator`` extension object
  (``source``, ``source_url``, ``source_home_page_url``), which readers that do not know it ignore (spec,
  "Extensions").
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aggregator import PROJECT_URL
from aggregator.models import Enclosure, StoredEntry
from aggregator.publish.document import (
    FeedDocument,
    enclosure_type,
    entry_categories,
    entry_html,
    entry_id,
    entry_title,
    entry_updated,
    is_web_url,
    prepare,
    source_title,
    utc,
)

VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION_KEY = "_aggregator"


def render_json(doc: FeedDocument) -> bytes:
    """``doc`` as a JSON Feed 1.1 document in UTF-8; the same document always gives the same bytes."""
    doc = prepare(doc)
    feed: dict[str, Any] = {"version": VERSION, "title": doc.title, "home_page_url": doc.site_url}
    if "json" in doc.self_urls:
        feed["feed_url"] = doc.self_urls["json"]
    if doc.description:
        feed["description"] = doc.description
    if "json" in doc.next_page_urls:
        feed["next_url"] = doc.next_page_urls["json"]
    if doc.logo or doc.icon:
        feed["icon"] = doc.logo or doc.icon
    if doc.icon:
        feed["favicon"] = doc.icon
    if doc.language:
        feed["language"] = doc.language
    if doc.hub_url:
        feed["hubs"] = [{"type": "WebSub", "url": doc.hub_url}]
    feed["items"] = [_item(entry) for entry in doc.entries]
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def rfc3339(value: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC with a ``Z``, to the second."""
    return utc(value, "date").strftime("%Y-%m-%dT%H:%M:%SZ")


def _attachment(enclosure: Enclosure) -> dict[str, Any]:
    attachment: dict[str, Any] = {"url": enclosure.url, "mime_type": enclosure_type(enclosure)}
    if enclosure.length:
        attachment["size_in_bytes"] = enclosure.length
    return attachment


def _item(entry: StoredEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry_id(entry)}
    if is_web_url(entry.link):
        item["url"] = entry.link
    item["title"] = entry_title(entry)
    item["content_html"] = entry_html(entry)  # JSON Feed requires content_html or content_text
    if entry.summary:
        item["summary"] = entry.summary
    if entry.image and is_web_url(entry.image):
        item["image"] = entry.image
    if entry.enclosures:
        item["attachments"] = [_attachment(enclosure) for enclosure in entry.enclosures]
    item["date_published"] = rfc3339(entry.published)
    if entry.updated is not None:
        item["date_modified"] = rfc3339(entry_updated(entry))
    if entry.author:
        item["authors"] = [{"name": entry.author}]
    if categories := entry_categories(entry):
        item["tags"] = categories
    if entry.language:
        item["language"] = entry.language
    source: dict[str, str] = {"about": PROJECT_URL, "source": source_title(entry)}
    if is_web_url(entry.source_url):
        source["source_url"] = entry.source_url
    if is_web_url(entry.source_link):
        source["source_home_page_url"] = entry.source_link or ""
    item[EXTENSION_KEY] = source
    return item
