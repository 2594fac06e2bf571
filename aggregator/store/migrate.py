"""Alembic migrations shipped inside the package, run programmatically (no alembic.ini needed).

Every command opens the database through :func:`upgrade`, so its common case (the schema is already at
the newest revision) is answered with one query, without importing alembic: that keeps about 10 MB and
0.1 s off every ``aggregator fetch``. Alembic runs when there is something to do.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from aggregator.errors import StoreError
from aggregator.store.engine import redact

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: The newest revision under ``migrations/versions`` (a test checks it against alembic's head).
HEAD_REVISION = "0005"

#: How long a failed migration waits for another process that may be migrating the same database.
CONCURRENT_MIGRATION_WAIT_SECONDS = 15.0


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The head as alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config_for_scripts())
    head = script.get_current_head()
    assert head is not None
    return head


def alembic_config_for_scripts() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _at_head(engine: Engine) -> bool:
    """Whether the database records exactly :data:`HEAD_REVISION` (any error: let alembic decide)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return False
    return rows == [HEAD_REVISION]


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; return (revision before, revision after).

    A database that has tables but no migration record was not made by us: refuse rather than guess.
    """
    if _at_head(engine):
        return HEAD_REVISION, HEAD_REVISION
    from alembic import command

    try:
        before = current_revision(engine)
        if before is None:
            existing = set(inspect(engine).get_table_names()) - {"alembic_version"}
            if existing & {"sources", "entries"}:
                raise StoreError(
                    "the database has aggregator-like tables but no migration record (alembic_version); "
                    "refusing to touch it. Point 'database' at a new database, or restore the record."
                )
        head = head_revision()
        if before != head:
            log.info(
                "database %s: upgrading schema from %s to %s",
                redact(str(engine.url)),
                before or "empty",
                head,
            )
            command.upgrade(alembic_config(engine), "head")
        return before, head
    except SQLAlchemyError as e:
        # A daemon and `aggregator fetch` (or two daemons) started together on a new database both migrate
        # it: the second one's CREATE TABLE meets the first one's tables. Once the first has finished, the
        # schema is what we wanted.
        if _wait_for_head(engine, CONCURRENT_MIGRATION_WAIT_SECONDS):
            url = redact(str(engine.url))
            log.info("database %s: schema brought to %s by another process", url, HEAD_REVISION)
            return HEAD_REVISION, HEAD_REVISION
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        raise StoreError(f"database migration failed: {reason}") from e


def _wait_for_head(engine: Engine, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if _at_head(engine):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
