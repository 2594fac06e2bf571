"""``aggregator run`` (the daemon, or one pass with --once) and ``aggregator status``."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.error
import urllib.request
from datetime import timedelta

import click
from rich.table import Table

from aggregator.app import App, open_store
from aggregator.cli.common import EXIT_OK, EXIT_SOME_FAILED, CliState, console, log, pass_state, when
from aggregator.cli.source_cmds import health
from aggregator.daemon import run_daemon
from aggregator.models import FetchStatus
from aggregator.publish.publisher import Publisher
from aggregator.publish.websub import ping_hub
from aggregator.retention import apply_retention
from aggregator.update import Refresher


@click.command("run")
@click.option("--once", is_flag=True, help="Refresh the due sources and publish once, then exit (for cron).")
@pass_state
def run(state: CliState, once: bool) -> None:
    """Run the daemon: poll sources on schedule, republish feeds, serve HTTP. Stops cleanly on SIGTERM."""
    loaded = state.load()
    store = open_store(loaded)
    if not once:
        sys.exit(run_daemon(loaded, store))
    app = App(loaded=loaded, store=store)

    async def one_pass() -> bool:
        async with Refresher(app.config, app.store, clock=app.clock) as refresher:
            await refresher.sync_sources()
            results = await refresher.refresh(due_only=True)
        # Retention before publishing, as the daemon republishes after pruning: cron passes must not let
        # the database grow without bound.
        pruned = await asyncio.to_thread(apply_retention, app.config, app.store, app.clock())
        if pruned.entries or pruned.fetch_log:
            log.info(
                "retention: pruned %d entries, %d rows of the fetch log", pruned.entries, pruned.fetch_log
            )
        published = Publisher(app.config, app.store, clock=app.clock).publish()
        if app.config.websub.hub:
            await ping_hub(app.config.websub.hub, [r.url for r in published if r.changed])
        return any(r.status in (FetchStatus.ERROR, FetchStatus.GONE) for r in results)

    try:
        failed = asyncio.run(one_pass())
    finally:
        app.close()
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


def _daemon_state(app: App) -> str:
    server = app.config.server
    host = "127.0.0.1" if server.host in ("0.0.0.0", "::") else server.host
    try:
        with urllib.request.urlopen(f"http://{host}:{server.port}/readyz", timeout=2) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as answer:  # 503 when not ready: still our answer, with its checks
        status, body = answer.code, answer.read()
    except (OSError, ValueError):
        return f"not answering on {host}:{server.port} (stopped, or serving elsewhere)"
    try:
        checks = json.loads(body).get("checks", {})
    except (ValueError, AttributeError):
        return f"something else answers on {host}:{server.port}"
    if status == 200:
        return f"running and ready on {host}:{server.port}"
    problems = ", ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok")
    return f"running on {host}:{server.port}, not ready ({problems})"


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, for scripts.")
@pass_state
def status(state: CliState, as_json: bool) -> None:
    """What the database knows, whether the daemon runs or not: sources and published feeds."""
    app = state.open()
    try:
        now = app.clock()
        sources = {s.name: s for s in app.store.list_sources()}
        recent = app.store.recent_counts(now - timedelta(hours=24))
        published = app.store.published_states()
        total = app.store.count_entries()
        daemon = _daemon_state(app)
    finally:
        app.close()
    if as_json:
        payload = {
            "daemon": daemon,
            "entries": total,
            "sources": [
                {
                    "name": s.name,
                    "enabled": s.enabled,
                    "location": s.location,
                    "gone": s.gone,
                    "stale": s.stale_reason,
                    "consecutive_errors": s.consecutive_errors,
                    "last_error": s.last_error,
                    "last_success": s.last_success_at.isoformat() if s.last_success_at else None,
                    "next_check": s.next_check_at.isoformat() if s.next_check_at else None,
                    "entries_24h": recent.get(s.name, 0),
                }
                for s in sources.values()
            ],
            "published": [
                {
                    "name": p.name,
                    "format": p.format,
                    "entries": p.entry_count,
                    "changed": p.changed_at.isoformat(),
                    "etag": p.etag,
                }
                for p in published
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    out = console()
    out.print(f"daemon: {daemon}")
    out.print(f"entries stored: {total}")
    table = Table(title="Sources", title_justify="left")
    for column in ("name", "health", "error / note", "next check", "24h"):
        table.add_column(column, overflow="fold")
    for source in app.config.sources:
        row = sources.get(source.name)
        note = "-"
        if row is not None and row.consecutive_errors and row.last_error:
            note = row.last_error
        elif row is not None and row.stale_reason:
            note = row.stale_reason
        table.add_row(
            source.name,
            health(row, source.enabled),
            note,
            when(row.next_check_at, now) if row and source.enabled and not row.gone else "-",
            str(recent.get(source.name, 0)),
        )
    out.print(table)
    table = Table(title="Published feeds", title_justify="left")
    for column in ("feed", "format", "entries", "last change", "newest entry"):
        table.add_column(column)
    for p in published:
        table.add_row(
            p.name, p.format, str(p.entry_count), when(p.changed_at, now), when(p.newest_entry_at, now)
        )
    out.print(table)


COMMANDS = [run, status]
