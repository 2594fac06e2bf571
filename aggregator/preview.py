"""One source read once, through the whole pipeline but the store: what ``aggregator preview`` shows.

Before adding a portal to the configuration, a user wants to see what the aggregator will make of it: its
charset guessed right, its naive dates read in the right zone, its categories mapped through the aliases,
its images found. This runs the refresher's own steps (fetch with the configured HTTP options, parse,
normalize, include/exclude) on a source that is not stored, and keeps nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aggregator.config import Config, SourceConfig
from aggregator.errors import ParseError
from aggregator.processing import Processed, ProcessJob, process_document
from aggregator.sources.http import HttpFetcher
from aggregator.store.sources import source_kind
from aggregator.update import http_options, read_local, source_rules


@dataclass(frozen=True, slots=True)
class Preview:
    location: str  # the URL the document came from (after redirects), or the path
    http_status: int | None
    bytes: int
    moved_to: str | None  # where every redirect on the way was permanent
    processed: Processed  # its entries as they would be stored, newest first as the document lists them


async def preview_source(config: Config, source: SourceConfig, now: datetime) -> Preview:
    """Fetch and process ``source`` as a refresh would; FetchError or ParseError when it cannot be read."""
    rules = source_rules(config, source)
    if source.url is not None:
        fetcher = HttpFetcher(concurrency=1, per_host=1)
        try:
            doc = await fetcher.fetch(str(source.url), http_options(config, source))
        finally:
            await fetcher.aclose()
        if doc.body is None:  # no validator was sent, so a 304 is the server's error
            raise ParseError(
                f"{source.url}: the server answered 304 Not Modified to an unconditional request"
            )
        url = doc.final_url or str(source.url)
        job = ProcessJob(rules=rules, now=now, body=doc.body, headers=doc.headers, url=url)
        processed = await asyncio.to_thread(process_document, job)
        return Preview(url, doc.status, len(doc.body), doc.permanent_url, processed)
    assert source.path is not None
    path = Path(source.path)
    _, local_job, size = await read_local(source_kind(source), path, rules, now, None)
    assert local_job is not None, "read without a validator, a local source is always read"
    processed = await asyncio.to_thread(process_document, local_job)
    return Preview(str(path), None, size, None, processed)
