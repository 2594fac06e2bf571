"""Categories and aliases (aggregator.normalize.categories)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from aggregator.normalize import build_alias_map
from aggregator.normalize.categories import map_categories

# The README's example configuration.
CONFIGURED: dict[str, list[str]] = {
    "人工智能": ["AI", "机器学习", "artificial intelligence"],
    "芯片": ["半导体", "Semiconductors"],
    "新闻": [],
}
ALIASES = build_alias_map(CONFIGURED)


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        (
            CONFIGURED,
            {
                "人工智能": "人工智能",
                "ai": "人工智能",
                "机器学习": "人工智能",
                "artificial intelligence": "人工智能",
                "芯片": "芯片",
                "半导体": "芯片",
                "semiconductors": "芯片",
                "新闻": "新闻",
            },
        ),
        # NFKC, case folding, trimmed and collapsed whitespace in the keys; canonical names kept as written
        (
            {" Open  Source ": ["ＯＳＳ", "open\tsource  software"]},
            {"open source": "Open  Source", "oss": "Open  Source", "open source software": "Open  Source"},
        ),
        # a canonical name wins over another category's alias; the first owner of an alias keeps it
        (
            {"AI": [], "人工智能": ["ai", "ML"], "机器学习": ["ml"]},
            {"ai": "AI", "人工智能": "人工智能", "ml": "人工智能", "机器学习": "机器学习"},
        ),
        # empty names and aliases are ignored
        ({"": ["x"], "云计算": ["", "  "]}, {"云计算": "云计算"}),
        ({}, {}),
    ],
)
def test_build_alias_map(categories: Mapping[str, Sequence[str]], expected: dict[str, str]) -> None:
    assert build_alias_map(categories) == expected


@pytest.mark.parametrize(
    ("tags", "source", "expected"),
    [
        # the seed article's front matter, and its source's category
        (("新媒体", "高科技行业门户", "新闻"), ("新闻",), ("新媒体", "高科技行业门户", "新闻")),
        # aliases, whatever the case or width
        (("AI", "ai ", "ＡＩ", "Artificial   Intelligence"), (), ("人工智能",)),
        (("半导体", "SEMICONDUCTORS"), ("芯片",), ("芯片",)),
        # unknown tags kept as written (trimmed), duplicates dropped case-insensitively, first spelling kept
        (("  Apple  ", "apple", "APPLE", "iPhone 15"), (), ("Apple", "iPhone 15")),
        # entry tags first, then the source's
        (("手机",), ("新闻", "数码"), ("手机", "新闻", "数码")),
        (("新闻",), ("新媒体", "新闻"), ("新闻", "新媒体")),
        # not split on commas: real tags contain them
        (("AI, 芯片, 新闻",), (), ("AI, 芯片, 新闻",)),
        (("Mergers, Acquisitions",), (), ("Mergers, Acquisitions",)),
        # empty, whitespace, control characters and over-long tags
        (("", "   ", "\u3000", "数码\x0b", "x" * 101, "y" * 100), (), ("数码", "y" * 100)),
        ((), (), ()),
    ],
)
def test_map_categories(tags: tuple[str, ...], source: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert map_categories(tags, source, ALIASES) == expected


def test_map_categories_without_aliases() -> None:
    assert map_categories(["AI", "ai"], ["News"], {}) == ("AI", "News")
