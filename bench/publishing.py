"""Publishing: rendering a 50-entry category feed from databases of 10 k, 100 k and 1 M entries.

A database of ``n`` entries is created with our migrations and filled directly with sqlite3 (the pipeline
would take minutes per hundred thousand): 2,000 sources, twelve categories with skewed frequencies (the
rendered one, 人工智能, holds about one entry in six), one to three categories per entry, dates over two
years. The newest 5,000 entries carry full portal-size HTML (about 4 KB), older ones about 600 bytes, so the
database stays a few GB at 1 M entries while every rendered entry is full size. Databases are kept under
``bench/.work/publish/`` and reused.

Rendering is timed in a separate process (``python -m bench.publishing render``) through the code the HTTP
server runs for a request it cannot answer from the published files: ``FeedService.render`` (select the
newest matching entries through the indexes, build the document, serialize it), for RSS, Atom and JSON Feed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench.corpus import CorpusSpec, entry_html

GENERATOR_VERSION = 2
SOURCES = 2_000
FULL_SIZE_NEWEST = 5_000
CATEGORIES = (
    ("人工智能", 30),
    ("芯片", 18),
    ("云计算", 14),
    ("开源", 12),
    ("手机", 10),
    ("安全", 8),
    ("Cloud", 7),
    ("AI", 6),  # an alias of 人工智能 in the configuration: the feed reads both categories
    ("Games", 5),
    ("汽车", 5),
    ("通信", 4),
    ("新闻", 25),
)
FEED_NAME = "ai"
NEWEST = datetime(2026, 6, 1, tzinfo=UTC)
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _time(moment: datetime) -> str:
    """How the UTCDateTime column stores a moment in SQLite: naive UTC text."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(_SQLITE_TIME)


def write_config(folder: Path, database: Path) -> Path:
    config = {
        "database": f"sqlite:///{database}",
        "output_dir": str(folder / "feeds"),
        "server": {"host": "127.0.0.1", "port": 8080},
        "categories": {"人工智能": {"aliases": ["AI"]}},
        "publish": [
            {
                "name": FEED_NAME,
                "title": "人工智能",
                "filter": {"category": "人工智能"},
                "limit": 50,
                "formats": ["rss", "atom", "json"],
            }
        ],
    }
    path = folder / f"{database.stem}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def build_database(folder: Path, entries: int, progress: Any = print) -> Path:
    """A database of ``entries`` entries (built once; reused while the generator version is the same)."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"entries-{entries}-v{GENERATOR_VERSION}.db"
    if database.exists():
        return database
    partial = database.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    from aggregator.store import create_db_engine, upgrade

    engine = create_db_engine(f"sqlite:///{partial}")
    upgrade(engine)
    engine.dispose()
    started = time.perf_counter()
    with sqlite3.connect(partial) as db:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        _fill(db, entries, progress)
    partial.rename(database)
    progress(f"  built {database.name} in {time.perf_counter() - started:.0f} s")
    return database


def _fill(db: sqlite3.Connection, entries: int, progress: Any) -> None:
    rng = random.Random(entries)
    now = _time(NEWEST)
    columns = "id, name, kind, location, configured_location, title, site_link, enabled, gone,"
    columns += " consecutive_errors, stale, created_at, updated_at"
    db.executemany(
        f"INSERT INTO sources ({columns}) VALUES (?, ?, 'http', ?, ?, ?, ?, 1, 0, 0, 0, ?, ?)",
        [
            (i + 1, f"portal-{i:04d}", f"https://p{i}.example/feed", f"https://p{i}.example/feed",
             f"Portal {i}", f"https://p{i}.example/", now, now)
            for i in range(SOURCES)
        ],
    )  # fmt: skip
    names = [name for name, _ in CATEGORIES]
    weights = [weight for _, weight in CATEGORIES]
    db.executemany(
        "INSERT INTO categories (id, name, folded) VALUES (?, ?, ?)",
        [(i + 1, name, name.casefold()) for i, name in enumerate(names)],
    )
    spec = CorpusSpec(feeds=SOURCES, entries=1)
    short_html = "<p>" + "短讯 short news item. " * 25 + "</p>"
    span_seconds = 2 * 365 * 86400
    batch: list[tuple[Any, ...]] = []
    links: list[tuple[int, int, str]] = []
    for n in range(entries):
        entry_id = n + 1
        published = NEWEST - timedelta(seconds=span_seconds * (entries - 1 - n) / max(entries - 1, 1))
        source = rng.randrange(SOURCES) + 1
        chinese = source % 2 == 0
        if entries - n <= FULL_SIZE_NEWEST:
            html = entry_html(random.Random(f"{spec.seed}:{n}"), chinese, f"p{source}.example")
        else:
            html = short_html
        text = html[:2000]
        key = f"g:https://p{source}.example/a/{n}"
        stamp = _time(published)
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, key))
        language = "zh" if chinese else "en"
        batch.append(
            (entry_id, source, key, uid, f"https://p{source}.example/a/{n}", f"Entry {n} 新闻标题", "编辑",
             stamp, None, stamp, stamp, text[:200], html, text, None, None, None, language,
             hashlib.sha256(key.encode()).hexdigest(), "0" * 64)
        )  # fmt: skip
        for category in set(rng.choices(range(len(names)), weights=weights, k=rng.randint(1, 3))):
            links.append((entry_id, category + 1, stamp))
        if len(batch) >= 20_000:
            _flush(db, batch, links)
            if (n + 1) % 200_000 == 0:
                progress(f"  {n + 1:,} entries")
    _flush(db, batch, links)


def _flush(db: sqlite3.Connection, batch: list[tuple[Any, ...]], links: list[tuple[int, int, str]]) -> None:
    columns = "id, source_id, key, uid, link, title, author, published_at, updated_at, published_raw,"
    columns += " first_seen_at, summary, content_html, content_text, image, image_type, image_length,"
    columns += " language, content_hash, raw_hash"
    db.executemany(f"INSERT INTO entries ({columns}) VALUES ({', '.join('?' * 20)})", batch)
    db.executemany(
        "INSERT INTO entry_categories (entry_id, category_id, published_at) VALUES (?, ?, ?)", links
    )
    db.commit()
    batch.clear()
    links.clear()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_rendering(config_path: Path, runs: int) -> dict[str, Any]:
    """Render the category feed ``runs`` times per format; milliseconds per rendering."""
    from aggregator.app import open_app
    from aggregator.web.feeds import FeedService
    from aggregator.web.params import parse_params

    app = open_app(config_path)
    try:
        service = FeedService(app.config, app.store, clock=lambda: NEWEST)
        feed = app.config.publish[0]
        params = parse_params({}, max_limit=app.config.server.max_limit, now=NEWEST, sources=())
        out: dict[str, Any] = {}
        for fmt in feed.formats:
            start = time.perf_counter()
            first = service.render(feed, fmt, params)
            first_ms = (time.perf_counter() - start) * 1000
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                rep = service.render(feed, fmt, params)
                samples.append((time.perf_counter() - start) * 1000)
            out[fmt] = {
                "first_ms": round(first_ms, 2),
                "median_ms": round(statistics.median(samples), 2),
                "p99_ms": round(percentile(samples, 0.99), 2),
                "bytes": len(rep.body),
                "entries": first.body.count(b"<item>") or first.body.count(b"<entry>") or None,
            }
        return out
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="time renderings (run in its own process by the benchmark)")
    render.add_argument("--config", type=Path, required=True)
    render.add_argument("--runs", type=int, default=200)
    build = sub.add_parser("build", help="build a database of N entries")
    build.add_argument("--folder", type=Path, required=True)
    build.add_argument("--entries", type=int, required=True)
    args = parser.parse_args()
    if args.command == "render":
        print(json.dumps(time_rendering(args.config, args.runs)))
    else:
        print(build_database(args.folder, args.entries, progress=lambda m: print(m, file=sys.stderr)))


if __name__ == "__main__":
    main()
