"""Syncing configured sources into the database by name."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from aggregator.config.schema import SourceConfig
from aggregator.models import SourceKind
from aggregator.store import Store, create_db_engine

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
