"""Commands about the configuration file: ``init``, ``check-config``, ``config-schema``."""

from __future__ import annotations

import json
import shutil
from importlib.resources import as_file, files
from pathlib import Path

import click
from rich.table import Table

from aggregator.app import open_store
from aggregator.cli.common import CliState, console, pass_state
from aggregator.config import LoadedConfig, config_json_schema, load_config
from aggregator.filters import describe
from aggregator.store import redact
from aggregator.store.sources import configured_location, source_kind
from aggregator.units import format_duration


@click.command("check-config")
@pass_state
def check_config(state: CliState) -> None:
    """Validate the configuration and print a short summary (exit 0 if valid, 2 if not)."""
    loaded = state.load()
    print_summary(loaded)


def print_summary(loaded: LoadedConfig) -> None:
    config = loaded.config
    out = console()
    out.print(f"[green]{loaded.path}: valid[/green]")
    out.print(f"  database:   {redact(config.database or '')}")
    out.print(f"  output_dir: {config.output_dir}")
    out.print(
        f"  server:     {config.public_base_url} (listening on {config.server.host}:{config.server.port})"
    )

    enabled = sum(1 for s in config.sources if s.enabled)
    table = Table(title=f"Sources: {len(config.sources)} ({enabled} enabled)", title_justify="left")
    for column in ("name", "kind", "location", "interval", "categories", "enabled"):
        table.add_column(column)
    for s in config.sources:
        interval = format_duration(s.interval or config.defaults.interval)
        table.add_row(
            s.name,
            source_kind(s).value,
            configured_location(s),
            interval,
            ", ".join(s.categories) or "-",
            "yes" if s.enabled else "no",
        )
    out.print(table)

    aliases = sum(len(c.aliases) for c in config.categories.values())
    table = Table(title=f"Categories: {len(config.categories)} ({aliases} aliases)", title_justify="left")
    table.add_column("name")
    table.add_column("aliases")
    for name, category in config.categories.items():
        table.add_row(name, ", ".join(category.aliases) or "-")
    out.print(table)

    table = Table(title=f"Published feeds: {len(config.publish)}", title_justify="left")
    for column in ("name", "title", "formats", "limit", "filter"):
        table.add_column(column)
    for feed in config.publish:
        table.add_row(
            feed.name,
            feed.title,
            ", ".join(feed.formats),
            str(feed.limit),
            describe(feed.filter) if feed.filter else "(every entry)",
        )
    out.print(table)


@click.command("config-schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
def config_schema(output: Path | None) -> None:
    """Print the JSON Schema of the configuration file (for editor completion and checking)."""
    text = json.dumps(config_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing starter files.")
def init(directory: Path, force: bool) -> None:
    """Write a starter configuration (with a sample article folder) and its database in DIRECTORY."""
    starter = files("aggregator").joinpath("starter")
    with as_file(starter) as source_dir:
        targets = [p for p in Path(source_dir).rglob("*") if p.is_file()]
        existing = [
            directory / p.relative_to(source_dir)
            for p in targets
            if (directory / p.relative_to(source_dir)).exists()
        ]
        if existing and not force:
            names = ", ".join(str(p) for p in existing)
            raise click.ClickException(f"{names} already exist; use --force to overwrite")
        for path in targets:
            target = directory / path.relative_to(source_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    config_file = directory / "aggregator.yaml"
    loaded = load_config(config_file)
    open_store(loaded).dispose()
    click.echo(f"wrote {config_file} and created the database {redact(loaded.config.database or '')}")
    click.echo(f"next: aggregator --config {config_file} check-config")


COMMANDS = [init, check_config, config_schema]
