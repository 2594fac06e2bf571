"""Persistence: the only package that knows SQLAlchemy sessions and ORM rows.

Callers use :class:`Store`, whose methods are units of work (one transaction each) that take and return the
dataclasses of :mod:`aggregator.models`. Driver errors become :class:`~aggregator.errors.StoreError` here.
"""

from aggregator.store.engine import create_db_engine, redact
from aggregator.store.facade import Store
from aggregator.store.migrate import upgrade
from aggregator.store.sources import SyncReport

__all__ = ["Store", "SyncReport", "create_db_engine", "redact", "upgrade"]
