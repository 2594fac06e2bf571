"""Composition root: builds the process-wide objects (configuration, engine, store) and wires them.

Nothing else creates an engine or reads the configuration file; the CLI, the daemon and the tests all go
through :func:`open_app`. Time comes from ``clock`` so that decisions can be tested with a fixed ``now``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aggregator.clock import utc_now
from aggregator.config import Config, LoadedConfig, load_config
from aggregator.config.loader import ENV_DATABASE_URL
from aggregator.errors import StoreError
from aggregator.store import Store, create_db_engine, upgrade

log = logging.getLogger(__name__)


@dataclass
class App:
    loaded: LoadedConfig
    store: Store
    clock: Callable[[], datetime] = field(default=utc_now)

    @property
    def config(self) -> Config:
        return self.loaded.config

    def close(self) -> None:
        self.store.dispose()


def open_store(loaded: LoadedConfig, *, migrate: bool = True) -> Store:
    """Open the configured database (and bring its schema up to date), locating errors in the config."""
    url = loaded.config.database
    assert url is not None  # the loader always resolves it
    try:
        engine = create_db_engine(url)
        if migrate:
            upgrade(engine)  # logs a line when it changes the schema
    except StoreError as e:
        if os.environ.get(ENV_DATABASE_URL):
            raise StoreError(f"{ENV_DATABASE_URL}: {e}") from e
        raise StoreError(str(loaded.problem(("database",), str(e)))) from e
    return Store(engine)


def open_app(config_path: str | Path, *, migrate: bool = True) -> App:
    loaded = load_config(config_path)
    return App(loaded=loaded, store=open_store(loaded, migrate=migrate))
