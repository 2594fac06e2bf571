"""Titles, authors, summaries and control characters (aggregator.normalize.text)."""

from __future__ import annotations

import pytest

from aggregator.normalize.text import (
    clean_author,
    clean_title,
    collapse_whitespace,
    make_summary,
    strip_control_chars,
    strip_tags,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("标题\x0b带\x1b控制\ufffe字符", "标题带控制字符"),  # VT, ESC, noncharacter
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),  # ANSI colour codes pasted into a CMS
        ("NUL\x00 and DEL\x7f", "NUL and DEL"),
        ("C1 \x85\x9f from cp1252 read as latin-1", "C1  from cp1252 read as latin-1"),
        ("lone \ud800 surrogate, \uffff end", "lone  surrogate,  end"),
        ("tab\tlf\ncr\r kept", "tab\tlf\ncr\r kept"),
        ("中文，English, emoji 🚀 kept", "中文，English, emoji 🚀 kept"),
        ("", ""),
    ],
)
def test_strip_control_chars(raw: str, expected: str) -> None:
    assert strip_control_chars(raw) == expected


@pytest.mark.parametrize("other", ["plain ASCII", "non-ASCII 中文"])
def test_every_character_below_u00a0_is_kept_or_stripped_alike_in_ascii_and_other_strings(other: str) -> None:
    """ASCII strings take a faster path than the others: both strip exactly the same characters."""
    for code in range(0xA0):
        char = chr(code)
        forbidden = (code < 0x20 and char not in "\t\n\r") or 0x7F <= code <= 0x9F
        assert strip_control_chars(f"{other}{char}x") == (f"{other}x" if forbidden else f"{other}{char}x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a \n\t b  ", "a b"),
        ("\u3000\u3000华为发布\xa0Mate 60", "华为发布 Mate 60"),  # ideographic space and NBSP
        ("line\u2028separator", "line separator"),
        ("", ""),
    ],
)
def test_collapse_whitespace(raw: str, expected: str) -> None:
    assert collapse_whitespace(raw) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<b>Apple</b> 发布 <em>Vision Pro</em>", "Apple 发布 Vision Pro"),
        ("AT&amp;T &lt;3", "AT&T <3"),
        ("<script>alert(1)</script>x<style>p{}</style>", "x"),
        ("broken <b>markup", "broken markup"),
        ("&#x1b;escaped control", "escaped control"),
    ],
)
def test_strip_tags(markup: str, expected: str) -> None:
    assert strip_tags(markup) == expected


@pytest.mark.parametrize(
    ("title", "is_html", "expected"),
    [
        # the seed article, plain text
        (
            "全力打造高端特色，中关村科学城进数字化治理方式变革",
            False,
            "全力打造高端特色，中关村科学城进数字化治理方式变革",
        ),
        ("  华为今年无 Mate 新机，\n8 年首次「断更」 ", False, "华为今年无 Mate 新机， 8 年首次「断更」"),
        (
            "\u3000\u3000元气森林唐彬森：\xa0人类世界只会奖励那些对用户好的公司",
            False,
            "元气森林唐彬森： 人类世界只会奖励那些对用户好的公司",
        ),
        ("标题\x0b带\x1b控制\ufffe字符", False, "标题带控制字符"),
        ("\ufeffBOM in front", False, "BOM in front"),
        # HTML titles: tags removed, entities decoded exactly once
        ("<b>Apple</b> 发布 <em>Vision Pro</em>", True, "Apple 发布 Vision Pro"),
        ("AT&amp;T &lt;b&gt; tag", True, "AT&T <b> tag"),
        ("AT&amp;amp;T", True, "AT&amp;T"),
        ("Apple&#8217;s &ldquo;M4&rdquo;", True, "Apple’s “M4”"),
        ("<script>alert(1)</script>Title", True, "Title"),
        ("标题&#x1b;实体", True, "标题实体"),
        # plain-text titles are literal
        ("Escaping &amp; in XML", False, "Escaping &amp; in XML"),
        ("5 < 6 and <b> is a tag", False, "5 < 6 and <b> is a tag"),
        ("5 < 6", True, "5 < 6"),
        # nothing
        (None, False, ""),
        ("", True, ""),
        ("  \u3000 ", False, ""),
        ("<img src=x>", True, ""),
    ],
)
def test_clean_title(title: str | None, is_html: bool, expected: str) -> None:
    assert clean_title(title, is_html) == expected


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("lawyer@boyer.net (Lawyer Boyer)", "Lawyer Boyer"),  # the RSS 2.0 specification's example
        ("noreply@blogger.com (Unknown)", "Unknown"),  # every Blogger feed
        ("Lawyer Boyer <lawyer@boyer.net>", "Lawyer Boyer"),
        ("Jane Doe (jane@example.com)", "Jane Doe"),
        ("<lawyer@boyer.net>", "lawyer@boyer.net"),
        ("editor@ithome.com", "editor@ithome.com"),
        (" (hellodword)", "hellodword"),  # wechat-feeds managingEditor
        ("<a href='https://sspai.com/u/editor'>少数派编辑部</a>", "少数派编辑部"),
        ("  高科技行业门户 ", "高科技行业门户"),
        ("Zack\x0b Whittaker\x1b", "Zack Whittaker"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("", None),
        (None, None),
        ("   ", None),
        ("<b></b>", None),
    ],
)
def test_clean_author(author: str | None, expected: str | None) -> None:
    assert clean_author(author) == expected


ENGLISH = (
    "Apple on Monday announced the Vision Pro, a mixed reality headset that the company says marks the "
    "beginning of a new era of spatial computing."
)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        # fits: as is (whitespace collapsed to one line)
        (
            "前言：\n一直以来，中关村都是中国数字最为密集的地区。",
            200,
            "前言： 一直以来，中关村都是中国数字最为密集的地区。",
        ),
        ("exactly ten", 11, "exactly ten"),
        # Chinese: cut by characters
        ("中关村科学城将培育1—2家具有全球竞争力的五千亿级企业", 10, "中关村科学城将培育…"),
        ("中" * 300, 200, "中" * 199 + "…"),
        # English: at the last word boundary before the limit
        (ENGLISH, 40, "Apple on Monday announced the Vision…"),
        (ENGLISH, 60, "Apple on Monday announced the Vision Pro, a mixed reality…"),
        ("Hello, world", 7, "Hello…"),  # no dangling comma
        # Chinese with a Latin brand name at the cut: the name is not split
        ("华为正式发布 HarmonyOS 4.0 系统", 12, "华为正式发布…"),
        ("see https://example.com/" + "a" * 100, 30, "see https://example.com/…"),
        # a "word" longer than any word (a hash, a token) is cut inside
        ("token " + "x" * 100, 60, "token " + "x" * 53 + "…"),
        ("abc", 1, "…"),
        ("abc", 0, ""),
        ("", 200, ""),
    ],
)
def test_make_summary(text: str, limit: int, expected: str) -> None:
    summary = make_summary(text, limit)
    assert summary == expected
    assert len(summary) <= max(limit, 0)


def test_make_summary_of_a_long_text_with_leading_whitespace() -> None:
    # Only a prefix is collapsed normally; a text that is mostly whitespace up front must still give words.
    text = " " * 5000 + "正文从这里开始" + "。" * 10
    assert make_summary(text, 10) == "正文从这里开始。。…"
