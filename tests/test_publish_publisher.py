"""Publishing end to end: sample sources ingested, feeds selected, rendered, written, parsed back.

The seed article goes in through a folder source and must come out of the ``新闻`` feed in all three
formats with its title, author, categories, date, image and sanitized body (the publishing issue's
acceptance test), and parse back with feedparser to the same values.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from aggregator.app import App, open_store
from aggregator.config import parse_config_text
from aggregator.publish.publisher import Publisher
from aggregator.update import Refresher
from tests.conftest import REPO_DIR

NOW = datetime(2024, 3, 25, 12, 0, tzinfo=UTC)
SAMPLES = REPO_DIR / "config" / "samples"
SEED_NAME = "000_6c5dac8243fe42b9.txt"
SEED_TITLE = "全力打造高端特色，中关村科学城进数字化治理方式变革"
SEED_IMAGE = "https://picsum.photos/400/300?random=5411"

CONFIG = """
categories:
  新闻: [News]
  人工智能: [AI, machine learning]
  芯片: [Semiconductors]
sources:
  - name: portal-articles
    title: 高科技行业门户
    path: articles
  - name: open-hardware
    path: open-hardware.atom
publish:
  - name: news
    title: 科技新闻
    description: 新闻
    filter: {category: 新闻}
    language: zh-CN
  - name: ai
    title: AI
    filter: {any: [{category: 人工智能}, {keyword: 大模型}]}
    formats: [atom]
server:
  base_url: https://feeds.example.org/
"""


class Site:
    def __init__(self, tmp_path: Path, db_url: str) -> None:
        self.root = tmp_path
        shutil.copytree(SAMPLES / "articles", tmp_path / "articles")
        shutil.copy(SAMPLES / "feeds" / "open-hardware.atom", tmp_path / "open-hardware.atom")
        self.now = NOW
        self.db_url = db_url
        self.app = self.configure(CONFIG)

    def configure(self, text: str) -> App:
        loaded = parse_config_text(f"database: {self.db_url}\n" + textwrap.dedent(text), self.root / "c.yaml")
        return App(loaded=loaded, store=open_store(loaded), clock=lambda: self.now)

    def fetch(self) -> None:
        async def run() -> None:
            async with Refresher(self.app.config, self.app.store, clock=self.app.clock) as refresher:
                await refresher.sync_sources()
                await refresher.refresh()

        asyncio.run(run())

    def publish(self, *names: str) -> dict[tuple[str, str], bool]:
        results = Publisher(self.app.config, self.app.store, clock=self.app.clock).publish(
            list(names) or None
        )
        return {(r.name, r.format): r.changed for r in results}

    def feed(self, name: str) -> Path:
        return self.root / "feeds" / name


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[Site]:
    s = Site(tmp_path, db_url)
    yield s
    s.app.close()


def test_seed_article_round_trips_through_every_format(site: Site) -> None:
    site.fetch()
    site.publish()

    rss = feedparser.parse(site.feed("news.rss").read_bytes())
    atom = feedparser.parse(site.feed("news.atom").read_bytes())
    assert (rss.bozo, rss.version, atom.bozo, atom.version) == (False, "rss20", False, "atom10")
    for parsed in (rss, atom):
        seed = next(e for e in parsed.entries if e.title == SEED_TITLE)
        assert seed.author == "高科技行业门户"
        assert {t.term for t in seed.tags} == {"新媒体", "高科技行业门户", "新闻"}
        assert datetime(*seed.published_parsed[:6], tzinfo=UTC) == datetime(2021, 6, 15, 3, 58, tzinfo=UTC)
        body = seed.content[0].value
        assert "<strong>前言：</strong>" in body
        assert body.count("<p>") == 26
        assert "style=" not in body
        assert SEED_IMAGE in json.dumps(seed.get("media_thumbnail", [])) + json.dumps(
            seed.get("enclosures", [])
        )

    document = json.loads(site.feed("news.json").read_text(encoding="utf-8"))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    seed_item = next(i for i in document["items"] if i["title"] == SEED_TITLE)
    assert seed_item["date_published"] == "2021-06-15T03:58:00Z"
    assert seed_item["authors"] == [{"name": "高科技行业门户"}]
    assert set(seed_item["tags"]) == {"新媒体", "高科技行业门户", "新闻"}
    assert seed_item["image"] == SEED_IMAGE
    assert "style=" not in seed_item["content_html"] and seed_item["content_html"].count("<p>") == 26


def test_feed_filters_and_order(site: Site) -> None:
    site.fetch()
    site.publish()
    news = feedparser.parse(site.feed("news.atom").read_bytes())
    dates = [e.published_parsed for e in news.entries]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert all("新闻" in {t.term for t in e.tags} for e in news.entries)
    ai = feedparser.parse(site.feed("ai.atom").read_bytes())
    titles = {e.title for e in ai.entries}
    assert "国产AI芯片加速落地：多家厂商发布新一代推理加速卡" in titles  # tagged AI -> 人工智能
    assert "A tiny board for machine learning at the edge" in titles  # machine learning -> 人工智能
    assert not site.feed("ai.rss").exists()  # only the configured formats


def test_unchanged_feeds_are_not_rewritten_and_stay_byte_identical(site: Site) -> None:
    site.fetch()
    first = site.publish()
    assert all(first.values())
    path = site.feed("news.rss")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    os.utime(path, ns=(1, 1))  # so a rewrite would show
    site.now += timedelta(hours=1)
    again = site.publish()
    assert not any(again.values())
    assert path.read_bytes() == before[0]
    assert path.stat().st_mtime_ns == 1

    # Forced rendering gives the same bytes: rendering is deterministic.
    Publisher(site.app.config, site.app.store, clock=site.app.clock).publish(force=True)
    assert path.read_bytes() == before[0]


def test_a_new_entry_changes_only_the_feeds_it_belongs_to(site: Site) -> None:
    site.fetch()
    site.publish()
    (site.root / "articles" / "099_new.md").write_text(
        "\n---\ntitle: 新的新闻\ncategories: [新闻]\ndate: 2024-03-24T00:00:00Z\n---\n<p>正文</p>\n",
        encoding="utf-8",
    )
    site.fetch()
    changed = site.publish()
    assert changed[("news", "rss")] and changed[("news", "json")]
    assert not changed[("ai", "atom")]
    assert feedparser.parse(site.feed("news.rss").read_bytes()).entries[0].title == "新的新闻"


def test_empty_feed_is_still_valid(site: Site) -> None:
    site.publish()  # nothing fetched yet
    parsed = feedparser.parse(site.feed("news.rss").read_bytes())
    assert (parsed.bozo, parsed.version, len(parsed.entries)) == (False, "rss20", 0)
    assert json.loads(site.feed("news.json").read_text(encoding="utf-8"))["items"] == []


def test_opml_index_and_removed_feeds(site: Site) -> None:
    site.fetch()
    site.publish()
    opml = site.feed("index.opml").read_text(encoding="utf-8")
    assert 'xmlUrl="https://feeds.example.org/feeds/news.atom"' in opml
    assert 'xmlUrl="https://feeds.example.org/feeds/ai.atom"' in opml

    # A feed removed from the configuration: its files are deleted, its record forgotten.
    site.app.close()
    site.app = site.configure(CONFIG.split("  - name: ai")[0])
    site.publish()
    assert not site.feed("ai.atom").exists()
    assert {s.name for s in site.app.store.published_states()} == {"news"}
    assert "ai.atom" not in site.feed("index.opml").read_text(encoding="utf-8")
