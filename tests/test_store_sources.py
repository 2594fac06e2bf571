"""Syncing configured sources into the database by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from aggregator.config.schema import SourceConfig
from aggregator.models import SourceKind
from aggregator.store import Store

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
