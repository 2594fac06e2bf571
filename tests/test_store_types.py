"""UTCDateTime: aware UTC in, aware UTC out, on SQLite (naive UTC text) and PostgreSQL (timestamptz)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine

from aggregator.store.types import UTCDateTime


def _random_instants(count: int) -> Iterator[datetime]:
    """Instants from year 2 to 9997 (room for any offset), a fifth of them on a whole second."""
    rng = random.Random(20261125)
    low = datetime(2, 1, 1, tzinfo=UTC)
    span = int((datetime(9998, 1, 1, tzinfo=UTC) - low).total_seconds())
    for i in range(count):
        instant = low + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(1_000_000))
        yield instant.replace(microsecond=0) if i % 5 == 0 else instant


def test_sqlite_text_is_the_dialects_own() -> None:
    """Our one-step conversion writes exactly what SQLAlchemy's SQLite DateTime wrote for the naive UTC value
    (stored rows compare and sort as before), and reads it back as the same aware UTC instant."""
    dialect = sqlite.dialect()
    ours_bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    ours_read = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    plain_bind = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours_bind is not None and ours_read is not None and plain_bind is not None
    rng = random.Random(7)
    for instant in _random_instants(20_000):
        offset = timezone(timedelta(minutes=rng.randrange(-14 * 60, 14 * 60 + 1)))
        stored = ours_bind(instant.astimezone(offset))
        assert stored == plain_bind(instant.replace(tzinfo=None))
        back = ours_read(stored)
        assert back == instant and back.tzinfo is UTC


def test_sqlite_reads_text_it_did_not_write() -> None:
    """Rows written by hand or by another tool (no microseconds, a T, a date alone) are still read, as UTC."""
    dialect = sqlite.dialect()
    read = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    assert read is not None
    assert read("2026-11-25 18:34:55") == datetime(2026, 11, 25, 18, 34, 55, tzinfo=UTC)
    assert read("2026-11-25T18:34:55.800601") == datetime(2026, 11, 25, 18, 34, 55, 800601, tzinfo=UTC)
    assert read("2026-11-25") == datetime(2026, 11, 25, tzinfo=UTC)
    assert read(None) is None


def test_a_naive_datetime_is_refused() -> None:
    dialect = sqlite.dialect()
    bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None
    with pytest.raises(ValueError, match="naive datetime"):
        bind(datetime(2026, 11, 25, 12, 0))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def test_round_trip_through_the_database(engine: Engine) -> None:
    """Any zone in, the same instant out as aware UTC; the database orders rows by instant."""
    table = Table("moments", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    table.create(engine)
    shanghai = ZoneInfo("Asia/Shanghai")
    instants = [i for i in _random_instants(300) if i.year >= 1900]  # PostgreSQL's zone data starts there
    given = [i.astimezone(shanghai) if n % 2 else i for n, i in enumerate(instants)]
    with engine.begin() as connection:
        connection.execute(insert(table), [{"id": n, "at": at} for n, at in enumerate(given)])
        connection.execute(insert(table), [{"id": -1, "at": None}])
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.id, table.c.at).where(table.c.id >= 0)).all()
        ordered = connection.execute(
            select(table.c.id).where(table.c.id >= 0).order_by(table.c.at, table.c.id)
        ).scalars()
        missing = connection.execute(select(table.c.at).where(table.c.id == -1)).scalar_one()
        newer = connection.execute(
            select(text("count(*)")).select_from(table).where(table.c.at > datetime(2000, 1, 1, tzinfo=UTC))
        ).scalar_one()
    assert {row.id: row.at for row in rows} == dict(enumerate(instants))
    assert all(row.at.tzinfo is UTC for row in rows)
    assert list(ordered) == sorted(range(len(instants)), key=lambda n: (instants[n], n))
    assert missing is None
    assert newer == sum(1 for i in instants if i > datetime(2000, 1, 1, tzinfo=UTC))
