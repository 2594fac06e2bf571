"""Refreshing sources end to end: a real HTTP server on 127.0.0.1, real feeds, a real database.

Each test writes a configuration, refreshes through :class:`aggregator.update.Refresher` (what ``aggregator
fetch`` and the daemon run), and checks what the store holds afterwards.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import shutil
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from aggregator.app import App, open_store
from aggregator.config import parse_config_text
from aggregator.errors import StoreError
from aggregator.models import Enclosure, FetchStatus, SourceResult, SourceState, StoredEntry
from aggregator.publish.publisher import Publisher
from aggregator.store.tables import EntryRow, FetchLogRow
from aggregator.update import PROCESS_POOL_MIN_SOURCES, Refresher, make_process_pool
from tests.conftest import DATA_DIR, REPO_DIR
from tests.support.feedserver import FeedServer
from tests.support.validity import atom_problems, rss_problems

NOW = datetime(2024, 3, 21, 12, 0, tzinfo=UTC)
SEED_DIR = REPO_DIR.parent / "shared" / "seeds"


def rss(items: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Portal</title>'
        f"<link>https://portal.example/</link><description>d</description>{extra}{items}</channel></rss>"
    )


def item(
    guid: str, title: str, body: str = "<p>body</p>", date: str = "Wed, 20 Mar 2024 10:00:00 GMT"
) -> str:
    return (
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://portal.example/{guid}</link>"
        f"<pubDate>{date}</pubDate><description><![CDATA[{body}]]></description></item>"
    )


class Harness:
    """A configuration file, its store, and a clock the test moves by hand."""

    def __init__(self, tmp_path: Path, db_url: str) -> None:
        self.tmp_path = tmp_path
        self.db_url = db_url
        self.now = NOW
        self.app: App | None = None

    def configure(self, yaml_text: str) -> App:
        if self.app is not None:
            self.app.close()
        text = f"database: {self.db_url}\n" + textwrap.dedent(yaml_text)
        loaded = parse_config_text(text, self.tmp_path / "aggregator.yaml")
        self.app = App(loaded=loaded, store=open_store(loaded), clock=lambda: self.now)
        return self.app

    def refresh(
        self, *names: str, due_only: bool = False, pool: Executor | None = None
    ) -> dict[str, SourceResult]:
        assert self.app is not None
        app = self.app

        async def run() -> list[SourceResult]:
            async with Refresher(
                app.config, app.store, clock=app.clock, jitter=lambda: 0.0, process_pool=pool
            ) as refresher:
                await refresher.sync_sources()
                return await refresher.refresh(list(names) or None, due_only=due_only)

        return {r.source: r for r in asyncio.run(run())}

    def entries(self, source: str | None = None, limit: int = 100) -> list[StoredEntry]:
        assert self.app is not None
        return self.app.store.newest_entries(sources=[source] if source else None, limit=limit)

    def source(self, name: str) -> SourceState:
        assert self.app is not None
        return next(s for s in self.app.store.list_sources() if s.name == name)

    def close(self) -> None:
        if self.app is not None:
            self.app.close()


@pytest.fixture
def harness(tmp_path: Path, db_url: str) -> Iterator[Harness]:
    h = Harness(tmp_path, db_url)
    yield h
    h.close()


def http_source(server: FeedServer, path: str, name: str = "portal", extra: str = "") -> str:
    return f"""
    scheduler: {{min_interval: 1s}}
    sources:
      - name: {name}
        url: {server.url(path)}
        timeout: 2s
{textwrap.indent(textwrap.dedent(extra), " " * 8)}
    """


def test_new_then_not_modified_then_updated_then_new(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss(item("a", "First") + item("b", "Second")))
    harness.configure(http_source(feed_server, "/feed.xml"))

    result = harness.refresh()["portal"]
    assert (result.status, result.new, result.updated) == (FetchStatus.OK, 2, 0)
    assert [e.title for e in harness.entries()] == ["First", "Second"]

    # Unchanged: the server answers 304 to our stored ETag; only the fetch state changes.
    result = harness.refresh()["portal"]
    assert result.status is FetchStatus.NOT_MODIFIED
    assert feed_server.requests_for("/feed.xml")[-1].headers["if-none-match"]

    # An edited title updates the entry in place (same id) with an updated time.
    first_uid = harness.entries()[0].uid
    harness.now += timedelta(minutes=5)
    feed_server.route("/feed.xml", rss(item("a", "First (edited)") + item("b", "Second")))
    result = harness.refresh()["portal"]
    assert (result.new, result.updated, result.unchanged) == (0, 1, 1)
    edited = harness.entries()[0]
    assert (edited.title, edited.uid, edited.updated) == ("First (edited)", first_uid, harness.now)

    # A new item on top is new; the others are skipped before normalizing.
    feed_server.route(
        "/feed.xml",
        rss(
            item("c", "Third", date="Thu, 21 Mar 2024 08:00:00 GMT")
            + item("a", "First (edited)")
            + item("b", "Second")
        ),
    )
    result = harness.refresh()["portal"]
    assert (result.new, result.updated, result.unchanged) == (1, 0, 2)
    assert [e.title for e in harness.entries()] == ["Third", "First (edited)", "Second"]


def test_error_keeps_entries_and_backs_off(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss(item("a", "Kept")))
    harness.configure(http_source(feed_server, "/feed.xml", extra="interval: 10m"))
    harness.refresh()
    feed_server.route("/feed.xml", "oops", status=500, content_type="text/plain")
    for attempt in (1, 2):
        result = harness.refresh()["portal"]
        assert result.status is FetchStatus.ERROR
        assert result.error == "HTTP 500 Internal Server Error"
        state = harness.source("portal")
        assert state.consecutive_errors == attempt
        assert state.next_check_at == NOW + timedelta(minutes=10 * 2 ** (attempt - 1))
    assert [e.title for e in harness.entries()] == ["Kept"]
    # Recovery resets the error count.
    feed_server.route("/feed.xml", rss(item("b", "Back") + item("a", "Kept")))
    assert harness.refresh()["portal"].status is FetchStatus.OK
    assert harness.source("portal").consecutive_errors == 0


def test_permanent_redirect_moves_the_source(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/new.xml", rss(item("a", "Moved")))
    feed_server.redirect("/old.xml", "/new.xml", status=301)
    harness.configure(http_source(feed_server, "/old.xml"))
    result = harness.refresh()["portal"]
    assert result.moved_to == feed_server.url("/new.xml")
    state = harness.source("portal")
    assert state.location == feed_server.url("/new.xml")
    assert state.configured_location == feed_server.url("/old.xml")
    harness.refresh()
    assert feed_server.requests_for("/old.xml").__len__() == 1  # the next fetch goes straight to the new URL


def test_temporary_redirect_does_not_move(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/new.xml", rss(item("a", "Here")))
    feed_server.redirect("/old.xml", "/new.xml", status=302)
    harness.configure(http_source(feed_server, "/old.xml"))
    harness.refresh()
    assert harness.source("portal").location == feed_server.url("/old.xml")


def test_gone_stops_polling_but_keeps_entries(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss(item("a", "Last words")))
    harness.configure(http_source(feed_server, "/feed.xml"))
    harness.refresh()
    feed_server.route("/feed.xml", status=410)
    result = harness.refresh()["portal"]
    assert result.status is FetchStatus.GONE
    state = harness.source("portal")
    assert state.gone and state.next_check_at is None
    assert harness.refresh() == {}  # not polled any more...
    assert harness.refresh("portal")["portal"].status is FetchStatus.GONE  # ...unless asked for by name
    assert [e.title for e in harness.entries()] == ["Last words"]


def test_rate_limited_honours_retry_after(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", status=429, headers={"Retry-After": "3600"})
    harness.configure(http_source(feed_server, "/feed.xml", extra="interval: 5m"))
    result = harness.refresh()["portal"]
    assert (result.status, result.error_kind) == (FetchStatus.ERROR, "rate_limited")
    assert harness.source("portal").next_check_at == NOW + timedelta(hours=1)


def test_ttl_and_cache_control_push_next_check(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss(item("a", "x"), extra="<ttl>120</ttl>"))
    harness.configure(http_source(feed_server, "/feed.xml", extra="interval: 15m"))
    harness.refresh()
    assert harness.source("portal").next_check_at == NOW + timedelta(hours=2)


def test_size_limit_and_timeout_are_clear_errors(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/big.xml", rss(item("a", "x" * 5000)))
    feed_server.route("/slow.xml", rss(item("a", "x")), delay=5)
    harness.configure(
        f"""
        scheduler: {{min_interval: 1s}}
        defaults: {{max_body_size: 2KB}}
        sources:
          - {{name: big, url: {feed_server.url("/big.xml")}}}
          - {{name: slow, url: {feed_server.url("/slow.xml")}, timeout: 0.5s}}
        """
    )
    results = harness.refresh()
    assert results["big"].error_kind == "too_large"
    assert "2KB" in (results["big"].error or "")
    assert results["slow"].error_kind == "timeout"


def test_gb2312_feed_with_naive_beijing_times(harness: Harness, feed_server: FeedServer) -> None:
    body = (REPO_DIR / "config" / "samples" / "feeds" / "tech-portal-cn.xml").read_bytes()
    feed_server.route("/cn.xml", body, content_type="text/xml")
    harness.configure(http_source(feed_server, "/cn.xml", extra="timezone: Asia/Shanghai"))
    assert harness.refresh()["portal"].new == 3
    by_title = {e.title: e for e in harness.entries()}
    os_news = by_title["国产操作系统生态大会召开 超过五百家厂商参与适配"]
    assert os_news.published == datetime(2024, 3, 20, 6, 5, tzinfo=UTC)  # 14:05 Beijing time
    assert os_news.link == "https://tech.example.cn/a/20240320/os-ecosystem.html"  # from/spm dropped
    assert by_title["大模型应用进入落地期 企业级AI助手需求激增"].published == datetime(
        2024, 3, 19, 1, 30, tzinfo=UTC
    )
    assert by_title["5G-A商用试点扩大至二十个城市"].published == datetime(
        2024, 3, 18, 8, 20, tzinfo=UTC
    )  # CST
    assert 'src="https://tech.example.cn/images/2024/0320/os.jpg"' in os_news.content_html  # lazy image


def test_a_podcast_keeps_its_audio_from_fetch_to_published_feeds(
    harness: Harness, feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.route("/podcast.xml", (DATA_DIR / "rss_podcast_enclosures.xml").read_bytes())
    harness.configure(
        http_source(feed_server, "/podcast.xml", name="podcast")
        + "\n    output_dir: feeds\n    publish:\n      - {name: podcasts, title: Podcasts}\n"
    )
    assert harness.refresh()["podcast"].new == 2
    episodes = {e.key: e for e in harness.entries()}
    # Relative to the entry's link, as its images; "audio/mp3" is audio/mpeg; the cover is the image, not an
    # attachment; the untyped audio is typed from its suffix, listed once; the javascript: one is gone.
    ep2_audio = "https://podcast.example.cn/audio/ep2.mp3"
    assert episodes["g:episode-2"].enclosures == (Enclosure(ep2_audio, "audio/mpeg", 38749539),)
    assert episodes["g:episode-1"].image == "https://podcast.example.cn/images/ep1-cover.jpg"
    assert episodes["g:episode-1"].enclosures == (
        Enclosure("https://cdn.example.cn/audio/ep1.m4a", "audio/mp4", None),
        Enclosure("https://podcast.example.cn/transcripts/ep1.pdf", "application/pdf", 120400),
    )

    assert harness.app is not None
    Publisher(harness.app.config, harness.app.store, clock=harness.app.clock).publish()
    rss = (tmp_path / "feeds" / "podcasts.rss").read_bytes()
    parsed = feedparser.parse(rss)
    assert [e.enclosures[0].href for e in parsed.entries] == [
        ep2_audio,
        "https://cdn.example.cn/audio/ep1.m4a",
    ]
    assert rss_problems(rss) == []
    assert atom_problems((tmp_path / "feeds" / "podcasts.atom").read_bytes()) == []
    items = json.loads((tmp_path / "feeds" / "podcasts.json").read_bytes())["items"]
    assert [[a["mime_type"] for a in item["attachments"]] for item in items] == [
        ["audio/mpeg"],
        ["audio/mp4", "application/pdf"],
    ]


@pytest.mark.parametrize("private", [None, False])
def test_a_token_from_the_environment_is_not_published(
    harness: Harness,
    feed_server: FeedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    private: bool | None,
) -> None:
    """A URL that takes a value from the environment makes its source private by default: its entries are
    published without the source's URL, which holds the token (`private: false` publishes it). The query
    parameter here has no name that says secret (those are left out of any published URL)."""
    monkeypatch.setenv("FEED_TOKEN", "s3cr3t-t0ken")
    feed_server.route("/feed.xml", rss(item("a", "First")))
    setting = "" if private is None else f"private: {str(private).lower()}"
    harness.configure(
        f"""
        output_dir: feeds
        sources:
          - name: members
            url: "{feed_server.url("/feed.xml")}?member=${{FEED_TOKEN}}"
            {setting}
        publish:
          - {{name: all, title: Everything}}
        """
    )
    assert harness.refresh()["members"].new == 1
    assert feed_server.requests_for("/feed.xml")[-1].path == "/feed.xml?member=s3cr3t-t0ken"
    assert harness.app is not None
    Publisher(harness.app.config, harness.app.store, clock=harness.app.clock).publish()
    published = {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()}
    assert {name: b"First" in data for name, data in published.items() if name.startswith("all.")} == {
        "all.rss": True,
        "all.atom": True,
        "all.json": True,
    }
    leaked = sorted(name for name, data in published.items() if b"s3cr3t-t0ken" in data)
    assert leaked == ([] if private is None else ["all.atom", "all.json", "all.rss"])
    assert rss_problems(published["all.rss"]) == []
    assert atom_problems(published["all.atom"]) == []


def test_seed_article_from_a_folder(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    seed = SEED_DIR / "000_6c5dac8243fe42b9.txt"
    if not seed.exists():
        seed = REPO_DIR / "config" / "samples" / "articles" / "000_6c5dac8243fe42b9.txt"
    shutil.copy(seed, folder / seed.name)
    harness.configure(
        """
        categories:
          新闻: [News]
        sources:
          - name: portal-articles
            path: articles
        """
    )
    assert harness.refresh()["portal-articles"].new == 1
    [entry] = harness.entries()
    assert entry.title == "全力打造高端特色，中关村科学城进数字化治理方式变革"
    assert set(entry.categories) == {"新媒体", "高科技行业门户", "新闻"}
    assert entry.author == "高科技行业门户"
    assert entry.published == datetime(2021, 6, 15, 3, 58, tzinfo=UTC)
    assert entry.image == "https://picsum.photos/400/300?random=5411"
    assert "style=" not in entry.content_html
    assert entry.content_html.count("<p>") == 26
    assert "<strong>前言：</strong>" in entry.content_html

    # Unchanged folder: not modified. A removed file keeps its stored entry.
    assert harness.refresh()["portal-articles"].status is FetchStatus.NOT_MODIFIED
    (folder / seed.name).unlink()
    (folder / "later.md").write_text(
        "\n---\ntitle: Later\ndate: 2024-01-01T00:00:00Z\n---\nbody\n", encoding="utf-8"
    )
    result = harness.refresh()["portal-articles"]
    assert result.new == 1
    assert {e.title for e in harness.entries()} == {"Later", entry.title}


def test_duplicate_guids_are_kept_apart(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/dup.xml", (DATA_DIR / "rss_duplicate_guids.xml").read_bytes())
    harness.configure(http_source(feed_server, "/dup.xml"))
    result = harness.refresh()["portal"]
    assert result.status is FetchStatus.OK
    entries = harness.entries()
    assert len(entries) == result.new >= 2
    assert len({e.uid for e in entries}) == len(entries)


def test_a_feed_moving_between_parsers_keeps_its_entries(harness: Harness, feed_server: FeedServer) -> None:
    # The fast path hashes an entry's XML, feedparser the fields it read: a feed that gains an element only
    # feedparser reads (an iTunes tag) changes every raw hash but no entry. Nothing is new, nothing updated,
    # nothing duplicated: the raw hashes are rewritten, and the next fetch on the same path skips them all.
    items = item("a", "First") + item("b", "Second", body="<p>two</p>") + item("c", "Third")
    itunes = '<itunes:author xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">P</itunes:author>'
    feed_server.route("/feed.xml", rss(items))
    harness.configure(http_source(feed_server, "/feed.xml"))
    assert harness.refresh()["portal"].new == 3
    before = {e.uid: e for e in harness.entries()}

    def raw_hashes() -> set[str]:
        assert harness.app is not None
        with harness.app.store.engine.connect() as connection:
            return set(connection.scalars(select(EntryRow.raw_hash)))

    fast_hashes = raw_hashes()
    # feedparser, the fast path again, then the fast path on a document changed outside the items.
    for body, by_feedparser in (
        (rss(items, extra=itunes), True),
        (rss(items), False),
        (rss(items + " "), False),
    ):
        harness.now += timedelta(minutes=5)
        feed_server.route("/feed.xml", body)
        result = harness.refresh()["portal"]
        assert (result.status, result.new, result.updated, result.unchanged) == (FetchStatus.OK, 0, 0, 3)
        assert {e.uid: e for e in harness.entries()} == before
        assert (raw_hashes() == fast_hashes) is not by_feedparser


def test_include_exclude_filters_drop_entries_before_storing(
    harness: Harness, feed_server: FeedServer
) -> None:
    feed_server.route(
        "/feed.xml",
        rss(
            item("a", "大模型新品发布")
            + item("b", "手机促销广告")
            + item("c", "GPU shortage eases")
            + item("d", "Weather")
        ),
    )
    harness.configure(
        http_source(
            feed_server,
            "/feed.xml",
            extra="""
            include: [大模型, GPU, 广告]
            exclude: {keyword: 广告, fields: [title]}
            """,
        )
    )
    result = harness.refresh()["portal"]
    assert (result.new, result.filtered) == (2, 2)
    assert {e.title for e in harness.entries()} == {"大模型新品发布", "GPU shortage eases"}
    assert harness.app is not None
    with harness.app.store.engine.connect() as connection:
        logged = connection.execute(select(FetchLogRow.filtered_count, FetchLogRow.new_count)).all()
    assert logged == [(2, 2)]


def test_categories_are_mapped_through_aliases(harness: Harness, feed_server: FeedServer) -> None:
    body = rss(
        "<item><guid>x</guid><title>t</title><category>machine learning</category>"
        "<category> ai </category><category>Cloud</category></item>"
    )
    feed_server.route("/feed.xml", body)
    harness.configure(
        f"""
        categories:
          人工智能: [AI, machine learning]
          云计算: [Cloud]
        sources:
          - name: portal
            url: {feed_server.url("/feed.xml")}
            categories: [科技]
        """
    )
    harness.refresh()
    [entry] = harness.entries()
    assert set(entry.categories) == {"人工智能", "云计算", "科技"}
    assert harness.app is not None
    assert [e.title for e in harness.app.store.newest_entries(category="人工智能")] == ["t"]


def test_broken_source_does_not_stop_the_others(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/good.xml", rss(item("a", "Good")))
    feed_server.route(
        "/html", "<html><head><title>x</title></head><body>hi</body></html>", content_type="text/html"
    )
    feed_server.route("/empty.xml", b"", content_type="application/rss+xml")
    harness.configure(
        f"""
        sources:
          - {{name: good, url: {feed_server.url("/good.xml")}}}
          - {{name: html, url: {feed_server.url("/html")}}}
          - {{name: empty, url: {feed_server.url("/empty.xml")}}}
          - {{name: refused, url: "http://127.0.0.1:9/feed.xml"}}
        """
    )
    results = harness.refresh()
    assert results["good"].new == 1
    assert results["html"].error_kind == "not_a_feed"
    assert results["empty"].status is FetchStatus.ERROR and "empty" in (results["empty"].error or "")
    assert results["refused"].error_kind == "network"


def test_local_feed_file_changes_are_picked_up(harness: Harness, tmp_path: Path) -> None:
    feed = tmp_path / "local.xml"
    feed.write_text(rss(item("a", "One")), encoding="utf-8")
    harness.configure("sources:\n  - {name: local, path: local.xml}\n")
    assert harness.refresh()["local"].new == 1
    assert harness.refresh()["local"].status is FetchStatus.NOT_MODIFIED
    feed.write_text(rss(item("b", "Two") + item("a", "One")), encoding="utf-8")
    assert harness.refresh()["local"].new == 1
    feed.unlink()
    result = harness.refresh()["local"]
    assert result.error_kind == "missing"
    assert len(harness.entries()) == 2


def test_changed_rules_read_the_current_document_again_whole(
    harness: Harness, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A source given a category (or a timezone, a filter, an encoding; or a new normalizer) gets it on its
    stored entries at its next check, not whenever the feed next changes: that fetch is not conditional."""
    feed_server.route("/feed.xml", rss(item("a", "First") + item("b", "Second")))
    harness.configure(http_source(feed_server, "/feed.xml"))
    assert harness.refresh()["portal"].new == 2
    assert harness.refresh()["portal"].status is FetchStatus.NOT_MODIFIED

    harness.now += timedelta(minutes=5)
    harness.configure(http_source(feed_server, "/feed.xml", extra="categories: [播客]"))
    caplog.set_level("INFO", logger="aggregator.update")
    result = harness.refresh()["portal"]
    assert "if-none-match" not in feed_server.requests_for("/feed.xml")[-1].headers
    assert (result.status, result.new, result.updated) == (FetchStatus.OK, 0, 2)
    assert "source=portal its rules changed since its document was read" in caplog.text
    # The difference is ours, not an edit by the publisher: no updated time is made up.
    assert [(e.categories, e.updated) for e in harness.entries()] == [(("播客",), None), (("播客",), None)]

    # Read with these rules now: back to conditional requests.
    assert harness.refresh()["portal"].status is FetchStatus.NOT_MODIFIED
    assert feed_server.requests_for("/feed.xml")[-1].headers["if-none-match"]


@pytest.mark.parametrize(
    "validators",
    [
        {"etag": None},
        {"etag": None, "headers": {"ETag": '"v1"', "Last-Modified": "Wed, 20 Mar 2024 10:00:00 GMT"}},
    ],
    ids=["none", "ignored"],
)
def test_the_same_bytes_again_are_not_modified(
    harness: Harness, feed_server: FeedServer, validators: dict[str, Any]
) -> None:
    """Many portals send no validators, or send them and ignore them, so they never answer 304: a document
    that gave nothing to store is remembered by its hash, and the same bytes again are not parsed."""
    feed_server.route("/feed.xml", rss(item("a", "First")), **validators)
    harness.configure(http_source(feed_server, "/feed.xml"))
    assert harness.refresh()["portal"].new == 1
    result = harness.refresh()["portal"]  # read: nothing new, so its hash is kept
    assert (result.status, result.new, result.unchanged) == (FetchStatus.OK, 0, 1)
    result = harness.refresh()["portal"]
    assert (result.status, result.http_status) == (FetchStatus.NOT_MODIFIED, 200)
    assert result.bytes > 0  # received, not parsed

    feed_server.route("/feed.xml", rss(item("b", "Second") + item("a", "First")), **validators)
    assert harness.refresh()["portal"].new == 1
    assert harness.source("portal").document_hash is None  # it gave something: not remembered
    assert harness.refresh()["portal"].status is FetchStatus.OK
    assert harness.refresh()["portal"].status is FetchStatus.NOT_MODIFIED

    harness.configure(http_source(feed_server, "/feed.xml", extra="categories: [新闻]"))
    result = harness.refresh()["portal"]
    assert (result.status, result.updated) == (FetchStatus.OK, 2)


def test_a_filtered_document_is_read_again(harness: Harness, feed_server: FeedServer) -> None:
    """An entry a filter dropped may pass it later (a filter on age): its document is not remembered."""
    feed_server.route("/feed.xml", rss(item("a", "First") + item("b", "广告")), etag=None)
    harness.configure(http_source(feed_server, "/feed.xml", extra="exclude: [广告]"))
    assert harness.refresh()["portal"].new == 1
    for _ in range(2):
        result = harness.refresh()["portal"]
        assert (result.status, result.filtered) == (FetchStatus.OK, 1)


def test_changed_rules_read_an_unchanged_folder_again(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.md").write_text("---\ntitle: 一\ndate: 2024-03-20 10:00\n---\n正文\n", encoding="utf-8")
    harness.configure("sources:\n  - {name: local, path: articles, timezone: UTC}\n")
    assert harness.refresh()["local"].new == 1
    assert harness.refresh()["local"].status is FetchStatus.NOT_MODIFIED
    assert harness.entries()[0].published == datetime(2024, 3, 20, 10, 0, tzinfo=UTC)

    harness.configure("sources:\n  - {name: local, path: articles, timezone: Asia/Shanghai}\n")
    result = harness.refresh()["local"]
    assert (result.status, result.updated) == (FetchStatus.OK, 1)
    assert harness.entries()[0].published == datetime(2024, 3, 20, 2, 0, tzinfo=UTC)  # 10:00 Beijing time


def test_due_only_respects_next_check(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss(item("a", "x")))
    harness.configure(http_source(feed_server, "/feed.xml", extra="interval: 10m"))
    assert "portal" in harness.refresh(due_only=True)
    assert harness.refresh(due_only=True) == {}
    harness.now += timedelta(minutes=11)
    assert "portal" in harness.refresh(due_only=True)


def test_removed_source_is_disabled_not_deleted(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss(item("a", "Stays")))
    harness.configure(http_source(feed_server, "/feed.xml"))
    harness.refresh()
    harness.configure("sources: []\n")
    assert harness.refresh() == {}
    assert not harness.source("portal").enabled
    assert [e.title for e in harness.entries()] == ["Stays"]


def test_network_down_failures_are_not_counted(harness: Harness) -> None:
    harness.configure(
        """
        sources:
          - {name: a, url: "http://127.0.0.1:9/a.xml", interval: 10m}
          - {name: b, url: "http://127.0.0.1:9/b.xml", interval: 10m}
        """
    )
    for _ in range(3):
        results = harness.refresh()
        assert {r.error_kind for r in results.values()} == {"network"}
    for name in ("a", "b"):
        state = harness.source(name)
        assert state.consecutive_errors == 0  # nobody answered: the network, not the sources
        assert state.last_error is not None and "127.0.0.1" in state.last_error
        assert state.next_check_at == NOW + timedelta(minutes=10)  # no growing backoff meanwhile


def test_a_network_outage_is_told_once_and_its_end_too(
    harness: Harness, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Every tick finds sources unreachable while the network is down: one line, not one per source."""
    caplog.set_level(logging.DEBUG, "aggregator.update")
    feed_server.route("/ok.xml", rss(item("a", "x")))
    app = harness.configure(
        f"""
        sources:
          - {{name: a, url: "http://127.0.0.1:9/a.xml", interval: 1m}}
          - {{name: b, url: "http://127.0.0.1:9/b.xml", interval: 1m}}
          - {{name: up, url: "{feed_server.url("/ok.xml")}"}}
        """
    )

    def told() -> list[tuple[str, str]]:
        lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
        debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
        assert any(line.startswith("source=a status=error kind=network") for line in debug) or lines
        caplog.clear()
        return lines

    async def run() -> list[list[tuple[str, str]]]:
        seen = []
        async with Refresher(app.config, app.store, clock=app.clock, jitter=lambda: 0.0) as refresher:
            await refresher.sync_sources()
            caplog.clear()  # "source=... added"
            for _ in range(3):
                await refresher.refresh(["a", "b"])
                seen.append(told())
                harness.now += timedelta(minutes=1)
            await refresher.refresh(["up"])  # a server answers: the network is back
            await refresher.refresh(["a", "b"])  # now counted against them, and told one by one
            seen.append(told())
        return seen

    first, second, third, back = asyncio.run(run())
    assert first == [
        (
            "WARNING",
            "network failed: no server answered in the last 10 minutes: the network looks down; failures to "
            "reach a source are not counted against it, and are logged at DEBUG until one answers",
        )
    ]
    assert second == third == []
    assert back[1][0] == "INFO" and back[1][1].startswith(
        "network works again after 3m00s of failures (3 attempts"
    )
    assert sorted(line for level, line in back if level == "WARNING")[0].startswith("source=a status=error")
    assert harness.source("a").consecutive_errors == 1


def test_unreachable_source_is_counted_when_others_answer(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/ok.xml", rss(item("a", "x")))
    harness.configure(
        f"""
        sources:
          - {{name: up, url: {feed_server.url("/ok.xml")}}}
          - {{name: down, url: "http://127.0.0.1:9/feed.xml"}}
        """
    )
    harness.refresh()
    harness.refresh()
    assert harness.source("down").consecutive_errors == 2
    assert harness.source("up").consecutive_errors == 0


def test_a_claimed_source_is_left_to_its_claimant(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss(item("a", "x")))
    app = harness.configure(http_source(feed_server, "/feed.xml"))
    app.store.sync_sources(app.config.sources, NOW)
    claimed = app.store.claim_sources(NOW, None, due_only=False, owner="other", lease=timedelta(minutes=5))
    assert ([s.name for s in claimed.sources], claimed.held_elsewhere) == (["portal"], 0)
    again = app.store.claim_sources(NOW, None, due_only=False, owner="me", lease=timedelta(minutes=5))
    assert (again.sources, again.held_elsewhere) == ([], 1)  # what `aggregator fetch` tells its user
    assert harness.refresh() == {}  # another process holds it
    assert feed_server.requests_for("/feed.xml") == []
    harness.now += timedelta(minutes=6)  # its claim expired (that process died)
    assert harness.refresh()["portal"].new == 1


def test_all_keys_changing_flags_the_source(harness: Harness, feed_server: FeedServer) -> None:
    feed_server.route("/feed.xml", rss("".join(item(f"old-{i}", f"Story {i}") for i in range(6))))
    harness.configure(http_source(feed_server, "/feed.xml"))
    harness.refresh()
    assert not harness.source("portal").stale
    feed_server.route("/feed.xml", rss("".join(item(f"new-{i}", f"Story {i}") for i in range(6))))
    result = harness.refresh()["portal"]
    assert result.stale_reason and "new ids" in result.stale_reason
    state = harness.source("portal")
    assert state.stale and state.stale_reason == result.stale_reason


def test_a_source_silent_for_too_long_is_flagged_stale(harness: Harness, feed_server: FeedServer) -> None:
    hourly = "".join(
        item(f"s{i}", f"Story {i}", date=f"Thu, 21 Mar 2024 {11 - i:02d}:00:00 GMT") for i in range(6)
    )
    feed_server.route("/feed.xml", rss(hourly))
    harness.configure(http_source(feed_server, "/feed.xml"))
    harness.refresh()
    harness.now += timedelta(hours=12)
    assert harness.refresh()["portal"].stale_reason is None  # quiet, not yet broken
    harness.now += timedelta(days=2)
    result = harness.refresh()["portal"]
    assert result.status is FetchStatus.NOT_MODIFIED
    assert result.stale_reason and result.stale_reason.startswith("no new entry for 2d")
    assert harness.source("portal").stale


def test_adaptive_polling_follows_last_weeks_entries(harness: Harness, feed_server: FeedServer) -> None:
    busy = "".join(
        item(f"s{i}", f"Story {i}", date=f"Thu, 21 Mar 2024 {11 - i // 4:02d}:{(i % 4) * 15:02d}:00 GMT")
        for i in range(40)
    )
    feed_server.route("/busy.xml", rss(busy))
    feed_server.route("/quiet.xml", rss(item("q", "Once", date="Mon, 01 Jan 2024 00:00:00 GMT")))
    harness.configure(
        f"""
        scheduler: {{min_interval: 5m, max_interval: 1d}}
        sources:
          - {{name: busy, url: {feed_server.url("/busy.xml")}, interval: 1h, adaptive: true}}
          - {{name: quiet, url: {feed_server.url("/quiet.xml")}, interval: 1h, adaptive: true}}
        """
    )
    harness.refresh()
    assert harness.source("busy").next_check_at == NOW + timedelta(seconds=7 * 86400 / 40)
    assert harness.source("quiet").next_check_at == NOW + timedelta(days=1)


def test_processing_in_a_process_pool(harness: Harness, feed_server: FeedServer, tmp_path: Path) -> None:
    """Large runs parse and normalize in worker processes: jobs and results must cross the boundary intact."""
    body = (REPO_DIR / "config" / "samples" / "feeds" / "tech-portal-cn.xml").read_bytes()
    feed_server.route("/cn.xml", body, content_type="text/xml")
    shutil.copytree(REPO_DIR / "config" / "samples" / "articles", tmp_path / "articles")
    harness.configure(
        f"""
        categories:
          新闻: [News]
        sources:
          - {{name: cn, url: {feed_server.url("/cn.xml")}, timezone: Asia/Shanghai, exclude: [5G]}}
          - {{name: articles, path: articles}}
        """
    )
    pool = make_process_pool(2)
    try:
        results = harness.refresh(pool=pool)
    finally:
        pool.shutdown()
    assert (results["cn"].new, results["cn"].filtered) == (2, 1)
    assert results["articles"].new == 5
    titles = {e.title for e in harness.entries()}
    assert "全力打造高端特色，中关村科学城进数字化治理方式变革" in titles


def _children() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def test_a_large_run_starts_pool_workers_only_when_documents_need_them(
    harness: Harness, tmp_path: Path
) -> None:
    """The pool starts with the first document to process (in the background: documents go to a thread
    meanwhile); a run where nothing changed starts no process at all."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: large runs are processed in a thread, there is no pool to start")
    feed = REPO_DIR / "config" / "samples" / "feeds" / "tech-portal-cn.xml"
    lines = []
    for i in range(PROCESS_POOL_MIN_SOURCES):
        shutil.copy(feed, tmp_path / f"feed-{i}.xml")
        lines.append(f"  - {{name: feed-{i}, path: feed-{i}.xml, timezone: Asia/Shanghai}}")
    app = harness.configure("sources:\n" + "\n".join(lines) + "\n")

    async def run() -> tuple[set[int], list[SourceResult]]:
        before = _children()
        async with Refresher(app.config, app.store, clock=app.clock) as refresher:
            await refresher.sync_sources()
            results = await refresher.refresh()
            # Started in the background: they may come up after the last document was processed.
            deadline = time.monotonic() + 30
            while any(r.new for r in results) and len(_children() - before) < (os.cpu_count() or 1):
                assert time.monotonic() < deadline, "the pool's workers did not start"
                await asyncio.sleep(0.05)
            return _children() - before, results

    started, results = asyncio.run(run())
    assert [r.new for r in results] == [3] * PROCESS_POOL_MIN_SOURCES
    assert len(started) == os.cpu_count()  # started for these twelve documents
    started, results = asyncio.run(run())
    assert [r.status for r in results] == [FetchStatus.NOT_MODIFIED] * PROCESS_POOL_MIN_SOURCES
    assert started == set()


def test_a_quiet_source_is_checked_for_staleness_without_a_query_per_poll(
    harness: Harness, feed_server: FeedServer
) -> None:
    """The cadence of a silent source is read once per new entry, not on each of its 304 polls."""
    hourly = "".join(
        item(f"s{i}", f"Story {i}", date=f"Thu, 21 Mar 2024 {11 - i:02d}:00:00 GMT") for i in range(6)
    )
    route = "/feed.xml"
    feed_server.route(route, rss(hourly))
    app = harness.configure(http_source(feed_server, route))
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "published_at" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    async def run() -> list[tuple[str | None, int]]:
        seen = []
        async with Refresher(app.config, app.store, clock=app.clock) as refresher:
            await refresher.sync_sources()
            for step in (0, 3, 1, 1):  # first fetch, then silent polls days apart
                harness.now += timedelta(days=step)
                statements.clear()
                result = (await refresher.refresh())[0]
                seen.append((result.stale_reason, len(statements)))
            feed_server.route(
                route, rss(item("new", "New story", date="Mon, 25 Mar 2024 12:00:00 GMT") + hourly)
            )
            harness.now += timedelta(hours=1)
            await refresher.refresh()  # new entry: the cadence is read again after the next silence
            harness.now += timedelta(days=3)
            statements.clear()
            result = (await refresher.refresh())[0]
            seen.append((result.stale_reason, len(statements)))
        return seen

    event.listen(app.store.engine, "before_cursor_execute", count)
    try:
        seen = asyncio.run(run())
    finally:
        event.remove(app.store.engine, "before_cursor_execute", count)
    reasons, queries = zip(*seen, strict=True)
    assert reasons[0] is None
    assert all(r and r.startswith("no new entry for") for r in reasons[1:])
    assert queries[1] > 0 and queries[2] == queries[3] == 0  # read once, then remembered
    assert queries[4] > 0


def test_stored_hashes_are_read_while_the_writer_is_busy(harness: Harness, feed_server: FeedServer) -> None:
    """A fetched document's lookup of what its source has stored does not queue behind a commit: the
    process pool would wait for the writer with it."""
    feed_server.route("/feed.xml", rss(item("a", "Story A")))
    app = harness.configure(http_source(feed_server, "/feed.xml"))
    harness.refresh()
    source_id = harness.source("portal").id
    writer_busy = threading.Event()
    release = threading.Event()

    def long_commit() -> None:
        writer_busy.set()
        release.wait(30)

    async def run() -> dict[str, str]:
        async with Refresher(app.config, app.store, clock=app.clock) as refresher:
            blocked = asyncio.get_running_loop().run_in_executor(refresher._db, long_commit)
            try:
                await asyncio.to_thread(writer_busy.wait, 30)
                known, _ = await asyncio.wait_for(refresher._known.submit(source_id), 10)
            finally:
                release.set()
                await blocked
        return known

    assert list(asyncio.run(run())) == [e.key for e in harness.entries()]


def _two_sources(server: FeedServer) -> str:
    server.route("/a.xml", rss(item("a", "Story A")))
    server.route("/b.xml", rss(item("b", "Story B")))
    return f"""
    scheduler: {{min_interval: 1s, concurrency: 1}}
    sources:
      - {{name: a, url: "{server.url("/a.xml")}", timeout: 2s}}
      - {{name: b, url: "{server.url("/b.xml")}", timeout: 2s}}
    """


def test_a_worker_goes_on_while_a_result_without_entries_waits_for_the_writer(
    harness: Harness, feed_server: FeedServer
) -> None:
    """A 304 has nothing new to count: its one worker fetches the next source during the commit instead of
    idling until it ends, and the refresh still returns only once both results are stored."""
    app = harness.configure(_two_sources(feed_server))
    harness.refresh()
    harness.now = NOW + timedelta(hours=1)
    feed_server.clear_requests()
    b_reported = threading.Event()
    requests_while_stalled: list[int] = []

    def stall_first_save(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        """The first outcome's save (not the claim before it) stays in the database until source b's result
        is reported: only a worker that did not wait for that save can report it."""
        if requests_while_stalled or not statement.lstrip().upper().startswith("UPDATE SOURCES"):
            return
        if "last_checked_at" in statement:
            b_reported.wait(30)  # a guard against hanging only: waiting for it here decides nothing
            requests_while_stalled.append(len(feed_server.requests))

    def on_result(result: SourceResult) -> None:
        if result.source == "b":
            b_reported.set()

    async def run() -> list[SourceResult]:
        async with Refresher(app.config, app.store, clock=app.clock, jitter=lambda: 0.0) as refresher:
            return await refresher.refresh(on_result=on_result)

    event.listen(app.store.engine, "before_cursor_execute", stall_first_save)
    try:
        results = asyncio.run(run())
    finally:
        b_reported.set()
        event.remove(app.store.engine, "before_cursor_execute", stall_first_save)
    assert requests_while_stalled == [2]  # b was fetched while a's save was stalled
    assert [(r.source, r.status) for r in results] == [
        ("a", FetchStatus.NOT_MODIFIED),
        ("b", FetchStatus.NOT_MODIFIED),
    ]
    assert [harness.source(name).last_checked_at for name in "ab"] == [harness.now, harness.now]


def test_a_failed_save_of_a_result_without_entries_fails_the_refresh(
    harness: Harness, feed_server: FeedServer
) -> None:
    """The worker did not wait for that save, but the refresh does: a database error is raised, not lost."""
    app = harness.configure(_two_sources(feed_server))
    harness.refresh()
    harness.now = NOW + timedelta(hours=1)

    def refuse_log_rows(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO FETCH_LOG"):
            raise OperationalError(statement, None, Exception("disk full"))

    event.listen(app.store.engine, "before_cursor_execute", refuse_log_rows)
    try:
        with pytest.raises(StoreError, match="disk full"):
            harness.refresh()
    finally:
        event.remove(app.store.engine, "before_cursor_execute", refuse_log_rows)
    assert [harness.source(name).last_checked_at for name in "ab"] == [NOW, NOW]  # nothing half-written
