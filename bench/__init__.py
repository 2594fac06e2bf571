"""The benchmark suite: ``python -m bench`` (see docs/performance.md).

Generates a feed corpus, serves it on 127.0.0.1 with ETag/Last-Modified/304/gzip, and measures our
pipeline against ``reader`` and a near-limit baseline (httpx + lxml + nh3 + sqlite3), then publishing and
HTTP serving. Each measured pipeline runs in its own process; results go to ``bench/results/``.
"""
