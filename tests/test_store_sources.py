"""Syncing configured sources into the database by name."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from aggregator.config.schema import SourceConfig
from aggregator.models import FetchStatus, RefreshOutcome, SourceKind
from aggregator.store import Store, create_db_engine
from aggregator.store.migrate import upgrade
from aggregator.store.sources import record_refreshes

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_sync_adds_updates_and_disables(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    first = [
        SourceConfig(name="a", url="https://a.example/feed"),
        SourceConfig(name="b", path=folder),
        SourceConfig(name="c", url="https://c.example/feed", enabled=False),
    ]
    report = store.sync_sources(first, NOW)
    assert report.added == ("a", "b", "c")
    states = {s.name: s for s in store.list_sources()}
    assert states["a"].kind is SourceKind.HTTP
    assert states["b"].kind is SourceKind.FOLDER
    assert states["b"].location == str(folder)
    assert states["a"].next_check_at == NOW  # new sources are due at once
    assert not states["c"].enabled

    later = NOW + timedelta(hours=1)
    second = [
        SourceConfig(name="a", url="https://a.example/feed2", title="A"),
        SourceConfig(name="c", url="https://c.example/feed"),
    ]
    report = store.sync_sources(second, later)
    assert set(report.changed) == {"a", "c"}
    assert report.disabled == ("b",)
    states = {s.name: s for s in store.list_sources()}
    assert states["a"].location == "https://a.example/feed2"
    assert states["a"].title == "A"
    assert states["a"].next_check_at == later
    assert states["c"].enabled
    assert not states["b"].enabled  # kept, with its entries, but no longer polled

    assert store.sync_sources(second, later).changed == ()


def test_two_processes_syncing_the_same_new_sources(store: Store, db_url: str) -> None:
    """The other process inserts the same new sources between our read and our insert: ours collides,
    syncs again and finds them (a daemon and ``aggregator fetch`` starting together on a new config)."""
    sources = [SourceConfig(name=n, url=f"https://{n}.example/feed") for n in ("a", "b")]
    other = Store(create_db_engine(db_url))
    raced: list[bool] = []

    def the_other_one_first(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not raced and statement.lstrip().upper().startswith("INSERT INTO SOURCES"):
            raced.append(True)
            thread = threading.Thread(target=other.sync_sources, args=(sources, NOW))
            thread.start()
            thread.join()

    event.listen(store.engine, "before_cursor_execute", the_other_one_first)
    try:
        report = store.sync_sources(sources, NOW)
    finally:
        event.remove(store.engine, "before_cursor_execute", the_other_one_first)
        other.dispose()
    assert raced == [True]
    assert report.added == ()  # the other process added them
    assert sorted(s.name for s in store.list_sources()) == ["a", "b"]


def test_claimed_and_listed_states_read_every_field(store: Store) -> None:
    """States are read positionally: each field must come from its own column, the title from the
    configuration first and else from the feed."""
    store.sync_sources(
        [
            SourceConfig(name="a", url="https://a.example/feed"),
            SourceConfig(name="b", url="https://b/", title="B"),
        ],
        NOW,
    )
    ids = {s.name: s.id for s in store.list_sources()}
    for name in ("a", "b"):
        outcome = RefreshOutcome(
            source_id=ids[name],
            started_at=NOW,
            status=FetchStatus.OK,
            next_check_at=NOW + timedelta(minutes=30),
            etag=f'"{name}-etag"',
            last_modified="Fri, 01 Mar 2024 11:00:00 GMT",
            title=f"Feed {name}",
            site_link=f"https://{name}.example/",
            feed_ttl_seconds=600,
            rules_fingerprint=f"rules-{name}",
            document_hash=f"hash-{name}",
            stale_reason="quiet",
        )
        store.save_refresh(outcome, name)
    claimed = store.claim_sources(
        NOW + timedelta(hours=1), None, due_only=False, owner="me", lease=timedelta(hours=1)
    )
    listed = {s.name: s for s in store.list_sources()}
    assert {s.name: s for s in claimed.sources} == listed
    a = listed["a"]
    assert (a.title, listed["b"].title) == ("Feed a", "B")
    assert (a.kind, a.location, a.configured_location) == (SourceKind.HTTP, *["https://a.example/feed"] * 2)
    assert (a.site_link, a.etag, a.last_modified) == (
        "https://a.example/",
        '"a-etag"',
        "Fri, 01 Mar 2024 11:00:00 GMT",
    )
    assert (a.enabled, a.gone, a.stale, a.stale_reason) == (True, False, True, "quiet")
    assert (a.next_check_at, a.last_checked_at, a.last_success_at) == (NOW + timedelta(minutes=30), NOW, NOW)
    assert (a.last_new_entry_at, a.last_error, a.last_error_at, a.consecutive_errors) == (NOW, None, None, 0)
    assert (a.feed_ttl_seconds, a.rules_fingerprint, a.document_hash) == (600, "rules-a", "hash-a")


def test_a_not_modified_outcome_keeps_what_the_feed_said_and_clears_errors(store: Store) -> None:
    """A 304 moves the check times, clears errors and the claim, follows a permanent redirect and sets the
    stale flag, and keeps the feed's title, link, language, TTL, validators and last new entry; a 304 that
    carries feed fields (none of ours does) still writes them."""
    store.sync_sources([SourceConfig(name=n, url=f"https://{n}.example/feed") for n in "ab"], NOW)
    ids = {s.name: s.id for s in store.list_sources()}
    for name in "ab":
        ok = RefreshOutcome(
            source_id=ids[name],
            started_at=NOW,
            status=FetchStatus.OK,
            next_check_at=NOW + timedelta(minutes=30),
            etag='"v1"',
            title=f"Feed {name}",
            site_link=f"https://{name}.example/",
            language="zh-CN",
            feed_ttl_seconds=600,
            document_hash="hash",
        )
        store.save_refresh(ok, name)
        failed = RefreshOutcome(
            source_id=ids[name],
            started_at=NOW + timedelta(minutes=30),
            status=FetchStatus.ERROR,
            next_check_at=NOW + timedelta(hours=1),
            error="HTTP 503",
            error_kind="http",
        )
        store.save_refresh(failed, name)
    later = NOW + timedelta(hours=1)
    claimed = store.claim_sources(later, None, due_only=False, owner="me", lease=timedelta(hours=1))
    assert len(claimed.sources) == 2

    def not_modified(name: str, minutes: int, **fields: Any) -> RefreshOutcome:
        return RefreshOutcome(
            source_id=ids[name],
            started_at=later,
            status=FetchStatus.NOT_MODIFIED,
            next_check_at=later + timedelta(minutes=minutes),
            http_status=304,
            **fields,
        )

    quiet = not_modified("a", 30, moved_to="https://a.example/moved", stale_reason="no new entry for a week")
    titled = not_modified("b", 45, title="Feed b, renamed")
    store.save_refreshes([(quiet, "a", ()), (titled, "b", ())])
    listed = {s.name: s for s in store.list_sources()}
    a, b = listed["a"], listed["b"]
    assert (a.location, a.configured_location) == ("https://a.example/moved", "https://a.example/feed")
    assert (a.title, a.site_link, a.feed_ttl_seconds, a.etag, a.document_hash) == (
        "Feed a",
        "https://a.example/",
        600,
        '"v1"',
        "hash",
    )
    assert (a.next_check_at, a.last_checked_at, a.last_success_at, a.last_new_entry_at) == (
        later + timedelta(minutes=30),
        later,
        later,
        NOW,
    )
    assert (a.consecutive_errors, a.gone, a.stale) == (0, False, True)
    assert a.stale_reason == "no new entry for a week"
    assert (a.last_error, a.last_error_at) == ("HTTP 503", NOW + timedelta(minutes=30))  # history stays
    assert (b.title, b.site_link, b.location, b.stale) == (
        "Feed b, renamed",
        "https://b.example/",
        "https://b.example/feed",
        False,
    )
    assert (b.next_check_at, b.consecutive_errors) == (later + timedelta(minutes=45), 0)
    assert b.last_new_entry_at == NOW
    assert store.claim_owners() == []  # both claims ended with their outcome
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT name, language FROM sources")).all()
    assert sorted((row.name, row.language) for row in rows) == [("a", "zh-CN"), ("b", "zh-CN")]


def test_json_rows_record_what_executemany_records(tmp_path: Path) -> None:
    """On SQLite, "not modified" outcomes and the fetch log are written as JSON rows by single statements:
    the rows they leave are those the executemanys leave (dates in the same text, booleans, NULLs, text with
    quotes and non-ASCII), and of two outcomes of one source the later one counts, as it would there."""
    sources = [SourceConfig(name=n, url=f"https://{n}.example/feed") for n in "abcde"]
    later = NOW + timedelta(hours=1, microseconds=7)

    def outcome(name: str, status: FetchStatus, minutes: int, **fields: Any) -> RefreshOutcome:
        return RefreshOutcome(
            source_id="abcde".index(name) + 1,
            started_at=later.astimezone(timezone(timedelta(hours=8))),
            status=status,
            next_check_at=later + timedelta(minutes=minutes),
            **fields,
        )

    outcomes = [
        (outcome("a", FetchStatus.NOT_MODIFIED, 30, http_status=304, duration_ms=12, filtered=0), 0, 0),
        (
            outcome("a", FetchStatus.NOT_MODIFIED, 45, moved_to="https://a.example/新", stale_reason="quiet"),
            0,
            0,
        ),
        (outcome("b", FetchStatus.NOT_MODIFIED, 60, http_status=304, bytes=0), 0, 0),
        (
            outcome("c", FetchStatus.OK, 15, http_status=200, bytes=2048, etag='"e"', title='C 的 "feed"'),
            3,
            1,
        ),
        (
            outcome(
                "d", FetchStatus.ERROR, 90, http_status=503, error='HTTP 503 "busy" — 稍后', error_kind="http"
            ),
            0,
            0,
        ),
        (outcome("e", FetchStatus.GONE, 600, http_status=410, error="gone", error_kind="gone"), 0, 0),
    ]
    tables = []
    for json_rows in (True, False):
        engine = create_db_engine(f"sqlite:///{tmp_path / f'json-{json_rows}.db'}")
        upgrade(engine)
        Store(engine).sync_sources(sources, NOW)
        with Session(engine) as session, session.begin():
            record_refreshes(session, outcomes, json_rows=json_rows)
        with engine.connect() as connection:
            tables.append(
                [
                    connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
                    for table in ("sources", "fetch_log")
                ]
            )
        engine.dispose()
    assert tables[0] == tables[1]
    stored, log = tables[0]
    assert len(log) == len(outcomes)
    assert stored[0].location == "https://a.example/新" and stored[0].stale_reason == "quiet"
    assert stored[0].next_check_at == "2024-03-01 13:45:00.000007"
