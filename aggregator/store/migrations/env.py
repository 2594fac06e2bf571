"""Alembic environment: runs on the engine handed over by :mod:`aggregator.store.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from aggregator.store.tables import Base

config = context.config
engine: Engine | None = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
