"""The HTTP server on a real uvicorn on 127.0.0.1: conditional GET, gzip, HEAD, parameters, paging, WebSub."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import httpx
import pytest

from aggregator.publish.publisher import Publisher
from aggregator.web import create_app
from tests.support.feedserver import FeedServer
from tests.support.webserver import running
from tests.test_publish_publisher import CONFIG, SEED_TITLE, Site

RSS_TYPE = "application/rss+xml; charset=utf-8"
PUBLIC = "https://feeds.example.org/"


@pytest.fixture
def site(tmp_path: Path, sqlite_url: str) -> Iterator[Site]:
    s = Site(tmp_path, sqlite_url)
    s.fetch()
    s.publish()
    yield s
    s.app.close()


@pytest.fixture
def base(site: Site) -> Iterator[str]:
    with running(create_app(site.app.config, site.app.store, clock=site.app.clock)) as url:
        yield url


def get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url, headers={"Accept-Encoding": "identity", **headers}, timeout=10)


def get_raw(url: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The response and its body as it went over the wire (httpx would decompress ``.content``)."""
    with httpx.stream("GET", url, headers=headers, timeout=10) as response:
        return response, b"".join(response.iter_raw())


def test_feed_headers_and_conditional_get(base: str, site: Site) -> None:
    response = get(base + "feeds/news.rss")
    assert response.status_code == 200
    assert response.headers["content-type"] == RSS_TYPE
    assert response.content == site.feed("news.rss").read_bytes()
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["cache-control"].startswith("public, max-age=")
    last_modified = response.headers["last-modified"]

    assert get(base + "feeds/news.rss", **{"If-None-Match": etag}).status_code == 304
    not_modified = get(base + "feeds/news.rss", **{"If-Modified-Since": last_modified})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert get(base + "feeds/news.rss", **{"If-None-Match": '"other"'}).status_code == 200
    # Public: a reader running in a browser may fetch it from its page's script.
    assert response.headers["access-control-allow-origin"] == "*"
    assert (
        get(base + "feeds/news.rss", **{"If-None-Match": etag}).headers["access-control-allow-origin"] == "*"
    )

    assert get(base + "feeds/news.atom").headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert get(base + "feeds/news.json").headers["content-type"] == "application/feed+json; charset=utf-8"


def test_gzip_and_head(base: str, site: Site) -> None:
    plain = get(base + "feeds/news.rss")
    zipped, wire = get_raw(base + "feeds/news.rss", **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(wire) == plain.content
    assert len(wire) < len(plain.content)
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert "accept-encoding" in zipped.headers["vary"].lower()
    again = get(
        base + "feeds/news.rss", **{"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    )
    assert again.status_code == 304
    refused = get(base + "feeds/news.rss", **{"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers

    head = httpx.head(base + "feeds/news.rss", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(plain.content))
    assert head.headers["etag"] == plain.headers["etag"]


def test_unknown_feed_is_404_with_a_message(base: str) -> None:
    response = get(base + "feeds/nope.rss")
    assert response.status_code == 404
    assert "no published feed 'nope.rss'" in response.text
    assert "news.rss" in response.text
    assert get(base + "feeds/ai.rss").status_code == 404  # ai is published as Atom only


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("limit=0", "limit must be between 1 and 500"),
        ("limit=9999", "limit must be between 1 and 500"),
        ("limit=ten", "limit must be a whole number"),
        ("page=0", "page must be between"),
        ("since=yesterday", "since must be a date"),
        ("q=", "q must not be empty"),
        ("bogus=1", "unknown parameter 'bogus'"),
        ("limit=1&limit=2", "limit may be given once"),
        (
            "source=portal-article",
            "source 'portal-article' is not a configured source (did you mean 'portal-articles'?)",
        ),
        ("source=,", "source must name at least one"),
        ("language=中文", "language must be codes such as zh, en or zh-CN"),
        ("filter=(AI)", "filter takes keywords separated by '|', not regular expressions (found '(')"),
        ("filterout_title=%7C", "filterout_title must name at least one keyword"),
        ("filter_case_sensitive=true", "matching here is always case-insensitive"),
        ("filter_time=soon", "filter_time must be a whole number"),
    ],
)
def test_bad_parameters_are_400_with_the_reason(base: str, query: str, reason: str) -> None:
    response = get(f"{base}feeds/news.rss?{query}")
    assert response.status_code == 400
    assert reason in response.text


def test_ad_hoc_parameters(base: str) -> None:
    def titles(query: str) -> list[str]:
        response = get(f"{base}feeds/news.atom?{query}")
        assert response.status_code == 200, response.text
        return [e.title for e in feedparser.parse(response.content).entries]

    everything = titles("limit=50")
    assert len(everything) >= 3
    assert titles("limit=1") == everything[:1]
    assert titles("q=中关村") == [SEED_TITLE]
    assert SEED_TITLE not in titles("exclude=中关村")
    assert titles("category=AI") == ["国产AI芯片加速落地：多家厂商发布新一代推理加速卡"]
    assert titles("since=2024-03-10T00:00:00Z") == [
        t for t in everything if t != SEED_TITLE and "芯片" not in t
    ]
    # The feed's filter (category 新闻) takes only the articles' entries; a source parameter narrows it.
    assert titles("source=portal-articles") == everything
    assert titles("source=open-hardware") == []
    assert titles("source=open-hardware,portal-articles") == everything
    chinese, english = titles("language=zh"), titles("language=EN")
    assert SEED_TITLE in chinese and english and not set(chinese) & set(english)
    assert sorted(chinese + english) == sorted(everything)
    assert titles("language=ZH,fr") == chinese

    # RSSHub's parameters, as its users write them: keyword alternatives.
    either = titles("filter=中关村|芯片")
    assert (
        either == [t for t in everything if t in titles("q=中关村") + titles("q=芯片")] and len(either) == 2
    )
    assert titles("filterout=中关村|芯片") == [t for t in everything if t not in either]
    assert titles("filter_title=芯片&filter_case_sensitive=false") == [
        "国产AI芯片加速落地：多家厂商发布新一代推理加速卡"
    ]
    assert titles("filter_description=中关村") == [SEED_TITLE]
    assert titles("filter_time=31536000") == titles("since=365d")


def test_paging_walks_history(base: str) -> None:
    seen: list[str] = []
    url: str | None = f"{base}feeds/news.atom?limit=1"
    while url:
        parsed = feedparser.parse(get(url).content)
        seen.extend(e.title for e in parsed.entries)
        url = next((link.href for link in parsed.feed.get("links", []) if link.rel == "next"), None)
        if url:  # the links name the public URL (server.base_url); ask our test server instead
            assert url.startswith(PUBLIC)
            url = base + url.removeprefix(PUBLIC)
        assert len(seen) < 20
    assert seen == [e.title for e in feedparser.parse(get(f"{base}feeds/news.atom?limit=50").content).entries]
    rss = feedparser.parse(get(f"{base}feeds/news.rss?limit=1").content)
    assert any(link.rel == "next" and "page=2" in link.href for link in rss.feed.links)
    json_page = get(f"{base}feeds/news.json?limit=1").json()
    assert parse_qs(json_page["next_url"].split("?", 1)[1]) == {"limit": ["1"], "page": ["2"]}


def test_index_page_and_opml(base: str) -> None:
    page = get(base)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert "科技新闻" in html and "entries" in html
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="https://feeds.example.org/feeds/news.json"' in html
    assert 'href="https://feeds.example.org/opml"' in html
    opml = get(base + "opml")
    assert opml.headers["content-type"].startswith("text/x-opml")
    assert b"feeds/news.atom" in opml.content
    assert get(base + "feeds/index.opml").content == opml.content
    assert opml.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in page.headers  # the index page is for people


def test_allow_origin_can_be_set_or_turned_off(tmp_path: Path, sqlite_url: str) -> None:
    site = Site(tmp_path, sqlite_url)
    try:
        for setting, expected in (("https://reader.example", "https://reader.example"), ("null", None)):
            site.app.close()
            site.app = site.configure(CONFIG + f"  allow_origin: {setting}\n")
            with running(create_app(site.app.config, site.app.store, clock=site.app.clock)) as base:
                assert get(base + "feeds/news.rss").headers.get("access-control-allow-origin") == expected
    finally:
        site.app.close()


def test_websub_hub_links_and_pings_only_on_change(
    tmp_path: Path, sqlite_url: str, feed_server: FeedServer
) -> None:
    feed_server.route("/hub", b"", status=202, content_type="text/plain")
    site = Site(tmp_path, sqlite_url)
    site.app.close()
    site.app = site.configure(CONFIG + f"websub: {{hub: {feed_server.url('/hub')}}}\n")
    try:
        site.fetch()
        import asyncio

        from aggregator.publish.websub import ping_hub

        publisher = Publisher(site.app.config, site.app.store, clock=site.app.clock)
        results = publisher.publish()
        asyncio.run(ping_hub(feed_server.url("/hub"), [r.url for r in results if r.changed]))
        pings = [parse_qs(r.body.decode()) for r in feed_server.requests_for("/hub")]
        assert {p["hub.url"][0] for p in pings} == {r.url for r in results}
        assert all(p["hub.mode"] == ["publish"] for p in pings)

        again = publisher.publish()
        asyncio.run(ping_hub(feed_server.url("/hub"), [r.url for r in again if r.changed]))
        assert len(feed_server.requests_for("/hub")) == len(pings)  # nothing changed, nobody pinged

        atom = feedparser.parse(site.feed("news.atom").read_bytes())
        assert {link.rel for link in atom.feed.links} >= {"hub", "self"}
        with running(create_app(site.app.config, site.app.store, clock=site.app.clock)) as base:
            link = get(base + "feeds/news.atom").headers["link"]
        assert f'<{feed_server.url("/hub")}>; rel="hub"' in link
        assert '<https://feeds.example.org/feeds/news.atom>; rel="self"' in link
    finally:
        site.app.close()
