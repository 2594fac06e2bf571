"""The store's public face: one method per unit of work, dataclasses in and out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from aggregator.config.schema import SourceConfig
from aggregator.errors import StoreError
from aggregator.models import SourceState
from aggregator.store import sources as source_repo
from aggregator.store.engine import make_session_factory

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
        return self._run(lambda s: source_repo.sync_sources(s, sources, now))

    def list_sources(self) -> list[SourceState]:
        return self._run(source_repo.list_sources)

    def dispose(self) -> None:
        self.engine.dispose()
