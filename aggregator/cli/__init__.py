"""The ``aggregator`` command line: thin commands over the pipeline (no rules live here).

Exit status: 0 success, 1 some sources failed (fetch), 2 bad usage, configuration or database.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback

import click

from aggregator import __version__
from aggregator.cli.common import EXIT_USAGE, CliState, err_console
from aggregator.errors import AggregatorError
from aggregator.logsetup import setup_logging

#: Command name -> (the module defining it, its summary for ``--help``). Modules are imported only for the
#: command that runs, so ``aggregator fetch`` does not load the web server, the scheduler and feedgen (about
#: 20 MB and 0.3 s), and ``aggregator --help`` loads none of them (tests/test_cli.py checks the summaries
#: against the commands' own help).
_COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "config_cmds",
        "Write a starter configuration (with a sample article folder) and its database in DIRECTORY.",
    ),
    "check-config": (
        "config_cmds",
        "Validate the configuration and print a short summary (exit 0 if valid, 2 if not).",
    ),
    "config-schema": (
        "config_cmds",
        "Print the JSON Schema of the configuration file (for editor completion and checking).",
    ),
    "db": ("db_cmds", "Database schema commands."),
    "sources": (
        "source_cmds",
        "Show each configured source with its health: last success, last error, errors in a row, next check.",
    ),
    "fetch": ("fetch_cmds", "Fetch all (or the named) enabled sources once and store their entries."),
    "entries": ("fetch_cmds", "List stored entries, newest first."),
    "preview": (
        "preview_cmds",
        "Read a feed URL, file or folder once, as a source would be, and print its entries (stores nothing).",
    ),
    "publish": (
        "publish_cmds",
        "Render all (or the NAMES) published feeds once into output_dir and print what changed.",
    ),
    "serve": (
        "publish_cmds",
        "Serve the published feeds over HTTP (without polling; `aggregator run` does both).",
    ),
    "export-opml": (
        "publish_cmds",
        "Print the configured HTTP sources as OPML (for importing into a feed reader).",
    ),
    "import-opml": ("publish_cmds", "Read sources from an OPML file (exported by a feed reader)."),
    "run": ("daemon_cmds", "Run the daemon: poll sources on schedule, republish feeds, serve HTTP."),
    "status": (
        "daemon_cmds",
        "What the database knows, whether the daemon runs or not: sources and published feeds.",
    ),
}


class _LazyGroup(click.Group):
    """A group whose commands are imported when asked for (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module = importlib.import_module(f"aggregator.cli.{_COMMANDS[cmd_name][0]}")
        commands: list[click.Command] = module.COMMANDS
        return next(c for c in commands if c.name == cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help`` from the summaries, as click would write it from each command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # A stand-in command with the summary as its help shortens it exactly as the real one would.
        rows = [
            (name, click.Command(name, help=_COMMANDS[name][1]).get_short_help_str(limit)) for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--config",
    "-c",
    "config_option",
    metavar="FILE",
    help="Configuration file [default: $AGGREGATOR_CONFIG or config/aggregator.yaml].",
)
@click.option("--verbose", "-v", is_flag=True, help="Debug logging, and tracebacks on errors.")
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default=None,
    help="Log level [default: INFO, or DEBUG with --verbose].",
)
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", help="Log line format.")
@click.version_option(__version__, "--version", prog_name="aggregator")
@click.pass_context
def cli(
    ctx: click.Context, config_option: str | None, verbose: bool, log_level: str | None, log_format: str
) -> None:
    """Pull technology news feeds, normalize them into a database, republish filtered category feeds."""
    setup_logging(log_level or ("DEBUG" if verbose else "INFO"), log_format)
    ctx.obj = CliState(config_option=config_option, verbose=verbose)


def _look_like_python_m() -> None:
    """Let the process pool's workers skip rebuilding ``__main__``, as they do under ``python -m aggregator``.

    Started from the console script, ``__main__`` is that script, and multiprocessing makes every worker
    run it again (importing every command, the web server and the scheduler) before it can run
    ``process_document``. A ``__main__`` known as ``aggregator.__main__`` is skipped.
    """
    main_module = sys.modules.get("__main__")
    if main_module is not None and getattr(main_module, "__spec__", None) is None:
        main_module.__spec__ = importlib.util.find_spec("aggregator.__main__")


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps our errors to one clear line and exit status 2 (traceback with --verbose)."""
    _look_like_python_m()
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args or "--verbose" in args
    try:
        code = cli.main(args=args, prog_name="aggregator", standalone_mode=False)
    except click.exceptions.Abort:
        err_console().print("aborted")
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except AggregatorError as e:
        if verbose:
            traceback.print_exc()
        for line in str(e).splitlines() or ["error"]:
            click.echo(f"error: {line}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
