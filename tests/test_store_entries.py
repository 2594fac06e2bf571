"""Saving refresh results: several sources in one group commit, as the refresher's writer sends them.

The writer's groups depend on timing in a real refresh, so here the groups are built by hand: sources that
share keys, categories and tombstones in one transaction, and groups larger than one query's parameters.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from aggregator.config.schema import SourceConfig
from aggregator.models import Enclosure, FetchStatus, NormalizedEntry, RefreshOutcome
from aggregator.normalize import entry_uid
from aggregator.store import Store, create_db_engine
from aggregator.store.entries import SaveCounts, save_entries
from aggregator.store.migrate import upgrade
from aggregator.store.tables import EntryRow, TombstoneRow

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    """Three sources a, b and c in the store: name -> id."""
    store.sync_sources([SourceConfig(name=n, url=f"https://{n}.example/feed") for n in "abc"], NOW)
    return {s.name: s.id for s in store.list_sources()}


def _entry(
    key: str, *, text: str = "body", raw: str = "r1", categories: tuple[str, ...] = ("AI",)
) -> NormalizedEntry:
    return NormalizedEntry(
        key=key,
        link=f"https://example.com/{key}",
        title=f"title {key}",
        author=None,
        published=NOW - timedelta(minutes=len(key)),
        updated=None,
        published_raw="Fri, 01 Mar 2024 12:00:00 GMT",
        summary=text,
        content_html=f"<p>{text}</p>",
        content_text=text,
        image=None,
        image_type=None,
        image_length=None,
        language="en",
        categories=categories,
        content_hash=f"content:{text}",
        raw_hash=f"{raw}:{text}",
    )


def _item(
    source_id: int, name: str, entries: list[NormalizedEntry]
) -> tuple[RefreshOutcome, str, list[NormalizedEntry]]:
    outcome = RefreshOutcome(source_id=source_id, started_at=NOW, status=FetchStatus.OK, next_check_at=NOW)
    return outcome, name, entries


def _stored(store: Store) -> dict[tuple[str, str], tuple[str, str, tuple[str, ...]]]:
    """(source, key) -> (uid, content text, categories) for every stored entry."""
    entries = store.newest_entries(limit=10_000)
    return {(e.source_name, e.key): (e.uid, e.content_text, tuple(sorted(e.categories))) for e in entries}


def test_sources_sharing_keys_in_one_group_stay_apart(store: Store, ids: dict[str, int]) -> None:
    first = store.save_refreshes(
        [
            _item(ids["a"], "a", [_entry("1"), _entry("2", categories=("AI", "Cloud"))]),
            _item(ids["b"], "b", [_entry("2", categories=("cloud",)), _entry("3", categories=())]),
        ]
    )
    assert first == [SaveCounts(new=2), SaveCounts(new=2)]
    # Second group: "1" and "3" exist in one source each; "2" changed in a, cosmetically in b.
    second = store.save_refreshes(
        [
            _item(ids["b"], "b", [_entry("1"), _entry("2", raw="r2", categories=("cloud",))]),
            _item(ids["a"], "a", [_entry("3"), _entry("2", text="edited", categories=("Games",))]),
            _item(ids["c"], "c", []),
        ]
    )
    assert second == [SaveCounts(new=1, rehashed=1), SaveCounts(new=1, updated=1), SaveCounts()]
    stored = _stored(store)
    assert stored == {
        ("a", "1"): (entry_uid("a", "1"), "body", ("AI",)),
        ("a", "2"): (entry_uid("a", "2"), "edited", ("Games",)),
        ("a", "3"): (entry_uid("a", "3"), "body", ("AI",)),
        ("b", "1"): (entry_uid("b", "1"), "body", ("AI",)),
        ("b", "2"): (entry_uid("b", "2"), "body", ("Cloud",)),  # one category whatever the spelling
        ("b", "3"): (entry_uid("b", "3"), "body", ()),
    }
    with store.engine.connect() as connection:
        raw = dict(connection.execute(select(EntryRow.uid, EntryRow.raw_hash)).all())
    assert raw[entry_uid("b", "2")] == "r2:body"
    assert raw[entry_uid("a", "2")] == "r1:edited"


def test_a_tombstone_keeps_its_own_source_entry_out(store: Store, ids: dict[str, int]) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(TombstoneRow),
            [
                {
                    "source_id": ids["a"],
                    "key": "gone",
                    "link": None,
                    "uid": entry_uid("a", "gone"),
                    "removed_at": NOW,
                }
            ],
        )
    counts = store.save_refreshes(
        [_item(ids["a"], "a", [_entry("gone"), _entry("kept")]), _item(ids["b"], "b", [_entry("gone")])]
    )
    assert counts == [SaveCounts(new=1), SaveCounts(new=1)]
    assert set(_stored(store)) == {("a", "kept"), ("b", "gone")}


def test_groups_larger_than_one_query(store: Store, ids: dict[str, int]) -> None:
    """More keys than one statement's parameters (900 on SQLite), split between sources."""
    keys = [f"k{i:04d}" for i in range(700)]
    items = [
        _item(ids[name], name, [_entry(k, categories=(f"c{i % 7}",)) for i, k in enumerate(keys)])
        for name in "abc"
    ]
    assert store.save_refreshes(items) == [SaveCounts(new=700)] * 3
    changed = [replace(_entry(k, text="v2", categories=(f"c{i % 7}",)), key=k) for i, k in enumerate(keys)]
    counts = store.save_refreshes(
        [_item(ids["c"], "c", changed), _item(ids["a"], "a", [_entry(k) for k in keys] + [_entry("new")])]
    )
    assert counts == [SaveCounts(updated=700), SaveCounts(new=1)]
    stored = _stored(store)
    assert len(stored) == 2101
    assert stored[("c", "k0005")] == (entry_uid("c", "k0005"), "v2", ("c5",))
    assert stored[("b", "k0005")] == (entry_uid("b", "k0005"), "body", ("c5",))
    assert stored[("a", "new")][1:] == ("body", ("AI",))


def test_enclosures_are_stored_with_their_entry_and_replaced_when_it_changes(
    store: Store, ids: dict[str, int]
) -> None:
    audio = Enclosure("https://cdn.example/ep1.mp3", "audio/mpeg", 38749539)
    transcript = Enclosure("https://example/ep1.pdf", None, None)
    episode = replace(_entry("ep1"), enclosures=(audio, transcript))
    store.save_refreshes([_item(ids["a"], "a", [episode, _entry("plain")])])
    stored = {e.key: e for e in store.newest_entries(limit=10)}
    assert stored["ep1"].enclosures == (audio, transcript)
    assert stored["plain"].enclosures == ()
    with store.engine.connect() as connection:  # SQL NULL, not the JSON value null, when there are none
        null = connection.scalar(select(EntryRow.key).where(EntryRow.enclosures.is_(None)))
        assert null == "plain"

    moved = replace(audio, url="https://cdn2.example/ep1.mp3")
    edited = replace(episode, enclosures=(moved,), content_hash="content:moved", raw_hash="r2")
    assert store.save_refreshes([_item(ids["a"], "a", [edited])]) == [SaveCounts(updated=1)]
    assert {e.key: e for e in store.newest_entries(limit=10)}["ep1"].enclosures == (moved,)


def test_rows_given_to_the_driver_are_those_of_the_core_insert(tmp_path: Path) -> None:
    """On SQLite new entries and their category links go to the driver as tuples, converted by the columns'
    own bind processors: the rows they leave are those SQLAlchemy's Core insert leaves (dates in other time
    zones, NULLs, enclosures as JSON, quotes and non-ASCII, a category named twice)."""
    beijing = timezone(timedelta(hours=8))
    entries = [
        replace(_entry("1"), author='王 "小明"', updated=NOW.astimezone(beijing) + timedelta(microseconds=5)),
        replace(
            _entry("2", text="正文 'quoted' — ok", categories=("AI", "ai", "云计算")),
            published=NOW.astimezone(beijing),
            image="https://example.com/a.jpg",
            image_type="image/jpeg",
            image_length=12345,
            enclosures=(Enclosure("https://example.com/a.mp3", "audio/mpeg", 99), Enclosure("https://e.x/b")),
        ),
        replace(_entry("3", categories=()), link=None, language=None, published_raw=None),
    ]
    tables = []
    for driver in (True, False):
        engine = create_db_engine(f"sqlite:///{tmp_path / f'driver-{driver}.db'}")
        upgrade(engine)
        Store(engine).sync_sources([SourceConfig(name="a", url="https://a.example/feed")], NOW)
        with Session(engine) as session, session.begin():
            counts = save_entries(session, 1, "a", entries, {}, NOW.astimezone(beijing), driver=driver)
        assert counts == SaveCounts(new=3)
        with engine.connect() as connection:
            tables.append(
                [
                    connection.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
                    for table in ("entries", "entry_categories", "categories")
                ]
            )
        engine.dispose()
    assert tables[0] == tables[1]
    stored, links, categories = tables[0]
    assert [row.key for row in stored] == ["3", "2", "1"]  # inserted bottom-up
    assert stored[1].enclosures is not None and "a.mp3" in stored[1].enclosures
    assert stored[2].updated_at == "2024-03-01 12:00:00.000005"
    assert len(links) == 3 and len(categories) == 2
