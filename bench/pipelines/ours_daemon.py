"""Our daemon's refresh: one long-lived process, one :class:`~aggregator.update.Refresher`, all sources.

This is what the daemon does on each tick (``Refresher.refresh``), here for every source at once rather
than only the due ones, so each phase refreshes the whole corpus. By default the Refresher picks its own
executor as it does in production (a process pool for large runs); ``--pool persistent`` keeps one pool
for the life of the process instead.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from aggregator.app import open_app
from aggregator.heap import freeze_long_lived_objects
from aggregator.models import FetchStatus
from aggregator.update import Refresher, make_process_pool
from bench.pipelines import serve_phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--pool", choices=("auto", "persistent"), default="auto")
    args = parser.parse_args()
    # As the daemon's console script does (aggregator.cli.main): a __main__ known as a package's
    # __main__ is not re-run by each process pool worker; without this every worker imported this
    # script, the store and the configuration schema again before its first job (seen with py-spy).
    sys.modules["__main__"].__spec__ = importlib.util.find_spec("aggregator.__main__")

    app = open_app(args.config)
    pool: ProcessPoolExecutor | None = make_process_pool() if args.pool == "persistent" else None
    loop = asyncio.new_event_loop()
    refresher = Refresher(app.config, app.store, clock=app.clock, process_pool=pool)
    loop.run_until_complete(refresher.sync_sources())
    freeze_long_lived_objects()  # as the daemon does once started

    def run_phase(phase: str) -> dict[str, Any]:
        start = time.perf_counter()
        results = loop.run_until_complete(refresher.refresh())
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "new": sum(r.new for r in results),
            "updated": sum(r.updated for r in results),
            "feeds": len(results),
            "not_modified": sum(r.status is FetchStatus.NOT_MODIFIED for r in results),
            "errors": sum(r.status in (FetchStatus.ERROR, FetchStatus.GONE) for r in results),
            "first_error": next((r.error for r in results if r.error), None),
        }

    try:
        serve_phases(run_phase)
    finally:
        loop.run_until_complete(refresher.aclose())
        loop.close()
        if pool is not None:
            pool.shutdown(wait=True)
        app.close()


if __name__ == "__main__":
    main()
