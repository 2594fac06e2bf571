"""``aggregator preview``: read a feed once, as a source, and show its entries without storing them."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.table import Table

from aggregator.cli.common import EXIT_SOME_FAILED, CliState, console, err_console, pass_state
from aggregator.cli.fetch_cmds import entry_fields
from aggregator.clock import utc_now
from aggregator.config import Config, SourceConfig
from aggregator.errors import AggregatorError, ConfigError
from aggregator.preview import Preview, preview_source


def _config(state: CliState) -> Config:
    """The configuration's defaults, aliases and HTTP settings when there is a file; built-in ones if not."""
    if not Path(state.config_path).exists():
        return Config()
    try:
        return state.load().config
    except ConfigError as e:
        raise click.UsageError(f"{state.config_path} is not valid, fix it or pass --config:\n{e}") from None


def _source(location: str, options: dict[str, Any]) -> SourceConfig:
    where = {"url": location} if location.startswith(("http://", "https://")) else {"path": location}
    fields = {"name": "preview", **where, **{k: v for k, v in options.items() if v not in (None, False)}}
    try:
        source = SourceConfig.model_validate(fields)
    except ValidationError as e:
        reasons = "; ".join(str(error["msg"]) for error in e.errors())
        raise click.UsageError(f"cannot read {location!r} as a source: {reasons}") from None
    if source.path is not None:
        path = Path(source.path).resolve()
        if not path.exists():
            raise click.UsageError(
                f"{location}: no such file or folder (a feed URL starts with http:// or https://)"
            )
        source = source.model_copy(update={"path": path})
    return source


def _print(preview: Preview, limit: int) -> None:
    processed = preview.processed
    read = [f"HTTP {preview.http_status}"] if preview.http_status else []
    read += [f"{preview.bytes:,} bytes"] if preview.bytes else []
    read += [processed.format or "unknown format", f"{processed.seen} entries"]
    out = console()
    out.print(
        f"{preview.location}: {', '.join(read)}"
        + (f", {processed.filtered} filtered out" if processed.filtered else "")
        + (f"; title {processed.title!r}" if processed.title else ""),
        soft_wrap=True,
    )
    if preview.moved_to:
        out.print(f"moved permanently to {preview.moved_to}: configure that URL")
    for warning in processed.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}")
    table = Table()
    for column in ("published (UTC)", "title", "categories", "author", "media", "link"):
        table.add_column(column, overflow="fold")
    for entry in processed.entries[:limit]:
        media = [f"image {entry.image}"] if entry.image else []
        media += [f"{e.type or 'file'} {e.url}" for e in entry.enclosures]
        table.add_row(
            entry.published.strftime("%Y-%m-%d %H:%M"),
            entry.title,
            ", ".join(entry.categories),
            entry.author or "-",
            "\n".join(media) or "-",
            entry.link or "-",
        )
    out.print(table)
    if len(processed.entries) > limit:
        out.print(f"... and {len(processed.entries) - limit} more (--limit)")


@click.command("preview")
@click.argument("location")
@click.option("--timezone", metavar="ZONE", help="Zone of naive dates [default: the configuration's].")
@click.option("--encoding", metavar="CHARSET", help="Decode as this charset, whatever the document says.")
@click.option("--language", metavar="CODE", help="Language of the entries, when the feed does not say.")
@click.option("--discover", is_flag=True, help="When the URL is an HTML page, follow its feed link.")
@click.option("--limit", "-n", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, for scripts.")
@pass_state
def preview(
    state: CliState,
    location: str,
    limit: int,
    as_json: bool,
    timezone: str | None,
    encoding: str | None,
    language: str | None,
    discover: bool,
) -> None:
    """Read a feed URL, file or folder once, as a source would be, and print its entries (stores nothing).

    Uses the configuration's defaults (timezone, user agent, timeouts) and category aliases when there is
    one: what you see is what `aggregator fetch` would store for it.
    """
    config = _config(state)
    options = {"timezone": timezone, "encoding": encoding, "language": language, "discover": discover}
    source = _source(location, options)
    try:
        result = asyncio.run(preview_source(config, source, utc_now()))
    except AggregatorError as e:
        err_console().print(f"error: {source.url or source.path}: {e}", soft_wrap=True, markup=False)
        sys.exit(EXIT_SOME_FAILED)
    if as_json:
        processed = result.processed
        document = {
            "location": result.location,
            "http_status": result.http_status,
            "bytes": result.bytes,
            "moved_to": result.moved_to,
            "format": processed.format,
            "title": processed.title,
            "link": processed.link,
            "entries": [entry_fields(e) for e in processed.entries[:limit]],
            "filtered": processed.filtered,
            "warnings": list(processed.warnings),
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print(result, limit)


COMMANDS = [preview]
