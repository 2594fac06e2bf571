"""JSON Feed 1.0 and 1.1 through parse_document."""

from __future__ import annotations

import pytest

from aggregator.errors import ParseError
from aggregator.models import Enclosure, ParsedFeed
from aggregator.parse import ParseOptions, parse_document
from tests.conftest import DATA_DIR

JSON_FEED = {"content-type": "application/feed+json"}


def parse(name: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    body = (DATA_DIR / name).read_bytes()
    return parse_document(body, headers or JSON_FEED, ParseOptions(url="https://sspai.example/feed.json"))


def parse_error(body: bytes, content_type: str = "application/feed+json") -> str:
    with pytest.raises(ParseError) as info:
        parse_document(body, {"content-type": content_type})
    return str(info.value)


def test_json_feed_1_1_feed_fields() -> None:
    feed = parse("jsonfeed_1_1.json")
    assert (feed.title, feed.link, feed.description) == (
        "少数派 JSON",
        "https://sspai.example/",
        "A JSON Feed 1.1 with every item field we read",
    )
    assert (feed.language, feed.icon, feed.format, feed.encoding) == (
        "zh-CN",
        "https://sspai.example/icon-512.png",
        "json11",
        "utf-8",
    )
    assert feed.ttl_seconds is None and feed.warnings == ()


def test_json_feed_1_1_item_fields() -> None:
    entry = parse("jsonfeed_1_1.json").entries[0]
    assert entry.position == 0
    assert entry.guid == entry.link == "https://sspai.example/post/1"
    assert entry.title == "大模型 <入门>" and not entry.title_is_html
    assert entry.content_html == '<p>正文 <img src="/img/1.png"></p>'
    assert entry.summary_html == "摘要 &amp; 提要"  # JSON Feed summaries are plain text
    assert entry.image == "https://sspai.example/img/1.png"
    assert entry.thumbnails == ("https://sspai.example/img/1.png", "https://sspai.example/img/1-banner.png")
    assert entry.published_raw == "2024-03-05T10:30:00+08:00"
    assert entry.updated_raw == "2024-03-06T08:00:00+08:00"
    assert entry.author == "张三, 李四"
    assert entry.categories == ("AI", "大模型")
    assert entry.language == "zh-Hans"
    assert entry.base_url == "https://sspai.example/feed.json"
    assert entry.enclosures == (
        Enclosure(url="https://sspai.example/a/1.mp3", type="audio/mpeg", length=12345),
        Enclosure(url="https://sspai.example/a/1.pdf", type="application/pdf", length=None),
    )
    assert len(entry.raw_hash) == 64


def test_content_text_is_escaped_and_numeric_id_accepted() -> None:
    entry = parse("jsonfeed_1_1.json").entries[1]
    assert entry.guid == "42"
    assert entry.link == "https://elsewhere.example/story"  # external_url when there is no url
    assert entry.content_html == "Plain text body<br>\nwith &lt;angle brackets&gt; &amp; a second line"
    assert entry.title is None
    assert entry.language == "zh-CN"  # the feed's


def test_json_feed_1_0_author_and_single_tag() -> None:
    feed = parse("jsonfeed_1_0.json")
    assert feed.format == "json10"
    entry = feed.entries[0]
    assert entry.author == "Brent Simmons"
    assert entry.categories == ("single-tag",)
    assert entry.published_raw == "2017-05-17T08:02:12-07:00"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/octet-stream"])
def test_detected_by_body_whatever_the_content_type(content_type: str) -> None:
    assert parse("jsonfeed_1_1.json", {"content-type": content_type}).format == "json11"


def test_raw_hash_is_stable() -> None:
    first = [e.raw_hash for e in parse("jsonfeed_1_1.json").entries]
    assert first == [e.raw_hash for e in parse("jsonfeed_1_1.json").entries]
    assert len(set(first)) == 2


def test_items_without_authors_have_the_feeds() -> None:
    """JSON Feed 1.1: an item without authors has the feed's; the feed's are part of its raw hash then."""
    feed = parse("jsonfeed_feed_level_authors.json")
    assert [e.author for e in feed.entries] == ["王小明, 李华", "Guest Writer"]
    body = (DATA_DIR / "jsonfeed_feed_level_authors.json").read_bytes()
    body = body.replace("李华".encode(), "韩梅梅".encode())
    renamed = parse_document(body, JSON_FEED, ParseOptions(url="https://sspai.example/feed.json"))
    assert renamed.entries[0].author == "王小明, 韩梅梅"
    assert renamed.entries[0].raw_hash != feed.entries[0].raw_hash
    assert renamed.entries[1].raw_hash == feed.entries[1].raw_hash  # its own author: nothing inherited


def test_empty_items_is_a_valid_empty_feed() -> None:
    feed = parse("jsonfeed_no_items.json")
    assert feed.entries == () and feed.title == "Nothing yet"


def test_invalid_json() -> None:
    message = parse_error((DATA_DIR / "jsonfeed_invalid_json.json").read_bytes())
    assert message.startswith("invalid JSON: ")


def test_json_that_is_not_a_feed() -> None:
    assert parse_error((DATA_DIR / "json_not_a_feed.json").read_bytes(), "application/json") == (
        "not a feed: a JSON document that is not a JSON Feed (no jsonfeed.org version)"
    )


def test_top_level_array() -> None:
    assert parse_error(b"[1, 2, 3]") == "not a feed: a JSON document whose top level is not an object"


def test_missing_items() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "title": "no items key"}'
    assert parse_error(body) == "invalid JSON Feed: no 'items' list"


def test_items_that_are_not_objects_are_skipped() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": ["junk", {"id": "1", "title": "ok"}]}'
    feed = parse_document(body, JSON_FEED)
    assert [e.title for e in feed.entries] == ["ok"]
    assert feed.entries[0].position == 1
    assert feed.warnings == ("JSON Feed item 0 is not an object; skipped",)
    assert parse_error(b'{"version": "https://jsonfeed.org/version/1.1", "items": [1, 2]}') == (
        "no entries could be read: no JSON Feed item is an object"
    )


def test_json_content_type_with_a_non_json_body() -> None:
    assert parse_error(b"oops", "application/json").startswith("invalid JSON: ")


def test_json_in_another_declared_charset() -> None:
    body = '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "中文"}]}'
    feed = parse_document(body.encode("gbk"), {"content-type": "application/feed+json; charset=gbk"})
    assert feed.entries[0].title == "中文"
    assert feed.encoding == "gb18030"
    assert feed.warnings == ("JSON document in gbk, not UTF-8",)
