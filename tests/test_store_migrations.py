"""Migrations create the schema on SQLite and PostgreSQL, and agree with the ORM models."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, text

from aggregator.errors import StoreError
from aggregator.store import create_db_engine, upgrade
from aggregator.store.engine import SQLITE_PAGE_SIZE
from aggregator.store.migrate import HEAD_REVISION, current_revision, head_revision
from aggregator.store.tables import Base


def test_upgrade_creates_schema_and_is_idempotent(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        before, after = upgrade(engine)
        assert before is None
        assert after == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"sources", "entries", "categories", "entry_categories", "fetch_log"} <= tables
        assert upgrade(engine) == (after, after)
        assert current_revision(engine) == after
    finally:
        engine.dispose()


def test_head_constant_is_alembics_head() -> None:
    # upgrade() answers "already at head" from HEAD_REVISION without importing alembic: a new migration
    # must move the constant, or databases would never be upgraded to it.
    assert head_revision() == HEAD_REVISION


def test_database_at_head_opens_without_alembic(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    code = (
        "import sys; from aggregator.store import create_db_engine, upgrade; "
        f"e = create_db_engine({sqlite_url!r}); print(upgrade(e), 'alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == [f"('{HEAD_REVISION}',", f"'{HEAD_REVISION}')", "False"]


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models differ from migrations; write a migration: {diff}"
    finally:
        engine.dispose()


def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    finally:
        engine.dispose()


def test_new_sqlite_database_has_8_kb_pages_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    raw = sqlite3.connect(older)  # a file whose page size is fixed: SQLite's default, 4 KB
    raw.execute("PRAGMA page_size=4096")
    raw.execute("PRAGMA journal_mode=WAL")
    raw.close()
    for path, expected in ((tmp_path / "new.db", SQLITE_PAGE_SIZE), (older, 4096)):
        engine = create_db_engine(f"sqlite:///{path}")
        try:
            upgrade(engine)
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO categories (name, folded) VALUES ('AI', 'ai')"))
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA page_size")).scalar() == expected
                assert connection.execute(text("SELECT count(*) FROM categories")).scalar() == 1
        finally:
            engine.dispose()


def test_refuses_foreign_database_without_migration_record(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE entries (id INTEGER PRIMARY KEY)"))
        with pytest.raises(StoreError, match="no migration record"):
            upgrade(engine)
    finally:
        engine.dispose()


def test_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open database"):
        create_db_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_two_processes_migrating_a_new_database_at_once(db_url: str) -> None:
    """The other process creates the schema just before our first CREATE TABLE: ours fails on its tables,
    waits for its migration to be recorded, and carries on (a daemon and ``aggregator fetch`` starting
    together on a new database)."""
    ours = create_db_engine(db_url)
    raced: list[bool] = []
    # A process of its own: alembic keeps its running migration in module globals.
    theirs = (
        "import sys; from aggregator.store import create_db_engine, upgrade; "
        "upgrade(create_db_engine(sys.argv[1]))"
    )

    def the_other_one_first(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not raced and statement.lstrip().upper().startswith("CREATE TABLE"):
            raced.append(True)
            subprocess.run([sys.executable, "-c", theirs, db_url], check=True, timeout=60)

    event.listen(ours, "before_cursor_execute", the_other_one_first)
    try:
        assert upgrade(ours)[1] == HEAD_REVISION
    finally:
        event.remove(ours, "before_cursor_execute", the_other_one_first)
    assert raced == [True]
    assert current_revision(ours) == HEAD_REVISION
    ours.dispose()
