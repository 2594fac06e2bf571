"""``aggregator sources``: what is configured and how each source is doing."""

from __future__ import annotations

import click
from rich.table import Table

from aggregator.cli.common import CliState, console, pass_state, when
from aggregator.models import SourceState
from aggregator.store.sources import configured_location, source_kind


def health(state: SourceState | None, enabled: bool) -> str:
    if state is None:
        return "new" if enabled else "disabled"
    if not enabled:
        return "disabled"
    if state.gone:
        return "[red]gone (410)[/red]"
    if state.consecutive_errors:
        return f"[red]failing ({state.consecutive_errors}x)[/red]"
    if state.stale:
        return "[yellow]stale[/yellow]"
    if state.last_success_at is None:
        return "never fetched"
    return "[green]ok[/green]"


@click.command("sources")
@pass_state
def sources(state: CliState) -> None:
    """Show each configured source with its health: last success, last error, errors in a row, next check."""
    app = state.open()
    try:
        stored = {s.name: s for s in app.store.list_sources()}
        now = app.clock()
        table = Table()
        for column in (
            "name",
            "kind",
            "location",
            "health",
            "last success",
            "last error",
            "errors",
            "next check",
        ):
            table.add_column(column, overflow="fold")
        for source in app.config.sources:
            row = stored.pop(source.name, None)
            location = configured_location(source)
            if row is not None and row.location != row.configured_location:
                location = f"{row.location}\n(moved from {row.configured_location})"
            error = "-"
            if row is not None and row.last_error and row.consecutive_errors:
                error = f"{row.last_error} ({when(row.last_error_at, now)})"
            table.add_row(
                source.name,
                source_kind(source).value,
                location,
                health(row, source.enabled),
                when(row.last_success_at if row else None, now),
                error,
                str(row.consecutive_errors) if row else "0",
                when(row.next_check_at, now) if row and source.enabled and not row.gone else "-",
            )
        for row in stored.values():
            table.add_row(row.name, row.kind.value, row.location, "removed from config", "-", "-", "-", "-")
        console().print(table)
    finally:
        app.close()


COMMANDS = [sources]
