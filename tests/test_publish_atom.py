"""Atom 1.0 rendering: feed and entry elements, the links feedgen loses, source, order, the golden file.

The golden file tests/data/golden/feed.atom is compared byte for byte; set ``UPDATE_GOLDEN=1`` to rewrite it
(then review the diff). Validity against the W3C validator is in test_publish_validity.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from lxml import etree

from aggregator.publish import render_atom
from aggregator.publish.atom import feed_id
from aggregator.publish.document import FeedDocument
from tests.support.publish_samples import (
    SEED_BODY,
    SEED_IMAGE,
    SITE,
    assert_golden,
    english_entry,
    golden_document,
    local_entry,
    make_document,
    make_entry,
    podcast_entry,
    seed_entry,
)
from tests.support.validity import atom_problems

A = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed_of(document: FeedDocument) -> etree._Element:
    return etree.fromstring(render_atom(document))


def entries_of(document: FeedDocument) -> list[etree._Element]:
    return list(feed_of(document).findall(f"{A}entry"))


def links(element: etree._Element) -> list[dict[str, str]]:
    return [dict(link.attrib) for link in element.findall(f"{A}link")]


def test_golden_file() -> None:
    assert_golden("feed.atom", render_atom(golden_document()))


def test_same_document_same_bytes() -> None:
    assert render_atom(golden_document()) == render_atom(golden_document())


def test_feed_elements() -> None:
    feed = feed_of(golden_document())
    assert feed.get(XML_LANG) == "zh-CN"
    assert feed.findtext(f"{A}title") == "科技新闻"
    assert feed.findtext(f"{A}subtitle") == "Chinese and English technology news"
    assert feed.findtext(f"{A}icon") == f"{SITE}favicon.png"
    assert feed.findtext(f"{A}logo") == f"{SITE}logo.png"
    generator = feed.find(f"{A}generator")
    assert generator is not None
    assert (generator.text, generator.get("uri")) == (
        "aggregator 0.1.0",
        "https://github.com/aggregator-project/aggregator",
    )
    assert links(feed) == [
        {"href": f"{SITE}feeds/news.atom", "rel": "self", "type": "application/atom+xml"},
        {"href": SITE, "rel": "alternate", "type": "text/html"},
        {"href": "https://hub.example.org/", "rel": "hub"},
        {"href": f"{SITE}feeds/news.atom?page=2", "rel": "next", "type": "application/atom+xml"},
    ]


def test_updated_is_the_newest_entry_time_and_empty_feeds_use_the_fixed_date() -> None:
    assert feed_of(golden_document()).findtext(f"{A}updated") == "2021-06-15T05:00:00+00:00"
    assert feed_of(make_document()).findtext(f"{A}updated") == "2000-01-01T00:00:00+00:00"


def test_feed_id_is_the_same_on_every_page() -> None:
    page_two = replace(
        golden_document(), self_urls={"atom": f"{SITE}feeds/news.atom?page=2"}, next_page_urls={}
    )
    first = feed_of(golden_document()).findtext(f"{A}id")
    assert first == feed_of(page_two).findtext(f"{A}id") == feed_id(golden_document())
    assert first is not None
    assert first.startswith("urn:uuid:")
    assert first != feed_id(replace(golden_document(), name="other"))


def test_optional_feed_elements_are_left_out() -> None:
    document = make_document(description="", language=None, icon=None, logo=None, hub_url=None)
    feed = feed_of(replace(document, next_page_urls={}, generator_uri=None))
    for tag in ("subtitle", "icon", "logo"):
        assert feed.find(f"{A}{tag}") is None
    assert feed.get(XML_LANG) is None
    assert feed.find(f"{A}generator").attrib == {}
    assert [link["rel"] for link in links(feed)] == ["self", "alternate"]


def test_feed_author_only_when_an_entry_has_none() -> None:
    """RFC 4287 4.1.1: a feed needs an author unless every entry has one."""
    assert feed_of(make_document(seed_entry(), english_entry())).find(f"{A}author") is None
    author = feed_of(golden_document()).find(f"{A}author")
    assert author is not None
    assert author.findtext(f"{A}name") == "科技新闻"


def test_entries_keep_the_given_order() -> None:
    entries = (seed_entry(), english_entry(), local_entry())
    titles = [entry.findtext(f"{A}title") for entry in entries_of(make_document(*entries))]
    assert titles == [entry.title for entry in entries]


def test_entry_elements_of_the_seed() -> None:
    entry = entries_of(golden_document())[0]
    assert entry.findtext(f"{A}id") == "urn:uuid:6c5dac82-43fe-42b9-8d7e-2b1c4a9f0e11"
    assert entry.findtext(f"{A}published") == "2021-06-15T03:58:00+00:00"
    assert entry.findtext(f"{A}updated") == "2021-06-15T03:58:00+00:00"
    assert entry.findtext(f"{A}author/{A}name") == "高科技行业门户"
    content = entry.find(f"{A}content")
    assert content is not None
    assert (content.get("type"), content.text) == ("html", SEED_BODY)
    summary = entry.find(f"{A}summary")
    assert summary is not None
    assert summary.get("type") is None  # plain text
    assert [c.get("term") for c in entry.findall(f"{A}category")] == ["新媒体", "高科技行业门户", "新闻"]
    assert entry.find(f"{MEDIA}thumbnail").attrib == {"url": SEED_IMAGE}


def test_entry_links_keep_rel_type_and_length() -> None:
    """feedgen 1.0.0 drops rel, type and length on entry links: an enclosure would become an alternate."""
    english = entries_of(golden_document())[1]
    assert links(english) == [
        {
            "href": "https://example-tech.com/reviews/raspberry-pi-5",
            "rel": "alternate",
            "type": "text/html",
        },
        {
            "href": "https://example-tech.com/images/pi5.png",
            "rel": "enclosure",
            "type": "image/png",
            "length": "48213",
        },
    ]
    seed = entries_of(golden_document())[0]
    assert links(seed)[1] == {"href": SEED_IMAGE, "rel": "enclosure", "type": "image/jpeg"}  # length unknown


def test_updated_is_never_before_published() -> None:
    entry = make_entry(
        published=datetime(2021, 6, 15, 3, 58, tzinfo=UTC), updated=datetime(2021, 6, 1, tzinfo=UTC)
    )
    assert entries_of(make_document(entry))[0].findtext(f"{A}updated") == "2021-06-15T03:58:00+00:00"


def test_source_of_a_web_feed() -> None:
    source = entries_of(golden_document())[1].find(f"{A}source")
    assert source is not None
    assert source.findtext(f"{A}id") == "https://example-tech.com/feed.xml"
    assert source.findtext(f"{A}title") == "Example Tech"
    assert source.findtext(f"{A}updated") == "2021-06-15T05:00:00+00:00"
    assert links(source) == [
        {"href": "https://example-tech.com/", "rel": "alternate", "type": "text/html"},
        {"href": "https://example-tech.com/feed.xml", "rel": "self"},
    ]


def test_source_of_a_local_folder_does_not_publish_its_path() -> None:
    entry = entries_of(golden_document())[2]
    source = entry.find(f"{A}source")
    assert source is not None
    assert source.findtext(f"{A}title") == "portal-articles"
    assert (source.findtext(f"{A}id") or "").startswith("urn:uuid:")
    assert links(source) == []
    assert b"/srv/aggregator" not in render_atom(golden_document())
    assert links(entry) == []  # no link, no image
    assert entry.find(f"{A}author") is None  # the feed-level author covers it


def test_entry_without_content_gets_its_summary_or_title_as_html() -> None:
    entry = make_entry(content_html="", summary="a < b", link=None)
    assert entries_of(make_document(entry))[0].findtext(f"{A}content") == "a &lt; b"
    untitled = make_entry(content_html="", summary="", title="", link=None)
    rendered = entries_of(make_document(untitled))[0]
    assert rendered.findtext(f"{A}title") == "Untitled"
    assert rendered.findtext(f"{A}content") == "Untitled"


def test_characters_xml_cannot_carry_are_removed() -> None:
    entry = make_entry(title="\x1b[1mBold\x1b[0m\x00", categories=("A\x0bI",), source_title="So\ufffeurce")
    rendered = entries_of(make_document(entry))[0]
    assert rendered.findtext(f"{A}title") == "[1mBold[0m"
    assert rendered.find(f"{A}category").get("term") == "AI"
    assert rendered.findtext(f"{A}source/{A}title") == "Source"


def test_a_podcast_episode_links_its_image_then_every_attachment() -> None:
    entry = entries_of(make_document(podcast_entry()))[0]
    assert [link for link in links(entry) if link["rel"] == "enclosure"] == [
        {"href": "https://podcast.example.cn/images/ep2.jpg", "rel": "enclosure", "type": "image/jpeg"},
        {
            "href": "https://cdn.podcast.example.cn/%E9%9F%B3%E9%A2%91/ep2.mp3",
            "rel": "enclosure",
            "type": "audio/mpeg",
            "length": "38749539",
        },
        {
            "href": "https://podcast.example.cn/ep2.txt",
            "rel": "enclosure",
            "type": "application/octet-stream",
        },
    ]
    assert atom_problems(render_atom(make_document(podcast_entry()))) == []
