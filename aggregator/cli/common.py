"""What every command shares: global options, opening the app, printing errors and tables."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from rich.console import Console

if TYPE_CHECKING:
    from aggregator.app import App
    from aggregator.config import LoadedConfig

# The configuration schema, the store and SQLAlchemy are imported when a command first needs them (about
# 0.4 s): ``aggregator --version`` and ``--help`` need none of them.

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2

log = logging.getLogger("aggregator.cli")


@dataclass
class CliState:
    config_option: str | None
    verbose: bool

    @property
    def config_path(self) -> str:
        from aggregator.config import config_path_from

        return str(config_path_from(self.config_option))

    def load(self) -> LoadedConfig:
        from aggregator.config import load_config

        return load_config(self.config_path)

    def open(self, *, migrate: bool = True) -> App:
        from aggregator.app import open_app

        return open_app(self.config_path, migrate=migrate)


pass_state = click.make_pass_decorator(CliState)


def console() -> Console:
    # Piped output (scripts, logs, CI) is not cut at 80 columns: tables keep full URLs and messages.
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 220)


def err_console() -> Console:
    return Console(stderr=True)


def when(value: datetime | None, now: datetime | None = None) -> str:
    """A short local-independent rendering of a UTC time, with a relative hint."""
    if value is None:
        return "-"
    now = now or datetime.now(UTC)
    delta = (value - now).total_seconds()
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return f"{text} ({_relative(delta)})"


def _relative(seconds: float) -> str:
    future = seconds > 0
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            amount = f"{int(seconds // size)}{unit}"
            break
    else:
        amount = f"{int(seconds)}s"
    return f"in {amount}" if future else f"{amount} ago"
