"""The near-limit baseline: httpx (async) + lxml + nh3 + sqlite3, and nothing else.

What a lean hand-written poller does: conditional GETs (ETag, Last-Modified, gzip) with bounded
concurrency, lxml for RSS 2.0/Atom/RDF, ``nh3.clean`` on each new entry's HTML, one sqlite3 transaction
per feed (WAL, synchronous=NORMAL), entries already stored skipped by id before sanitizing. No
normalization (dates stay strings, links and ids as given), no categories, no fallback for broken feeds:
the floor of what storing entries costs in Python, not a usable aggregator.

Run inside the benchmark (``python -m bench.baseline --db D --urls F``: phases on stdin), or alone with
``--once`` to poll every URL once and print the JSON result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import nh3
from lxml import etree

from bench.pipelines import serve_phases

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT);
CREATE TABLE IF NOT EXISTS entries (
    feed TEXT NOT NULL, id TEXT NOT NULL, title TEXT, link TEXT, published TEXT, content TEXT,
    PRIMARY KEY (feed, id)
);
"""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

Row = tuple[str, str, str | None, str | None, str | None, str]


def parse_entries(body: bytes) -> list[tuple[str, str | None, str | None, str | None, str]]:
    """(id, title, link, published, raw html) of each entry of an RSS 2.0, Atom 1.0 or RDF document."""
    root = etree.fromstring(body, _PARSER)
    out = []
    if root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            link = entry.find(f"{ATOM}link")
            href = link.get("href") if link is not None else None
            html = entry.findtext(f"{ATOM}content") or entry.findtext(f"{ATOM}summary") or ""
            entry_id = entry.findtext(f"{ATOM}id") or href or ""
            out.append(
                (entry_id, entry.findtext(f"{ATOM}title"), href, entry.findtext(f"{ATOM}published"), html)
            )
        return out
    rdf = root.tag != "rss"
    ns = RSS1 if rdf else ""
    for item in root.iter(f"{ns}item"):
        link = item.findtext(f"{ns}link")
        html = item.findtext(CONTENT) or item.findtext(f"{ns}description") or ""
        published = item.findtext(DC_DATE) if rdf else item.findtext("pubDate")
        entry_id = (None if rdf else item.findtext("guid")) or link or ""
        out.append((entry_id, item.findtext(f"{ns}title"), link, published, html))
    return out


class Baseline:
    def __init__(self, db: Path, urls: list[str], concurrency: int = 32) -> None:
        self.urls = urls
        self.concurrency = concurrency
        self.db = sqlite3.connect(db, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def store(self, url: str, response: httpx.Response) -> int:
        """Validators always; new entries sanitized and inserted. One transaction; returns the new count."""
        self.db.execute("BEGIN")
        new = 0
        if response.status_code == 200:
            entries = parse_entries(response.content)
            known = {row[0] for row in self.db.execute("SELECT id FROM entries WHERE feed = ?", (url,))}
            rows: list[Row] = [
                (url, entry_id, title, link, published, nh3.clean(html))
                for entry_id, title, link, published, html in entries
                if entry_id not in known
            ]
            self.db.executemany("INSERT OR IGNORE INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows)
            new = len(rows)
        self.db.execute(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?)",
            (url, response.headers.get("etag"), response.headers.get("last-modified")),
        )
        self.db.execute("COMMIT")
        return new

    async def poll(self) -> dict[str, Any]:
        validators = {url: (etag, lm) for url, etag, lm in self.db.execute("SELECT * FROM feeds")}
        limit = asyncio.Semaphore(self.concurrency)
        counts = {"new": 0, "not_modified": 0, "errors": 0}

        async def fetch(client: httpx.AsyncClient, url: str) -> tuple[str, httpx.Response | None]:
            etag, last_modified = validators.get(url, (None, None))
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            async with limit:
                try:
                    return url, await client.get(url, headers=headers)
                except httpx.HTTPError:
                    return url, None

        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            for task in asyncio.as_completed([fetch(client, url) for url in self.urls]):
                url, response = await task
                if response is None or response.status_code not in (200, 304):
                    counts["errors"] += 1
                    continue
                counts["not_modified"] += response.status_code == 304
                counts["new"] += self.store(url, response)
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--urls", type=Path, required=True, help="file with one feed URL per line")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--once", action="store_true", help="poll once, print the result and exit")
    args = parser.parse_args()
    baseline = Baseline(args.db, args.urls.read_text().split(), args.concurrency)

    def run_phase(phase: str) -> dict[str, Any]:
        start = time.perf_counter()
        counts = asyncio.run(baseline.poll())
        return {"seconds": time.perf_counter() - start, "feeds": len(baseline.urls), **counts}

    if args.once:
        print(json.dumps(run_phase("once")))
    else:
        serve_phases(run_phase)


if __name__ == "__main__":
    main()
