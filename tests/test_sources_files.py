"""Local sources: a feed file and a folder of Markdown articles, with their change validators."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aggregator.errors import FetchError, ParseError
from aggregator.parse import parse_document
from aggregator.sources.files import read_article_folder, read_feed_file
from tests.conftest import DATA_DIR

ARTICLES = DATA_DIR / "articles"
GOOD = ("article_all_front_matter_keys.md", "article_bom_and_blank_lines.md", "article_raw_html_body.txt")
BAD = ("article_no_front_matter.md", "article_invalid_yaml.md", "article_missing_title.md")


def set_mtime(path: Path, mtime_ns: int) -> None:
    os.utime(path, ns=(mtime_ns, mtime_ns))


def make_folder(root: Path, names: tuple[str, ...], folder: str = "portal") -> Path:
    target = root / folder
    target.mkdir()
    for name in names:
        shutil.copyfile(ARTICLES / name, target / name)
    return target


def fetch_error(call: Callable[[], object]) -> FetchError:
    with pytest.raises(FetchError) as info:
        call()
    return info.value


# -------------------------------------------------------------------------------------- feed file


def test_feed_file_is_read_then_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    shutil.copyfile(DATA_DIR / "rss_item_fields.xml", path)
    set_mtime(path, 1_700_000_000_000_000_000)
    validator, body = read_feed_file(path, None)
    assert validator == f"1700000000000000000-{path.stat().st_size}"
    assert body == path.read_bytes()
    assert parse_document(body).title == "RSS fields"
    assert read_feed_file(path, validator) == (validator, None)


def test_feed_file_change_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    shutil.copyfile(DATA_DIR / "rss_item_fields.xml", path)
    set_mtime(path, 1_700_000_000_000_000_000)
    validator, _ = read_feed_file(path, None)
    set_mtime(path, 1_700_000_000_000_000_001)  # touched: same size, newer time
    touched, body = read_feed_file(path, validator)
    assert touched != validator and body is not None
    path.write_bytes(b"<rss/>")
    set_mtime(path, 1_700_000_000_000_000_001)  # same time, other size
    rewritten, body = read_feed_file(path, touched)
    assert rewritten != touched and body == b"<rss/>"


def test_missing_feed_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "feed.xml"
    error = fetch_error(lambda: read_feed_file(path, None))
    assert error.kind == "missing"
    assert str(error) == f"feed file {path} does not exist"


def test_feed_file_that_is_a_folder(tmp_path: Path) -> None:
    error = fetch_error(lambda: read_feed_file(tmp_path, "1-1"))
    assert error.kind == "missing"
    assert str(tmp_path) in str(error)


# ----------------------------------------------------------------------------------- article folder


def test_folder_feed(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, (*GOOD, "article_draft.md", "article_no_front_matter.md"))
    validator, feed = read_article_folder(folder, None)
    assert re.fullmatch(r"[0-9a-f]{16}", validator)
    assert feed is not None
    assert (feed.title, feed.format, feed.link) == ("portal", "markdown", None)
    assert [e.guid for e in feed.entries] == [
        "portal-article-42",  # article_all_front_matter_keys.md has an id
        "article_bom_and_blank_lines.md",
        "article_raw_html_body.txt",
    ]
    assert [e.position for e in feed.entries] == [0, 1, 2]
    assert feed.warnings == (
        "skipped article_no_front_matter.md: no front matter (the article must start with a '---' line)",
    )


def test_folder_raw_hash_is_the_file_hash(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, ("article_bom_and_blank_lines.md",))
    _, feed = read_article_folder(folder, None)
    assert feed is not None
    assert feed.entries[0].raw_hash == hashlib.sha256((ARTICLES / GOOD[1]).read_bytes()).hexdigest()
    assert feed.entries[0].title == "BOM and blank lines first"


def test_ignored_files_and_nested_folders(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, ("article_bom_and_blank_lines.md",))
    (folder / "2024" / "03").mkdir(parents=True)
    shutil.copyfile(ARTICLES / "article_raw_html_body.txt", folder / "2024" / "03" / "nested.txt")
    (folder / ".git").mkdir()
    shutil.copyfile(ARTICLES / "article_raw_html_body.txt", folder / ".git" / "hidden-folder.md")
    shutil.copyfile(ARTICLES / "article_raw_html_body.txt", folder / ".hidden.md")
    shutil.copyfile(ARTICLES / "article_raw_html_body.txt", folder / "notes.html")
    (folder / "README").write_text("not an article", encoding="utf-8")
    _, feed = read_article_folder(folder, None)
    assert feed is not None
    assert [e.guid for e in feed.entries] == ["2024/03/nested.txt", "article_bom_and_blank_lines.md"]
    assert feed.warnings == ()


def test_folder_validator_tracks_changes(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, GOOD)
    for path in folder.iterdir():
        set_mtime(path, 1_700_000_000_000_000_000)
    validator, feed = read_article_folder(folder, None)
    assert feed is not None
    assert read_article_folder(folder, validator) == (validator, None)

    (folder / "ignored.html").write_text("<p>not an article</p>", encoding="utf-8")
    assert read_article_folder(folder, validator) == (validator, None)

    set_mtime(folder / GOOD[0], 1_700_000_000_000_000_001)
    touched, feed = read_article_folder(folder, validator)
    assert touched != validator and feed is not None

    shutil.copyfile(ARTICLES / "article_draft.md", folder / "article_draft.md")
    added, feed = read_article_folder(folder, touched)
    assert added != touched and feed is not None and len(feed.entries) == 3

    (folder / GOOD[2]).unlink()
    removed, feed = read_article_folder(folder, added)
    assert removed != added and feed is not None and len(feed.entries) == 2


def test_every_article_bad_is_a_parse_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, BAD)
    with pytest.raises(ParseError) as info:
        read_article_folder(folder, None)
    message = str(info.value)
    assert message.startswith(f"no article in {folder} could be read: ")
    for name in BAD:
        assert name in message


def test_empty_folder_and_drafts_only_are_empty_feeds(tmp_path: Path) -> None:
    empty = make_folder(tmp_path, (), folder="empty")
    _, feed = read_article_folder(empty, None)
    assert feed is not None and feed.entries == () and feed.warnings == ()
    drafts = make_folder(tmp_path, ("article_draft.md",), folder="drafts")
    _, feed = read_article_folder(drafts, None)
    assert feed is not None and feed.entries == () and feed.warnings == ()


def test_gbk_article_is_read_with_a_warning(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, ())
    (folder / "gbk.md").write_bytes("---\ntitle: 中文标题\n---\n正文\n".encode("gbk"))
    (folder / "binary.md").write_bytes(b"\xff\xfe\x00garbage")
    _, feed = read_article_folder(folder, None)
    assert feed is not None
    assert [e.title for e in feed.entries] == ["中文标题"]
    assert feed.warnings == ("gbk.md: not UTF-8; read as GB18030", "skipped binary.md: not UTF-8 text")


def test_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "nowhere"
    error = fetch_error(lambda: read_article_folder(path, None))
    assert error.kind == "missing"
    assert str(error) == f"article folder {path} does not exist"


def test_folder_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.md"
    shutil.copyfile(ARTICLES / GOOD[0], path)
    error = fetch_error(lambda: read_article_folder(path, None))
    assert error.kind == "missing"
    assert str(error) == f"{path} is a file, not an article folder"
