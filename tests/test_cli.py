"""The command line, run as a user would: exit codes and messages (no tracebacks without --verbose)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from aggregator import __version__
from tests.conftest import DATA_DIR, REPO_DIR
from tests.support.feedserver import FeedServer

EXAMPLE = REPO_DIR / "config" / "aggregator.yaml"


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("AGGREGATOR_DATABASE_URL", None) if env is None else None
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO_DIR,
        env=full_env,
        timeout=120,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_help_lists_every_command_and_fetch_loads_only_its_own() -> None:
    result = run("--help")
    assert result.returncode == 0, result.stderr
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    defined = set()
    modules = (
        "config_cmds",
        "db_cmds",
        "source_cmds",
        "fetch_cmds",
        "preview_cmds",
        "publish_cmds",
        "daemon_cmds",
    )
    for module in modules:
        code = f"import aggregator.cli.{module} as m; print(' '.join(c.name for c in m.COMMANDS))"
        names = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        defined |= set(names.stdout.split())
    assert listed == defined
    # Commands are imported on demand: running fetch must not load the web server or the scheduler.
    code = (
        "import sys, click; from aggregator.cli import cli; "
        "cli.get_command(click.Context(cli), 'fetch'); "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'apscheduler', 'feedgen') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_help_summaries_are_the_commands_own_and_load_no_command() -> None:
    """``--help`` lists commands from a table, not from the modules: the table must say what they say."""
    code = (
        "import sys, click; "
        "from aggregator.cli import cli, _COMMANDS; ctx = click.Context(cli); "
        "print(sorted(m for m in ('aggregator.app', 'sqlalchemy', 'pydantic') if m in sys.modules)); "
        "print(all(click.Command(name, help=summary).get_short_help_str(limit)"
        " == cli.get_command(ctx, name).get_short_help_str(limit)"
        " for name, (_, summary) in _COMMANDS.items() for limit in (30, 45, 60, 80, 200)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded_by_import, summaries_match = result.stdout.splitlines()
    assert loaded_by_import == "[]"  # --version and --help need neither the store nor the schema
    assert summaries_match == "True"


def test_check_config_on_example(tmp_path: Path) -> None:
    result = run("--config", str(EXAMPLE), "check-config")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    assert "Sources: 12" in result.stdout
    assert "Published feeds: 4" in result.stdout
    assert "category=新闻" in result.stdout


def test_check_config_default_path_and_env(tmp_path: Path) -> None:
    # Default: config/aggregator.yaml relative to the working directory.
    assert run("check-config").returncode == 0
    # AGGREGATOR_CONFIG overrides the default; a missing file is exit 2 with one line.
    result = run("check-config", env={"AGGREGATOR_CONFIG": str(tmp_path / "missing.yaml")})
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'missing.yaml'}: file not found " + (
        "(create one with 'aggregator init DIR', or pass --config FILE)"
    )


def test_check_config_bad_input_exit_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - name: a\n    url: https://e.com/f\n    interval: 15 minutes\n", encoding="utf-8"
    )
    result = run("--config", str(bad), "check-config")
    assert result.returncode == 2
    assert (
        result.stderr
        == f"error: {bad}:4:15: sources[0].interval: '15 minutes' is not a duration (use 15m, 2h, 1d)\n"
    )
    assert "Traceback" not in result.stderr
    verbose = run("--verbose", "--config", str(bad), "check-config")
    assert "Traceback" in verbose.stderr


def test_database_that_cannot_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    config = tmp_path / "c.yaml"
    config.write_text(f"sources: []\ndatabase: sqlite:///{blocker}/sub/db.sqlite\n", encoding="utf-8")
    result = run("--config", str(config), "db", "upgrade")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {config}:2:11: database: ")
    assert "Traceback" not in result.stderr

    config.write_text(
        "database: postgresql+psycopg://nobody@127.0.0.1:1/x?connect_timeout=2\n", encoding="utf-8"
    )
    result = run("--config", str(config), "sources")
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {config}:1:11: database: cannot open database")


def test_init_then_db_upgrade_then_sources(tmp_path: Path) -> None:
    target = tmp_path / "site"
    result = run("init", str(target))
    assert result.returncode == 0, result.stderr
    config = target / "aggregator.yaml"
    assert config.exists()
    assert (target / "articles" / "welcome.md").exists()
    assert (target / "data" / "aggregator.db").exists()
    assert run("init", str(target)).returncode != 0  # never overwrites silently

    result = run("--config", str(config), "db", "upgrade")
    assert result.returncode == 0
    assert "already at" in result.stdout
    result = run("--config", str(config), "sources")
    assert result.returncode == 0
    assert "articles" in result.stdout


def test_config_schema_is_a_json_schema(tmp_path: Path) -> None:
    import jsonschema
    import yaml

    result = run("config-schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    jsonschema.validate(example, schema)
    bad = {**example, "sources": [{"name": "x", "url": "https://e.com", "bogus": 1}]}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def _rows(output: str) -> set[str]:
    """Source names listed in the table of ``aggregator fetch``."""
    return {name for name in ("cn", "hardware", "missing") if f" {name} " in output}


def test_fetch_lists_sources_with_news_or_problems_and_counts_all(tmp_path: Path) -> None:
    feeds = REPO_DIR / "config" / "samples" / "feeds"
    shutil.copy(feeds / "tech-portal-cn.xml", tmp_path / "cn.xml")
    shutil.copy(feeds / "open-hardware.atom", tmp_path / "hardware.atom")
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path}/db.sqlite\n"
        "sources:\n"
        "  - {name: cn, path: cn.xml, timezone: Asia/Shanghai}\n"
        "  - {name: hardware, path: hardware.atom}\n"
        "  - {name: missing, path: missing.xml}\n",
        encoding="utf-8",
    )
    first = run("--config", str(config), "fetch")
    assert first.returncode == 1, first.stderr  # one source failed
    assert _rows(first.stdout) == {"cn", "hardware", "missing"}
    assert "3 sources: 5 new, 0 updated, 1 failed, 0 unchanged" in first.stdout

    again = run("--config", str(config), "fetch")
    assert again.returncode == 1
    assert _rows(again.stdout) == {"missing"}  # nothing new elsewhere: counted, not listed
    assert "3 sources: 0 new, 0 updated, 1 failed, 2 unchanged" in again.stdout
    assert _rows(run("--config", str(config), "fetch", "--all").stdout) == {"cn", "hardware", "missing"}
    named = run("--config", str(config), "fetch", "--source", "hardware")
    assert (named.returncode, _rows(named.stdout)) == (0, {"hardware"})
    assert "1 sources: 0 new, 0 updated, 0 failed, 1 unchanged" in named.stdout
    both = run("--config", str(config), "fetch", "cn", "--source", "hardware", "-s", "cn")
    assert (both.returncode, _rows(both.stdout)) == (0, {"cn", "hardware"})  # as arguments or options
    assert "2 sources: 0 new, 0 updated, 0 failed, 2 unchanged" in both.stdout
    unknown = run("--config", str(config), "fetch", "hardwar")
    assert unknown.returncode == 2 and "no source named 'hardwar'" in unknown.stderr
    assert "did you mean 'hardware'?" in unknown.stderr


def test_run_once_applies_retention_as_the_daemon_does(tmp_path: Path) -> None:
    """Cron runs `run --once`: without retention there, its database would grow without bound."""
    shutil.copy(REPO_DIR / "config" / "samples" / "feeds" / "tech-portal-cn.xml", tmp_path / "cn.xml")
    database = tmp_path / "db.sqlite"
    config = tmp_path / "aggregator.yaml"
    config.write_text(
        f"database: sqlite:///{database}\n"
        "output_dir: feeds\n"
        "retention: {max_entries_per_source: 1, fetch_log: 1d}\n"
        "sources:\n  - {name: cn, path: cn.xml, timezone: Asia/Shanghai}\n"
        "publish:\n  - {name: all, title: All}\n",
        encoding="utf-8",
    )
    first = run("--config", str(config), "run", "--once")
    assert first.returncode == 0, first.stderr
    assert "retention: pruned 2 entries, 0 rows of the fetch log" in first.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*), (SELECT count(*) FROM tombstones) FROM entries").fetchone() == (
            1,
            2,
        )
        assert db.execute("SELECT count(*) FROM fetch_log").fetchone() == (1,)
        db.execute("UPDATE fetch_log SET started_at = '2020-01-01 00:00:00.000000'")  # two days ago, and more
    assert (tmp_path / "feeds" / "all.rss").read_text(encoding="utf-8").count("<item>") == 1

    second = run("--config", str(config), "run", "--once")  # nothing due: only retention
    assert second.returncode == 0, second.stderr
    assert "retention: pruned 0 entries, 1 rows of the fetch log" in second.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM fetch_log").fetchone() == (0,)


def test_preview_reads_a_source_without_storing_it(tmp_path: Path, feed_server: FeedServer) -> None:
    """What `fetch` would store for a URL, shown before it is configured: nothing is written."""
    feed_server.route("/podcast.xml", (DATA_DIR / "rss_podcast_enclosures.xml").read_bytes())
    config = tmp_path / "aggregator.yaml"
    config.write_text(f"database: sqlite:///{tmp_path}/db.sqlite\n", encoding="utf-8")
    url = feed_server.url("/podcast.xml")
    result = run("--config", str(config), "preview", url, "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["http_status"], shown["format"], shown["title"]) == (
        200,
        "rss20",
        "科技早知道 Tech Podcast",
    )
    episode = shown["entries"][0]
    assert episode["published"] == "2024-03-20T02:00:00Z"
    assert episode["enclosures"] == [
        {"url": "https://podcast.example.cn/audio/ep2.mp3", "type": "audio/mpeg", "length": 38749539}
    ]
    assert not (tmp_path / "db.sqlite").exists()

    table = run("--config", str(config), "preview", url, "--limit", "1")
    assert table.returncode == 0, table.stderr
    assert f"{url}: HTTP 200" in table.stdout and "2 entries" in table.stdout
    assert "第2期：芯片与大模型" in table.stdout and "Episode 1" not in table.stdout
    assert "and 1 more (--limit)" in table.stdout

    feed_server.route("/gone.xml", "", status=404)
    missing = run("--config", str(config), "preview", feed_server.url("/gone.xml"))
    assert missing.returncode == 1
    assert f"error: {feed_server.url('/gone.xml')}: HTTP 404" in missing.stderr


def test_preview_of_a_file_in_a_zone_without_a_configuration(tmp_path: Path) -> None:
    feed = REPO_DIR / "config" / "samples" / "feeds" / "tech-portal-cn.xml"
    absent = str(tmp_path / "none.yaml")
    utc = json.loads(run("--config", absent, "preview", str(feed), "--json").stdout)
    beijing = json.loads(
        run("--config", absent, "preview", str(feed), "--json", "--timezone", "Asia/Shanghai").stdout
    )
    assert utc["entries"][0]["published"] == "2024-03-20T14:05:00Z"  # its naive 14:05 read as UTC
    assert beijing["entries"][0]["published"] == "2024-03-20T06:05:00Z"
    bad = run("--config", absent, "preview", str(tmp_path / "nope.xml"))
    assert bad.returncode == 2 and "no such file or folder" in bad.stderr
