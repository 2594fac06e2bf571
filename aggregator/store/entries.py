"""Entry rows: what is stored per source, batch inserts and updates, reading entries back.

Every function works on whole batches: one query to learn what a source already has, one multi-row insert
for new entries, one executemany for changed ones, and the same for their categories. Never one query per
entry. The write path uses Core statements built once (:data:`_KNOWN_HASHES` and friends): a refresh of
500 sources runs thousands of them, and the ORM's per-statement work (compiling its entities, loading
rows into objects) cost more than SQLite's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from aggregator.filters.match import fold
from aggregator.models import Enclosure, NormalizedEntry, StoredEntry
from aggregator.normalize import entry_uid
from aggregator.store.tables import CategoryRow, EntryCategoryRow, EntryRow, SourceRow, TombstoneRow


@dataclass(frozen=True, slots=True)
class KnownEntry:
    id: int
    raw_hash: str
    content_hash: str
    published_raw: str | None


@dataclass(frozen=True, slots=True)
class SaveCounts:
    new: int = 0
    updated: int = 0
    rehashed: int = 0  # raw material changed, what readers see did not: only the raw hash was rewritten


# Core tables: executemany straight through, without the ORM's per-row bookkeeping of bulk inserts.
_ENTRIES = cast(Table, EntryRow.__table__)
_ENTRY_CATEGORIES = cast(Table, EntryCategoryRow.__table__)
_CATEGORIES = cast(Table, CategoryRow.__table__)
_TOMBSTONES = cast(Table, TombstoneRow.__table__)

# SQLite accepts 32766 bound parameters per statement since 3.32; stay well below for older builds.
_IN_CHUNK = 900

_SOURCE: Any = bindparam("source_id")
_KEYS: Any = bindparam("keys", expanding=True)
_SOURCES: Any = bindparam("source_ids", expanding=True)
_KNOWN_HASHES = select(_ENTRIES.c.source_id, _ENTRIES.c.key, _ENTRIES.c.raw_hash).where(
    _ENTRIES.c.source_id.in_(_SOURCES)
)
_BURIED = select(_TOMBSTONES.c.key).where(_TOMBSTONES.c.source_id == _SOURCE)
_BURIED_IN = select(_TOMBSTONES.c.source_id, _TOMBSTONES.c.key).where(_TOMBSTONES.c.source_id.in_(_SOURCES))
_BURIED_OF = _BURIED.where(_TOMBSTONES.c.key.in_(_KEYS))
_KNOWN_OF = select(
    _ENTRIES.c.key,
    _ENTRIES.c.id,
    _ENTRIES.c.raw_hash,
    _ENTRIES.c.content_hash,
    _ENTRIES.c.published_raw,
).where(_ENTRIES.c.source_id == _SOURCE, _ENTRIES.c.key.in_(_KEYS))
_IDS_OF = select(_ENTRIES.c.key, _ENTRIES.c.id).where(
    _ENTRIES.c.source_id == _SOURCE, _ENTRIES.c.key.in_(_KEYS)
)
_CATEGORIES_OF = select(_CATEGORIES.c.folded, _CATEGORIES.c.id).where(
    _CATEGORIES.c.folded.in_(bindparam("folded", expanding=True))
)


def known_raw_hashes(
    session: Session, source_ids: Sequence[int]
) -> list[tuple[dict[str, str], frozenset[str]]]:
    """For each source, (key -> raw hash of every stored entry, keys of pruned entries): what can be skipped.

    Several sources per query: a refresh reads this for every source that answered 200, and one query (and
    transaction) each cost more than the rows.
    """
    hashes: dict[int, dict[str, str]] = {source_id: {} for source_id in source_ids}
    buried: dict[int, set[str]] = {source_id: set() for source_id in source_ids}
    for start in range(0, len(source_ids), _IN_CHUNK):
        params = {"source_ids": source_ids[start : start + _IN_CHUNK]}
        for source_id, key, raw_hash in session.execute(_KNOWN_HASHES, params):
            hashes[source_id][key] = raw_hash
        for source_id, key in session.execute(_BURIED_IN, params):
            buried[source_id].add(key)
    return [(hashes[source_id], frozenset(buried[source_id])) for source_id in source_ids]


def stored_state(
    session: Session, source_id: int, keys: Sequence[str]
) -> tuple[dict[str, KnownEntry], set[str]]:
    """(what is stored under these keys, which of them were pruned), read in the transaction that saves."""
    known: dict[str, KnownEntry] = {}
    buried: set[str] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        params = {"source_id": source_id, "keys": keys[start : start + _IN_CHUNK]}
        rows = session.execute(_KNOWN_OF, params)
        known.update((key, KnownEntry(i, raw, content, pub)) for key, i, raw, content, pub in rows)
        buried.update(session.scalars(_BURIED_OF, params))
    return known, buried


def known_entries(session: Session, source_id: int, keys: Sequence[str]) -> dict[str, KnownEntry]:
    return stored_state(session, source_id, keys)[0]


def category_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named categories (matched case-insensitively), creating the missing ones.

    Two or three queries whatever the count; returns a mapping from every given spelling to its id.
    """
    by_folded: dict[str, str] = {}
    for name in names:
        by_folded.setdefault(fold(name), name)
    if not by_folded:
        return {}
    found: dict[str, int] = dict(session.execute(_CATEGORIES_OF, {"folded": list(by_folded)}).all())
    missing = sorted(by_folded.keys() - found.keys())
    if missing:
        session.execute(insert(_CATEGORIES), [{"name": by_folded[f], "folded": f} for f in missing])
        found.update(session.execute(_CATEGORIES_OF, {"folded": missing}).all())
    return {name: found[fold(name)] for name in names}


def save_entries(
    session: Session,
    source_id: int,
    source_name: str,
    entries: Sequence[NormalizedEntry],
    known: dict[str, KnownEntry],
    now: datetime,
    *,
    rules_changed: bool = False,
    driver: bool | None = None,
) -> SaveCounts:
    """Insert new entries, update changed ones, and rewrite only the raw hash of cosmetically changed ones.

    A changed entry whose feed gives no updated time is dated ``now``, when we saw it change, unless
    ``rules_changed``: then the change is ours (a new setting, a new normalizer) and its time is kept.
    ``driver`` chooses how rows are inserted (see :func:`_insert_rows`; the default suits the database).
    """
    new: list[NormalizedEntry] = []
    changed: list[tuple[KnownEntry, NormalizedEntry]] = []
    rehash: list[dict[str, Any]] = []
    for entry in entries:
        stored = known.get(entry.key)
        if stored is None:
            new.append(entry)
        elif stored.content_hash != entry.content_hash:
            changed.append((stored, entry))
        elif stored.raw_hash != entry.raw_hash:
            rehash.append({"id": stored.id, "raw_hash": entry.raw_hash})

    ids = category_ids(session, sorted({c for e in entries for c in e.categories}))
    links: list[list[Any]] = []
    if new:
        # Feeds list newest first; inserting bottom-up gives the top item the highest id, so entries that
        # share a timestamp keep the feed's own order under "newest first, ties by id".
        new.reverse()
        rows = [[source_id, e.key, entry_uid(source_name, e.key), now, *_values(e)] for e in new]
        # One executemany, then one query for the new ids: on SQLite, INSERT ... RETURNING in parameter
        # order runs one statement per row.
        _insert_rows(session, _ENTRIES, _NEW_ENTRY_COLUMNS, rows, driver=driver)
        new_ids = _ids_of(session, source_id, [e.key for e in new])
        for entry in new:
            links.extend(_category_links(new_ids[entry.key], entry, ids))
    if changed:
        updates = []
        for stored, entry in changed:
            values = {**_columns(entry), "id": stored.id}
            if entry.updated is None and rules_changed:
                del values["updated_at"]  # not an edit: keep the time of the last one
            elif entry.updated is None:
                values["updated_at"] = now  # the feed did not say when it changed: we saw it change now
            if entry.published_raw is None and stored.published_raw is None:
                del values["published_at"]  # both undated: keep the first-seen date, do not move it to now
            updates.append(values)
        session.execute(update(EntryRow), updates)
        changed_ids = [stored.id for stored, _ in changed]
        session.execute(delete(EntryCategoryRow).where(EntryCategoryRow.entry_id.in_(changed_ids)))
        for stored, entry in changed:
            links.extend(_category_links(stored.id, entry, ids))
    if rehash:
        session.execute(update(EntryRow), rehash)
    if links:
        _insert_rows(session, _ENTRY_CATEGORIES, _LINK_COLUMNS, links, driver=driver)
    return SaveCounts(new=len(new), updated=len(changed), rehashed=len(rehash))


def _ids_of(session: Session, source_id: int, keys: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        params = {"source_id": source_id, "keys": keys[start : start + _IN_CHUNK]}
        out.update((key, entry_id) for key, entry_id in session.execute(_IDS_OF, params))
    return out


# What an entry gives its row (:func:`_values`), in this order; a new row starts with its identity.
_ENTRY_COLUMNS = (
    "link", "title", "author", "published_at", "updated_at", "published_raw", "summary", "content_html",
    "content_text", "image", "image_type", "image_length", "language", "content_hash", "raw_hash",
    "enclosures",
)  # fmt: skip
_NEW_ENTRY_COLUMNS = ("source_id", "key", "uid", "first_seen_at", *_ENTRY_COLUMNS)
_LINK_COLUMNS = ("entry_id", "category_id", "published_at")


def _values(entry: NormalizedEntry) -> list[Any]:
    return [
        entry.link,
        entry.title,
        entry.author,
        entry.published,
        entry.updated,
        entry.published_raw,
        entry.summary,
        entry.content_html,
        entry.content_text,
        entry.image,
        entry.image_type,
        entry.image_length,
        entry.language,
        entry.content_hash,
        entry.raw_hash,
        [asdict(enclosure) for enclosure in entry.enclosures] or None,
    ]


def _columns(entry: NormalizedEntry) -> dict[str, Any]:
    return dict(zip(_ENTRY_COLUMNS, _values(entry), strict=True))


@dataclass(frozen=True, slots=True)
class _DriverInsert:
    sql: str
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, the column type's bind processor)


@lru_cache(maxsize=32)
def _driver_insert(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> _DriverInsert:
    assert dialect.paramstyle == "qmark", "the driver path writes SQLite's placeholders"
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(name) for name in columns)
    sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"
    conversions = []
    for position, name in enumerate(columns):
        kind = table.c[name].type
        processor = kind.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            conversions.append((position, processor))
    return _DriverInsert(sql, tuple(conversions))


def _insert_rows(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    rows: list[list[Any]],
    *,
    driver: bool | None = None,
) -> None:
    """Insert ``rows`` (values in ``columns`` order; converted in place) with one executemany.

    On SQLite the rows go to the driver as they are, after the columns' own conversions (the same bind
    processors SQLAlchemy applies): a cold refresh of the benchmark inserts 25,000 rows of 20 values, and
    SQLAlchemy's building and checking of each row's parameters was about a sixth of saving an entry (see
    docs/performance.md). Elsewhere, and with ``driver`` false (to compare the two), SQLAlchemy's Core
    insert.
    """
    dialect = session.get_bind().dialect
    if not (dialect.name == "sqlite" if driver is None else driver):
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    plan = _driver_insert(dialect, table, columns)
    for position, convert in plan.conversions:
        for row in rows:
            row[position] = convert(row[position])
    session.connection().exec_driver_sql(plan.sql, [tuple(row) for row in rows])


def _enclosures(value: object) -> tuple[Enclosure, ...]:
    """The stored JSON list back as enclosures; anything else in the column (edited by hand) is skipped."""
    if not isinstance(value, list):
        return ()
    out = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            kind, length = item.get("type"), item.get("length")
            out.append(
                Enclosure(
                    item["url"],
                    kind if isinstance(kind, str) else None,
                    length if isinstance(length, int) and not isinstance(length, bool) else None,
                )
            )
    return tuple(out)


def _category_links(entry_id: int, entry: NormalizedEntry, ids: dict[str, int]) -> list[list[Any]]:
    seen: set[int] = set()
    out = []
    for name in entry.categories:
        category_id = ids[name]
        if category_id not in seen:
            seen.add(category_id)
            out.append([entry_id, category_id, entry.published])
    return out


# ------------------------------------------------------------------------------------------- reading


def count_entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EntryRow)) or 0)


def recent_counts(session: Session, since: datetime) -> dict[str, int]:
    """Entries first seen since ``since``, per source name."""
    rows = session.execute(
        select(SourceRow.name, func.count(EntryRow.id))
        .join(EntryRow, EntryRow.source_id == SourceRow.id)
        .where(EntryRow.first_seen_at >= since)
        .group_by(SourceRow.name)
    )
    return {name: int(count) for name, count in rows}


def stored_entries(session: Session, entry_ids: Sequence[int]) -> list[StoredEntry]:
    """Full entries for the given ids, in the given order, with categories and source (three queries)."""
    if not entry_ids:
        return []
    rows = session.execute(
        select(EntryRow, SourceRow.name, SourceRow.title, SourceRow.location, SourceRow.site_link)
        .join(SourceRow, SourceRow.id == EntryRow.source_id)
        .where(EntryRow.id.in_(entry_ids))
    ).all()
    categories: dict[int, list[str]] = {}
    for entry_id, name in session.execute(
        select(EntryCategoryRow.entry_id, CategoryRow.name)
        .join(CategoryRow, CategoryRow.id == EntryCategoryRow.category_id)
        .where(EntryCategoryRow.entry_id.in_(entry_ids))
        .order_by(EntryCategoryRow.entry_id, CategoryRow.name)
    ):
        categories.setdefault(entry_id, []).append(name)
    by_id = {
        row.id: _to_stored(row, source_name, source_title, location, site_link, categories.get(row.id, []))
        for row, source_name, source_title, location, site_link in rows
    }
    return [by_id[i] for i in entry_ids if i in by_id]


def _to_stored(
    row: EntryRow,
    source_name: str,
    source_title: str | None,
    location: str,
    site_link: str | None,
    categories: list[str],
) -> StoredEntry:
    return StoredEntry(
        id=row.id,
        uid=row.uid,
        source_name=source_name,
        source_title=source_title,
        source_url=location,
        source_link=site_link,
        key=row.key,
        link=row.link,
        title=row.title,
        author=row.author,
        published=row.published_at,
        updated=row.updated_at,
        first_seen=row.first_seen_at,
        summary=row.summary,
        content_html=row.content_html,
        content_text=row.content_text,
        image=row.image,
        image_type=row.image_type,
        image_length=row.image_length,
        language=row.language,
        categories=tuple(categories),
        content_hash=row.content_hash,
        enclosures=_enclosures(row.enclosures),
    )


def newest_entry_ids(
    session: Session,
    *,
    sources: Sequence[str] | None = None,
    category: str | None = None,
    limit: int = 50,
) -> list[int]:
    """Ids of the newest entries (by published time, then id), optionally of some sources or one category."""
    if category is not None:
        query = (
            select(EntryCategoryRow.entry_id)
            .join(CategoryRow, CategoryRow.id == EntryCategoryRow.category_id)
            .where(CategoryRow.folded == fold(category))
            .order_by(EntryCategoryRow.published_at.desc(), EntryCategoryRow.entry_id.desc())
        )
        if sources:
            query = (
                query.join(EntryRow, EntryRow.id == EntryCategoryRow.entry_id)
                .join(SourceRow, SourceRow.id == EntryRow.source_id)
                .where(SourceRow.name.in_(sources))
            )
    else:
        query = select(EntryRow.id).order_by(EntryRow.published_at.desc(), EntryRow.id.desc())
        if sources:
            query = query.join(SourceRow, SourceRow.id == EntryRow.source_id).where(
                SourceRow.name.in_(sources)
            )
    return list(session.scalars(query.limit(limit)))
