"""Are our feeds valid? The W3C feed validator is the judge; strict structural checks back it up.

Every sample document (a realistic feed, an empty one, a minimal one, a hostile one; see
tests/support/publish_samples.py) is rendered in every format and must pass:

* the **W3C Feed Validation Service** (github.com/w3c/feedvalidator), with no error and no warning, when its
  ``feedvalidator`` package is importable (how to install it: tests/support/validity.py); otherwise those
  tests are skipped and everything else still runs;
* lxml (well-formed XML) and feedparser (``bozo == 0``, the right version);
* our own checks of the RSS 2.0 and Atom (RFC 4287) requirements that the W3C validator enforces most often,
  each proven able to fail on a broken sample;
* a JSON Schema of JSON Feed 1.1 written from the specification.

The seed article must come back intact from each format: title, link, author, categories, date, image and
body.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import feedparser
import jsonschema
import pytest

from aggregator.publish import FeedDocument, render_atom, render_json, render_opml, render_rss
from aggregator.publish.opml import OpmlOutline
from tests.support.publish_samples import (
    DOCUMENTS,
    SEED_AUTHOR,
    SEED_BODY,
    SEED_CATEGORIES,
    SEED_IMAGE,
    SEED_LINK,
    SEED_PUBLISHED,
    SEED_TITLE,
    SITE,
    golden_document,
)
from tests.support.validity import (
    JSON_FEED_SCHEMA,
    W3C_ATOM,
    W3C_OPML,
    W3C_RSS,
    atom_problems,
    import_w3c_validator,
    rss_problems,
    w3c_problems,
)

RENDERERS: dict[str, Callable[[FeedDocument], bytes]] = {
    "rss": render_rss,
    "atom": render_atom,
    "json": render_json,
}

# ------------------------------------------------------------------------------- the W3C validator


@pytest.fixture(scope="module")
def w3c() -> ModuleType:
    """The W3C validator's package, or a skip saying how to install it."""
    return import_w3c_validator()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize(("fmt", "feed_type"), [("rss", W3C_RSS), ("atom", W3C_ATOM)])
def test_w3c_validator_finds_nothing(w3c: ModuleType, name: str, fmt: str, feed_type: int) -> None:
    document = DOCUMENTS[name]()
    data = RENDERERS[fmt](document)
    assert w3c_problems(w3c, data, document.self_urls[fmt], feed_type) == []


def test_w3c_validator_finds_nothing_in_opml(w3c: ModuleType) -> None:
    outlines = [
        OpmlOutline("科技新闻", f"{SITE}feeds/news.atom", SITE, "Chinese and English technology news"),
        OpmlOutline("Hardware", f"{SITE}feeds/hardware.rss", category="English"),
    ]
    data = render_opml("Published feeds", outlines, date_created=SEED_PUBLISHED)
    assert w3c_problems(w3c, data, f"{SITE}index.opml", W3C_OPML) == []


def test_w3c_validator_is_not_a_rubber_stamp(w3c: ModuleType) -> None:
    """A broken feed fails: the tests above would otherwise prove nothing."""
    broken = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>a</title><guid>urn:uuid:1234</guid><pubDate>2021-06-15</pubDate></item></channel></rss>"
    )
    found = " ".join(w3c_problems(w3c, broken, "https://example.org/feed.rss", W3C_RSS))
    for name in (
        "MissingDescription",
        "MissingLink",
        "InvalidUUID",
        "InvalidRFC2822Date",
        "MissingAtomSelfLink",
    ):
        assert name in found


# ------------------------------------------------------------------------- structural RSS and Atom checks


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_rss_meets_the_rss_rules(name: str) -> None:
    assert rss_problems(render_rss(DOCUMENTS[name]())) == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_atom_meets_the_atom_rules(name: str) -> None:
    assert atom_problems(render_atom(DOCUMENTS[name]())) == []


def test_structural_checks_catch_broken_documents() -> None:
    rss = (
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
        b"<lastBuildDate>Tue, 15 Jun 21 03:58:00 GMT</lastBuildDate><item><title>a</title>"
        b"<guid>urn:uuid:1</guid><pubDate>Mon, 15 Jun 2021 03:58:00 +0000</pubDate><author>Jane</author>"
        b'<enclosure url="https://e.org/a.jpg" type="image/jpeg"/></item></channel></rss>'
    )
    found = " | ".join(rss_problems(rss))
    for part in (
        "no link",
        "no description",
        "rel=self",
        "lastBuildDate",
        "guid",
        "day of the week",
        "e-mail",
    ):
        assert part in found
    assert "enclosure" in found
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>not an iri</id><title>t</title>'
        b"<updated>2021-06-15 03:58</updated><entry><id>urn:uuid:x</id><title>e</title>"
        b"<updated>2021-06-15T03:58:00Z</updated>"
        b"<link href='https://e.org/a' rel='enclosure'/></entry></feed>"
    )
    found = " | ".join(atom_problems(atom))
    for part in ("feed id", "RFC 3339", "rel=self", "urn:uuid", "without author", "neither content", "type"):
        assert part in found


# --------------------------------------------------------------------------------- parsers agree


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize(("fmt", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_feedparser_reads_without_complaint(name: str, fmt: str, version: str) -> None:
    document = DOCUMENTS[name]()
    parsed = feedparser.parse(RENDERERS[fmt](document))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    assert len(parsed.entries) == len({e.uid for e in document.entries})


# --------------------------------------------------------------------------------- JSON Feed 1.1


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_json_feed_matches_the_schema(name: str) -> None:
    feed = json.loads(render_json(DOCUMENTS[name]()))
    jsonschema.Draft202012Validator.check_schema(JSON_FEED_SCHEMA)
    jsonschema.Draft202012Validator(JSON_FEED_SCHEMA).validate(feed)


def test_json_feed_schema_rejects_a_broken_feed() -> None:
    broken = {"version": "https://jsonfeed.org/version/1", "title": "", "items": [{"id": "1", "author": {}}]}
    errors = list(jsonschema.Draft202012Validator(JSON_FEED_SCHEMA).iter_errors(broken))
    assert len(errors) >= 3


# ------------------------------------------------------------------------------ the seed round trip


def _epoch(parsed_time: Any) -> int:
    return calendar.timegm(parsed_time)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_seed_article_survives_xml_formats(fmt: str) -> None:
    parsed = feedparser.parse(RENDERERS[fmt](golden_document()))
    entry = parsed.entries[0]
    assert entry.title == SEED_TITLE
    assert entry.link == SEED_LINK
    assert entry.author == SEED_AUTHOR
    assert [tag.term for tag in entry.tags] == list(SEED_CATEGORIES)
    assert _epoch(entry.published_parsed) == int(SEED_PUBLISHED.timestamp())
    assert entry.enclosures[0].href == SEED_IMAGE
    assert entry.media_thumbnail[0]["url"] == SEED_IMAGE
    assert entry.content[0].value == SEED_BODY
    assert entry.id == "urn:uuid:6c5dac82-43fe-42b9-8d7e-2b1c4a9f0e11"


def test_seed_article_survives_json_feed() -> None:
    item = json.loads(render_json(golden_document()))["items"][0]
    assert item["title"] == SEED_TITLE
    assert item["url"] == SEED_LINK
    assert item["authors"] == [{"name": SEED_AUTHOR}]
    assert item["tags"] == list(SEED_CATEGORIES)
    assert item["date_published"] == "2021-06-15T03:58:00Z"
    assert item["image"] == SEED_IMAGE
    assert item["content_html"] == SEED_BODY
