"""``aggregator db ...``: schema migrations."""

from __future__ import annotations

import click

from aggregator.app import open_store
from aggregator.cli.common import CliState, pass_state
from aggregator.store import redact
from aggregator.store.migrate import current_revision, head_revision, upgrade


@click.group("db")
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: CliState) -> None:
    """Create or migrate the database schema to the newest revision."""
    loaded = state.load()
    url = loaded.config.database or ""
    store = open_store(loaded, migrate=False)
    try:
        before, after = upgrade(store.engine)
    finally:
        store.dispose()
    if before == after:
        click.echo(f"{redact(url)}: schema already at {after}")
    else:
        click.echo(f"{redact(url)}: schema upgraded from {before or 'empty'} to {after}")


@db.command("current")
@pass_state
def db_current(state: CliState) -> None:
    """Print the schema revision of the database and the newest one this version knows."""
    store = open_store(state.load(), migrate=False)
    try:
        current = current_revision(store.engine)
    finally:
        store.dispose()
    head = head_revision()
    status = "up to date" if current == head else "needs 'aggregator db upgrade'"
    click.echo(f"current: {current or 'empty'}  newest: {head}  ({status})")


COMMANDS = [db]
