"""Pruning old entries, leaving tombstones so that a pruned entry does not come back as new.

A tombstone lasts as long as the source's document carries its entry (the refresher reports the others,
see :func:`drop_tombstones`): every refresh of a source reads its tombstones, and their number must not grow
with the age of the installation.

Each rule is two statements over whole sets (copy keys into ``tombstones``, delete the entries; their
category links go with them by ``ON DELETE CASCADE``), never one statement per entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, insert, literal, select
from sqlalchemy.orm import Session

from aggregator.store.tables import EntryRow, FetchLogRow, TombstoneRow


def _bury(session: Session, ids: Select[int], now: datetime) -> int:
    doomed = select(EntryRow.source_id, EntryRow.key, EntryRow.link, EntryRow.uid, literal(now)).where(
        EntryRow.id.in_(ids)
    )
    existing = select(TombstoneRow.key).where(TombstoneRow.source_id == EntryRow.source_id)
    session.execute(
        insert(TombstoneRow).from_select(
            ["source_id", "key", "link", "uid", "removed_at"], doomed.where(EntryRow.key.not_in(existing))
        )
    )
    result = session.execute(
        delete(EntryRow).where(EntryRow.id.in_(ids)), execution_options={"synchronize_session": False}
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def prune(
    session: Session,
    now: datetime,
    *,
    max_age: timedelta | None,
    max_entries: Mapping[int, int],
) -> int:
    """Remove entries fetched before ``now - max_age`` and, per source id, beyond its newest N.

    Age counts from when the entry was first seen, not from its publication date: a feed that carries an
    archive of old articles must not have them pruned (and tombstoned for good) the moment they arrive.
    """
    removed = 0
    if max_age is not None:
        removed += _bury(session, select(EntryRow.id).where(EntryRow.first_seen_at < now - max_age), now)
    for source_id, keep in max_entries.items():
        beyond = (
            select(EntryRow.id)
            .where(EntryRow.source_id == source_id)
            .order_by(EntryRow.published_at.desc(), EntryRow.id.desc())
            .offset(keep)
        )
        ids = list(session.scalars(beyond))
        for start in range(0, len(ids), 900):
            removed += _bury(
                session, select(EntryRow.id).where(EntryRow.id.in_(ids[start : start + 900])), now
            )
    return removed


def drop_tombstones(session: Session, source_id: int, keys: Sequence[str]) -> None:
    """Forget the tombstones of these keys: their entries have left the source's document, so there is
    nothing left for the tombstones to keep out (an entry the feed would carry again comes back as new)."""
    for start in range(0, len(keys), 900):
        session.execute(
            delete(TombstoneRow).where(
                TombstoneRow.source_id == source_id, TombstoneRow.key.in_(keys[start : start + 900])
            ),
            execution_options={"synchronize_session": False},
        )


def prune_fetch_log(session: Session, before: datetime) -> int:
    """Remove fetch-log rows of checks started before ``before``: one row per check of every source adds
    up to millions a year, and the log is for looking back at recent trouble."""
    result = session.execute(
        delete(FetchLogRow).where(FetchLogRow.started_at < before),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def tombstoned_keys(session: Session, source_id: int, keys: Sequence[str] | None = None) -> set[str]:
    query = select(TombstoneRow.key).where(TombstoneRow.source_id == source_id)
    if keys is not None:
        found: set[str] = set()
        for start in range(0, len(keys), 900):
            found.update(session.scalars(query.where(TombstoneRow.key.in_(keys[start : start + 900]))))
        return found
    return set(session.scalars(query))
