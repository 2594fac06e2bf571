"""Importing sources from an OPML file exported by a feed reader (Feedly, Inoreader, NetNewsWire...).

The configuration file is the user's: it is never regenerated (that would drop their comments). New sources
are either printed as YAML, or inserted as text at the end of the ``sources:`` block, and the result is
validated before the file is replaced.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aggregator.config import Config, parse_config_text
from aggregator.errors import ConfigError
from aggregator.normalize.links import is_web_url
from aggregator.publish.opml import parse_opml

_UNSAFE = re.compile(r"[\s/\\?#]+")


def _name_for(title: str, url: str, taken: set[str]) -> str:
    base = (
        _UNSAFE.sub("-", title.strip()).strip("-")[:60]
        or _UNSAFE.sub("-", url.split("//")[-1]).strip("-")[:60]
    )
    name, n = base or "source", 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


@dataclass(frozen=True, slots=True)
class OpmlImport:
    """What an OPML file adds: new sources, and what it lists that does not become one."""

    new: list[dict[str, Any]]  # configuration mappings
    configured: int  # feeds already configured (by URL)
    skipped: list[tuple[str, str]]  # (URL, why it cannot be a source)


def sources_from_opml(data: bytes, config: Config) -> OpmlImport:
    """New sources (as configuration mappings) for the feeds of an OPML file not configured yet."""
    configured = {s.url for s in config.sources if s.url}
    taken = {s.name for s in config.sources}
    new: list[dict[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    already = 0
    for outline in parse_opml(data):
        url = outline.xml_url.strip()
        if url in configured:
            already += 1
            continue
        if not is_web_url(url):
            skipped.append((url, "not an http:// or https:// URL"))
            continue
        configured.add(url)
        # An outline without a label is read with its URL as title: that is no title to configure (it
        # would replace the feed's own in everything published).
        title = "" if outline.title == outline.xml_url else outline.title
        source: dict[str, Any] = {"name": _name_for(title, url, taken), "url": url}
        if title and title != source["name"]:
            source["title"] = title
        if outline.category:
            source["categories"] = [c.strip() for c in outline.category.split(",") if c.strip()]
        new.append(source)
    return OpmlImport(new, already, skipped)


def sources_yaml(sources: list[dict[str, Any]]) -> str:
    """The new sources as YAML list items, indented to sit under ``sources:``."""
    text = yaml.safe_dump(sources, allow_unicode=True, sort_keys=False, default_flow_style=False, width=200)
    return "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())


def _insertion_point(lines: list[str]) -> tuple[int, bool]:
    """(index where new items go, whether a ``sources:`` key exists): the end of the sources block."""
    start = next((i for i, line in enumerate(lines) if re.match(r"sources\s*:", line)), None)
    if start is None:
        return len(lines), False
    end = len(lines)
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and not line[0].isspace() and not line.startswith(("#", "-")):
            end = i
            break
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # keep blank lines that separate the next section
    return end, True


def append_sources(path: Path, sources: list[dict[str, Any]]) -> None:
    """Insert the sources at the end of the file's ``sources:`` block; refuse if the result is invalid."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    index, has_key = _insertion_point(lines)
    header = "# imported from OPML\n"
    block = sources_yaml(sources)
    if has_key and re.match(r"sources\s*:\s*\[\s*\]\s*$", lines[index - 1] if index else ""):
        lines[index - 1] = "sources:\n"
    insertion = header + block if has_key else "\nsources:\n" + header.replace("#", "  #", 1) + block
    new_text = "".join(lines[:index]) + insertion + "".join(lines[index:])
    try:
        parse_config_text(new_text, path)
    except ConfigError as e:
        raise ConfigError(
            f"{path}: the imported sources would make the file invalid, nothing written:\n{e}"
        ) from e
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_text)
        Path(temp).chmod(path.stat().st_mode & 0o777)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
