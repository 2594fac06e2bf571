"""Every real-world feed of ../shared/corpora/realworld: entries or a clear ParseError, never a crash.

The corpus is not redistributable as a whole (several repositories state no license), so it is read in
place and these tests skip when it is absent. MANIFEST.md lists what feedparser 6.0.10 found in each
file; we must never find fewer entries, including in the files that start with a newline before
``<?xml`` and the truncated ones.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from aggregator.errors import ParseError
from aggregator.models import ParsedFeed
from aggregator.parse import ParseOptions, parse_document
from tests.conftest import CORPUS_DIR, corpus_file

pytestmark = pytest.mark.corpus

ABSENT = f"real-world corpus not found at {CORPUS_DIR} (it lives in ../shared beside the clone)"
CONTENT_TYPES = {
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".rss": "application/rss+xml",
}
_ROW = re.compile(r"^\|\s*(?P<file>[^|\s]+/[^|\s]+)\s*\|\s*(?P<version>[^|]*?)\s*\|\s*(?P<entries>\d+)\s*\|")


def _corpus_files() -> list[str]:
    if not CORPUS_DIR.is_dir():
        return []
    return sorted(
        path.relative_to(CORPUS_DIR).as_posix()
        for path in CORPUS_DIR.rglob("*")
        if path.is_file() and path.name != "MANIFEST.md" and not path.name.startswith(".")
    )


def _manifest_entries() -> dict[str, int]:
    """file -> entries feedparser found, from the tables of MANIFEST.md."""
    manifest = CORPUS_DIR / "MANIFEST.md"
    if not manifest.exists():
        return {}
    rows = (_ROW.match(line) for line in manifest.read_text(encoding="utf-8").splitlines())
    return {row["file"]: int(row["entries"]) for row in rows if row}


FILES = _corpus_files()
EXPECTED = _manifest_entries()


def parse_corpus(relative: str) -> ParsedFeed:
    path = corpus_file(relative)
    headers = {"content-type": CONTENT_TYPES.get(Path(relative).suffix, "application/xml")}
    return parse_document(path.read_bytes(), headers, ParseOptions(url=f"http://127.0.0.1/{path.name}"))


def test_manifest_lists_every_file() -> None:
    if not FILES:
        pytest.skip(ABSENT)
    assert set(EXPECTED) == set(FILES)


@pytest.mark.parametrize("relative", FILES or [pytest.param("", marks=pytest.mark.skip(reason=ABSENT))])
def test_every_corpus_file_parses_or_fails_clearly(relative: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            feed = parse_corpus(relative)
        except ParseError as e:
            assert str(e).strip()
            assert EXPECTED.get(relative, 0) == 0, f"feedparser found {EXPECTED[relative]} entries: {e}"
            return
    assert len(feed.entries) >= EXPECTED.get(relative, 0)
    assert feed.entries or EXPECTED.get(relative) == 0
    assert feed.format
    assert all(entry.raw_hash for entry in feed.entries)
    assert [entry.position for entry in feed.entries] == list(range(len(feed.entries)))


@pytest.mark.parametrize(
    ("relative", "title"),
    [
        ("rss-parser/encoding-gb2312.xml", "拟298亿元重组盛大游戏后 世纪华通发20亿回购预案"),
        ("rss-parser/encoding-gb2312-v1.xml", "习近平为何如此强调崇尚英雄？"),
        ("RSParser/kc0011.rss", "建国35周年纪念，华表，和平鸽"),
    ],
)
def test_gb2312_feeds_give_chinese_titles(relative: str, title: str) -> None:
    feed = parse_corpus(relative)
    assert feed.encoding == "gb18030"
    assert feed.entries[0].title == title
    assert feed.warnings == ()


def test_kc0011_dates_stay_raw() -> None:
    assert parse_corpus("RSParser/kc0011.rss").entries[0].published_raw == "2020/1/10 14:33:00"


def test_finanzen_net_umlauts() -> None:
    feed = parse_corpus("FeedReader/Rss20FinanzenNet.xml")
    text = repr(feed)
    assert "für" in text
    assert "Ã¼" not in text and "Ã¤" not in text and "Ã¶" not in text


def test_atom_special_characters_yields_its_entry() -> None:
    feed = parse_corpus("FeedReader/AtomSpecialCharacters.xml")
    assert len(feed.entries) == 1
    assert feed.entries[0].link == (
        "https://stackoverflow.com/questions/49812816/decode-nmea-bytes-received-via-external-gps-bluetooth-device"
    )


def test_truncated_invalid_date_format_yields_entries_with_a_warning() -> None:
    feed = parse_corpus("feedjira/InvalidDateFormat.xml")
    assert [entry.title for entry in feed.entries] == [
        "Item 0 with an invalid date",
        "Item 1 with all valid dates",
    ]
    assert any(warning.startswith("recovered from malformed XML") for warning in feed.warnings)


@pytest.mark.parametrize(
    "relative",
    [
        "feedjira/TechCrunch.xml",
        "feedjira/SamRuby.xml",
        "feedjira/TypePadNews.xml",
        "feedjira/youtube_atom.xml",
        "feedjira/AmazonWebServicesBlog.xml",
        "feedjira/TenderLovemaking.xml",
        "feedjira/PaulDixExplainsNothing.xml",
    ],
)
def test_newline_before_declaration_is_read_strictly(relative: str) -> None:
    feed = parse_corpus(relative)
    assert len(feed.entries) == EXPECTED[relative]
    assert not any("malformed" in warning for warning in feed.warnings)


def test_daily_mail_channel_without_items_is_valid() -> None:
    feed = parse_corpus("FeedReader/Rss20DailyMail.xml")
    assert feed.entries == () and feed.warnings == ()


def test_uol_noticias_latin1_without_declaration() -> None:
    feed = parse_corpus("rss-parser/uolNoticias.rss")
    assert feed.encoding == "windows-1252"
    assert feed.description == "Últimas Notícias"


def test_wechat_feed_titles() -> None:
    feed = parse_corpus("wechat-feeds/MzI2NDk5NzA0Mw.xml")
    assert feed.entries[0].title == (
        "8点1氪：荣耀回应是否会使用鸿蒙系统；我国方便面消费量占全球四成；微软宣布2025年终止支持Windows 10"
    )
    assert feed.entries[0].published_raw == "Thu, 17 Jun 2021 08:25:00 +0800"
