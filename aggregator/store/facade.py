"""The store's public face: one method per unit of work, dataclasses in and out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from aggregator.config.schema import SourceConfig
from aggregator.errors import StoreError
from aggregator.filters.pushdown import Pushdown
from aggregator.models import NormalizedEntry, RefreshOutcome, SourceState, StoredEntry
from aggregator.store import entries as entry_repo
from aggregator.store import published, retention, selection
from aggregator.store import sources as source_repo
from aggregator.store.engine import make_session_factory
from aggregator.store.published import PublishedState

T = TypeVar("T")


class Store:
    """Units of work over one engine. Safe to share between threads (each call has its own session)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = make_session_factory(engine)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            with self._sessions() as session, session.begin():
                yield session
        except SQLAlchemyError as e:
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            raise StoreError(f"database error: {reason}") from e

    def _run(self, work: Callable[[Session], T]) -> T:
        with self._transaction() as session:
            return work(session)

    def sync_sources(self, sources: Sequence[SourceConfig], now: datetime) -> source_repo.SyncReport:
        """Two processes syncing the same new sources at once (both starting on a new configuration) both
        insert them; the one whose insert collides syncs again, and finds them."""
        try:
            return self._run(lambda s: source_repo.sync_sources(s, sources, now))
        except StoreError as e:
            if not isinstance(e.__cause__, IntegrityError):
                raise
        return self._run(lambda s: source_repo.sync_sources(s, sources, now))

    def list_sources(self) -> list[SourceState]:
        return self._run(source_repo.list_sources)

    def known_raw_hashes(self, source_ids: Sequence[int]) -> list[tuple[dict[str, str], frozenset[str]]]:
        """Per source, (key -> raw hash of stored entries, keys of pruned entries): what can be skipped."""
        return self._run(lambda session: entry_repo.known_raw_hashes(session, source_ids))

    def claim_sources(
        self,
        now: datetime,
        names: Sequence[str] | None,
        *,
        due_only: bool,
        owner: str,
        lease: timedelta,
    ) -> source_repo.Claimed:
        return self._run(lambda s: source_repo.claim_sources(s, now, names, due_only, owner, lease))

    def release_claims(self, owner: str) -> int:
        return self._run(lambda s: source_repo.release_claims(s, owner))

    def claim_owners(self) -> list[str]:
        return self._run(source_repo.claim_owners)

    def source_activity(self, source_id: int, now: datetime) -> tuple[int, list[datetime]]:
        return self._run(lambda s: source_repo.source_activity(s, source_id, now))

    def prune(self, now: datetime, *, max_age: timedelta | None, max_entries: Mapping[str, int]) -> int:
        """Retention: entries older than ``max_age`` and beyond each named source's newest N."""

        def work(session: Session) -> int:
            ids = source_repo.source_ids(session, list(max_entries))
            limits = {ids[name]: keep for name, keep in max_entries.items() if name in ids}
            return retention.prune(session, now, max_age=max_age, max_entries=limits)

        return self._run(work)

    def prune_fetch_log(self, before: datetime) -> int:
        """Retention of the fetch log: rows of checks started before ``before`` go."""
        return self._run(lambda session: retention.prune_fetch_log(session, before))

    def save_refresh(
        self, outcome: RefreshOutcome, source_name: str, entries: Sequence[NormalizedEntry] = ()
    ) -> entry_repo.SaveCounts:
        """One transaction per source result: its entries, its state and its fetch-log row, or nothing."""
        return self.save_refreshes([(outcome, source_name, entries)])[0]

    def save_refreshes(
        self, items: Sequence[tuple[RefreshOutcome, str, Sequence[NormalizedEntry]]]
    ) -> list[entry_repo.SaveCounts]:
        """Several source results in one transaction (a group commit): each is whole, or none is."""

        def work(session: Session) -> list[entry_repo.SaveCounts]:
            counts = [self._save_entries(session, outcome, name, entries) for outcome, name, entries in items]
            for outcome, _, _ in items:
                if outcome.obsolete_tombstones:
                    retention.drop_tombstones(session, outcome.source_id, outcome.obsolete_tombstones)
            source_repo.record_refreshes(
                session,
                [(outcome, c.new, c.updated) for (outcome, _, _), c in zip(items, counts, strict=True)],
            )
            return counts

        return self._run(work)

    @staticmethod
    def _save_entries(
        session: Session, outcome: RefreshOutcome, source_name: str, entries: Sequence[NormalizedEntry]
    ) -> entry_repo.SaveCounts:
        if not entries:
            return entry_repo.SaveCounts()
        known, buried = entry_repo.stored_state(session, outcome.source_id, [e.key for e in entries])
        alive = [e for e in entries if e.key not in buried]  # pruned meanwhile: stays pruned
        return entry_repo.save_entries(
            session,
            outcome.source_id,
            source_name,
            alive,
            known,
            outcome.started_at,
            rules_changed=outcome.rules_changed,
        )

    def newest_entries(
        self, *, sources: Sequence[str] | None = None, category: str | None = None, limit: int = 50
    ) -> list[StoredEntry]:
        def work(session: Session) -> list[StoredEntry]:
            ids = entry_repo.newest_entry_ids(session, sources=sources, category=category, limit=limit)
            return entry_repo.stored_entries(session, ids)

        return self._run(work)

    def select_entries(
        self, plan: Pushdown, accept: Callable[[StoredEntry], bool], *, limit: int, skip: int = 0
    ) -> list[StoredEntry]:
        return self._run(lambda s: selection.select_entries(s, plan, accept, limit=limit, skip=skip))

    def published_states(self, names: Sequence[str] | None = None) -> list[PublishedState]:
        return self._run(lambda s: published.published_states(s, names))

    def record_published(
        self, states: Sequence[PublishedState], keep: Sequence[tuple[str, str]] | None = None
    ) -> None:
        def work(session: Session) -> None:
            published.record_published(session, states)
            if keep is not None:
                published.forget_published(session, keep)

        self._run(work)

    def count_entries(self) -> int:
        return self._run(entry_repo.count_entries)

    def recent_counts(self, since: datetime) -> dict[str, int]:
        return self._run(lambda s: entry_repo.recent_counts(s, since))

    def ping(self) -> None:
        """A trivial query: raises StoreError when the database cannot be reached."""
        self._run(lambda s: s.execute(text("SELECT 1")))

    def dispose(self) -> None:
        self.engine.dispose()
