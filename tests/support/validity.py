"""Judges of a published feed: the W3C feed validator, structural RSS and Atom checks, a JSON Feed schema.

* The **W3C Feed Validation Service** (github.com/w3c/feedvalidator): :func:`import_w3c_validator` returns
  its ``feedvalidator`` package, or skips the calling test when it is not importable. It is on no package
  index and has no packaging of its own; its ``src`` folder only needs to be importable::

      pip install 'html5lib>=1.1'
      git clone https://github.com/w3c/feedvalidator && git -C feedvalidator checkout <pinned commit>
      PYTHONPATH=feedvalidator/src python -m pytest tests/test_publish_validity.py

* :func:`rss_problems` and :func:`atom_problems`: the RSS 2.0 and Atom (RFC 4287) requirements that the W3C
  validator enforces most often (ids are IRIs, RFC 822 dates with four-digit years and the right weekday,
  RFC 3339 dates, ``rel="self"``, enclosure attributes, unique ids), so they are checked without it too;
* :data:`JSON_FEED_SCHEMA`: a JSON Schema of JSON Feed 1.1 written from the specification, which the W3C
  validator does not cover.

tests/test_publish_validity.py proves each of them able to fail on a broken sample.
"""

from __future__ import annotations

import re
import socket
import warnings
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any

import pytest
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"

# ------------------------------------------------------------------------------- the W3C validator

W3C_RSS, W3C_ATOM, W3C_OPML = 2, 3, 9


def import_w3c_validator() -> ModuleType:
    """The W3C validator's package, or a skip saying how to install it."""
    timeout = socket.getdefaulttimeout()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its sources predate today's stricter warnings
            module: ModuleType = pytest.importorskip(
                "feedvalidator",
                reason="the W3C feed validator is not installed (see tests/support/validity.py)",
            )
    finally:
        socket.setdefaulttimeout(timeout)  # importing it sets a process-wide 10 s socket timeout
    return module


def w3c_problems(w3c: ModuleType, data: bytes, self_url: str, expected_type: int) -> list[str]:
    """Every error and warning the W3C validator reports for ``data`` served at ``self_url``."""
    from feedvalidator.logging import Error, Warning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = w3c.validateString(data, firstOccurrenceOnly=1, fallback="utf-8", base=self_url)
    assert result.get("feedType") == expected_type, "the validator did not recognize the document"
    problems = []
    for event in result["loggedEvents"]:
        if isinstance(event, Error | Warning):
            params = {
                k: v for k, v in event.params.items() if k not in ("backupline", "backupcolumn", "msgcount")
            }
            problems.append(
                f"{'error' if isinstance(event, Error) else 'warning'} {type(event).__name__} {params}"
            )
    return problems


# ------------------------------------------------------------------------- structural RSS and Atom checks

RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d\d:\d\d:\d\d (\+0000|GMT)$"
)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
URN_UUID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
WEB_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def rfc822_problem(value: str | None) -> str | None:
    if value is None or not RFC822.match(value):
        return f"not an RFC 822 date with a four-digit year: {value!r}"
    parsed = parsedate_to_datetime(value)
    if parsed.strftime("%a") != value[:3]:
        return f"wrong day of the week: {value!r}"
    return None


def rss_problems(data: bytes) -> list[str]:
    """Violations of RSS 2.0 and of the W3C validator's most common RSS rules."""
    problems: list[str] = []
    root = etree.fromstring(data)
    if root.tag != "rss" or root.get("version") != "2.0":
        return ["root is not <rss version='2.0'>"]
    channel = root.find("channel")
    for tag in ("title", "link", "description"):
        if not (channel.findtext(tag) or "").strip():
            problems.append(f"channel has no {tag}")
    selves = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if len(selves) != 1 or selves[0].get("type") != "application/rss+xml":
        problems.append("channel needs exactly one atom:link rel=self type=application/rss+xml")
    if problem := rfc822_problem(channel.findtext("lastBuildDate")):
        problems.append(f"lastBuildDate: {problem}")
    guids = []
    for item in channel.findall("item"):
        if not (item.findtext("title") or item.findtext("description")):
            problems.append("item has neither title nor description")
        guid = item.find("guid")
        if guid is None or guid.get("isPermaLink") != "false" or not URN_UUID.match(guid.text or ""):
            problems.append("item guid must be a urn:uuid with isPermaLink=false")
        else:
            guids.append(guid.text)
        if problem := rfc822_problem(item.findtext("pubDate")):
            problems.append(f"pubDate: {problem}")
        for author in item.findall("author"):
            if "@" not in (author.text or ""):
                problems.append("<author> must hold an e-mail address")
        for enclosure in item.findall("enclosure"):
            length, mime = enclosure.get("length", ""), enclosure.get("type", "")
            if not WEB_URL.match(enclosure.get("url", "")) or not length.isdigit() or not MIME.match(mime):
                problems.append(
                    f"enclosure needs url, a non-negative integer length and a type: {enclosure.attrib}"
                )
        if len(item.findall("enclosure")) > 1:
            problems.append("more than one enclosure in an item")
        for content in item.findall(f"{MEDIA}content"):
            size = content.get("fileSize", "0")
            if not WEB_URL.match(content.get("url", "")) or not size.isdigit():
                problems.append(f"media:content needs a url and an integer fileSize: {content.attrib}")
        for source in item.findall("source"):
            if not WEB_URL.match(source.get("url", "")):
                problems.append("source needs a url attribute")
    if len(guids) != len(set(guids)):
        problems.append("duplicate guid")
    return problems


def atom_problems(data: bytes) -> list[str]:
    """Violations of RFC 4287 and of the W3C validator's most common Atom rules."""
    problems: list[str] = []
    root = etree.fromstring(data)
    if root.tag != f"{ATOM}feed":
        return ["root is not atom:feed"]

    def date_problems(element: Any, where: str) -> None:
        value = element.findtext(f"{ATOM}updated")
        if value is None or not RFC3339.match(value):
            problems.append(f"{where}: updated is not RFC 3339: {value!r}")

    feed_id = root.findtext(f"{ATOM}id") or ""
    if not (URN_UUID.match(feed_id) or WEB_URL.match(feed_id)):
        problems.append(f"feed id is not an IRI: {feed_id!r}")
    if not (root.findtext(f"{ATOM}title") or "").strip():
        problems.append("feed has no title")
    date_problems(root, "feed")
    links = root.findall(f"{ATOM}link")
    if [link.get("type") for link in links if link.get("rel") == "self"] != ["application/atom+xml"]:
        problems.append("feed needs exactly one link rel=self type=application/atom+xml")
    feed_author = root.find(f"{ATOM}author") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if not URN_UUID.match(entry_id):
            problems.append(f"entry id is not a urn:uuid: {entry_id!r}")
        ids.append(entry_id)
        if not (entry.findtext(f"{ATOM}title") or "").strip():
            problems.append("entry has no title")
        date_problems(entry, "entry")
        published = entry.findtext(f"{ATOM}published")
        if published is not None and not RFC3339.match(published):
            problems.append(f"published is not RFC 3339: {published!r}")
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append("entry without author in a feed without author")
        entry_links = entry.findall(f"{ATOM}link")
        alternate = [link for link in entry_links if link.get("rel", "alternate") == "alternate"]
        if entry.find(f"{ATOM}content") is None and not alternate:
            problems.append("entry has neither content nor an alternate link")
        for link in entry_links:
            if not link.get("href") or not link.get("rel"):
                problems.append(f"entry link without href or rel: {link.attrib}")
            if link.get("rel") == "enclosure" and not MIME.match(link.get("type", "")):
                problems.append("enclosure link without a type")
    if len(ids) != len(set(ids)):
        problems.append("duplicate entry id")
    return problems


# --------------------------------------------------------------------------------- JSON Feed 1.1

_DATE = {"type": "string", "pattern": RFC3339.pattern}
_URL = {"type": "string", "pattern": r"^https?://\S+$"}
_AUTHORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "url": _URL, "avatar": _URL},
        "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
        "additionalProperties": False,
        "patternProperties": {"^_": {}},
    },
}
JSON_FEED_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": _URL,
        "feed_url": _URL,
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": _URL,
        "icon": _URL,
        "favicon": _URL,
        "authors": _AUTHORS,
        "language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": {"type": "string"}, "url": _URL},
            },
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": _URL,
                    "external_url": _URL,
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "image": _URL,
                    "banner_image": _URL,
                    "date_published": _DATE,
                    "date_modified": _DATE,
                    "authors": _AUTHORS,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "language": {"type": "string"},
                    "attachments": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["url", "mime_type"],
                            "properties": {
                                "url": _URL,
                                "mime_type": {"type": "string", "pattern": MIME.pattern},
                                "title": {"type": "string"},
                                "size_in_bytes": {"type": "integer", "minimum": 0},
                                "duration_in_seconds": {"type": "number", "minimum": 0},
                            },
                            "additionalProperties": False,
                            "patternProperties": {"^_": {"type": "object"}},
                        },
                    },
                },
                "additionalProperties": False,
                "patternProperties": {"^_": {"type": "object"}},
            },
        },
    },
    "additionalProperties": False,
    "patternProperties": {"^_": {"type": "object"}},
}
