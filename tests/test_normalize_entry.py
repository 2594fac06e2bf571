"""A parsed entry -> a normalized entry (aggregator.normalize.entry), and the package's public API."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import aggregator.normalize
from aggregator.models import Enclosure, NormalizedEntry, ParsedEntry, ParsedFeed
from aggregator.normalize import (
    NORMALIZER_VERSION,
    NormalizeSettings,
    assign_keys,
    build_alias_map,
    content_hash,
    entry_uid,
    normalize_entry,
)
from aggregator.normalize.entry import MAX_ENCLOSURES
from aggregator.parse import parse_document

DATA = Path(__file__).parent / "data"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SH = "Asia/Shanghai"
FEED = ParsedFeed(title="IT之家", link="https://www.ithome.com/", format="rss20")
SETTINGS = NormalizeSettings(source_name="ithome", timezone=SH)

SEED_TITLE = "全力打造高端特色，中关村科学城进数字化治理方式变革"
SEED_SUMMARY = (
    "前言： 一直以来，中关村都是中国数字最为密集、数字经济最为发达的地区。 "
    "中关村在整个互联网协同办公、互联网医疗、互联网教育、互联网生活等各方面"
    "已成为引领中国数字经济发展的排头兵。 "
    "作者 ｜ 方文 加快布局新型数字基础设施 "
    "近日，北京市海淀区开始制定了新一轮的“三年行动”计划！"
    "海淀区在中关村科学城北区“创新合伙人”大会上发布"
    "《中关村科学城数字经济创新发展三年行动计划（2021－2023年）》。 根…"
)


def normalize(settings: NormalizeSettings = SETTINGS, now: datetime = NOW, **fields: Any) -> NormalizedEntry:
    entry = ParsedEntry(position=0, **fields)
    return normalize_entry(entry, assign_keys([entry])[0], FEED, settings, now)


# ------------------------------------------------------------------------------------- the seed article


def test_the_seed_portal_article() -> None:
    body = (DATA / "inline_styled_portal_article.html").read_text(encoding="utf-8")
    parsed = ParsedEntry(
        position=0,
        guid="000_6c5dac8243fe42b9",
        title=SEED_TITLE,
        content_html=body,
        author="高科技行业门户",
        published_raw="Tue, 15 Jun 2021 03:58:00 GMT",
        categories=("新媒体", "高科技行业门户", "新闻"),
        image="https://picsum.photos/400/300?random=5411",
        raw_hash="raw",
    )
    feed = ParsedFeed(format="markdown")
    settings = NormalizeSettings(
        source_name="portal-articles",
        timezone=SH,
        categories=("新闻", "门户"),
        aliases=build_alias_map({"新闻": ["news", "资讯"]}),
    )
    (key,) = assign_keys([parsed])
    entry = normalize_entry(parsed, key, feed, settings, NOW)

    assert entry.key == "g:000_6c5dac8243fe42b9"
    assert entry.link is None
    assert entry.title == SEED_TITLE
    assert entry.author == "高科技行业门户"
    assert entry.published == datetime(2021, 6, 15, 3, 58, tzinfo=UTC)
    assert entry.updated is None
    assert entry.published_raw == "Tue, 15 Jun 2021 03:58:00 GMT"
    assert entry.summary == SEED_SUMMARY
    assert "style=" not in entry.content_html
    assert entry.content_html.count("<p>") == 26
    assert "<p><strong>全面推进数字化治理方式变革</strong></p>" in entry.content_html
    assert entry.content_text.startswith("前言：\n一直以来，中关村都是中国数字最为密集")
    assert entry.content_text.endswith("部分内容参考来源：海淀网、北京日报")
    assert len(entry.content_text.splitlines()) == 26
    assert entry.image == "https://picsum.photos/400/300?random=5411"
    assert entry.image_type is None  # no extension to guess from
    assert entry.image_length is None
    assert entry.language == "zh"
    assert entry.categories == ("新媒体", "高科技行业门户", "新闻", "门户")
    assert entry.raw_hash == "raw"
    assert entry.content_hash == content_hash(
        title=entry.title,
        link=entry.link,
        author=entry.author,
        published=entry.published,
        updated=entry.updated,
        content_html=entry.content_html,
        summary=entry.summary,
        image=entry.image,
        categories=entry.categories,
    )
    assert normalize_entry(parsed, key, feed, settings, NOW) == entry  # deterministic


# --------------------------------------------------------------------------------------------- dates

FUTURE = "2030-01-01T00:00:00Z"

DATE_CASES = [
    # (published_raw, updated_raw, published, updated, stored published_raw)
    ("2024-03-20 14:05:00", None, datetime(2024, 3, 20, 6, 5, tzinfo=UTC), None, "2024-03-20 14:05:00"),
    (
        "Mon, 18 Mar 2024 16:20:00 CST",
        None,
        datetime(2024, 3, 18, 8, 20, tzinfo=UTC),
        None,
        "Mon, 18 Mar 2024 16:20:00 CST",
    ),
    (
        "2024-03-20T06:05:00Z",
        "2024-03-21T00:00:00Z",
        datetime(2024, 3, 20, 6, 5, tzinfo=UTC),
        datetime(2024, 3, 21, tzinfo=UTC),
        "2024-03-20T06:05:00Z",
    ),
    # updated equal to published says nothing
    (
        "2024-03-20T06:05:00Z",
        "2024-03-20 14:05:00",
        datetime(2024, 3, 20, 6, 5, tzinfo=UTC),
        None,
        "2024-03-20T06:05:00Z",
    ),
    # no published date: the updated date is the published one
    (None, "2024-03-20T06:05:00Z", datetime(2024, 3, 20, 6, 5, tzinfo=UTC), None, "2024-03-20T06:05:00Z"),
    ("刚刚", "2024-03-20T06:05:00Z", datetime(2024, 3, 20, 6, 5, tzinfo=UTC), None, "2024-03-20T06:05:00Z"),
    # no date at all: first seen
    (None, None, NOW, None, None),
    ("0000-00-00 00:00:00", "", NOW, None, None),
    # the future: clamped to first seen, the raw string kept; a little ahead (a fast clock) is fine
    (FUTURE, None, NOW, None, FUTURE),
    ("2024-06-01T13:00:00Z", None, datetime(2024, 6, 1, 13, tzinfo=UTC), None, "2024-06-01T13:00:00Z"),
    ("2024-03-20T06:05:00Z", FUTURE, datetime(2024, 3, 20, 6, 5, tzinfo=UTC), None, "2024-03-20T06:05:00Z"),
]


@pytest.mark.parametrize(("published_raw", "updated_raw", "published", "updated", "raw"), DATE_CASES)
def test_dates(
    published_raw: str | None,
    updated_raw: str | None,
    published: datetime,
    updated: datetime | None,
    raw: str | None,
) -> None:
    entry = normalize(title="t", published_raw=published_raw, updated_raw=updated_raw)
    assert (entry.published, entry.updated, entry.published_raw) == (published, updated, raw)
    assert entry.published.tzinfo is UTC


def test_max_future_is_configurable() -> None:
    settings = dataclasses.replace(SETTINGS, max_future_seconds=0)
    assert normalize(settings, published_raw="2024-06-01T13:00:00Z").published == NOW


def test_now_must_be_aware_and_is_converted_to_utc() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        normalize(now=datetime(2024, 6, 1, 12))
    entry = normalize(now=NOW.astimezone(ZoneInfo(SH)))
    assert entry.published == NOW
    assert entry.published.tzinfo is UTC


# --------------------------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("link", "base", "expected"),
    [
        (
            "https://www.ifanr.com/1558705?utm_source=rss&utm_medium=rss&utm_campaign=",
            None,
            "https://www.ifanr.com/1558705",
        ),
        ("/0/750/123.htm", "https://www.ithome.com/rss/", "https://www.ithome.com/0/750/123.htm"),
        ("javascript:void(0)", None, None),
        ("  ", None, None),
    ],
)
def test_link(link: str, base: str | None, expected: str | None) -> None:
    assert normalize(link=link, base_url=base).link == expected


def test_relative_content_urls_resolve_against_the_entry_link_without_a_base() -> None:
    entry = normalize(link="https://www.ithome.com/0/750/123.htm", content_html='<img src="images/a.jpg">')
    assert entry.content_html == '<img src="https://www.ithome.com/0/750/images/a.jpg">'
    assert normalize(content_html='<a href="/about">x</a>').content_html == (
        '<a href="https://www.ithome.com/about" rel="noopener noreferrer">x</a>'  # the feed's link
    )


# ------------------------------------------------------------------------------- title, text, author

CONTROL = "\x0b\x1b\ufffe"


@pytest.mark.parametrize(
    ("fields", "title"),
    [
        ({"title": "  华为今年无 Mate 新机\n"}, "华为今年无 Mate 新机"),
        ({"title": "<b>AT&amp;T</b> 发布", "title_is_html": True}, "AT&T 发布"),
        ({"title": f"标题{CONTROL}带控制字符"}, "标题带控制字符"),
        # no title: the start of the summary, else "(untitled)"
        ({"title": " ", "content_html": "<p>" + "长" * 100 + "</p>"}, "长" * 79 + "…"),
        ({"title": None, "summary_html": "<p>Short note</p>"}, "Short note"),
        ({}, "(untitled)"),
        ({"title": "<img src=x>", "title_is_html": True}, "(untitled)"),
    ],
)
def test_title(fields: dict[str, Any], title: str) -> None:
    assert normalize(**fields).title == title


@pytest.mark.parametrize(
    ("fields", "summary", "content_text"),
    [
        # a real summary beside the content is used
        ({"summary_html": "<p>摘要</p>", "content_html": "<p>正文</p>"}, "摘要", "正文"),
        # a copy of the content (feedparser fills both from content:encoded) is not
        ({"summary_html": "<p>正文</p>", "content_html": " <p>正文</p> "}, "正文", "正文"),
        # an empty summary falls back to the content
        (
            {"summary_html": "<p><img src='https://a.com/x.png'></p>", "content_html": "<p>正文</p>"},
            "正文",
            "正文",
        ),
        # no content: the summary is the content
        ({"summary_html": "<p>只有摘要</p>"}, "只有摘要", "只有摘要"),
        ({"summary_html": "<p>只有摘要</p>", "content_html": "  "}, "只有摘要", "只有摘要"),
        ({}, "", ""),
    ],
)
def test_summary_and_content(fields: dict[str, Any], summary: str, content_text: str) -> None:
    entry = normalize(**fields)
    assert (entry.summary, entry.content_text) == (summary, content_text)


def test_a_long_summary_is_cut_at_200_characters() -> None:
    entry = normalize(content_html="<p>" + "The quick brown fox jumps over the lazy dog. " * 20 + "</p>")
    assert len(entry.summary) <= 200
    assert entry.summary.endswith("…")
    assert entry.summary.startswith("The quick brown fox")


def test_control_characters_are_removed_from_title_and_content() -> None:
    entry = normalize(
        title=f"IT之家{CONTROL}快讯",
        content_html=f"<p>正文{CONTROL}内容&#x1b;</p>",
        author=f"小编{CONTROL}",
        categories=(f"数码{CONTROL}",),
    )
    assert (entry.title, entry.content_html, entry.content_text, entry.author) == (
        "IT之家快讯",
        "<p>正文内容</p>",
        "正文内容",
        "小编",
    )
    assert entry.categories == ("数码",)


def test_javascript_links_are_removed_from_the_entry_and_its_content() -> None:
    entry = normalize(link="javascript:void(0)", content_html='<p><a href="javascript:alert(1)">点我</a></p>')
    assert entry.link is None
    assert entry.content_html == '<p><a rel="noopener noreferrer">点我</a></p>'


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("lawyer@boyer.net (Lawyer Boyer)", "Lawyer Boyer"),
        ("editor@ithome.com", "editor@ithome.com"),
        ("<a href='/u/1'>少数派</a>", "少数派"),
        ("  ", None),
        (None, None),
    ],
)
def test_author(author: str | None, expected: str | None) -> None:
    assert normalize(author=author).author == expected


# --------------------------------------------------------------------------------------------- image

ARTICLE = "https://www.example.com/news/2024/1.html"
JPEG = Enclosure("https://cdn.example.com/cover.jpg", "image/jpeg", 12345)
MP3 = Enclosure("https://cdn.example.com/episode.mp3", "audio/mpeg", 999)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # explicit image first (front matter headimg, JSON Feed image), resolved, type guessed
        (
            {"image": "/uploads/head.JPG", "enclosures": (JPEG,)},
            ("https://www.example.com/uploads/head.JPG", "image/jpeg", None),
        ),
        # an image enclosure: its type and length
        ({"image": "javascript:alert(1)", "enclosures": (MP3, JPEG)}, (JPEG.url, "image/jpeg", 12345)),
        (
            {"enclosures": (Enclosure("https://a.com/x", "image/jpg; q=1", 0),)},
            ("https://a.com/x", "image/jpeg", None),
        ),
        (
            {"enclosures": (Enclosure("https://a.com/x.png", None, 2048),)},
            ("https://a.com/x.png", "image/png", 2048),
        ),
        (
            {"enclosures": (Enclosure("https://a.com/x.webp", "application/octet-stream"),)},
            ("https://a.com/x.webp", "image/webp", None),
        ),
        # not images: a podcast enclosure, an untyped file that is not an image
        (
            {"enclosures": (MP3, Enclosure("https://a.com/file.zip")), "thumbnails": ("//img.a.com/t.gif",)},
            ("https://img.a.com/t.gif", "image/gif", None),
        ),
        # media:thumbnail; WeChat's CDN says its format in the query
        (
            {"thumbnails": ("https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg",)},
            ("https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg", "image/jpeg", None),
        ),
        # the first image of the content, lazy images included, tracking pixels not
        (
            {
                "content_html": '<img src="https://t.com/p.gif" width="1" height="1"><p>x</p>'
                '<img src="grey.gif" data-original="/pics/1.png">'
            },
            ("https://www.example.com/pics/1.png", "image/png", None),
        ),
        (
            {
                "content_html": '<p>Big news <img src="https://s.w.org/images/core/emoji/14.0.0/72x72/1f4e3.png"'
                ' alt="📣" class="wp-smiley" style="height: 1em; max-height: 1em;" /></p>'
            },
            (None, None, None),
        ),
        (
            {"image": "data:image/png;base64,iVBORw0KGgo=", "content_html": "<p>no image</p>"},
            (None, None, None),
        ),
        ({}, (None, None, None)),
    ],
)
def test_image(fields: dict[str, Any], expected: tuple[str | None, str | None, int | None]) -> None:
    entry = normalize(link=ARTICLE, **fields)
    assert (entry.image, entry.image_type, entry.image_length) == expected


# ----------------------------------------------------------------------------------------- enclosures


def test_enclosures_other_than_the_image_are_kept() -> None:
    """A podcast episode is its audio: absolute, typed, once each; the image is not repeated."""
    entry = normalize(
        link=ARTICLE,
        enclosures=(
            Enclosure("/audio/ep2.mp3", "Audio/MP3; charset=binary", 38749539),
            Enclosure("https://a.com/cover.jpg", "image/jpeg", 52011),  # the entry's image
            Enclosure("https://cdn.a.com/ep2.m4a", "", 0),  # no type: from the suffix; 0 is unknown
            Enclosure("https://a.com/notes.pdf", "application/octet-stream", 1204),
            Enclosure("https://a.com/show", None, None),  # nothing to say what it is
            Enclosure("https://a.com/show.ogg", "audio/ogg (Vorbis)", None),  # not a type: by its suffix
            Enclosure("https://www.example.com/audio/ep2.mp3", "audio/mpeg", 1),  # the first one, again
            Enclosure("javascript:alert(1)", "audio/mpeg", 1),
            Enclosure("ftp://a.com/ep2.mp3", "audio/mpeg", 1),
        ),
    )
    assert (entry.image, entry.image_type, entry.image_length) == (
        "https://a.com/cover.jpg",
        "image/jpeg",
        52011,
    )
    assert entry.enclosures == (
        Enclosure("https://www.example.com/audio/ep2.mp3", "audio/mpeg", 38749539),
        Enclosure("https://cdn.a.com/ep2.m4a", "audio/mp4", None),
        Enclosure("https://a.com/notes.pdf", "application/pdf", 1204),
        Enclosure("https://a.com/show", None, None),
        Enclosure("https://a.com/show.ogg", "audio/ogg", None),
    )


def test_an_entry_keeps_at_most_max_enclosures() -> None:
    many = tuple(Enclosure(f"https://a.com/{i}.mp3", "audio/mpeg") for i in range(MAX_ENCLOSURES + 5))
    entry = normalize(enclosures=many)
    assert entry.enclosures == many[:MAX_ENCLOSURES]


def _hash_fields() -> dict[str, Any]:
    return {
        "title": "标题",
        "link": "https://www.ithome.com/0/1.htm",
        "author": "小编",
        "published": datetime(2024, 3, 20, 6, 5, tzinfo=UTC),
        "updated": None,
        "content_html": '<p style="color:red">正文</p>',
        "summary": "正文",
        "image": None,
        "categories": ["数码"],
    }


def test_the_content_hash_is_stable_across_releases_of_the_same_normalizer_version() -> None:
    """Stored entries are compared by this value: a change of formula without a NORMALIZER_VERSION bump
    would mark every re-read entry as edited. This is version 6's hash of these fields."""
    pinned = "702a1582649382d4b4261cdd7c4d816e5a20baaaf9bd80977b00441ae3abe525"
    assert content_hash(**_hash_fields()) == pinned


@pytest.mark.parametrize(
    "change",
    [
        {"title": "标题 "},
        {"link": None},
        {"author": ""},
        {"published": None},
        {"updated": datetime(2024, 3, 20, 6, 5, tzinfo=UTC)},
        {"content_html": "<p>正文</p>"},
        {"summary": "正文。"},
        {"image": "https://img.ithome.com/1.jpg"},
        {"categories": ["数码", "手机"]},
        {"categories": []},
        {"enclosures": [Enclosure("https://a.com/1.mp3", "audio/mpeg", 10)]},
    ],
)
def test_every_field_a_reader_sees_changes_the_content_hash(change: dict[str, Any]) -> None:
    assert content_hash(**{**_hash_fields(), **change}) != content_hash(**_hash_fields())


def test_text_moved_between_fields_changes_the_content_hash() -> None:
    fields = _hash_fields()
    moved = {**fields, "title": fields["title"] + fields["link"], "link": ""}
    assert content_hash(**moved) != content_hash(**fields)
    split = {**fields, "categories": ["数", "码"]}
    assert content_hash(**split) != content_hash(**{**fields, "categories": ["数码"]})
    none_and_empty = {**fields, "author": None}, {**fields, "author": ""}
    assert content_hash(**none_and_empty[0]) != content_hash(**none_and_empty[1])


def test_each_enclosure_field_changes_the_content_hash() -> None:
    audio = Enclosure("https://a.com/1.mp3", "audio/mpeg", 10)
    with_audio = content_hash(**_hash_fields(), enclosures=[audio])
    assert with_audio != content_hash(**_hash_fields(), enclosures=[dataclasses.replace(audio, length=11)])
    assert with_audio != content_hash(**_hash_fields(), enclosures=[dataclasses.replace(audio, length=None)])
    assert with_audio != content_hash(**_hash_fields(), enclosures=[dataclasses.replace(audio, type=None)])
    assert with_audio != content_hash(**_hash_fields(), enclosures=[audio, audio])


# ----------------------------------------------------------------------------- language, categories

CHINESE = "<p>元气森林唐彬森：人类世界只会奖励那些对用户好的公司</p>"
ENGLISH = "<p>Apple on Monday announced the Vision Pro, a mixed reality headset.</p>"


@pytest.mark.parametrize(
    ("configured", "entry_language", "feed_language", "content", "expected"),
    [
        ("zh-CN", "en", "en-us", ENGLISH, "zh-CN"),  # the configuration wins
        (None, "en", "zh-cn", CHINESE, "en"),
        (None, None, "zh-cn", ENGLISH, "zh-CN"),
        (None, "not a language!", "zh_TW", ENGLISH, "zh-TW"),
        (None, None, None, CHINESE, "zh"),
        (None, None, None, ENGLISH, "en"),
        (None, None, None, "", None),
    ],
)
def test_language(
    configured: str | None,
    entry_language: str | None,
    feed_language: str | None,
    content: str,
    expected: str | None,
) -> None:
    settings = dataclasses.replace(SETTINGS, language=configured)
    entry = ParsedEntry(position=0, content_html=content, language=entry_language)
    feed = dataclasses.replace(FEED, language=feed_language)
    assert normalize_entry(entry, "k", feed, settings, NOW).language == expected


def test_categories_from_entry_then_source_through_aliases() -> None:
    settings = dataclasses.replace(
        SETTINGS,
        categories=("新闻", "数码"),
        aliases=build_alias_map({"人工智能": ["AI"], "新闻": ["News"]}),
    )
    entry = normalize(settings, categories=("ai", "News", " 手机 ", "AI"))
    assert entry.categories == ("人工智能", "新闻", "手机", "数码")


# ------------------------------------------------------------------------------------- duplicate GUIDs


def test_entries_with_one_guid_become_distinct_entries() -> None:
    entries = [
        ParsedEntry(
            position=0, guid="https://www.ithome.com/", link="https://www.ithome.com/0/1.htm", title="一"
        ),
        ParsedEntry(
            position=1, guid="https://www.ithome.com/", link="https://www.ithome.com/0/2.htm", title="二"
        ),
        ParsedEntry(
            position=2, guid="https://www.ithome.com/", link="https://www.ithome.com/0/2.htm", title="二"
        ),
    ]
    keys = assign_keys(entries)
    normalized = [normalize_entry(e, k, FEED, SETTINGS, NOW) for e, k in zip(entries, keys, strict=True)]
    assert [n.key for n in normalized] == [
        "g:https://www.ithome.com/",
        "g:https://www.ithome.com/|l://www.ithome.com/0/2.htm",
        "g:https://www.ithome.com/#2",
    ]
    assert len({entry_uid("ithome", n.key) for n in normalized}) == 3


# -------------------------------------------------------------------------------------- content hash

BASE_FIELDS: dict[str, Any] = {
    "guid": "1",
    "link": "https://www.ithome.com/0/1.htm",
    "title": "标题",
    "content_html": "<p>正文</p>",
    "author": "小编",
    "categories": ("数码",),
    "published_raw": "2024-03-20 14:05:00",
}


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({"position": 9, "raw_hash": "other"}, True),  # re-fetched, moved in the feed
        ({"content_html": "<p>正文</p><script>track()</script>"}, True),  # a change nobody sees
        ({"title": "标题（更新）"}, False),
        ({"content_html": "<p>正文，已更正</p>"}, False),
        ({"categories": ("数码", "手机")}, False),
        ({"author": "主编"}, False),
        ({"published_raw": "2024-03-20 15:05:00"}, False),
        ({"updated_raw": "2024-03-21 09:00:00"}, False),
        ({"link": "https://www.ithome.com/0/2.htm"}, False),
        ({"image": "https://img.ithome.com/1.jpg"}, False),
        ({"enclosures": (Enclosure("https://cdn.ithome.com/1.mp3", "audio/mpeg"),)}, False),
    ],
)
def test_content_hash_changes_with_what_a_reader_sees(change: dict[str, Any], same: bool) -> None:
    before = normalize(**BASE_FIELDS).content_hash
    fields = {**BASE_FIELDS, **change}
    position = fields.pop("position", 0)
    entry = ParsedEntry(position=position, **fields)
    after = normalize_entry(entry, "k", FEED, SETTINGS, NOW).content_hash
    assert (after == before) is same
    assert len(after) == 64


@pytest.mark.parametrize("published_raw", [None, FUTURE])
def test_content_hash_does_not_depend_on_the_first_seen_time(published_raw: str | None) -> None:
    first = normalize(title="无日期", published_raw=published_raw)
    later = normalize(title="无日期", published_raw=published_raw, now=NOW + timedelta(hours=1))
    assert first.published != later.published
    assert first.content_hash == later.content_hash


# ------------------------------------------------------------------------------------------ robustness


def test_an_empty_entry() -> None:
    entry = normalize_entry(ParsedEntry(position=0), "h:x", ParsedFeed(), SETTINGS, NOW)
    assert entry == NormalizedEntry(
        key="h:x",
        link=None,
        title="(untitled)",
        author=None,
        published=NOW,
        updated=None,
        published_raw=None,
        summary="",
        content_html="",
        content_text="",
        image=None,
        image_type=None,
        image_length=None,
        language=None,
        categories=(),
        content_hash=entry.content_hash,
        raw_hash="",
    )


def test_an_entry_of_garbage_does_not_raise() -> None:
    entry = ParsedEntry(
        position=-1,
        guid="\x00\ud800",
        link="http://[::1",
        title="\ud800<",
        title_is_html=True,
        summary_html="<<<>>>",
        content_html="<p<p<img src=>>\x00&#0;&#xd800;",
        author="<",
        published_raw="\x00" * 300,
        updated_raw="9999-12-31T23:59:59-23:59",
        categories=("", "\ud800", "x" * 1000),
        enclosures=(Enclosure("", None, -1), Enclosure("http://[::1", "image/png", None)),
        thumbnails=("", "   "),
        image="data:,",
        base_url="http://[::1",
        language="??",
    )
    feed = ParsedFeed(link="javascript:x", language="")
    (key,) = assign_keys([entry])
    normalized = normalize_entry(entry, key, feed, SETTINGS, NOW)
    assert normalized.published == NOW
    assert "\x00" not in normalized.content_html + normalized.title + normalized.key


# ---------------------------------------------------------------------------------------------- settings


def test_fingerprint_is_stable_and_covers_every_setting() -> None:
    settings = NormalizeSettings(
        source_name="ithome", timezone=SH, categories=("新闻",), aliases={"ai": "人工智能", "news": "新闻"}
    )
    same = NormalizeSettings(
        source_name="ithome", timezone=SH, categories=("新闻",), aliases={"news": "新闻", "ai": "人工智能"}
    )
    assert settings.fingerprint() == same.fingerprint()
    assert len(settings.fingerprint()) == 64
    changes: list[dict[str, Any]] = [
        {"source_name": "36kr"},
        {"timezone": "UTC"},
        {"categories": ("新闻", "数码")},
        {"aliases": {"ai": "人工智能"}},
        {"language": "zh-CN"},
        {"max_future_seconds": 3600.0},
    ]
    prints = {dataclasses.replace(settings, **change).fingerprint() for change in changes}
    assert len(prints) == len(changes)
    assert settings.fingerprint() not in prints


def test_an_unknown_timezone_is_refused_when_the_settings_are_made() -> None:
    with pytest.raises(ValueError, match="Asia/Beijing"):
        NormalizeSettings(source_name="x", timezone="Asia/Beijing")


def test_public_api() -> None:
    assert set(aggregator.normalize.__all__) == {
        "NORMALIZER_VERSION",
        "NormalizeSettings",
        "assign_keys",
        "build_alias_map",
        "content_hash",
        "entry_uid",
        "normalize_entry",
    }
    assert isinstance(NORMALIZER_VERSION, int) and NORMALIZER_VERSION >= 1


def test_undated_entries_keep_document_order_with_distinct_times() -> None:
    entries = [ParsedEntry(position=i, guid=f"g{i}", title=f"t{i}") for i in range(3)]
    keys = assign_keys(entries)
    dates = [
        normalize_entry(e, k, ParsedFeed(), SETTINGS, NOW).published
        for e, k in zip(entries, keys, strict=True)
    ]
    assert dates == [NOW, NOW - timedelta(seconds=1), NOW - timedelta(seconds=2)]


def test_share_buttons_and_feed_widgets_are_neither_content_nor_picture() -> None:
    feed = parse_document((DATA / "rss_share_buttons_and_feedflare.xml").read_bytes())
    keys = assign_keys(feed.entries)
    entries = [normalize_entry(e, k, feed, SETTINGS, NOW) for e, k in zip(feed.entries, keys, strict=True)]
    assert [e.image for e in entries] == [None, "https://img.portal.example/2024/chip.jpg", None]
    assert entries[0].content_html == "<p>The driver is out.</p><p> </p>"
    assert entries[1].content_html == (
        '<div></div><p>新品<img src="https://img.portal.example/2024/chip.jpg" alt="芯片"></p>'
    )
    assert all("feedburner" not in e.content_html and "twitter" not in e.content_html for e in entries)


def _fixture(name: str) -> list[NormalizedEntry]:
    feed = parse_document((DATA / name).read_bytes())
    keys = assign_keys(feed.entries)
    return [normalize_entry(e, k, feed, SETTINGS, NOW) for e, k in zip(feed.entries, keys, strict=True)]


def test_a_teaser_read_as_content_does_not_replace_the_article() -> None:
    teaser_beside_article, usual, empty_teaser = _fixture("rss_og_description_teaser.xml")
    assert "The top GCP stories" not in teaser_beside_article.content_html
    assert teaser_beside_article.content_text.startswith("The most-read stories of August.")
    assert "price cuts for preemptible GPUs." in teaser_beside_article.content_text
    assert 'href="https://cloud.example/blog/ruby"' in teaser_beside_article.content_html
    assert teaser_beside_article.summary.startswith("The most-read stories of August.")
    # The usual shape keeps its full content, and its own description as the summary.
    assert (
        usual.content_text
        == "新品发布会今天举行。\n新一代芯片采用五纳米工艺，功耗降低三成，首批产品将于下季度上市。"
    )
    assert usual.summary == "新品发布会今天举行。"
    assert empty_teaser.content_text == "Employees use the tools at their disposal to get work done."


def test_media_content_named_like_an_image_is_the_picture_widest_first() -> None:
    two_sizes, one_size, clip = _fixture("rss_media_content_without_type.xml")
    assert two_sizes.image == "https://i.news.example/img/3000.jpg?w=460&q=55&s=b2"
    assert two_sizes.image_type == "image/jpeg"
    assert one_size.image == "https://storage.news.example/images/shadow_IT.max-600x600.png"
    assert clip.image is None


def test_links_keep_their_anchor_and_lose_tracking_fragments() -> None:
    entries = _fixture("rss_link_anchors.xml")
    assert [e.link for e in entries] == [
        "http://scripting.example/2017/06/26.html#a080605",
        "http://scripting.example/2017/06/26.html#a010633",
        "https://portal.example/news/1.html",
        "https://portal.example/news/2.html",
        "https://portal.example/news/3.html",
        "https://portal.example/news/4.html",
    ]
    assert len({e.key for e in entries}) == len(entries)


def test_untyped_atom_content_holding_html_is_html() -> None:
    html, text = _fixture("atom_untyped_content_with_html.xml")
    assert (
        html.content_html
        == "<div><h1>The Edit</h1></div>\n      <div><p>Living in a <em>digital-first</em> world.</p></div>"
    )
    assert html.content_text == "The Edit\nLiving in a digital-first world."
    assert text.content_text == "Every <p> needs a </p> in XHTML."
    assert "&lt;/p&gt;" in text.content_html
