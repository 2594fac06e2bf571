"""Feed autodiscovery in HTML pages: which links count, how they resolve, how pages are decoded."""

from __future__ import annotations

import pytest

from aggregator.sources.discovery import find_feed_links
from tests.conftest import DATA_DIR

BASE = "https://example.com/news/index.html"


def test_portal_page_lists_feeds_in_order_once_each() -> None:
    html = (DATA_DIR / "html_page_with_feed_links.html").read_bytes()
    assert find_feed_links(html, BASE) == (
        "https://example.com/rss.xml",
        "https://example.com/atom.xml",
        "https://example.com/news/feed.json",
        "https://api.example.com/feed.json?lang=zh",
    )


def test_page_without_feed_links() -> None:
    html = (DATA_DIR / "html_page_without_feed_links.html").read_bytes()
    assert find_feed_links(html, BASE) == ()


def test_base_href_wins_over_page_url() -> None:
    html = (DATA_DIR / "html_page_with_base_href.html").read_bytes()
    assert find_feed_links(html, BASE) == ("https://static.example.com/site/feeds/all.xml",)


def test_gbk_page_declared_in_meta() -> None:
    html = (DATA_DIR / "html_page_gbk_with_feed_links.html").read_bytes()
    assert find_feed_links(html, BASE) == ("https://example.com/订阅/科技.xml",)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<link rel="alternate" type="application/rss+xml" href="/a.xml">', ("https://example.com/a.xml",)),
        ('<link rel=" ALTERNATE " type=" application/atom+xml " href="/a">', ("https://example.com/a",)),
        ('<link rel="home alternate" type="application/rss+xml" href="/a">', ("https://example.com/a",)),
        ('<link rel="alternates" type="application/rss+xml" href="/a">', ()),  # tokens, not substrings
        ('<link rel="alternate" type="text/xml" href="/a">', ()),
        ('<link rel="alternate" href="/a">', ()),  # no type: could be anything
        ('<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">', ()),
        ('<link rel="alternate" type="application/rss+xml" href="mailto:rss@example.com">', ()),
        (
            '<link rel="alternate" type="application/rss+xml" href="http://other.example/f">',
            ("http://other.example/f",),
        ),
        ('<link rel="alternate" type="application/rss+xml" href="?format=rss">', (f"{BASE}?format=rss",)),
        ("", ()),
        ("   ", ()),
        ("not html at all", ()),
    ],
)
def test_link_rules(html: str, expected: tuple[str, ...]) -> None:
    assert find_feed_links(f"<html><head>{html}</head><body></body></html>", BASE) == expected
    assert find_feed_links(html, BASE) == expected  # fragments without <head> work too


def test_xhtml_string_with_xml_declaration() -> None:
    # lxml refuses a str carrying an encoding declaration; pages decoded by the caller must still work.
    xhtml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<link rel="alternate" type="application/atom+xml" href="/atom" /></head><body/></html>'
    )
    assert find_feed_links(xhtml, BASE) == ("https://example.com/atom",)
    assert find_feed_links(xhtml.encode("utf-8"), BASE) == ("https://example.com/atom",)


def test_empty_bytes() -> None:
    assert find_feed_links(b"", BASE) == ()
