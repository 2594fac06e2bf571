"""Measured pipelines, each run in its own process by :mod:`bench.ingest`.

A long-lived pipeline (our daemon's refresh, ``reader``, the near-limit baseline) prints ``ready`` once set
up, then reads one phase name per line on stdin (``cold``, ``warm``, ``incremental``), runs it and prints
one JSON line: the phase's wall time measured inside the process and what it stored. ``quit`` ends it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

PhaseRunner = Callable[[str], dict[str, Any]]


def serve_phases(run_phase: PhaseRunner) -> None:
    """The stdin/stdout loop every long-lived pipeline runs."""
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if not command:
            continue
        if command == "quit":
            break
        result = run_phase(command)
        print(json.dumps({"phase": command, **result}), flush=True)
