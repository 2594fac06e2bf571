"""Shared fixtures: real SQLite files, the real PostgreSQL when AGGREGATOR_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from aggregator.store import Store, create_db_engine, upgrade

# The real HTTP test server (fixture ``feed_server``), for every test module.
pytest_plugins = ["tests.support.feedserver"]
# Detailed assertion messages inside the shared validators too.
pytest.register_assert_rewrite("tests.support.validity")

POSTGRES_ENV = "AGGREGATOR_TEST_POSTGRES_URL"
TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"
REPO_DIR = TESTS_DIR.parent
SHARED_DIR = REPO_DIR.parent / "shared"
CORPUS_DIR = SHARED_DIR / "corpora" / "realworld"


def postgres_schema_url(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, selected through search_path, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database: a SQLite file, and PostgreSQL when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL store tests need {POSTGRES_ENV} (set by .ci/run when a server answers)")
    yield from postgres_schema_url(base)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A store over the empty database of ``db_url``, migrated to the newest schema."""
    engine = create_db_engine(db_url)
    upgrade(engine)
    store = Store(engine)
    yield store
    store.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def corpus_file(relative: str) -> Path:
    """A file of the shared real-world corpus, or a skip naming why it is absent (fresh clone elsewhere)."""
    path = CORPUS_DIR / relative
    if not path.exists():
        pytest.skip(f"real-world corpus not found at {CORPUS_DIR} (it lives in ../shared beside the clone)")
    return path
