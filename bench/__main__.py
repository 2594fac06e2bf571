"""``python -m bench``: the whole benchmark in one run (see docs/performance.md).

1. generates the corpus (deterministic; ``--feeds``/``--entries``) and its second round;
2. serves it on 127.0.0.1 (ETag, Last-Modified, 304, gzip) and runs, alternating over ``--rounds``, our
   ``aggregator fetch`` and daemon refresh, lemon24/reader and the near-limit baseline: cold, all-304 and
   incremental; then ``aggregator fetch`` cold on ``--scaling-feeds`` feeds, for peak memory;
3. renders a 50-entry category feed from databases of 10 k, 100 k and 1 M entries;
4. serves the published feed and measures requests per second answered 200 (gzip) and 304;
5. writes ``bench/results/<time>.json`` and ``.md`` (and ``latest.*``) and prints the Markdown report with
   the targets.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shlex
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import machine
from bench.corpus import NEW_PER_ROUND, CorpusSpec, build_corpus
from bench.ingest import PIPELINES, REPO, run_ingest
from bench.publishing import build_database, write_config
from bench.report import markdown, summarize
from bench.serving import run_serving

WORK = REPO / "bench" / ".work"
RESULTS = REPO / "bench" / "results"
SECTIONS = ("ingest", "scaling", "publishing", "serving")
INSTALL = "pip install -e '.[bench]'"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=500, help="feeds in the corpus (default 500)")
    parser.add_argument("--entries", type=int, default=50, help="entries per feed (default 50)")
    parser.add_argument("--seed", type=int, default=CorpusSpec().seed)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every pipeline (default 3)")
    parser.add_argument(
        "--pipelines", default=",".join(PIPELINES), help=f"comma-separated subset of: {', '.join(PIPELINES)}"
    )
    parser.add_argument("--scaling-feeds", type=int, default=2000, help="feeds of the memory scaling run")
    parser.add_argument(
        "--publish-sizes", default="10000,100000,1000000", help="entries in the rendering databases"
    )
    parser.add_argument("--render-runs", type=int, default=200, help="renderings per format and size")
    parser.add_argument("--serve-seconds", type=float, default=10)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="fetches in flight, ours (also per host) and the baseline's",
    )
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated subset of: {', '.join(SECTIONS)}"
    )
    parser.add_argument("--keep-runs", action="store_true", help="keep each round's databases in bench/.work")
    parser.add_argument("--quick", action="store_true", help="100 feeds, 1 round, 10 k entries: a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.feeds, args.rounds, args.scaling_feeds = 100, 1, 200
        args.publish_sizes, args.render_runs, args.serve_seconds = "10000", 50, 3
    return args


def _check_requirements(pipelines: list[str]) -> None:
    needed = ["httpx", "sniffio", "lxml", "nh3", "yaml"]  # httpx and sniffio: the baseline's client
    if "reader" in pipelines:
        needed += ["reader", "sgmllib"]  # reader's vendored feedparser imports sgmllib (sgmllib3k)
    missing = []
    for module in needed:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        sys.exit(f"missing benchmark dependencies ({', '.join(missing)}); install them with: {INSTALL}")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()]
    unknown = [p for p in pipelines if p not in PIPELINES] + [s for s in sections if s not in SECTIONS]
    if unknown:
        sys.exit(f"unknown pipeline or section: {', '.join(unknown)}")
    _check_requirements(pipelines if "ingest" in sections else [])
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    spec = CorpusSpec(feeds=args.feeds, entries=args.entries, seed=args.seed)
    _progress(f"corpus {spec.key} ...")
    corpus = build_corpus(spec, WORK)
    data: dict[str, Any] = {
        "command": " ".join(["python -m bench", shlex.join(sys.argv[1:] if argv is None else argv)]).strip(),
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine.describe(),
        "corpus": {
            "feeds": spec.feeds,
            "entries": spec.entries,
            "seed": spec.seed,
            "new_per_round": NEW_PER_ROUND,
            "megabytes": round(corpus.total_bytes / 1e6, 1),
        },
        "options": vars(args),
    }
    log_path = WORK / "bench.log"
    with log_path.open("w", encoding="utf-8") as log:
        if "ingest" in sections:
            _progress(f"ingestion: {', '.join(pipelines)}; {args.rounds} rounds (log: {log_path})")
            results = run_ingest(
                corpus, pipelines, args.rounds, WORK / "runs", concurrency=args.concurrency, log=log,
                progress=_progress, keep=args.keep_runs,
            )  # fmt: skip
            data["ingest"] = [r.as_dict() for r in results]
            data["summary"] = [asdict(s) for s in summarize(data["ingest"])]
        if "scaling" in sections and args.scaling_feeds:
            big = build_corpus(
                CorpusSpec(feeds=args.scaling_feeds, entries=args.entries, seed=args.seed), WORK
            )
            _progress(f"scaling: aggregator fetch, cold, {args.scaling_feeds} feeds")
            scaled = run_ingest(
                big, ["aggregator fetch"], 1, WORK / "runs-scaling", concurrency=args.concurrency, log=log,
                progress=_progress, phases=("cold",), keep=args.keep_runs,
            )  # fmt: skip
            data["scaling_feeds"] = args.scaling_feeds
            data["scaling"] = [r.as_dict() for r in scaled]
            data["scaling_summary"] = [asdict(s) for s in summarize(data["scaling"])]
        configs: dict[int, Path] = {}
        if "publishing" in sections or "serving" in sections:
            sizes = [int(s) for s in args.publish_sizes.split(",") if s.strip()]
            for size in sizes if "publishing" in sections else sizes[:1]:
                _progress(f"publishing: database of {size:,} entries")
                database = build_database(WORK / "publish", size, progress=_progress)
                configs[size] = write_config(WORK / "publish", database)
        if "publishing" in sections:
            data["publishing"] = {}
            for size, config in configs.items():
                output = subprocess.run(
                    [sys.executable, "-m", "bench.publishing", "render", "--config", str(config),
                     "--runs", str(args.render_runs)],
                    check=True, capture_output=True, text=True, cwd=REPO,
                )  # fmt: skip
                data["publishing"][str(size)] = json.loads(output.stdout)
                _progress(
                    f"  {size:,}: "
                    + ", ".join(f"{f} {r['median_ms']} ms" for f, r in data["publishing"][str(size)].items())
                )
        if "serving" in sections and configs:
            _progress("serving: aggregator serve")
            data["serving"] = run_serving(
                configs[min(configs)], seconds=args.serve_seconds, connections=16, log=log
            )
    report = markdown(data)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    for name in (stamp, "latest"):
        (RESULTS / f"{name}.json").write_text(
            json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        (RESULTS / f"{name}.md").write_text(report, encoding="utf-8")
    print(report)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    _progress(f"results: {RESULTS / (stamp + '.json')} and .md, after {elapsed / 60:.1f} minutes")


if __name__ == "__main__":
    main()
