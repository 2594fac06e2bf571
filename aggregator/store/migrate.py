"""Alembic migrations shipped inside the package, run programmatically (no alembic.ini needed)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from aggregator.errors import StoreError
from aggregator.store.engine import redact

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config_for_scripts())
    head = script.get_current_head()
    assert head is not None
    return head


def alembic_config_for_scripts() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; return (revision before, revision after).

    A database that has tables but no migration record was not made by us: refuse rather than guess.
    """
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
        raise StoreError(f"database migration failed: {e}") from e
