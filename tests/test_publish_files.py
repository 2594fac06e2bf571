"""Atomic write-if-changed of published files: real files in a temporary folder, no mocks.

Modification times are set explicitly to a fixed instant and compared for equality, so nothing depends on
the clock or on how fast the test runs.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aggregator.errors import PublishError
from aggregator.publish import write_if_changed

OLD_TIME_NS = 1_000_000_000 * 1_600_000_000  # 2020-09-13, far from now


def age(path: Path) -> None:
    os.utime(path, ns=(OLD_TIME_NS, OLD_TIME_NS))


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "feeds" / "deep" / "news.rss"
    assert write_if_changed(path, b"<rss/>") is True
    assert path.read_bytes() == b"<rss/>"
    assert leftovers(path.parent, {"news.rss"}) == []


def test_identical_content_is_not_rewritten_and_keeps_its_mtime(tmp_path: Path) -> None:
    path = tmp_path / "news.rss"
    write_if_changed(path, "科技新闻".encode())
    age(path)
    inode = path.stat().st_ino
    assert write_if_changed(path, "科技新闻".encode()) is False
    assert path.stat().st_mtime_ns == OLD_TIME_NS
    assert path.stat().st_ino == inode


@pytest.mark.parametrize("new", [b"<rss>2</rss>", b"<rss>22</rss>", b""])
def test_changed_content_replaces_the_file(tmp_path: Path, new: bytes) -> None:
    path = tmp_path / "news.rss"
    write_if_changed(path, b"<rss>1</rss>")
    age(path)
    assert write_if_changed(path, new) is True
    assert path.read_bytes() == new
    assert path.stat().st_mtime_ns != OLD_TIME_NS
    assert leftovers(tmp_path, {"news.rss"}) == []


def test_replacement_is_a_new_file_so_readers_never_see_half_of_it(tmp_path: Path) -> None:
    """os.replace swaps the directory entry: a reader holding the old file keeps reading the old bytes."""
    path = tmp_path / "news.rss"
    write_if_changed(path, b"old content")
    with path.open("rb") as reader:
        write_if_changed(path, b"new content, longer")
        assert reader.read() == b"old content"
    assert path.read_bytes() == b"new content, longer"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_new_files_are_world_readable_and_existing_modes_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "news.rss"
    write_if_changed(path, b"a")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o640)
    write_if_changed(path, b"b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_failure_raises_publish_error_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "news.rss"
    target.mkdir()  # a folder where the file should be: the final rename must fail
    (target / "keep").write_bytes(b"x")
    with pytest.raises(PublishError, match=r"news\.rss"):
        write_if_changed(target, b"<rss/>")
    assert leftovers(tmp_path, {"news.rss"}) == []
    assert target.is_dir()


def test_unwritable_parent_raises_publish_error(tmp_path: Path) -> None:
    blocker = tmp_path / "feeds"
    blocker.write_bytes(b"a file, not a folder")
    with pytest.raises(PublishError, match="cannot write"):
        write_if_changed(blocker / "news.rss", b"<rss/>")
