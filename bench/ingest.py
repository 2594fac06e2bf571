"""Ingestion: every pipeline on the same corpus and server, cold, warm (all 304) and incremental.

Each pipeline gets a fresh database per round. Rounds alternate the order of the pipelines, so machine
noise (another job, a CPU frequency change) spreads over all of them instead of penalizing one.

* ``aggregator fetch``: the command line, one process per phase; its time is the whole process (start-up,
  imports, migrations check, the run, the summary table), as a user or cron sees it.
* ``daemon refresh``: :class:`aggregator.update.Refresher` in one long-lived process, the daemon's tick.
* ``reader``: lemon24/reader's ``update_feeds`` in one long-lived process.
* ``baseline``: ``bench/baseline.py`` (httpx + lxml + nh3 + sqlite3) in one long-lived process.

Long-lived pipelines are timed inside their process (the call that polls every feed), the command line
from outside; memory is sampled from outside for both (see :mod:`bench.measure`).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from bench.corpus import CorpusFiles, feed_path
from bench.measure import MemoryPeak, MemorySampler

PHASES = ("cold", "warm", "incremental")
PIPELINES = ("aggregator fetch", "daemon refresh", "reader", "baseline")
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class PhaseResult:
    pipeline: str
    phase: str
    round: int
    seconds: float
    new: int
    feeds: int
    not_modified: int
    errors: int
    memory: MemoryPeak
    first_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class CorpusServer:
    """The corpus server in its own process (:mod:`bench.server`)."""

    def __init__(self, corpus: CorpusFiles) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.server", "--corpus", str(corpus.root)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("port="):
            self.close()
            raise RuntimeError(f"the corpus server did not start: {line!r}")
        self.port = int(line.split("=", 1)[1])
        self.base_url = f"http://127.0.0.1:{self.port}"

    def set_round(self, number: int) -> None:
        request = urllib.request.Request(f"{self.base_url}/_round/{number}", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def feed_urls(base_url: str, feeds: int) -> list[str]:
    return [f"{base_url}{feed_path(i)}" for i in range(feeds)]


def write_our_config(folder: Path, urls: Sequence[str], *, concurrency: int, per_host: int) -> Path:
    """A configuration listing every corpus feed; all of them live on one host (127.0.0.1), so the
    per-host limit is raised to the global one (real sources are spread over many hosts)."""
    config = {
        "database": f"sqlite:///{folder / 'aggregator.db'}",
        "output_dir": str(folder / "feeds"),
        "defaults": {"timezone": "Asia/Shanghai"},
        "scheduler": {"concurrency": concurrency, "per_host": per_host},
        "sources": [{"name": f"feed-{i:05d}", "url": url} for i, url in enumerate(urls)],
    }
    path = folder / "aggregator.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _python() -> list[str]:
    return [sys.executable]


def _aggregator() -> list[str]:
    """The ``aggregator`` command as users run it: the console script beside this Python, if installed.

    (Not ``python -m aggregator``: with ``-m``, every worker of the process pool imports the command-line
    modules again, where the console script's are imported once by the fork server and shared.)
    """
    script = Path(sys.executable).with_name("aggregator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aggregator"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


class LongLived:
    """A pipeline process that runs phases on command (see :mod:`bench.pipelines`)."""

    def __init__(self, name: str, argv: list[str], log: IO[str]) -> None:
        self.name = name
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, cwd=REPO, env=_env()
        )
        self._expect("ready")

    def _expect(self, word: str) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line or (word and line != word):
            code = self.process.poll()
            raise RuntimeError(f"{self.name}: expected {word or 'a result'!r}, got {line!r} (exit {code})")
        return line

    def run(self, phase: str) -> tuple[dict[str, Any], MemoryPeak]:
        assert self.process.stdin is not None
        sampler = MemorySampler(self.process.pid).start()
        self.process.stdin.write(phase + "\n")
        self.process.stdin.flush()
        line = self._expect("")
        return json.loads(line), sampler.stop()

    def close(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _count_entries(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM entries").fetchone()[0])


def _fetch_log_counts(db: Path, since_id: int) -> tuple[int, int, int]:
    """(feeds, not modified, errors) of the fetch-log rows written after ``since_id``."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM fetch_log WHERE id > ? GROUP BY status", (since_id,)
        ).fetchall()
    counts = dict(rows)
    return sum(counts.values()), counts.get("not_modified", 0), counts.get("error", 0) + counts.get("gone", 0)


def _last_log_id(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT coalesce(max(id), 0) FROM fetch_log").fetchone()[0])


def run_cli_phase(config: Path, db: Path, phase: str, round_number: int, log: IO[str]) -> PhaseResult:
    """``aggregator fetch``, timed from outside: from process start to exit."""
    before, log_id = _count_entries(db), _last_log_id(db)
    start = time.perf_counter()
    process = subprocess.Popen(
        [*_aggregator(), "--config", str(config), "fetch"],
        stdout=subprocess.DEVNULL,
        stderr=log,
        cwd=REPO,
        env=_env(),
    )
    sampler = MemorySampler(process.pid).start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    peak = sampler.stop()
    memory = MemoryPeak(
        main_rss_mb=max(peak.main_rss_mb, round(usage.ru_maxrss / 1024, 1)),
        tree_pss_mb=peak.tree_pss_mb,
        tree_rss_mb=peak.tree_rss_mb,
        processes=peak.processes,
    )
    feeds, not_modified, errors = _fetch_log_counts(db, log_id)
    return PhaseResult(
        pipeline="aggregator fetch",
        phase=phase,
        round=round_number,
        seconds=seconds,
        new=_count_entries(db) - before,
        feeds=feeds,
        not_modified=not_modified,
        errors=errors + (process.returncode not in (0, 1)),
        memory=memory,
        first_error=None if process.returncode in (0, 1) else f"exit status {process.returncode}",
    )


def _start_long_lived(
    pipeline: str, folder: Path, config: Path, urls_file: Path, concurrency: int, log: IO[str]
) -> LongLived:
    if pipeline == "daemon refresh":
        # Run as a script, as the daemon's console script is (the script marks __main__ as the CLI does).
        argv = [*_python(), str(REPO / "bench" / "pipelines" / "ours_daemon.py"), "--config", str(config)]
    elif pipeline == "reader":
        argv = [*_python(), "-m", "bench.pipelines.reader_pipeline", "--db", str(folder / "reader.sqlite")]
        argv += ["--urls", str(urls_file)]
    elif pipeline == "baseline":
        argv = [*_python(), "-m", "bench.baseline", "--db", str(folder / "baseline.sqlite")]
        argv += ["--urls", str(urls_file), "--concurrency", str(concurrency)]
    else:
        raise ValueError(pipeline)
    return LongLived(pipeline, argv, log)


def run_pipeline_round(
    pipeline: str,
    server: CorpusServer,
    urls: Sequence[str],
    work: Path,
    round_number: int,
    *,
    concurrency: int,
    log: IO[str],
    phases: Sequence[str] = PHASES,
    keep: bool = False,
) -> list[PhaseResult]:
    """Cold, warm and incremental phases (or the first ``phases``) of one pipeline on a fresh database.

    The round's folder (databases, configuration) is removed afterwards unless ``keep``.
    """
    folder = (work / pipeline.replace(" ", "-") / f"round{round_number}").resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    urls_file = folder / "urls.txt"
    urls_file.write_text("\n".join(urls) + "\n")
    config = write_our_config(folder, urls, concurrency=concurrency, per_host=concurrency)
    server.set_round(1)
    results: list[PhaseResult] = []
    if pipeline == "aggregator fetch":
        subprocess.run(
            [*_aggregator(), "--config", str(config), "db", "upgrade"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=log,
            cwd=REPO,
            env=_env(),
        )
        db = folder / "aggregator.db"
        for phase in phases:
            if phase == "incremental":
                server.set_round(2)
            results.append(run_cli_phase(config, db, phase, round_number, log))
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
        return results
    process = _start_long_lived(pipeline, folder, config, urls_file, concurrency, log)
    try:
        for phase in phases:
            if phase == "incremental":
                server.set_round(2)
            reported, memory = process.run(phase)
            results.append(
                PhaseResult(
                    pipeline=pipeline,
                    phase=phase,
                    round=round_number,
                    seconds=float(reported["seconds"]),
                    new=int(reported["new"]),
                    feeds=int(reported["feeds"]),
                    not_modified=int(reported["not_modified"]),
                    errors=int(reported["errors"]),
                    memory=memory,
                    first_error=reported.get("first_error"),
                )
            )
    finally:
        process.close()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def run_ingest(
    corpus: CorpusFiles,
    pipelines: Sequence[str],
    rounds: int,
    work: Path,
    *,
    concurrency: int,
    log: IO[str],
    progress: Any = print,
    phases: Sequence[str] = PHASES,
    keep: bool = False,
) -> list[PhaseResult]:
    server = CorpusServer(corpus)
    urls = feed_urls(server.base_url, corpus.spec.feeds)
    results: list[PhaseResult] = []
    try:
        for round_number in range(1, rounds + 1):
            shift = (round_number - 1) % len(pipelines)
            order = [*pipelines[shift:], *pipelines[:shift]]
            for pipeline in order:
                phase_results = run_pipeline_round(
                    pipeline,
                    server,
                    urls,
                    work,
                    round_number,
                    concurrency=concurrency,
                    log=log,
                    phases=phases,
                )
                results.extend(phase_results)
                summary = ", ".join(f"{r.phase} {r.seconds:.2f}s ({r.new} new)" for r in phase_results)
                progress(f"  round {round_number} {pipeline}: {summary}")
    finally:
        server.close()
    return results
