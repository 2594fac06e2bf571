"""Importing sources from a reader's OPML export: printed as YAML, or inserted without touching comments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aggregator.config import load_config

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Feedly export</title></head>
  <body>
    <outline text="科技" title="科技">
      <outline type="rss" text="IT之家" title="IT之家" xmlUrl="https://www.ithome.com/rss/" htmlUrl="https://www.ithome.com/"/>
      <outline type="rss" text="少数派" title="少数派" xmlUrl="https://sspai.com/feed"/>
    </outline>
    <outline type="rss" text="Hacker News" title="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>
  </body>
</opml>
"""

CONFIG = """\
# my aggregator — keep this comment
database: sqlite:///data/agg.db

sources:
  # the first one
  - name: ithome
    url: https://www.ithome.com/rss/

publish:
  - name: all
    title: All   # trailing comment
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def import_into_config(tmp_path: Path, opml: str, *options: str) -> subprocess.CompletedProcess[str]:
    """``import-opml`` of ``opml`` into a fresh copy of CONFIG (``c.yaml``), which must succeed."""
    (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "feeds.opml").write_text(opml, encoding="utf-8")
    result = run("--config", "c.yaml", "import-opml", *options, "feeds.opml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result


def test_import_prints_yaml_for_new_feeds_only(tmp_path: Path) -> None:
    result = import_into_config(tmp_path, OPML)
    assert "https://www.ithome.com/rss/" not in result.stdout  # already configured
    assert "name: 少数派" in result.stdout and "url: https://sspai.com/feed" in result.stdout
    assert "categories:\n    - 科技" in result.stdout
    assert "name: Hacker-News" in result.stdout
    assert (tmp_path / "c.yaml").read_text(encoding="utf-8") == CONFIG  # untouched without --append


def test_import_append_keeps_comments_and_is_valid(tmp_path: Path) -> None:
    import_into_config(tmp_path, OPML, "--append")
    config = tmp_path / "c.yaml"
    text = config.read_text(encoding="utf-8")
    for line in CONFIG.splitlines():
        assert line in text  # every original line, comments included
    loaded = load_config(config).config
    assert [s.name for s in loaded.sources] == ["ithome", "少数派", "Hacker-News"]
    assert loaded.source("少数派").categories == ["科技"]
    assert text.index("Hacker-News") < text.index("publish:")
    # Importing again adds nothing.
    again = run("--config", "c.yaml", "import-opml", "--append", "feeds.opml", cwd=tmp_path)
    assert "nothing to import" in again.stderr
    assert config.read_text(encoding="utf-8") == text


def test_export_opml_round_trips(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    (tmp_path / "feeds.opml").write_text(OPML, encoding="utf-8")
    run("--config", "c.yaml", "import-opml", "--append", "feeds.opml", cwd=tmp_path)
    exported = run("--config", "c.yaml", "export-opml", cwd=tmp_path)
    assert exported.returncode == 0
    assert exported.stdout.count("xmlUrl=") == 3
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "c.yaml").write_text("sources: []\n", encoding="utf-8")
    (fresh / "x.opml").write_text(exported.stdout, encoding="utf-8")
    result = run("--config", "c.yaml", "import-opml", "--append", "x.opml", cwd=fresh)
    assert result.returncode == 0, result.stderr
    assert len(load_config(fresh / "c.yaml").config.sources) == 3


def test_import_rejects_non_opml(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "x.opml").write_text("<html><body>hi</body></html>", encoding="utf-8")
    result = run("--config", "c.yaml", "import-opml", "x.opml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: x.opml: ")


ODD_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>export</title></head>
  <body>
    <outline type="rss" text="IT之家" xmlUrl="https://www.ithome.com/rss/"/>
    <outline type="rss" text="" xmlUrl="http://example.com/feed.xml"/>
    <outline type="rss" text="old mirror" xmlUrl="ftp://example.com/feed.xml"/>
  </body>
</opml>
"""


def test_import_says_what_it_skips_and_does_not_title_a_feed_with_its_url(tmp_path: Path) -> None:
    result = import_into_config(tmp_path, ODD_OPML, "--append")
    assert "skipped ftp://example.com/feed.xml: not an http:// or https:// URL" in result.stderr
    assert "added 1 sources to" in result.stderr and "(1 already configured, 1 skipped)" in result.stderr
    added = load_config(tmp_path / "c.yaml").config.sources[-1]
    # The untitled outline: named after its URL, and left to show the feed's own title.
    assert (added.name, added.title) == ("example.com-feed.xml", None)
    assert added.url == "http://example.com/feed.xml"
    again = run("--config", "c.yaml", "import-opml", "feeds.opml", cwd=tmp_path)
    assert "nothing to import: 2 already configured, 1 skipped" in again.stderr
