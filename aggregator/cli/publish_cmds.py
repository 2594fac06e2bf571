"""``aggregator publish``, ``serve``, ``export-opml`` and ``import-opml``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
import uvicorn
from rich.table import Table

from aggregator.cli.common import CliState, console, pass_state
from aggregator.cli.fetch_cmds import check_publish_names
from aggregator.opml_import import append_sources, sources_from_opml, sources_yaml
from aggregator.publish.opml import OpmlOutline, render_opml
from aggregator.publish.publisher import Publisher, PublishResult
from aggregator.publish.websub import ping_hub
from aggregator.web import create_app


def print_publish_results(results: list[PublishResult]) -> None:
    table = Table()
    for column in ("feed", "format", "entries", "status", "path"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(
            r.name,
            r.format,
            str(r.entries),
            "[green]changed[/green]" if r.changed else "unchanged",
            str(r.path),
        )
    console().print(table)


@click.command("publish")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Render even feeds whose entries did not change.")
@pass_state
def publish(state: CliState, names: tuple[str, ...], force: bool) -> None:
    """Render all (or the NAMES) published feeds once into output_dir and print what changed."""
    app = state.open()
    try:
        check_publish_names(app, names)
        results = Publisher(app.config, app.store, clock=app.clock).publish(list(names) or None, force=force)
        hub = app.config.websub.hub
        if hub:
            asyncio.run(ping_hub(hub, [r.url for r in results if r.changed]))
    finally:
        app.close()
    print_publish_results(results)
    changed = sum(1 for r in results if r.changed)
    console().print(f"{len(results)} files: {changed} changed, {len(results) - changed} unchanged")


@click.command("serve")
@click.option("--host", help="Listen address [default: server.host].")
@click.option("--port", type=int, help="Listen port [default: server.port].")
@pass_state
def serve(state: CliState, host: str | None, port: int | None) -> None:
    """Serve the published feeds over HTTP (without polling; `aggregator run` does both)."""
    app = state.open()
    try:
        web = create_app(app.config, app.store, clock=app.clock)
        uvicorn.run(
            web,
            host=host or app.config.server.host,
            port=port if port is not None else app.config.server.port,
            log_config=None,
            access_log=False,
        )
    finally:
        app.close()


@click.command("export-opml")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@pass_state
def export_opml(state: CliState, output: Path | None) -> None:
    """Print the configured HTTP sources as OPML (for importing into a feed reader)."""
    config = state.load().config
    outlines = [
        OpmlOutline(
            title=s.title or s.name,
            xml_url=s.url,
            category=", ".join(s.categories) or None,
        )
        for s in config.sources
        if s.url is not None
    ]
    data = render_opml("aggregator sources", outlines)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(outlines)} sources)", err=True)


@click.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--append", "append_", is_flag=True, help="Append the new sources to the configuration file.")
@pass_state
def import_opml(state: CliState, file: Path, append_: bool) -> None:
    """Read sources from an OPML file (exported by a feed reader).

    Prints the YAML to add under `sources:`; with --append, inserts it into the configuration file in place
    (comments and formatting untouched), after checking that the result is valid.
    """
    loaded = state.load()
    try:
        found = sources_from_opml(file.read_bytes(), loaded.config)
    except ValueError as e:
        raise click.ClickException(f"{file}: {e}") from None
    for url, why in found.skipped:
        click.echo(f"skipped {url}: {why}", err=True)
    others = f"{found.configured} already configured, {len(found.skipped)} skipped"
    if not found.new:
        click.echo(f"nothing to import: {others}", err=True)
        return
    if not append_:
        click.echo(sources_yaml(found.new), nl=False)
        click.echo(
            f"# {len(found.new)} new sources ({others}); add them under 'sources:' or rerun with --append",
            err=True,
        )
        return
    append_sources(loaded.path, found.new)
    click.echo(f"added {len(found.new)} sources to {loaded.path} ({others})", err=True)


COMMANDS = [publish, serve, export_opml, import_opml]
