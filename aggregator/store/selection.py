"""Reading entries newest first through the indexes, narrowed by what the database can check.

Candidates come in batches ordered by (published_at, id) descending, continuing after a cursor. With a
category constraint each category is read from the ``entry_categories`` index (category, published_at,
entry) and the streams are merged, so a category feed never scans the other categories' entries.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import Select, and_, exists, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from aggregator.filters.pushdown import Pushdown
from aggregator.models import StoredEntry
from aggregator.store.entries import stored_entries
from aggregator.store.tables import CategoryRow, EntryCategoryRow, EntryRow, SourceRow

Cursor = tuple[datetime, int]


def _ids(
    session: Session,
    column: InstrumentedAttribute[int],
    key: InstrumentedAttribute[str],
    values: frozenset[str],
) -> list[int]:
    if not values:
        return []
    return list(session.scalars(select(column).where(key.in_(values))))


def candidate_batch(session: Session, plan: Pushdown, after: Cursor | None, size: int) -> list[Cursor]:
    """The next ``size`` candidates (published_at, id), newest first, strictly after ``after``."""
    source_ids = (
        _ids(session, SourceRow.id, SourceRow.name, plan.sources) if plan.sources is not None else None
    )
    if source_ids is not None and not source_ids:
        return []
    excluded_sources = _ids(session, SourceRow.id, SourceRow.name, plan.excluded_sources)
    excluded_categories = _ids(session, CategoryRow.id, CategoryRow.folded, plan.excluded_categories)

    def narrow(
        query: Select[datetime, int],
        published: InstrumentedAttribute[datetime],
        entry_id: InstrumentedAttribute[int],
    ) -> Select[datetime, int]:
        if after is not None:
            # A range on the index's published_at, then the tie-break on id.
            query = query.where(published <= after[0]).where(or_(published < after[0], entry_id < after[1]))
        if plan.since is not None:
            query = query.where(published >= plan.since)
        if excluded_categories:
            other = EntryCategoryRow.__table__.alias("other")
            query = query.where(
                not_(
                    exists().where(
                        and_(other.c.entry_id == entry_id, other.c.category_id.in_(excluded_categories))
                    )
                )
            )
        return query.order_by(published.desc(), entry_id.desc()).limit(size)

    def by_source(query: Select[datetime, int]) -> Select[datetime, int]:
        if source_ids is not None:
            query = query.where(EntryRow.source_id.in_(source_ids))
        if excluded_sources:
            query = query.where(EntryRow.source_id.not_in(excluded_sources))
        return query

    if plan.categories is None:
        query = by_source(select(EntryRow.published_at, EntryRow.id))
        rows = session.execute(narrow(query, EntryRow.published_at, EntryRow.id))
        return [(published, entry_id) for published, entry_id in rows]

    category_ids = _ids(session, CategoryRow.id, CategoryRow.folded, plan.categories)
    streams = []
    for category_id in category_ids:
        query = select(EntryCategoryRow.published_at, EntryCategoryRow.entry_id).where(
            EntryCategoryRow.category_id == category_id
        )
        if source_ids is not None or excluded_sources:
            query = by_source(query.join(EntryRow, EntryRow.id == EntryCategoryRow.entry_id))
        rows = session.execute(narrow(query, EntryCategoryRow.published_at, EntryCategoryRow.entry_id))
        streams.append([(published, entry_id) for published, entry_id in rows])
    merged: list[Cursor] = []
    seen: set[int] = set()
    for published, entry_id in heapq.merge(*streams, key=lambda c: (c[0], c[1]), reverse=True):
        if entry_id not in seen:
            seen.add(entry_id)
            merged.append((published, entry_id))
            if len(merged) == size:
                break
    return merged


def select_entries(
    session: Session,
    plan: Pushdown,
    accept: Callable[[StoredEntry], bool],
    *,
    limit: int,
    skip: int = 0,
) -> list[StoredEntry]:
    """Newest entries that ``accept`` keeps: the ``skip`` first are skipped (paging), then ``limit`` returned.

    The same story under several URLs in several sources appears once: an entry whose canonical link was
    already selected (from a newer entry) is left out.
    """
    out: list[StoredEntry] = []
    links: set[str] = set()
    wanted = skip + limit
    # Read a little more than needed first (most filters push down entirely), then in growing batches.
    for entry in _candidates(session, plan, first=wanted + 10):
        if not accept(entry):
            continue
        if entry.link:
            if entry.link in links:
                continue
            links.add(entry.link)
        wanted -= 1
        if wanted < limit:
            out.append(entry)
        if wanted == 0:
            break
    return out


def _candidates(session: Session, plan: Pushdown, *, first: int) -> Iterator[StoredEntry]:
    after: Cursor | None = None
    size = first
    while True:
        cursors = candidate_batch(session, plan, after, size)
        if not cursors:
            return
        yield from stored_entries(session, [entry_id for _, entry_id in cursors])
        if len(cursors) < size:
            return
        after = cursors[-1]
        size = min(size * 2, 2000)
