"""``aggregator fetch`` and ``aggregator entries``: refresh sources once, inspect what is stored."""

from __future__ import annotations

import asyncio
import difflib
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator.app import App
from aggregator.cli.common import EXIT_OK, EXIT_SOME_FAILED, CliState, console, pass_state
from aggregator.filters.match import canonical_category
from aggregator.models import FetchStatus, NormalizedEntry, SourceResult, StoredEntry
from aggregator.update import Refresher


def _check_names(what: str, known: Sequence[str], names: Sequence[str], app: App) -> None:
    for name in names:
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise click.UsageError(f"no {what} named '{name}' in {app.loaded.path}{suggestion}")


def check_source_names(app: App, names: Sequence[str]) -> None:
    _check_names("source", [s.name for s in app.config.sources], names, app)


def check_publish_names(app: App, names: Sequence[str]) -> None:
    _check_names("published feed", [f.name for f in app.config.publish], names, app)


async def run_refresh(
    app: App, names: Sequence[str], due_only: bool, show_progress: bool
) -> list[SourceResult]:
    async with Refresher(app.config, app.store, clock=app.clock) as refresher:
        await refresher.sync_sources()
        if not show_progress:
            return await refresher.refresh(names or None, due_only=due_only)
        with Progress(
            TextColumn("fetching"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console(),
            transient=True,
        ) as progress:
            task = progress.add_task("", total=None)
            return await refresher.refresh(
                names or None,
                due_only=due_only,
                on_start=lambda total: progress.update(task, total=total),
                on_result=lambda r: progress.update(task, advance=1, description=r.source),
            )


def _status_text(result: SourceResult) -> str:
    if result.status is FetchStatus.OK:
        return "[green]ok[/green]" if not result.warnings else "[yellow]ok (warnings)[/yellow]"
    if result.status is FetchStatus.NOT_MODIFIED:
        return "not modified"
    if result.status is FetchStatus.GONE:
        return "[red]gone[/red]"
    return "[red]error[/red]"


@click.command("fetch")
@click.argument("named", nargs=-1, metavar="[NAME]...")
@click.option(
    "--source", "-s", "options", multiple=True, metavar="NAME", help="Only this source (repeatable)."
)
@click.option("--due", is_flag=True, help="Only sources whose next check time has passed.")
@click.option(
    "--all", "list_all", is_flag=True, help="List every source, not only those with news or problems."
)
@pass_state
def fetch(
    state: CliState, named: tuple[str, ...], options: tuple[str, ...], due: bool, list_all: bool
) -> None:
    """Fetch all (or the named) enabled sources once and store their entries.

    Sources are named as arguments (like `publish NAME...`) or with --source. The table lists the sources
    with new or updated entries, errors, warnings or a move (all of them with --all, or when sources are
    named); the last line counts all of them. Exit status 0 if every source succeeded, 1 if some failed, 2
    for bad usage.
    """
    names = tuple(dict.fromkeys((*named, *options)))
    app = state.open()
    try:
        check_source_names(app, names)
        results = asyncio.run(run_refresh(app, names, due, show_progress=sys.stdout.isatty()))
    finally:
        app.close()
    table = Table()
    for column in ("source", "status", "new", "updated", "errors", "duration"):
        table.add_column(column, overflow="fold")
    listed = results if list_all or names else [r for r in results if _worth_listing(r)]
    for result in listed:
        problems = result.error or "; ".join(result.warnings) or ""
        if result.stale_reason:
            problems = "; ".join(p for p in (problems, f"looks stale: {result.stale_reason}") if p)
        if result.moved_to:
            problems = f"moved permanently to {result.moved_to}" + (f"; {problems}" if problems else "")
        table.add_row(
            result.source,
            _status_text(result),
            str(result.new),
            str(result.updated),
            problems,
            f"{result.duration_ms} ms",
        )
    out = console()
    if listed:
        out.print(table)
    failed = [r for r in results if r.status in (FetchStatus.ERROR, FetchStatus.GONE)]
    new = sum(r.new for r in results)
    updated = sum(r.updated for r in results)
    unchanged = len(results) - len(failed) - sum(1 for r in results if r.new or r.updated)
    counts = f"{new} new, {updated} updated, {len(failed)} failed, {unchanged} unchanged"
    out.print(f"{len(results)} sources: {counts}")
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _worth_listing(result: SourceResult) -> bool:
    """A source that did anything but answer "nothing new": a cron run over hundreds of sources lists only
    those (and rendering 500 table rows took a fifth of an all-304 run)."""
    return bool(
        result.new
        or result.updated
        or result.status not in (FetchStatus.OK, FetchStatus.NOT_MODIFIED)
        or result.warnings
        or result.moved_to
        or result.stale_reason
    )


def rfc3339(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def entry_fields(entry: StoredEntry | NormalizedEntry) -> dict[str, Any]:
    """What `entries --json` and `preview --json` both show of an entry."""
    return {
        "title": entry.title,
        "link": entry.link,
        "author": entry.author,
        "published": rfc3339(entry.published),
        "updated": rfc3339(entry.updated),
        "categories": list(entry.categories),
        "summary": entry.summary,
        "content": entry.content_html,
        "image": entry.image,
        "enclosures": [asdict(enclosure) for enclosure in entry.enclosures],
        "language": entry.language,
    }


def entry_json(entry: StoredEntry) -> dict[str, Any]:
    return {
        "id": entry.uid,
        "source": entry.source_name,
        **entry_fields(entry),
        "first_seen": rfc3339(entry.first_seen),
    }


@click.command("entries")
@click.option("--source", "-s", "names", multiple=True, metavar="NAME", help="Only entries of this source.")
@click.option(
    "--category", "-C", metavar="NAME", help="Only entries of this category (or one of its aliases)."
)
@click.option("--limit", "-n", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of objects, for scripts.")
@pass_state
def entries(state: CliState, names: tuple[str, ...], category: str | None, limit: int, as_json: bool) -> None:
    """List stored entries, newest first."""
    app = state.open()
    try:
        check_source_names(app, names)
        if category is not None:
            aliases = app.config.category_aliases
            category = canonical_category(category, aliases)
        found = app.store.newest_entries(sources=list(names) or None, category=category, limit=limit)
    finally:
        app.close()
    if as_json:
        click.echo(json.dumps([entry_json(e) for e in found], ensure_ascii=False, indent=2))
        return
    table = Table()
    for column in ("published", "source", "title", "categories", "link"):
        table.add_column(column, overflow="fold")
    for entry in found:
        table.add_row(
            entry.published.strftime("%Y-%m-%d %H:%MZ"),
            entry.source_name,
            entry.title,
            ", ".join(entry.categories),
            entry.link or "-",
        )
    console().print(table)


COMMANDS = [fetch, entries]
