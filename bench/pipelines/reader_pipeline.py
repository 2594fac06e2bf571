"""lemon24/reader (feedparser + SQLite): ``update_feeds`` on every feed of the corpus.

reader is used as its documentation shows (``make_reader``, ``add_feed``, ``update_feeds``), with its
defaults but for ``scheduled=False``: reader 3.x otherwise skips feeds updated less than an hour ago, and
every phase must poll every feed. ``--workers`` is passed to ``update_feeds`` (default 1, reader's own).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from reader import make_reader

from bench.pipelines import serve_phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--urls", type=Path, required=True, help="file with one feed URL per line")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    reader = make_reader(str(args.db))
    urls = args.urls.read_text().split()
    for url in urls:
        reader.add_feed(url, exist_ok=True)

    def stored() -> int:
        return reader.get_entry_counts().total or 0

    def run_phase(phase: str) -> dict[str, Any]:
        before = stored()
        start = time.perf_counter()
        new = updated = not_modified = errors = 0
        first_error = None
        for result in reader.update_feeds_iter(scheduled=False, workers=args.workers):
            value = result.value
            if isinstance(value, Exception):
                errors += 1
                first_error = first_error or repr(value)
            elif value is None:
                not_modified += 1
            else:
                new += value.new
                updated += value.modified
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "new": stored() - before,
            "new_reported": new,
            "updated": updated,
            "feeds": len(urls),
            "not_modified": not_modified,
            "errors": errors,
            "first_error": first_error,
        }

    try:
        serve_phases(run_phase)
    finally:
        reader.close()


if __name__ == "__main__":
    main()
