"""Canonical and absolute links (aggregator.normalize.links)."""

from __future__ import annotations

import pytest

from aggregator.normalize.links import canonical_link, is_web_url, link_key, resolve_url, strip_tracking

ITHOME_RSS = "https://www.ithome.com/rss/"


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        # tracking parameters (爱范儿 RSS, misc-chinese/ifanr.xml)
        (
            "https://www.ifanr.com/1558705?utm_source=rss&utm_medium=rss&utm_campaign=",
            None,
            "https://www.ifanr.com/1558705",
        ),
        # WeChat share decoration goes, the article's own parameters stay in their order
        (
            "https://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&mid=2650818523&idx=1&sn=0c2d&from=timeline",
            None,
            "https://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&mid=2650818523&idx=1&sn=0c2d",
        ),
        (
            "https://item.taobao.com/item.htm?spm=a21bo.1.2.3&id=123&SPM=x",
            None,
            "https://item.taobao.com/item.htm?id=123",
        ),
        (
            "https://www.bilibili.com/video/BV1xx?share_source=copy_web&vd_source=ab&p=2",
            None,
            "https://www.bilibili.com/video/BV1xx?p=2",
        ),
        (
            "https://news.sina.com.cn/a.shtml?wfr=spider&for=pc",
            None,
            "https://news.sina.com.cn/a.shtml?for=pc",
        ),
        (
            "https://example.com/a?b=2&UTM_Medium=x&Fbclid=y&gclid=z&a=1",
            None,
            "https://example.com/a?b=2&a=1",
        ),
        ("https://example.com/a?utm%5Fsource=x&id=1", None, "https://example.com/a?id=1"),
        ("https://example.com/a?&&id=1&", None, "https://example.com/a?id=1"),
        # kept on purpose
        (
            "https://example.com/a?source=rss&timestamp=1700000000&ref=home",
            None,
            "https://example.com/a?source=rss&timestamp=1700000000&ref=home",
        ),
        # scheme, host and port
        ("HTTPS://WWW.IThome.COM:443/0/750/123.htm#comments", None, "https://www.ithome.com/0/750/123.htm"),
        ("http://Example.com:80", None, "http://example.com/"),
        ("http://example.com:8080/a", None, "http://example.com:8080/a"),
        ("http://example.com:/a", None, "http://example.com/a"),
        ("http://[::1]:80/a", None, "http://[::1]/a"),
        ("http://user@Example.com/a", None, "http://user@example.com/a"),
        # fragments go, except hash-bang routes
        ("https://example.com/post#section-2", None, "https://example.com/post"),
        ("https://example.com/#!/post/1", None, "https://example.com/#!/post/1"),
        # relative links against the base
        ("/0/750/123.htm", ITHOME_RSS, "https://www.ithome.com/0/750/123.htm"),
        ("../a.html", "https://a.com/x/y/z.html", "https://a.com/x/a.html"),
        ("?page=2", "https://a.com/list.html?page=1", "https://a.com/list.html?page=2"),
        ("//tech.qq.com/a/20180917/x.htm", ITHOME_RSS, "https://tech.qq.com/a/20180917/x.htm"),
        ("//tech.qq.com/a/20180917/x.htm", None, "https://tech.qq.com/a/20180917/x.htm"),
        ("https://other.example/a", ITHOME_RSS, "https://other.example/a"),
        # encodings left exactly as written; IDN hosts only lower-cased
        ("https://zh.wikipedia.org/wiki/中关村", None, "https://zh.wikipedia.org/wiki/中关村"),
        (
            "https://zh.wikipedia.org/wiki/%E4%B8%AD%E5%85%B3%E6%9D%91",
            None,
            "https://zh.wikipedia.org/wiki/%E4%B8%AD%E5%85%B3%E6%9D%91",
        ),
        ("http://例子.测试/路径?q=中文", None, "http://例子.测试/路径?q=中文"),
        ("http://BÜCHER.example/", None, "http://bücher.example/"),
        ("https://example.com/a b.html", None, "https://example.com/a%20b.html"),
        ("  https://example.com/a\x0b  ", None, "https://example.com/a"),
        # not article links
        ("javascript:void(0)", None, None),
        ("javascript:alert(1)", ITHOME_RSS, None),
        ("mailto:tips@36kr.com", None, None),
        ("data:text/html,<script>alert(1)</script>", None, None),
        ("ftp://ftp.example.com/file", None, None),
        ("/relative/without/base", None, None),
        ("http://[::1", None, None),
        ("https://", None, None),
        ("", None, None),
        ("   ", None, None),
        (None, ITHOME_RSS, None),
    ],
)
def test_canonical_link(url: str | None, base: str | None, expected: str | None) -> None:
    assert canonical_link(url, base) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("images/a.png", "https://example.com/news/2024/", "https://example.com/news/2024/images/a.png"),
        ("/a.png", "https://example.com/news/", "https://example.com/a.png"),
        ("//img.ithome.com/x.jpg", "http://www.ithome.com/", "http://img.ithome.com/x.jpg"),
        ("//img.ithome.com/x.jpg", None, "https://img.ithome.com/x.jpg"),
        (" https://example.com/a.png ", None, "https://example.com/a.png"),
        ("a.png", None, "a.png"),
        ("a.png", "http://[::1", "a.png"),
    ],
)
def test_resolve_url(url: str, base: str | None, expected: str) -> None:
    assert resolve_url(url, base) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", True),
        ("HTTP://example.com", True),
        ("https:///path", False),
        ("https://", False),
        ("mailto:a@b.c", False),
        ("/a", False),
        ("javascript://comment%0aalert(1)", False),
    ],
)
def test_is_web_url(url: str, expected: bool) -> None:
    assert is_web_url(url) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("utm_source=rss&utm_medium=rss&utm_campaign=", ""),
        ("id=1&from=groupmessage&isappinstalled=0", "id=1&isappinstalled=0"),
        ("", ""),
    ],
)
def test_strip_tracking(query: str, expected: str) -> None:
    assert strip_tracking(query) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://scripting.com/2017/06/26.html#a080605", "http://scripting.com/2017/06/26.html#a080605"),
        ("https://example.com/a#section-2", "https://example.com/a#section-2"),
        ("https://example.com/a#!/post/1", "https://example.com/a#!/post/1"),
        ("https://example.com/a?utm_source=rss#ref=rss", "https://example.com/a"),
        ("https://example.com/a#xtor=RSS-1", "https://example.com/a"),
        ("https://example.com/a#tk.rss_all", "https://example.com/a"),
        ("https://example.com/a#.VxYz1AbC", "https://example.com/a"),
        ("https://example.com/a#more-1234", "https://example.com/a"),
        ("https://example.com/a#", "https://example.com/a"),
    ],
)
def test_canonical_link_with_its_anchor(url: str, expected: str) -> None:
    assert canonical_link(url, anchor=True) == expected
    assert "#" not in (canonical_link(url) or "") or "#!" in url  # a key's link keeps no anchor


def test_link_key_ignores_the_scheme() -> None:
    http = canonical_link("http://www.ithome.com/0/750/123.htm?utm_source=rss")
    https = canonical_link("https://www.ithome.com/0/750/123.htm")
    assert http is not None and https is not None
    assert link_key(http) == link_key(https) == "//www.ithome.com/0/750/123.htm"
