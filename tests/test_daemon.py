"""The daemon as users run it: ``aggregator run`` in a real subprocess, sources on 127.0.0.1, real signals.

Timing-dependent steps wait for a condition with a deadline (never assert on durations): the daemon polls
every second in these tests (``scheduler.tick: 1s``, ``min_interval: 1s``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlalchemy import make_url

from tests.conftest import POSTGRES_ENV, REPO_DIR, postgres_schema_url
from tests.support.feedserver import FeedServer
from tests.support.tcpproxy import TcpProxy

DEADLINE_SECONDS = 30
COUNT_PER_SOURCE = (
    "SELECT s.name, count(t.id) FROM sources s LEFT JOIN {table} t ON t.source_id = s.id GROUP BY s.name"
)


def rss(*items: tuple[str, str]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://portal.example/{guid}</link>"
        f"<pubDate>Wed, 20 Mar 2024 10:00:00 GMT</pubDate><description>{title}</description></item>"
        for guid, title in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Portal</title>'
        f"<link>https://portal.example/</link><description>d</description>{body}</channel></rss>"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE_SECONDS) -> object:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (httpx.HTTPError, OSError, sqlite3.Error):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class Daemon:
    """``aggregator run`` on a config in ``folder``, its log in ``folder/daemon.log``."""

    def __init__(
        self, folder: Path, sources: str, port: int, database: str = "sqlite:///data/agg.db"
    ) -> None:
        self.folder = folder
        self.port = port
        self.database = database
        self.base = f"http://127.0.0.1:{port}/"
        self.config = folder / "aggregator.yaml"
        self.write_config(sources)
        self.log_path = folder / "daemon.log"
        self.process: subprocess.Popen[bytes] | None = None

    def write_config(self, sources: str, extra: str = "") -> None:
        text = textwrap.dedent(
            f"""
            database: "{self.database}"
            output_dir: feeds
            scheduler: {{tick: 1s, min_interval: 1s, shutdown_timeout: 5s}}
            defaults: {{interval: 1s, timeout: 5s}}
            server: {{host: 127.0.0.1, port: {self.port}}}
            categories:
              新闻: [News]
            publish:
              - name: all
                title: Everything
                limit: 100
            """
        )
        self.config.write_text(text + textwrap.dedent(sources) + extra, encoding="utf-8")

    def start(self, *, wait_ready: bool = True) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aggregator", "--config", str(self.config), "run"],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if k != "AGGREGATOR_DATABASE_URL"},
        )
        log.close()
        if wait_ready:  # ready: the database answers and a first refresh cycle has ended
            wait_for(self.ready, "the daemon to become ready")
        else:
            wait_for(
                lambda: httpx.get(self.base + "healthz", timeout=2).status_code == 200, "the daemon to start"
            )

    def ready(self) -> bool:
        return httpx.get(self.base + "readyz", timeout=2).status_code == 200

    def titles(self) -> list[str]:
        response = httpx.get(self.base + "feeds/all.atom", timeout=5)
        return [e.title for e in feedparser.parse(response.content).entries]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, sig: int) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=DEADLINE_SECONDS)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.folder / "data" / "agg.db")


@pytest.fixture
def daemon(tmp_path: Path, feed_server: FeedServer) -> Iterator[Daemon]:
    feed_server.route("/a.xml", rss(("a1", "First story")))
    sources = f"""
    sources:
      - name: portal-a
        url: {feed_server.url("/a.xml")}
        categories: [News]
    """
    d = Daemon(tmp_path, sources, free_port())
    yield d
    d.stop()


def test_daemon_end_to_end(daemon: Daemon, feed_server: FeedServer) -> None:
    daemon.start()
    wait_for(lambda: "First story" in daemon.titles(), "the first entry to be published")

    # A new entry in a served feed shows up in the published feed, without restarting.
    feed_server.route("/a.xml", rss(("a2", "Second story"), ("a1", "First story")))
    wait_for(lambda: "Second story" in daemon.titles(), "the new entry to be published")

    # Editing the configuration picks up a new source.
    feed_server.route("/b.xml", rss(("b1", "来自新来源的文章")))
    daemon.write_config(
        f"""
        sources:
          - {{name: portal-a, url: "{feed_server.url("/a.xml")}", categories: [News]}}
          - {{name: portal-b, url: "{feed_server.url("/b.xml")}"}}
        """
    )
    wait_for(lambda: "来自新来源的文章" in daemon.titles(), "the new source's entry")

    # An invalid configuration is refused with file:line; the daemon keeps running on the old one.
    daemon.config.write_text(
        daemon.config.read_text(encoding="utf-8") + "  - name: broken\n    interval: soon\n"
    )
    wait_for(lambda: "configuration not reloaded" in daemon.log(), "the reload to be refused")
    assert f"{daemon.config}:" in daemon.log() and "is not a duration" in daemon.log()
    feed_server.route("/b.xml", rss(("b2", "Still polling"), ("b1", "来自新来源的文章")))
    wait_for(lambda: "Still polling" in daemon.titles(), "polling to go on with the old configuration")
    assert daemon.ready()

    # Observability while it runs.
    metrics = httpx.get(daemon.base + "metrics", timeout=5).text
    assert 'aggregator_fetches_total{kind="",status="ok"}' in metrics
    assert "aggregator_sources_failing 0.0" in metrics
    assert 'aggregator_http_requests_total{route="/feeds/{filename}",status="200"}' in metrics
    assert "aggregator_publish_duration_seconds_count" in metrics
    ready = httpx.get(daemon.base + "readyz", timeout=5).json()
    assert ready == {"ready": True, "checks": {"database": "ok", "scheduler": "ok", "refresh": "ok"}}
    assert "source=portal-a status=" in daemon.log() and " ms=" in daemon.log()

    # SIGTERM: exit 0, nothing lost.
    assert daemon.signal(signal.SIGTERM) == 0
    assert "stopped" in daemon.log()
    with daemon.db() as db:
        titles = {row[0] for row in db.execute("SELECT title FROM entries")}
        claims = db.execute("SELECT count(*) FROM sources WHERE claimed_by IS NOT NULL").fetchone()[0]
    assert titles == {"First story", "Second story", "来自新来源的文章", "Still polling"}
    assert claims == 0


def test_metrics_report_what_is_stored_before_any_source_is_due(
    daemon: Daemon, feed_server: FeedServer
) -> None:
    """A restarted daemon whose sources are not due yet still reports its sources and entries."""
    daemon.write_config(
        f"""
        sources:
          - {{name: portal-a, url: "{feed_server.url("/a.xml")}", interval: 1h, categories: [News]}}
        """
    )
    daemon.start()
    wait_for(lambda: "First story" in daemon.titles(), "the first entry to be published")
    assert daemon.signal(signal.SIGTERM) == 0
    daemon.start()  # its one source is due in an hour
    assert "status=ok" not in daemon.log().rpartition("running:")[2]  # nothing fetched since the restart
    metrics = httpx.get(daemon.base + "metrics", timeout=5).text
    assert "aggregator_sources 1.0" in metrics
    assert "aggregator_entries_stored 1.0" in metrics


def test_status_command_reports_sources_and_feeds(daemon: Daemon) -> None:
    daemon.start()
    wait_for(lambda: "First story" in daemon.titles(), "the first entry")
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "--config", str(daemon.config), "status", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    status = json.loads(result.stdout)
    assert status["daemon"].startswith("running and ready")
    [source] = status["sources"]
    assert (source["name"], source["entries_24h"], source["consecutive_errors"]) == ("portal-a", 1, 0)
    assert {(p["name"], p["format"]) for p in status["published"]} == {
        ("all", "rss"),
        ("all", "atom"),
        ("all", "json"),
    }
    daemon.signal(signal.SIGTERM)
    stopped = subprocess.run(
        [sys.executable, "-m", "aggregator", "--config", str(daemon.config), "status"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "daemon: not answering" in stopped.stdout
    assert "portal-a" in stopped.stdout


def test_sigkill_during_refresh_leaves_a_consistent_database(tmp_path: Path, feed_server: FeedServer) -> None:
    # Several sources, one of which answers slowly: the daemon is killed while refreshing.
    names = [f"s{i}" for i in range(6)]
    for i, name in enumerate(names):
        items = [(f"{name}-{k}", f"{name} story {k}") for k in range(20)]
        feed_server.route(f"/{name}.xml", rss(*items), delay=2.5 if i == 0 else 0.0)
    sources = "sources:\n" + "".join(
        f"  - {{name: {n}, url: '{feed_server.url(f'/{n}.xml')}'}}\n" for n in names
    )
    daemon = Daemon(tmp_path, sources, free_port())
    try:
        daemon.start(wait_ready=False)
        wait_for(lambda: feed_server.requests_for("/s0.xml"), "the slow source to be requested")
        assert daemon.signal(signal.SIGKILL) == -signal.SIGKILL

        with daemon.db() as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
            orphans = db.execute(
                "SELECT count(*) FROM entry_categories WHERE entry_id NOT IN (SELECT id FROM entries)"
            ).fetchone()[0]
            assert orphans == 0
            # Each source is all or nothing: a refresh is one transaction.
            per_source = dict(db.execute(COUNT_PER_SOURCE.format(table="entries")).fetchall())
            assert set(per_source.values()) <= {0, 20}
            logged = dict(db.execute(COUNT_PER_SOURCE.format(table="fetch_log")).fetchall())
            assert all((per_source[n] == 20) == (logged[n] > 0) for n in names)

        # The next run completes the work (the dead process's claims are taken back at once).
        daemon.start()

        def all_stored() -> bool:
            with daemon.db() as db:
                return bool(db.execute("SELECT count(*) FROM entries").fetchone()[0] == 120)

        wait_for(all_stored, "every source to be refreshed after the restart")
        assert (
            "released 1 sources claimed by a process that is gone" in daemon.log()
            or "released" in daemon.log()
        )
        assert daemon.signal(signal.SIGTERM) == 0
    finally:
        daemon.stop()


def test_systemd_unit_is_valid() -> None:
    unit = REPO_DIR / "deploy" / "aggregator.service"
    text = unit.read_text(encoding="utf-8")
    assert "Restart=on-failure" in text
    assert "\nUser=aggregator\n" in text
    assert "ExecStart=" in text and " run" in text
    assert "ExecReload=/bin/kill -HUP $MAINPID" in text
    analyze = "/usr/bin/systemd-analyze"
    if not Path(analyze).exists():
        pytest.skip("systemd-analyze is not installed here; the unit's keys were checked above")
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [
        line for line in result.stderr.splitlines() if "aggregator.service" in line and "Failed" in line
    ]
    assert problems == [], result.stderr


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        daemon = Daemon(tmp_path, "sources: []\n", port)
        result = subprocess.run(
            [sys.executable, "-m", "aggregator", "--config", str(daemon.config), "run"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def proxied_postgres() -> Iterator[tuple[str, TcpProxy]]:
    """A fresh PostgreSQL schema reached through a proxy the test can cut: the database going away."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"the database outage test needs PostgreSQL: {POSTGRES_ENV} (set by .ci/run)")
    for url in postgres_schema_url(base):
        parsed = make_url(url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        try:
            yield parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
        finally:
            proxy.close()


def test_a_database_outage_is_told_once_and_survived(
    tmp_path: Path, feed_server: FeedServer, proxied_postgres: tuple[str, TcpProxy]
) -> None:
    url, proxy = proxied_postgres
    feed_server.route("/a.xml", rss(("a1", "First story")))
    daemon = Daemon(
        tmp_path, f"sources:\n  - {{name: portal-a, url: '{feed_server.url('/a.xml')}'}}\n", free_port(), url
    )
    try:
        daemon.start()
        wait_for(lambda: "First story" in daemon.titles(), "the first entry to be published")

        proxy.cut()
        feed_server.route("/a.xml", rss(("a2", "Written during the outage"), ("a1", "First story")))

        def failed_cycles() -> float:
            metrics = httpx.get(daemon.base + "metrics", timeout=5).text
            match = re.search(r'^aggregator_refresh_cycles_total\{result="failed"\} (\S+)$', metrics, re.M)
            return float(match.group(1)) if match else 0.0

        wait_for(lambda: failed_cycles() >= 5, "five refresh cycles to fail")
        ready = httpx.get(daemon.base + "readyz", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["checks"]["refresh"].startswith("failing for ")
        assert "First story" in daemon.titles()  # the published files are still served
        told = [line for line in daemon.log().splitlines() if "ERROR" in line and "refresh cycle" in line]
        # Told when it started (and again if the reason changed, e.g. from a dropped connection to a
        # refused one), not at every tick.
        assert 1 <= len(told) <= 2 < failed_cycles(), told
        assert "refresh cycle failed: database error" in told[0]

        proxy.restore()
        wait_for(lambda: "Written during the outage" in daemon.titles(), "the refresh to resume")
        wait_for(daemon.ready, "the daemon to be ready again")
        assert re.search(
            r"INFO .*refresh cycle works again after \S+ of failures \(\d+ attempts", daemon.log()
        )
        assert daemon.signal(signal.SIGTERM) == 0
    finally:
        daemon.stop()
