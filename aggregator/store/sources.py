"""Source rows: syncing them with the configuration and reading their state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.config.schema import SourceConfig
from aggregator.models import SourceKind, SourceState
from aggregator.store.tables import SourceRow


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()


def source_kind(source: SourceConfig) -> SourceKind:
    if source.url is not None:
        return SourceKind.HTTP
    assert source.path is not None
    return SourceKind.FOLDER if source.path.is_dir() else SourceKind.FILE


def configured_location(source: SourceConfig) -> str:
    return source.url if source.url is not None else str(source.path)


def sync_sources(session: Session, sources: Sequence[SourceConfig], now: datetime) -> SyncReport:
    """Make the source rows match the configuration, by name.

    New sources are due at once. A source whose URL or path changed in the configuration starts afresh
    (no validators, no error count, not gone). Sources removed from the configuration are disabled, never
    deleted: their entries stay.
    """
    rows = {row.name: row for row in session.scalars(select(SourceRow))}
    added: list[str] = []
    changed: list[str] = []
    disabled: list[str] = []
    for source in sources:
        location = configured_location(source)
        kind = source_kind(source).value
        row = rows.pop(source.name, None)
        if row is None:
            session.add(
                SourceRow(
                    name=source.name,
                    kind=kind,
                    location=location,
                    configured_location=location,
                    title=source.title,
                    language=source.language,
                    enabled=source.enabled,
                    gone=False,
                    consecutive_errors=0,
                    stale=False,
                    next_check_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            added.append(source.name)
            continue
        before = (row.kind, row.configured_location, row.enabled, row.title, row.language)
        if row.configured_location != location or row.kind != kind:
            row.location = location
            row.configured_location = location
            row.kind = kind
            row.etag = row.last_modified = None
            row.gone = False
            row.consecutive_errors = 0
            row.next_check_at = now
        if source.enabled and not row.enabled:
            row.next_check_at = now
        row.enabled = source.enabled
        if source.title:
            row.title = source.title
        if source.language:
            row.language = source.language
        if before != (row.kind, row.configured_location, row.enabled, row.title, row.language):
            row.updated_at = now
            changed.append(source.name)
    for row in rows.values():
        if row.enabled:
            row.enabled = False
            row.updated_at = now
            disabled.append(row.name)
    return SyncReport(tuple(added), tuple(changed), tuple(disabled))


def to_state(row: SourceRow) -> SourceState:
    return SourceState(
        id=row.id,
        name=row.name,
        kind=SourceKind(row.kind),
        location=row.location,
        configured_location=row.configured_location,
        title=row.title,
        site_link=row.site_link,
        enabled=row.enabled,
        gone=row.gone,
        etag=row.etag,
        last_modified=row.last_modified,
        next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at,
        last_success_at=row.last_success_at,
        last_new_entry_at=row.last_new_entry_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
        consecutive_errors=row.consecutive_errors,
        feed_ttl_seconds=row.feed_ttl_seconds,
        stale=row.stale,
        stale_reason=row.stale_reason,
    )


def list_sources(session: Session) -> list[SourceState]:
    return [to_state(row) for row in session.scalars(select(SourceRow).order_by(SourceRow.name))]
