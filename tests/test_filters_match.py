"""Filter evaluation: pure predicates over entries (whole words, Chinese substrings, aliases, ages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.filters import parse_filter
from aggregator.filters.match import Subject, compile_filter, matches

NOW = datetime(2024, 3, 20, 12, 0, tzinfo=UTC)
ALIASES = {"ai": "人工智能", "机器学习": "人工智能", "人工智能": "人工智能", "新闻": "新闻", "news": "新闻"}


@dataclass(frozen=True)
class FakeEntry:
    title: str = ""
    summary: str = ""
    content_text: str = ""
    author: str | None = None
    categories: tuple[str, ...] = ()
    language: str | None = None
    published: datetime = NOW


CHIP = FakeEntry(
    title="国产AI芯片加速落地：多家厂商发布新一代推理加速卡",
    summary="大模型推理需求持续增长",
    content_text="新产品在能效比方面较上一代提升约40%",
    author="高科技行业门户",
    categories=("人工智能", "芯片", "新闻"),
    language="zh-CN",
    published=NOW - timedelta(days=2),
)
CLOUD = FakeEntry(
    title="Kubernetes 1.30 ships with sidecar containers",
    summary="The release graduates sidecar containers.",
    author="Priya Raman",
    categories=("云计算",),
    language="en-US",
    published=NOW - timedelta(days=30),
)


def check(data: object, entry: FakeEntry, source: str = "portal") -> bool:
    return matches(parse_filter(data), entry, source=source, now=NOW, aliases=ALIASES)


@pytest.mark.parametrize(
    ("data", "chip", "cloud"),
    [
        ({"category": "人工智能"}, True, False),
        ({"category": "AI"}, True, False),  # an alias names the canonical category
        ({"category": ["云计算", "新闻"]}, True, True),
        ({"keyword": "推理"}, True, False),  # Chinese substring, no word splitting
        ({"keyword": "ａｉ芯片"}, True, False),  # NFKC: full-width letters, case-insensitive
        ({"keyword": "SIDECAR"}, False, True),
        ({"keyword": "能效比", "fields": ["title"]}, False, False),  # only in content
        ({"keyword": "能效比", "fields": ["content"]}, True, False),
        ({"regex": r"\d+\.\d+"}, False, True),
        ({"regex": "(?i)kubernetes", "fields": ["summary"]}, False, False),
        ({"author": "priya"}, False, True),
        ({"language": "zh"}, True, False),
        ({"language": ["en", "ja"]}, False, True),
        ({"max_age": "7d"}, True, False),
        ({"not": {"category": "新闻"}}, False, True),
        ({"all": [{"category": "新闻"}, {"max_age": "3d"}]}, True, False),
        ({"any": [{"source": "cloud"}, {"keyword": "芯片"}]}, True, False),
        ([{"keyword": "芯片"}, {"author": "门户"}], True, False),
        ({"keyword": "芯片", "category": "云计算"}, False, False),  # several predicates: all of them
    ],
)
def test_filters(data: object, chip: bool, cloud: bool) -> None:
    assert check(data, CHIP) is chip
    assert check(data, CLOUD) is cloud


@pytest.mark.parametrize(
    ("keyword", "title", "found"),
    [
        ("AI", "Nvidia unveils new AI chips", True),
        ("AI", "AI-powered search, (AI) and AI.", True),
        ("ai", "英伟达发布AI芯片", True),  # next to Chinese characters: no space needed
        ("AI", "She said it would rain again", False),  # inside English words
        ("AI", "Bolsonaro perde de Haddad, mais uma vez", False),  # inside Portuguese ones
        ("AI", "OpenAI ships", False),  # a word of its own, not a suffix (use regex for that)
        ("GPT", "ChatGPT and GPT-4o", True),  # the first occurrence is inside a word, the second is not
        ("sponsor", "A sponsored post", False),
        ("c++", "Modern C++ in 2024", True),  # only letter and digit ends need a boundary
        (".net", "ASP.NET Core 9", True),
        ("芯片", "国产AI芯片加速落地", True),  # Chinese: any substring
        ("éte", "L'été arrive", False),  # accented Latin is a spaced script too
    ],
)
def test_keywords_match_whole_words_in_spaced_scripts(keyword: str, title: str, found: bool) -> None:
    assert check({"keyword": keyword}, FakeEntry(title=title)) is found


def test_source_predicate_uses_the_subject_source() -> None:
    predicate = compile_filter(parse_filter({"source": ["ithome", "36kr"]}))
    assert predicate(Subject(CHIP, "ithome", NOW))
    assert not predicate(Subject(CHIP, "sspai", NOW))
