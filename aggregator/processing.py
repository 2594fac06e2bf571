"""From a fetched document to the entries worth storing: pure, picklable, runnable in a worker process.

parse -> stable keys -> skip entries whose raw material did not change (before the expensive normalizing)
-> normalize -> source include/exclude rules. No I/O and no clock: ``now`` comes in the job, so the same job
always gives the same result, and large runs can spread jobs over a process pool.

The skip starts inside parsing: the parser is told which raw hashes are stored (``skippable``), and leaves
those entries unread (see :mod:`aggregator.parse.refs`). Their keys are the ones stored with the same raw
hash: their id and links are read only when that key was told apart from another's (``|``, ``#``), or when
a new entry shares it. An entry is read whole only when its key is new, its raw hash changed, or an entry
sharing its GUID needs its content to tell the two apart. On a feed that added 5 entries to 45 known ones,
the 45 cost a hash each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial

from aggregator.filters import Filter
from aggregator.filters.match import Subject, compile_filter
from aggregator.models import NormalizedEntry, ParsedFeed
from aggregator.normalize import NormalizeSettings, assign_keys, normalize_entry
from aggregator.normalize.keys import is_base_key
from aggregator.parse import ParsedDocument, ParseOptions, StaleEntry, read_document


@dataclass(frozen=True, slots=True)
class SourceRules:
    """What the pure pipeline needs to know about one source, taken from its configuration."""

    settings: NormalizeSettings
    include: Filter | None = None
    exclude: Filter | None = None
    encoding: str | None = None

    def fingerprint(self) -> str:
        """A hash of everything that decides what a source's document gives, and of the normalizer's version.

        Stored with the source after each document it read: when it differs, the source's configuration (or
        this program) changed since, and the refresher reads the current document again whole instead of
        asking for changes, so that stored entries follow at once rather than with the feed's next edit.
        """
        material = f"{self.settings.fingerprint()}\x00{self.include!r}\x00{self.exclude!r}\x00{self.encoding}"
        return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class ProcessJob:
    rules: SourceRules
    now: datetime
    known: Mapping[str, str] = field(default_factory=dict)  # key -> stored raw hash
    buried: frozenset[str] = frozenset()  # keys of entries removed by retention: not new again
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    url: str | None = None
    feed: ParsedFeed | None = None  # already parsed (a folder of Markdown articles)


@dataclass(frozen=True, slots=True)
class Processed:
    title: str | None
    link: str | None
    language: str | None
    ttl_seconds: int | None
    format: str
    entries: tuple[NormalizedEntry, ...]  # new, or whose raw material changed; after include/exclude
    seen: int
    unchanged: int
    filtered: int
    warnings: tuple[str, ...]
    # sha256 of the body when it gave nothing to store and nothing was filtered out (a filter on age may let
    # an entry in later): the same bytes again need not be read. Servers that send no validators, or ignore
    # them, send the same document again whole.
    document_hash: str | None = None
    # The job's ``buried`` keys that the document still carries: the others' tombstones have done their work.
    buried_seen: frozenset[str] = frozenset()


def stored_raw_hash(raw_hash: str, fingerprint: str) -> str:
    """The raw hash as stored: changed normalizing settings (aliases, timezone...) mean new work."""
    return hashlib.sha256(f"{raw_hash}\x00{fingerprint}".encode()).hexdigest()


def process_document(job: ProcessJob) -> Processed:
    """Parse (unless already parsed) and normalize what changed; ParseError for unreadable documents."""
    try:
        return _process(job, defer=True)
    except StaleEntry:
        return _process(job, defer=False)


def _known_bases(known: Mapping[str, str], raws: list[str]) -> list[str | None] | None:
    """Per entry, the base key stored for its raw material, when that key surely is one.

    Same raw material (bytes, document context, normalizing settings) means same GUID and links, so the
    same base key: an unchanged entry's identity need not be read again.
    """
    if not known:
        return None
    by_raw = {raw: key for key, raw in known.items() if is_base_key(key)}
    return [by_raw.get(raw) for raw in raws]


def _process(job: ProcessJob, *, defer: bool) -> Processed:
    settings = job.rules.settings
    # Salted once per raw hash: the parser asks for the deferred entries', the keys below for every entry's.
    salted = cache(partial(stored_raw_hash, fingerprint=settings.fingerprint()))
    if job.feed is not None:
        document = ParsedDocument.of(job.feed)
    else:
        assert job.body is not None, "a job needs a body or a parsed feed"
        stored = set(job.known.values())
        skippable = None
        if defer and stored:

            def skippable(raw_hash: str) -> bool:
                return salted(raw_hash) in stored

        options = ParseOptions(url=job.url, encoding=job.rules.encoding)
        document = read_document(job.body, job.headers, options, skippable=skippable)
    feed = document.feed
    raws = [salted(ref.raw_hash) for ref in document.entries]
    keys = assign_keys(document.entries, _known_bases(job.known, raws))
    include = compile_filter(job.rules.include, settings.aliases) if job.rules.include else None
    exclude = compile_filter(job.rules.exclude, settings.aliases) if job.rules.exclude else None

    out: list[NormalizedEntry] = []
    unchanged = filtered = 0
    for ref, key, raw in zip(document.entries, keys, raws, strict=True):
        if job.known.get(key) == raw or key in job.buried:
            unchanged += 1
            continue
        entry = normalize_entry(ref.entry(), key, feed, settings, job.now, raw_hash=raw)
        if include or exclude:
            subject = Subject(entry, settings.source_name, job.now)
            if (include and not include(subject)) or (exclude and exclude(subject)):
                filtered += 1
                continue
        out.append(entry)
    idle_body = None if out or filtered else job.body
    return Processed(
        title=feed.title,
        link=feed.link,
        language=feed.language,
        ttl_seconds=feed.ttl_seconds,
        format=feed.format,
        entries=tuple(out),
        seen=len(document.entries),
        unchanged=unchanged,
        filtered=filtered,
        warnings=feed.warnings,
        document_hash=hashlib.sha256(idle_body).hexdigest() if idle_body is not None else None,
        buried_seen=job.buried.intersection(keys) if job.buried else frozenset(),
    )
