"""JSON Feed 1.1 rendering: keys and their order, dates, authors, extensions, hostile text, the golden file.

The golden file tests/data/golden/feed.json is compared byte for byte; set ``UPDATE_GOLDEN=1`` to rewrite it
(then review the diff). The JSON Schema check is in test_publish_validity.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import jsonschema

from aggregator import PROJECT_URL
from aggregator.publish import render_json
from aggregator.publish.document import FeedDocument
from tests.support.publish_samples import (
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
from tests.support.validity import JSON_FEED_SCHEMA


def feed_of(document: FeedDocument) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_json(document))
    return loaded


def test_golden_file() -> None:
    assert_golden("feed.json", render_json(golden_document()))


def test_same_document_same_bytes_utf8_not_escaped() -> None:
    data = render_json(golden_document())
    assert data == render_json(golden_document())
    assert "科技新闻".encode() in data
    assert b"\\u" not in data
    assert data.endswith(b"}\n")


def test_feed_keys_in_a_fixed_readable_order() -> None:
    feed = feed_of(golden_document())
    assert list(feed) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "next_url",
        "icon",
        "favicon",
        "language",
        "hubs",
        "items",
    ]
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == SITE
    assert feed["feed_url"] == f"{SITE}feeds/news.json"
    assert feed["next_url"] == f"{SITE}feeds/news.json?page=2"
    assert feed["icon"] == f"{SITE}logo.png"
    assert feed["favicon"] == f"{SITE}favicon.png"
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]


def test_optional_feed_keys_are_left_out() -> None:
    document = make_document(description="", language=None, icon=None, logo=None, hub_url=None)
    feed = feed_of(replace(document, next_page_urls={}, self_urls={}))
    assert list(feed) == ["version", "title", "home_page_url", "items"]
    assert feed["items"] == []


def test_items_keep_the_given_order() -> None:
    entries = (seed_entry(), english_entry(), local_entry())
    assert [item["title"] for item in feed_of(make_document(*entries))["items"]] == [e.title for e in entries]


def test_item_of_the_english_review() -> None:
    item = feed_of(golden_document())["items"][1]
    assert item == {
        "id": "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "url": "https://example-tech.com/reviews/raspberry-pi-5",
        "title": "Raspberry Pi 5 review: faster, hotter & finally with PCIe",
        "content_html": english_entry().content_html,
        "summary": english_entry().summary,
        "image": "https://example-tech.com/images/pi5.png",
        "date_published": "2021-06-14T18:30:00Z",
        "date_modified": "2021-06-15T05:00:00Z",
        "authors": [{"name": "Jane Doe"}],
        "tags": ["Hardware", "Reviews"],
        "language": "en",
        "_aggregator": {
            "about": PROJECT_URL,
            "source": "Example Tech",
            "source_url": "https://example-tech.com/feed.xml",
            "source_home_page_url": "https://example-tech.com/",
        },
    }


def test_item_of_a_local_article_has_no_link_author_image_or_path() -> None:
    item = feed_of(golden_document())["items"][2]
    for key in ("url", "authors", "image", "date_modified"):
        assert key not in item
    assert item["_aggregator"] == {"about": PROJECT_URL, "source": "portal-articles"}


def test_dates_are_utc_with_z_to_the_second() -> None:
    entry = make_entry(
        published=datetime(2021, 6, 15, 3, 58, 1, 999999, tzinfo=UTC),
        updated=datetime(2021, 6, 15, 4, 0, tzinfo=UTC),
    )
    item = feed_of(make_document(entry))["items"][0]
    assert (item["date_published"], item["date_modified"]) == ("2021-06-15T03:58:01Z", "2021-06-15T04:00:00Z")


def test_tags_are_unique_in_order_without_blanks() -> None:
    item = feed_of(make_document(make_entry(categories=("AI", "机器学习", "AI", " "))))["items"][0]
    assert item["tags"] == ["AI", "机器学习"]


def test_lone_surrogates_and_controls_are_removed_so_the_feed_encodes() -> None:
    entry = make_entry(title="a\ud800b\x00c", content_html="<p>\x1b[0m</p>", summary="")
    item = feed_of(make_document(entry))["items"][0]
    assert item["title"] == "abc"
    assert item["content_html"] == "<p>[0m</p>"
    assert "summary" not in item


def test_entry_without_content_gets_escaped_summary() -> None:
    item = feed_of(make_document(make_entry(content_html="", summary="a < b")))["items"][0]
    assert item["content_html"] == "a &lt; b"


def test_a_podcast_episode_has_its_attachments_and_its_image() -> None:
    item = feed_of(make_document(podcast_entry()))["items"][0]
    assert item["image"] == "https://podcast.example.cn/images/ep2.jpg"
    assert item["attachments"] == [
        {
            "url": "https://cdn.podcast.example.cn/%E9%9F%B3%E9%A2%91/ep2.mp3",
            "mime_type": "audio/mpeg",
            "size_in_bytes": 38749539,
        },
        {"url": "https://podcast.example.cn/ep2.txt", "mime_type": "application/octet-stream"},
    ]
    jsonschema.Draft202012Validator(JSON_FEED_SCHEMA).validate(feed_of(make_document(podcast_entry())))
