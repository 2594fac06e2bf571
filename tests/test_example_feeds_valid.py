"""Every feed the shipped example configuration publishes is valid RSS 2.0, Atom 1.0 and JSON Feed 1.1.

The example's local sources (the seed article, Markdown articles, Chinese and English feed files) are
ingested into a fresh database, every ``publish`` entry is rendered, and each file is judged by the W3C feed
validator (when installed, see tests/support/validity.py), feedparser, our structural checks, and the JSON
Feed 1.1 schema. The remote portals of the example are left out: tests do not use the internet.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from types import ModuleType

import feedparser
import jsonschema
import pytest

from aggregator.app import App, open_store
from aggregator.config import parse_config_text
from aggregator.publish.publisher import Publisher
from aggregator.update import Refresher
from tests.conftest import REPO_DIR
from tests.support.validity import (
    JSON_FEED_SCHEMA,
    W3C_ATOM,
    W3C_OPML,
    W3C_RSS,
    atom_problems,
    import_w3c_validator,
    rss_problems,
    w3c_problems,
)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO_DIR / "config", root / "config", ignore=shutil.ignore_patterns("data"))
    config_file = root / "config" / "aggregator.yaml"
    text = config_file.read_text(encoding="utf-8").replace("output_dir: ../feeds", "output_dir: feeds")
    loaded = parse_config_text(text, config_file)
    app = App(loaded=loaded, store=open_store(loaded))
    local = [s.name for s in app.config.sources if s.path is not None]
    try:

        async def fetch() -> None:
            async with Refresher(app.config, app.store, clock=app.clock) as refresher:
                await refresher.sync_sources()
                results = await refresher.refresh(local)
                assert all(r.error is None for r in results), results

        asyncio.run(fetch())
        Publisher(app.config, app.store, clock=app.clock).publish()
    finally:
        app.close()
    out = root / "config" / "feeds"
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
    expected = {f"{f.name}.{fmt}" for f in loaded.config.publish for fmt in f.formats} | {"index.opml"}
    assert set(files) == expected
    return files


def test_every_example_feed_has_entries(published: dict[str, bytes]) -> None:
    for name, data in published.items():
        if name.endswith(".json"):
            assert json.loads(data)["items"], name
        elif not name.endswith(".opml"):
            assert feedparser.parse(data).entries, name


def test_feedparser_and_structural_checks(published: dict[str, bytes]) -> None:
    for name, data in published.items():
        if name.endswith(".rss"):
            parsed = feedparser.parse(data)
            assert (parsed.bozo, parsed.version) == (False, "rss20"), name
            assert rss_problems(data) == [], name
        elif name.endswith(".atom"):
            parsed = feedparser.parse(data)
            assert (parsed.bozo, parsed.version) == (False, "atom10"), name
            assert atom_problems(data) == [], name
        elif name.endswith(".json"):
            jsonschema.Draft202012Validator(JSON_FEED_SCHEMA).validate(json.loads(data))


@pytest.fixture(scope="module")
def w3c() -> ModuleType:
    """The W3C validator's package; a fixture so that a skip names this test, not the helper."""
    return import_w3c_validator()


def test_w3c_validator_finds_nothing(published: dict[str, bytes], w3c: ModuleType) -> None:
    kinds = {".rss": W3C_RSS, ".atom": W3C_ATOM, ".opml": W3C_OPML}
    checked = 0
    for name, data in published.items():
        suffix = name[name.rindex(".") :]
        if suffix in kinds:
            url = f"http://127.0.0.1:8080/feeds/{name}"
            assert w3c_problems(w3c, data, url, kinds[suffix]) == [], name
            checked += 1
    assert checked == len(published) - sum(1 for n in published if n.endswith(".json"))
