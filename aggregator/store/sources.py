"""Source rows: syncing them with the configuration and reading their state."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Table,
    Text,
    bindparam,
    column,
    false,
    func,
    insert,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause, ColumnElement

from aggregator.config.schema import SourceConfig
from aggregator.models import FetchStatus, RefreshOutcome, SourceKind, SourceState
from aggregator.store.tables import EntryRow, FetchLogRow, SourceRow
from aggregator.store.types import sqlite_text


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
                    config_title=source.title,
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
        before = (row.kind, row.configured_location, row.enabled, row.config_title)
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
        row.config_title = source.title
        if before != (row.kind, row.configured_location, row.enabled, row.config_title):
            row.updated_at = now
            changed.append(source.name)
    for row in rows.values():
        if row.enabled:
            row.enabled = False
            row.updated_at = now
            disabled.append(row.name)
    return SyncReport(tuple(added), tuple(changed), tuple(disabled))


_SOURCES = cast(Table, SourceRow.__table__)
# A SourceState's fields, in their order: the title is the configured one, else the feed's.
_STATE_COLUMNS: list[ColumnElement[Any]] = [
    *(_SOURCES.c[name] for name in ("id", "name", "kind", "location", "configured_location")),
    func.coalesce(_SOURCES.c.config_title, _SOURCES.c.title).label("title"),
    *(
        _SOURCES.c[name]
        for name in (
            "site_link", "enabled", "gone", "etag", "last_modified", "next_check_at", "last_checked_at",
            "last_success_at", "last_new_entry_at", "last_error", "last_error_at", "consecutive_errors",
            "feed_ttl_seconds", "stale", "stale_reason", "rules_fingerprint", "document_hash",
        )
    ),
]  # fmt: skip


def to_state(row: Sequence[Any]) -> SourceState:
    """A row of :data:`_STATE_COLUMNS` as the refresher sees it.

    Positional: reading 500 claimed rows' 23 values by name took half of an all-304 poll's claim."""
    return SourceState(row[0], row[1], SourceKind(row[2]), *row[3:])


def list_sources(session: Session) -> list[SourceState]:
    query = select(*_STATE_COLUMNS).order_by(_SOURCES.c.name)
    return [to_state(row) for row in session.connection().execute(query).all()]


_FETCH_LOG = cast(Table, FetchLogRow.__table__)


def _param(name: str, column: str | None = None) -> Any:
    """A bound parameter typed like its column (UTC datetimes are stored as naive UTC text on SQLite)."""
    return bindparam(name, type_=_SOURCES.c[column or name].type)


def _given_or_kept(column: str) -> Any:
    """``column = :column`` when given, else the stored value: None means "keep what is stored"."""
    return func.coalesce(_param(column), _SOURCES.c[column])


# Where a value of an outcome's statement comes from: a bound parameter of an executemany (``_param``), or a
# column of the JSON rows of a single statement (``_json_rows`` below). Arguments: the value's name, and the
# column whose type it has when that is not its name.
_Given = Callable[..., Any]


def _checked_values(given: _Given) -> dict[str, Any]:
    started = given("started_at", "last_checked_at")
    return {
        "claimed_until": null(),
        "claimed_by": null(),
        "last_checked_at": started,
        "updated_at": started,
        "next_check_at": given("next_check_at"),
        "location": func.coalesce(given("moved_to", "location"), _SOURCES.c.location),
    }


def _answered_values(given: _Given) -> dict[str, Any]:
    return {
        "last_success_at": given("started_at", "last_checked_at"),
        "consecutive_errors": literal_column("0"),
        "gone": false(),
        "stale": given("stale"),
        "stale_reason": given("stale_reason"),
    }


def _unchanged_values(given: _Given) -> dict[str, Any]:
    """A source that answered "not modified" (304, or the same bytes again): no document, so nothing of the
    feed's to keep, and nothing new. Half the parameters of a success: most polls are these."""
    started = given("started_at", "last_checked_at")
    return {
        **_checked_values(given),
        **_answered_values(given),
        "last_new_entry_at": func.coalesce(_SOURCES.c.last_new_entry_at, started),
    }


# One UPDATE per kind of outcome, run as an executemany over a group commit's sources (the ORM would load
# each row and flush one UPDATE per changed set of columns). Constants are SQL, not parameters: an
# executemany converts every parameter of every row.
_STARTED = _param("started_at", "last_checked_at")
_COMMON_VALUES: dict[str, Any] = {
    **_checked_values(_param),
    **{column: _given_or_kept(column) for column in ("site_link", "feed_ttl_seconds", "title", "language")},
}
_SUCCESS_VALUES: dict[str, Any] = {
    **_COMMON_VALUES,
    **_answered_values(_param),
    # Moves when there are new entries; set on the first success whatever the count.
    "last_new_entry_at": func.coalesce(
        _param("new_entry_at", "last_new_entry_at"), _SOURCES.c.last_new_entry_at, _STARTED
    ),
}
_BY_ID = _SOURCES.c.id == _param("source_id", "id")
_UNCHANGED = "unchanged"
_RECORD: dict[FetchStatus | str, Any] = {
    FetchStatus.OK: update(_SOURCES)
    .where(_BY_ID)
    .values(
        **_SUCCESS_VALUES,
        etag=_param("etag"),
        last_modified=_param("last_modified"),
        rules_fingerprint=_given_or_kept("rules_fingerprint"),
        document_hash=_param("document_hash"),
        warnings=_param("warnings"),
    ),
    FetchStatus.NOT_MODIFIED: update(_SOURCES).where(_BY_ID).values(**_SUCCESS_VALUES),
    _UNCHANGED: update(_SOURCES).where(_BY_ID).values(**_unchanged_values(_param)),
    FetchStatus.ERROR: update(_SOURCES)
    .where(_BY_ID)
    .values(
        **_COMMON_VALUES,
        consecutive_errors=_SOURCES.c.consecutive_errors + _param("error_increment", "consecutive_errors"),
        last_error=_param("error", "last_error"),
        last_error_kind=_param("error_kind", "last_error_kind"),
        last_error_at=_STARTED,
        gone=_param("gone"),
    ),
}
_LOG_COLUMNS = (
    "source_id",
    "started_at",
    "status",
    "http_status",
    "duration_ms",
    "bytes",
    "new_count",
    "updated_count",
    "filtered_count",
    "error",
    "error_kind",
)
_UNCHANGED_FIELDS = ("source_id", "started_at", "next_check_at", "moved_to", "stale", "stale_reason")


def _sqlite_json_rows() -> bool:
    """Whether this process's SQLite has UPDATE ... FROM (3.33) and JSON functions (nearly every build)."""
    if sqlite3.sqlite_version_info < (3, 33, 0):
        return False
    with closing(sqlite3.connect(":memory:")) as connection:
        try:
            connection.execute("SELECT json_extract(value, '$[0]') FROM json_each('[[1]]')")
        except sqlite3.OperationalError:
            return False
    return True


def _json_rows(names: Sequence[str]) -> Any:
    """The rows of one parameter, a JSON array of arrays, as a subquery with a column per name (SQLite)."""
    value: ColumnClause[Any] = column("value")
    fields = (
        func.json_extract(value, literal_column(f"'$[{i}]'")).label(name) for i, name in enumerate(names)
    )
    return select(*fields).select_from(func.json_each(bindparam("rows", type_=Text))).subquery("given")


# On SQLite, the outcomes of the sources that answered "not modified" (most of a poll's) and the fetch-log
# rows of a group commit are written by two statements that read their rows from one JSON parameter, rather
# than by two executemanys:
# SQLAlchemy converts no parameter per row, and sqlite3, which releases the interpreter lock around each
# row's step, releases it twice per statement instead of twice per source. Each such release hands the lock
# to the event loop, busy fetching, and the database thread waits to get it back. An all-304 poll's saves
# take about a third less CPU, the poll 10-15 % less time (docs/performance.md). PostgreSQL (and an SQLite
# without UPDATE ... FROM) keeps the executemanys.
_SQLITE_JSON_ROWS = _sqlite_json_rows()
_UNCHANGED_ROWS = _json_rows(_UNCHANGED_FIELDS)
_RECORD_UNCHANGED_ROWS = (
    update(_SOURCES)
    .where(_SOURCES.c.id == _UNCHANGED_ROWS.c.source_id)
    .values(**_unchanged_values(lambda name, _column=None: _UNCHANGED_ROWS.c[name]))
)
_LOG_ROWS = _json_rows(_LOG_COLUMNS)
_INSERT_LOG_ROWS = insert(_FETCH_LOG).from_select(_LOG_COLUMNS, select(*_LOG_ROWS.c))


def record_refreshes(
    session: Session, outcomes: Sequence[tuple[RefreshOutcome, int, int]], *, json_rows: bool | None = None
) -> None:
    """Write refresh outcomes ``(outcome, new, updated)`` on their source rows and in the fetch log.

    A few statements whatever the count: one executemany per kind of outcome, one insert for the log; on
    SQLite, the "not modified" ones and the log as JSON rows (see ``_SQLITE_JSON_ROWS``; ``json_rows``, for
    SQLite only, says whether to: by default where it can). In the transaction of their entries.
    """
    if json_rows is None:
        json_rows = _SQLITE_JSON_ROWS and session.get_bind().dialect.name == "sqlite"
    groups: dict[FetchStatus | str, list[dict[str, Any]]] = {}
    # By source: of two outcomes of one source, the later is what an executemany would leave, where an
    # UPDATE ... FROM would apply either.
    unchanged: dict[int, tuple[Any, ...]] = {}
    log_rows: list[Any] = []
    for outcome, new, updated in outcomes:
        kind = _kind(outcome, new)
        if kind == _UNCHANGED and json_rows:
            unchanged[outcome.source_id] = _unchanged_row(outcome)
        else:
            groups.setdefault(kind, []).append(_record_params(outcome, new, kind))
        row = (
            outcome.source_id,
            sqlite_text(outcome.started_at) if json_rows else outcome.started_at,
            outcome.status.value,
            outcome.http_status,
            outcome.duration_ms,
            outcome.bytes,
            new,
            updated,
            outcome.filtered,
            outcome.error,
            outcome.error_kind,
        )
        log_rows.append(row if json_rows else dict(zip(_LOG_COLUMNS, row, strict=True)))
    for kind, params in groups.items():
        session.execute(_RECORD[kind], params, execution_options={"synchronize_session": False})
    if unchanged:
        session.execute(_RECORD_UNCHANGED_ROWS, {"rows": _json(list(unchanged.values()))})
    if log_rows:
        if json_rows:
            session.execute(_INSERT_LOG_ROWS, {"rows": _json(log_rows)})
        else:
            session.execute(insert(_FETCH_LOG), log_rows)


def _json(rows: list[Any]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _unchanged_row(outcome: RefreshOutcome) -> tuple[Any, ...]:
    """The executemany's parameters of ``outcome``, in ``_UNCHANGED_FIELDS`` order, dates as SQLite stores
    them: one list of what a "not modified" outcome writes."""
    params = _record_params(outcome, 0, _UNCHANGED)
    return tuple(
        sqlite_text(value) if isinstance(value, datetime) else value
        for value in (params[name] for name in _UNCHANGED_FIELDS)
    )


def _kind(outcome: RefreshOutcome, new: int) -> FetchStatus | str:
    status = outcome.status
    if status is FetchStatus.GONE:
        return FetchStatus.ERROR
    if status is FetchStatus.NOT_MODIFIED and not (
        new or outcome.title or outcome.site_link or outcome.language or outcome.feed_ttl_seconds
    ):
        return _UNCHANGED
    return status


def _record_params(outcome: RefreshOutcome, new: int, kind: FetchStatus | str) -> dict[str, Any]:
    params: dict[str, Any] = {
        "source_id": outcome.source_id,
        "started_at": outcome.started_at,
        "next_check_at": outcome.next_check_at,
        "moved_to": outcome.moved_to or None,
    }
    if kind == _UNCHANGED:
        params["stale"] = outcome.stale_reason is not None
        params["stale_reason"] = outcome.stale_reason
        return params
    params["site_link"] = outcome.site_link
    params["feed_ttl_seconds"] = outcome.feed_ttl_seconds
    params["title"] = outcome.title or None
    params["language"] = outcome.language or None
    if outcome.status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED):
        params["new_entry_at"] = outcome.started_at if new else None
        params["stale"] = outcome.stale_reason is not None
        params["stale_reason"] = outcome.stale_reason
        if outcome.status is FetchStatus.OK:
            params["etag"] = outcome.etag
            params["last_modified"] = outcome.last_modified
            params["rules_fingerprint"] = outcome.rules_fingerprint
            params["document_hash"] = outcome.document_hash
            params["warnings"] = "\n".join(outcome.warnings) or None
    else:
        params["error_increment"] = 1 if outcome.count_error else 0
        params["error"] = outcome.error
        params["error_kind"] = outcome.error_kind
        params["gone"] = outcome.status is FetchStatus.GONE
    return params


@dataclass(frozen=True, slots=True)
class Claimed:
    sources: list[SourceState]  # claimed for this refresh
    held_elsewhere: int  # wanted, but another process is refreshing them


def claim_sources(
    session: Session,
    now: datetime,
    names: Sequence[str] | None,
    due_only: bool,
    owner: str,
    lease: timedelta,
) -> Claimed:
    """Claim the enabled sources to refresh that nobody else holds: all, the named ones, or the due ones.

    A source marked gone (HTTP 410) is skipped unless named explicitly: it stays listed, not polled.

    The UPDATE takes the claim atomically on both databases (PostgreSQL re-checks the WHERE of a row
    another transaction just updated; SQLite's write lock serializes writers), so two processes never
    refresh one source at once. A claim ends with the refresh's outcome, or expires after ``lease`` if its
    process died.
    """
    wanted: ColumnElement[bool] = SourceRow.enabled.is_(True)
    wanted &= SourceRow.name.in_(names) if names else SourceRow.gone.is_(False)
    if due_only:
        wanted &= SourceRow.next_check_at.is_(None) | (SourceRow.next_check_at <= now)
    free = SourceRow.claimed_until.is_(None) | (SourceRow.claimed_until < now)
    session.execute(
        update(SourceRow).where(wanted & free).values(claimed_until=now + lease, claimed_by=owner),
        execution_options={"synchronize_session": False},
    )
    # Core rows on the session's connection, not ORM objects nor the ORM's row loading: loading 500
    # objects into the identity map cost a tenth of an all-304 poll.
    query = (
        select(*_STATE_COLUMNS)
        .where(SourceRow.claimed_by == owner, SourceRow.claimed_until == now + lease)
        .order_by(SourceRow.next_check_at, SourceRow.name)
    )
    sources = [to_state(row) for row in session.connection().execute(query).all()]
    held = select(func.count()).where(wanted, SourceRow.claimed_until >= now, SourceRow.claimed_by != owner)
    return Claimed(sources, int(session.scalar(held) or 0))


def release_claims(session: Session, owner: str) -> int:
    """Give back what ``owner`` still holds (a refresh cancelled at shutdown): due again at once."""
    result = session.execute(
        update(SourceRow).where(SourceRow.claimed_by == owner).values(claimed_until=None, claimed_by=None),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def source_activity(
    session: Session, source_id: int, now: datetime, recent: int = 20
) -> tuple[int, list[datetime]]:
    """(entries published in the last week, the newest ``recent`` publication times).

    What cadence (silent breakage) and adaptive polling are computed from.
    """
    week = session.scalar(
        select(func.count())
        .select_from(EntryRow)
        .where(EntryRow.source_id == source_id, EntryRow.published_at >= now - timedelta(days=7))
    )
    times = session.scalars(
        select(EntryRow.published_at)
        .where(EntryRow.source_id == source_id)
        .order_by(EntryRow.published_at.desc())
        .limit(recent)
    )
    return int(week or 0), list(times)


def source_ids(session: Session, names: Sequence[str]) -> dict[str, int]:
    if not names:
        return {}
    return dict(session.execute(select(SourceRow.name, SourceRow.id).where(SourceRow.name.in_(names))).all())


def claim_owners(session: Session) -> list[str]:
    query = select(SourceRow.claimed_by).where(SourceRow.claimed_by.is_not(None)).distinct()
    return [owner for owner in session.scalars(query) if owner]
