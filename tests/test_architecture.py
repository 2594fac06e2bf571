"""Imports flow one way (STYLE.md): data -> rules -> I/O -> store -> orchestration -> shells.

Each module may import modules of its own layer or a lower one. Nothing imports the command line or the
composition root (``app``), except the command line itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_DIR

PACKAGE = REPO_DIR / "aggregator"

LAYERS: dict[str, int] = {
    "aggregator": 0,  # __init__: version and project URL
    "aggregator.errors": 0,
    "aggregator.models": 0,
    "aggregator.units": 0,
    "aggregator.clock": 0,
    "aggregator.batching": 0,
    "aggregator.heap": 0,
    "aggregator.streak": 0,
    "aggregator.filters": 1,
    "aggregator.config": 1,
    "aggregator.normalize": 1,
    "aggregator.schedule": 1,
    "aggregator.health": 2,
    "aggregator.sources": 2,
    "aggregator.parse": 2,
    "aggregator.processing": 3,
    "aggregator.store": 4,
    "aggregator.update": 5,
    "aggregator.worker_preload": 5,  # imported by the process pool of update, by name
    "aggregator.publish": 5,
    "aggregator.metrics": 5,
    "aggregator.opml_import": 5,
    "aggregator.preview": 6,
    "aggregator.retention": 5,
    "aggregator.web": 6,
    "aggregator.daemon": 7,
    "aggregator.app": 8,
    "aggregator.cli": 9,
    "aggregator.__main__": 10,
    "aggregator.logsetup": 9,
}


def layer_of(module: str) -> int:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise KeyError(f"{module} has no layer: add it to LAYERS in {__file__}")


def module_name(path: Path) -> str:
    relative = path.relative_to(REPO_DIR).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "aggregator" or name.startswith("aggregator.")}


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_flow_one_way(path: Path) -> None:
    name = module_name(path)
    own = layer_of(name)
    wrong = sorted(target for target in imports_of(path) if layer_of(target) > own)
    assert wrong == [], f"{name} (layer {own}) imports higher layers: {wrong}"


def test_nothing_outside_the_shell_imports_cli_or_app() -> None:
    for path in MODULES:
        name = module_name(path)
        if name.startswith(("aggregator.cli", "aggregator.__main__")):
            continue
        bad = {t for t in imports_of(path) if t.startswith(("aggregator.cli", "aggregator.app"))}
        assert not bad, f"{name} imports {bad}"
