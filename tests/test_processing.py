"""The pure pipeline of one document: which entries are read whole, normalized and returned.

The early skip must change nothing but the work done: every case is also run without deferring
(``_process(job, defer=False)``, the way every entry used to be read) and must give the same result.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from aggregator.normalize import NormalizeSettings
from aggregator.parse import ParsedDocument, StaleEntry
from aggregator.parse.feedparser_rules import Refuse
from aggregator.processing import Processed, ProcessJob, SourceRules, _process, process_document
from bench.corpus import CorpusSpec, render_feed
from tests.conftest import DATA_DIR

NOW = datetime(2024, 3, 21, 12, 0, tzinfo=UTC)
URL = "https://portal.example/feed.xml"
RULES = SourceRules(settings=NormalizeSettings(source_name="portal", timezone="Asia/Shanghai"))


def rss(items: str, channel_after: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Portal</title>'
        f"<link>https://portal.example/</link>{items}{channel_after}</channel></rss>"
    ).encode()


def item(guid: str, title: str, link: str | None = None) -> str:
    link = link or f"https://portal.example/{guid}"
    return (
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<description><![CDATA[<p>{title} body</p>]]></description></item>"
    )


def job(body: bytes, known: dict[str, str] | None = None) -> ProcessJob:
    return ProcessJob(rules=RULES, now=NOW, known=known or {}, body=body, headers={}, url=URL)


def stored(processed: Processed, before: dict[str, str] | None = None) -> dict[str, str]:
    """What the store knows after saving ``processed``: key -> raw hash."""
    return {**(before or {}), **{entry.key: entry.raw_hash for entry in processed.entries}}


@pytest.fixture
def documents(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ParsedDocument]]:
    """Every document processing reads, to look at which entries it built."""
    from aggregator import processing

    seen: list[ParsedDocument] = []
    original = processing.read_document

    def spy(*args: Any, **kwargs: Any) -> ParsedDocument:
        document = original(*args, **kwargs)
        seen.append(document)
        return document

    monkeypatch.setattr(processing, "read_document", spy)
    yield seen


def assert_same_as_eager(processing_job: ProcessJob) -> Processed:
    lazy = process_document(processing_job)
    assert lazy == _process(processing_job, defer=False)
    return lazy


def fail_with(monkeypatch: pytest.MonkeyPatch, target: str, error: Exception) -> list[object]:
    """Replace ``target`` by a function raising ``error``; returns the list its calls are recorded in."""
    calls: list[object] = []

    def failing(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise error

    monkeypatch.setattr(target, failing)
    return calls


def test_unchanged_entries_are_not_read_again(documents: list[ParsedDocument]) -> None:
    first = assert_same_as_eager(job(rss(item("a", "A") + item("b", "B") + item("c", "C"))))
    assert [e.title for e in first.entries] == ["A", "B", "C"]

    body = rss(item("new", "New") + item("a", "A") + item("b", "B (edited)") + item("c", "C"))
    second = assert_same_as_eager(job(body, stored(first)))
    assert [e.title for e in second.entries] == ["New", "B (edited)"]
    assert (second.seen, second.unchanged) == (4, 2)
    deferred = documents[-2]  # the lazy run (the eager one came after it)
    assert [ref.loaded for ref in deferred.entries] == [True, False, True, False]
    # Their keys are the ones stored with their raw hashes: not even their GUIDs and links were read.
    assert [ref.identified for ref in deferred.entries] == [True, False, True, False]


def test_nothing_is_deferred_on_a_first_fetch(documents: list[ParsedDocument]) -> None:
    assert_same_as_eager(job(rss(item("a", "A") + item("b", "B"))))
    assert all(ref.loaded for ref in documents[0].entries)


def test_duplicate_guids_keep_their_keys_when_deferred(documents: list[ParsedDocument]) -> None:
    body = (DATA_DIR / "rss_duplicate_guids.xml").read_bytes()
    first = assert_same_as_eager(job(body))
    assert len({e.key for e in first.entries}) == len(first.entries) == 3
    again = assert_same_as_eager(job(body, stored(first)))
    assert (again.entries, again.unchanged) == ((), 3)


def test_only_entries_told_apart_by_content_are_read_whole(documents: list[ParsedDocument]) -> None:
    copy = item("x", "X", "https://portal.example/x")
    body = rss(item("a", "A") + copy + copy)  # a true copy: same GUID, link and content
    first = assert_same_as_eager(job(body))
    assert [e.key for e in first.entries] == ["g:a", "g:x", "g:x#2"]
    again = assert_same_as_eager(job(body, stored(first)))
    assert again.unchanged == 3
    assert [ref.loaded for ref in documents[-2].entries] == [False, True, True]


def test_an_entry_whose_key_moves_is_read_whole() -> None:
    # Two entries share a GUID: the first gets the plain key, the second a key with its link. A new entry
    # with that GUID on top takes the plain key, and the known ones move: their keys change, so they are
    # read and normalized again, as without deferring.
    first = assert_same_as_eager(job(rss(item("g", "One", "https://p.example/1"))))
    body = rss(item("g", "Zero", "https://p.example/0") + item("g", "One", "https://p.example/1"))
    second = assert_same_as_eager(job(body, stored(first)))
    assert [e.title for e in second.entries] == ["Zero", "One"]
    assert second.entries[1].key != first.entries[0].key


def test_a_changed_setting_reads_every_entry_again() -> None:
    body = rss(item("a", "A") + item("b", "B"))
    first = process_document(job(body))
    other = SourceRules(settings=replace(RULES.settings, timezone="UTC"))
    changed = ProcessJob(rules=other, now=NOW, known=stored(first), body=body, headers={}, url=URL)
    assert len(process_document(changed).entries) == 2


@pytest.mark.parametrize("feed", range(10))
def test_generated_feeds_round_two_as_without_deferring(feed: int, documents: list[ParsedDocument]) -> None:
    spec = CorpusSpec(feeds=10, entries=12)
    first = assert_same_as_eager(job(render_feed(spec, feed, 1)))
    second = assert_same_as_eager(job(render_feed(spec, feed, 2), stored(first)))
    assert second.seen == 12 and len(second.entries) == 5  # five new on top, seven known
    assert sum(not ref.loaded for ref in documents[-2].entries) == 7
    assert sum(not ref.identified for ref in documents[-2].entries) == 7


def test_a_stale_deferred_entry_makes_it_read_the_document_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = process_document(job(rss(item("g", "One", "https://p.example/1"))))
    body = rss(item("g", "Zero", "https://p.example/0") + item("g", "One", "https://p.example/1"))
    expected = _process(job(body, stored(first)), defer=False)

    calls = fail_with(monkeypatch, "aggregator.parse.fast._Reader._load", StaleEntry("refused"))
    assert process_document(job(body, stored(first))) == expected
    assert len(calls) == 1


def test_a_newcomer_sharing_a_known_guid_has_the_known_entry_read(documents: list[ParsedDocument]) -> None:
    one, b = item("g", "One", "https://p.example/1"), item("b", "B")
    first = assert_same_as_eager(job(rss(one + b)))
    assert_same_as_eager(job(rss(item("g", "Zero", "https://p.example/0") + one + b), stored(first)))
    lazy = documents[-2]
    assert [(r.identified, r.loaded) for r in lazy.entries] == [(True, True), (True, True), (False, False)]


def test_a_stale_deferred_identity_makes_it_read_the_document_again(monkeypatch: pytest.MonkeyPatch) -> None:
    copy = item("x", "X", "https://portal.example/x")
    first = process_document(job(rss(item("a", "A") + copy + copy)))  # g:x#2 is not a base key: read again
    body = rss(item("a", "A") + copy + copy)
    expected = _process(job(body, stored(first)), defer=False)

    calls = fail_with(monkeypatch, "aggregator.parse.fast._Reader.read_identity", Refuse("refused"))
    assert process_document(job(body, stored(first))) == expected
    assert len(calls) == 1


def test_a_feed_title_after_the_items_reads_them_in_order(documents: list[ParsedDocument]) -> None:
    # Only a feed-level <title> after items depends on state the items leave behind: no deferring there.
    body = rss(item("a", "A") + item("b", "B"), channel_after="<title>Late title</title>")
    first = assert_same_as_eager(job(body))
    again = assert_same_as_eager(job(body, stored(first)))
    assert again.unchanged == 2
    assert all(ref.loaded for ref in documents[-2].entries)


def test_results_cross_a_process_boundary_intact() -> None:
    """What a pool worker sends back (pickled): every field of every entry, in its place."""
    processed = process_document(job((DATA_DIR / "rss_item_fields.xml").read_bytes()))
    assert processed.entries
    assert any(e.image and e.author and e.categories and e.published_raw for e in processed.entries)
    assert pickle.loads(pickle.dumps(processed, pickle.HIGHEST_PROTOCOL)) == processed
