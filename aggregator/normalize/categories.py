"""Entry categories: the entry's own tags and its source's, spelled one way, mapped through aliases.

Different portals tag the same subject differently (``AI``, ``ai``, ``ＡＩ``, ``人工智能``); the configured
aliases bring them together so one published category feed collects them all.

Tags are not split on commas: WordPress, Atom and JSON Feed give one tag per element, and real tags contain
commas ("Mergers, Acquisitions", "1,000 Days"). A source whose format packs several tags into one string
(front matter ``tags: a, b``, ``media:keywords``) is split by its parser, which knows the format.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from aggregator.normalize.text import strip_control_chars

MAX_CATEGORY_CHARS = 100  # longer "tags" are sentences or keyword stuffing, and overflow the category column

_WHITESPACE_RE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalize_category(name: str) -> str:
    """NFKC, control characters removed, whitespace trimmed and collapsed (cached: tags repeat a lot)."""
    text = unicodedata.normalize("NFKC", strip_control_chars(name))
    return _WHITESPACE_RE.sub(" ", text).strip()


def fold_category(name: str) -> str:
    """The form categories are compared in: normalized and case-folded (``ＡＩ`` == ``ai``)."""
    return normalize_category(name).casefold()


def build_alias_map(categories: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """``{canonical: [aliases]}`` -> ``{folded name or alias: canonical}``.

    Canonical names win over aliases, and the first owner of an alias wins (the configuration loader
    already rejects an alias given to two categories). Canonical names are kept as configured, trimmed.
    """
    out: dict[str, str] = {}
    for canonical in categories:
        if canonical.strip():
            out.setdefault(fold_category(canonical), canonical.strip())
    for canonical, aliases in categories.items():
        if not canonical.strip():
            continue
        for alias in aliases:
            folded = fold_category(alias)
            if folded:
                out.setdefault(folded, canonical.strip())
    return out


def map_categories(
    tags: Iterable[str], source_categories: Iterable[str], aliases: Mapping[str, str]
) -> tuple[str, ...]:
    """The entry's tags, then the source's categories, mapped to canonical names, without duplicates.

    Duplicates are found case-insensitively and the first spelling is kept; tags no alias knows are kept as
    written (normalized). Empty tags and tags longer than :data:`MAX_CATEGORY_CHARS` are dropped.
    """
    out: list[str] = []
    seen: set[str] = set()
    for group in (tags, source_categories):
        for tag in group:
            name = normalize_category(tag)
            if not name or len(name) > MAX_CATEGORY_CHARS:
                continue
            folded = name.casefold()
            canonical = aliases.get(folded)
            if canonical is not None:
                name, folded = canonical, fold_category(canonical)
            if folded not in seen:
                seen.add(folded)
                out.append(name)
    return tuple(out)
