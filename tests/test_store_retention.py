"""Retention: old entries and entries beyond a source's maximum are pruned, and never come back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aggregator.retention import Pruned, apply_retention
from aggregator.store.tables import EntryCategoryRow, FetchLogRow, TombstoneRow
from tests.test_update import NOW, Harness, item, rss


@pytest.fixture
def harness(tmp_path: Path, db_url: str) -> Iterator[Harness]:
    h = Harness(tmp_path, db_url)
    yield h
    h.close()


def feed_with(tmp_path: Path, count: int, marker: str = "") -> None:
    items = "".join(
        item(f"e{i}", f"Entry {i}{marker}", date=f"Wed, {20 - i:02d} Mar 2024 10:00:00 GMT") + ""
        for i in range(count)
    )
    (tmp_path / "local.xml").write_text(
        rss(items.replace("</title>", "</title><category>AI</category>")), "utf-8"
    )


def test_prune_beyond_max_entries_and_tombstones_keep_them_out(harness: Harness, tmp_path: Path) -> None:
    feed_with(tmp_path, 5)
    app = harness.configure("sources:\n  - {name: local, path: local.xml}\n")
    assert harness.refresh()["local"].new == 5
    removed = app.store.prune(NOW, max_age=None, max_entries={"local": 2})
    assert removed == 3
    assert [e.title for e in harness.entries()] == ["Entry 0", "Entry 1"]
    with app.store.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(TombstoneRow)) == 3
        # Their category links went with them.
        assert connection.scalar(select(func.count()).select_from(EntryCategoryRow)) == 2

    # The feed still carries the pruned entries, even edited: they stay out.
    feed_with(tmp_path, 5, marker=" (edited)")
    result = harness.refresh()["local"]
    assert (result.new, result.updated) == (0, 2)
    assert len(harness.entries()) == 2


def test_prune_by_age_counts_from_first_seen(harness: Harness, tmp_path: Path) -> None:
    feed_with(tmp_path, 3)  # published in March 2024, long before NOW + a year
    app = harness.configure("sources:\n  - {name: local, path: local.xml}\n")
    harness.refresh()
    # Old publication dates alone do not prune: the entries were seen just now.
    assert app.store.prune(NOW + timedelta(days=1), max_age=timedelta(days=30), max_entries={}) == 0
    assert app.store.prune(NOW + timedelta(days=31), max_age=timedelta(days=30), max_entries={}) == 3
    assert harness.entries() == []
    assert app.store.prune(NOW + timedelta(days=32), max_age=timedelta(days=30), max_entries={}) == 0


def test_the_fetch_log_is_kept_as_long_as_configured(harness: Harness, tmp_path: Path) -> None:
    feed_with(tmp_path, 1)
    app = harness.configure("sources:\n  - {name: local, path: local.xml}\nretention: {fetch_log: 10d}\n")
    for days in (0, 5, 12):  # one check each (the file is unchanged: not modified, logged all the same)
        harness.now = NOW + timedelta(days=days)
        harness.refresh()

    def logged() -> list[int]:
        assert harness.app is not None
        with harness.app.store.engine.connect() as connection:
            started = connection.scalars(select(FetchLogRow.started_at).order_by(FetchLogRow.started_at))
            return [(moment - NOW).days for moment in started]

    assert logged() == [0, 5, 12]
    assert apply_retention(app.config, app.store, harness.now) == Pruned(entries=0, fetch_log=1)
    assert logged() == [5, 12]

    forever = harness.configure(
        "sources:\n  - {name: local, path: local.xml}\nretention: {fetch_log: null}\n"
    )
    assert apply_retention(forever.config, forever.store, NOW + timedelta(days=400)).fetch_log == 0
    assert logged() == [5, 12]


def test_a_tombstone_goes_when_the_feed_no_longer_carries_its_entry(harness: Harness, tmp_path: Path) -> None:
    """Tombstones are read at every refresh of their source: kept forever, they would be read by the
    thousand after a few years. One whose entry has left the feed has nothing left to keep out."""
    feed_with(tmp_path, 5)
    app = harness.configure("sources:\n  - {name: local, path: local.xml}\n")
    harness.refresh()
    assert app.store.prune(NOW, max_age=None, max_entries={"local": 2}) == 3  # e2, e3, e4 tombstoned

    def tombstones() -> list[str]:
        with app.store.engine.connect() as connection:
            return sorted(connection.scalars(select(TombstoneRow.key)))

    feed_with(tmp_path, 0)  # a feed that answers without items (a glitch, most often): nothing is forgotten
    harness.refresh()
    assert tombstones() == ["g:e2", "g:e3", "g:e4"]

    feed_with(tmp_path, 3)  # e3 and e4 have left the feed; e2 is still in it
    result = harness.refresh()["local"]
    assert (result.new, result.unchanged) == (0, 3)  # e2 stays out
    assert tombstones() == ["g:e2"]
    assert [e.title for e in harness.entries()] == ["Entry 0", "Entry 1"]
