"""Rows of ``published_feeds``: the last rendering of each published feed and format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aggregator.store.tables import PublishedFeedRow


@dataclass(frozen=True, slots=True)
class PublishedState:
    name: str
    format: str
    etag: str
    signature: str
    entry_count: int
    newest_entry_at: datetime | None
    size_bytes: int
    changed_at: datetime
    rendered_at: datetime


def published_states(session: Session, names: Sequence[str] | None = None) -> list[PublishedState]:
    query = select(PublishedFeedRow).order_by(PublishedFeedRow.name, PublishedFeedRow.format)
    if names:
        query = query.where(PublishedFeedRow.name.in_(names))
    return [
        PublishedState(
            name=row.name,
            format=row.format,
            etag=row.etag,
            signature=row.signature,
            entry_count=row.entry_count,
            newest_entry_at=row.newest_entry_at,
            size_bytes=row.size_bytes,
            changed_at=row.changed_at,
            rendered_at=row.rendered_at,
        )
        for row in session.scalars(query)
    ]


def record_published(session: Session, states: Sequence[PublishedState]) -> None:
    for state in states:
        row = session.get(PublishedFeedRow, (state.name, state.format))
        if row is None:
            row = PublishedFeedRow(name=state.name, format=state.format)
            session.add(row)
        row.etag = state.etag
        row.signature = state.signature
        row.entry_count = state.entry_count
        row.newest_entry_at = state.newest_entry_at
        row.size_bytes = state.size_bytes
        row.changed_at = state.changed_at
        row.rendered_at = state.rendered_at


def forget_published(session: Session, keep: Sequence[tuple[str, str]]) -> None:
    """Drop the records of feeds or formats no longer configured."""
    wanted = set(keep)
    for row in session.scalars(select(PublishedFeedRow)):
        if (row.name, row.format) not in wanted:
            session.execute(
                delete(PublishedFeedRow).where(
                    PublishedFeedRow.name == row.name, PublishedFeedRow.format == row.format
                )
            )
