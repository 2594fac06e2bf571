"""RSS 2.0 rendering: channel and item elements, order, determinism, hostile text, the golden file.

The golden file tests/data/golden/feed.rss is compared byte for byte; set ``UPDATE_GOLDEN=1`` to rewrite it
(then review the diff). Validity against the W3C validator is in test_publish_validity.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from aggregator.errors import PublishError
from aggregator.publish import render_rss
from aggregator.publish.document import FeedDocument
from tests.support.publish_samples import (
    PODCAST_TRANSCRIPT,
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
from tests.support.validity import rss_problems

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
MEDIA = "{http://search.yahoo.com/mrss/}"


def channel_of(document: FeedDocument) -> etree._Element:
    root = etree.fromstring(render_rss(document))
    channel = root.find("channel")
    assert channel is not None
    return channel


def items_of(document: FeedDocument) -> list[etree._Element]:
    return list(channel_of(document).findall("item"))


def test_golden_file() -> None:
    assert_golden("feed.rss", render_rss(golden_document()))


def test_same_document_same_bytes() -> None:
    first = render_rss(golden_document())
    again = replace(golden_document(), self_urls=dict(reversed(list(golden_document().self_urls.items()))))
    assert render_rss(golden_document()) == first
    assert render_rss(again) == first


def test_channel_elements() -> None:
    channel = channel_of(golden_document())
    assert channel.findtext("title") == "科技新闻"
    assert channel.findtext("link") == SITE
    assert channel.findtext("description") == "Chinese and English technology news"
    assert channel.findtext("language") == "zh-CN"
    assert channel.findtext("generator") == "aggregator 0.1.0"
    assert channel.findtext("ttl") == "30"
    image = channel.find("image")
    assert image is not None
    assert [image.findtext(tag) for tag in ("url", "title", "link")] == [f"{SITE}logo.png", "科技新闻", SITE]
    links = {link.get("rel"): link.attrib for link in channel.findall(f"{ATOM}link")}
    assert links["self"] == {"href": f"{SITE}feeds/news.rss", "rel": "self", "type": "application/rss+xml"}
    assert links["hub"] == {"href": "https://hub.example.org/", "rel": "hub"}
    assert links["next"] == {
        "href": f"{SITE}feeds/news.rss?page=2",
        "rel": "next",
        "type": "application/rss+xml",
    }


def test_empty_description_falls_back_to_title_and_optional_elements_are_left_out() -> None:
    document = make_document(description="", language=None, icon=None, logo=None, ttl_minutes=None)
    channel = channel_of(replace(document, hub_url=None, next_page_urls={}))
    assert channel.findtext("description") == "科技新闻"
    for tag in ("language", "ttl", "image"):
        assert channel.find(tag) is None
    assert [link.get("rel") for link in channel.findall(f"{ATOM}link")] == ["self"]


def test_icon_is_the_image_when_there_is_no_logo() -> None:
    channel = channel_of(make_document(logo=None))
    assert channel.findtext("image/url") == f"{SITE}favicon.png"


def test_last_build_date_is_the_newest_entry_time_not_now() -> None:
    # The English entry is older than the seed but was updated after it was published.
    assert channel_of(golden_document()).findtext("lastBuildDate") == "Tue, 15 Jun 2021 05:00:00 +0000"


def test_empty_feed_has_a_fixed_date_and_no_items() -> None:
    channel = channel_of(make_document())
    assert channel.findtext("lastBuildDate") == "Sat, 01 Jan 2000 00:00:00 +0000"
    assert channel.findall("item") == []


def test_entries_keep_the_given_order() -> None:
    """feedgen prepends by default; the newest-first order of the caller must survive."""
    entries = (seed_entry(), english_entry(), local_entry())
    titles = [item.findtext("title") for item in items_of(make_document(*entries))]
    assert titles == [entry.title for entry in entries]


def test_item_elements_of_the_seed() -> None:
    item = items_of(golden_document())[0]
    guid = item.find("guid")
    assert guid is not None
    assert guid.text == "urn:uuid:6c5dac82-43fe-42b9-8d7e-2b1c4a9f0e11"
    assert guid.get("isPermaLink") == "false"
    assert item.findtext("link") == "https://www.example.cn/article/6c5dac8243fe42b9.html"
    assert item.findtext("pubDate") == "Tue, 15 Jun 2021 03:58:00 +0000"
    assert item.findtext(f"{CONTENT}encoded") == SEED_BODY
    assert item.findtext("description", "").startswith("前言：一直以来")
    assert [c.text for c in item.findall("category")] == ["新媒体", "高科技行业门户", "新闻"]
    assert item.find("source") is not None
    assert item.find("source").attrib == {"url": "https://www.example.cn/rss.xml"}
    assert item.findtext("source") == "高科技行业门户"


def test_author_is_dc_creator_because_rss_author_needs_an_email() -> None:
    item = items_of(golden_document())[0]
    assert item.find("author") is None
    assert item.findtext(f"{DC}creator") == "高科技行业门户"


def test_plain_text_summary_is_escaped_as_html() -> None:
    item = items_of(make_document(make_entry(summary="a < b & c")))[0]
    assert item.findtext("description") == "a &lt; b &amp; c"


def test_enclosure_and_thumbnail_with_known_length_and_type() -> None:
    item = items_of(golden_document())[1]
    enclosure = item.find("enclosure")
    assert enclosure is not None
    assert enclosure.attrib == {
        "url": "https://example-tech.com/images/pi5.png",
        "length": "48213",
        "type": "image/png",
    }
    assert item.find(f"{MEDIA}thumbnail").attrib == {"url": "https://example-tech.com/images/pi5.png"}


@pytest.mark.parametrize(
    ("image", "stored_type", "expected_type"),
    [
        (SEED_IMAGE, None, "image/jpeg"),  # no suffix: the documented fallback
        ("https://cdn.example.cn/a/b.WEBP?x=1", None, "image/webp"),  # guessed from the path
        ("https://cdn.example.cn/a/b.jpg", "image/gif", "image/gif"),  # what the store knows wins
    ],
)
def test_enclosure_of_unknown_length_says_zero(
    image: str, stored_type: str | None, expected_type: str
) -> None:
    item = items_of(make_document(make_entry(image=image, image_type=stored_type)))[0]
    enclosure = item.find("enclosure")
    assert enclosure is not None
    assert enclosure.get("length") == "0"
    assert enclosure.get("type") == expected_type


def test_entry_without_link_author_image_or_web_source() -> None:
    item = items_of(golden_document())[2]
    for tag in ("link", "enclosure", "source", f"{DC}creator", f"{MEDIA}thumbnail"):
        assert item.find(tag) is None
    assert item.findtext("title") == "本地文章：周报 <第 24 周> & 摘要"


def test_characters_xml_cannot_carry_are_removed() -> None:
    entry = make_entry(
        title="Bad\x0b title\x1b with\x00 controls\ufffe",
        content_html="<p>body\x0c \ud800</p>",
        author="Jane\x07 Doe",
    )
    item = items_of(make_document(entry))[0]
    assert item.findtext("title") == "Bad title with controls"
    assert item.findtext(f"{CONTENT}encoded") == "<p>body </p>"
    assert item.findtext(f"{DC}creator") == "Jane Doe"


def test_repeated_uid_is_rendered_once() -> None:
    items = items_of(make_document(make_entry(id=1), make_entry(id=2, title="again")))
    assert [item.findtext("title") for item in items] == ["An ordinary entry"]


def test_naive_datetime_is_refused() -> None:
    entry = make_entry(published=datetime(2021, 6, 15, 3, 58))
    with pytest.raises(PublishError, match="naive"):
        render_rss(make_document(entry))


def test_uid_must_be_a_uuid() -> None:
    with pytest.raises(PublishError, match="not a UUID"):
        render_rss(make_document(make_entry(uid="not-a-uuid")))


def test_non_utc_times_are_written_in_utc() -> None:
    beijing = datetime(2021, 6, 15, 11, 58, 30, 123456, tzinfo=timezone(timedelta(hours=8)))
    item = items_of(make_document(make_entry(published=beijing)))[0]
    assert item.findtext("pubDate") == "Tue, 15 Jun 2021 03:58:30 +0000"


def test_iris_are_published_as_uris() -> None:
    entry = make_entry(link="https://例子.测试/文章?q=中文 空格", image="https://例子.测试/图.png")
    item = items_of(make_document(entry))[0]
    assert item.findtext("link") == (
        "https://xn--fsqu00a.xn--0zwm56d/%E6%96%87%E7%AB%A0?q=%E4%B8%AD%E6%96%87%20%E7%A9%BA%E6%A0%BC"
    )
    assert item.find("enclosure").get("url") == "https://xn--fsqu00a.xn--0zwm56d/%E5%9B%BE.png"
    assert item.find("enclosure").get("type") == "image/png"


def test_a_podcast_episode_has_its_audio_as_the_enclosure() -> None:
    """One <enclosure> per item, the audio: podcast apps play it. The transcript is media:content, the
    cover the thumbnail; the audio's IRI is written as a URI."""
    item = items_of(make_document(podcast_entry()))[0]
    assert [e.attrib for e in item.findall("enclosure")] == [
        {
            "url": "https://cdn.podcast.example.cn/%E9%9F%B3%E9%A2%91/ep2.mp3",
            "length": "38749539",
            "type": "audio/mpeg",
        }
    ]
    assert [c.attrib for c in item.findall(f"{MEDIA}content")] == [
        {"url": PODCAST_TRANSCRIPT.url, "type": "application/octet-stream"}
    ]
    assert item.find(f"{MEDIA}thumbnail").attrib == {"url": "https://podcast.example.cn/images/ep2.jpg"}
    assert rss_problems(render_rss(make_document(podcast_entry()))) == []
