"""Local sources: one feed file, or a folder of Markdown articles with YAML front matter.

Both answer "has anything changed since ``validator``?" the way a conditional GET does, so the update
pipeline treats them like HTTP sources: the validator is stored as the source's ETag and an unchanged
source costs a ``stat`` (a feed file) or a directory walk (a folder), never a parse.

A folder is walked recursively (static-site generators and portal exports file articles under
``2024/03/``); hidden files and folders (``.git``, editor swap files) are ignored, and so are files whose
suffix is not one of :data:`ARTICLE_SUFFIXES`. Symbolic links to folders are not followed (no loops).
An article's guid, when its front matter has no ``id``, is its path relative to the folder (POSIX
separators), which survives moving the folder. Articles are UTF-8; a file that is not is read as GB18030
(the GBK exports of Chinese portal tools) with a warning.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from aggregator.errors import FetchError, ParseError
from aggregator.models import ParsedEntry, ParsedFeed
from aggregator.sources.articles import ARTICLE_SUFFIXES, read_article


def read_feed_file(path: Path, validator: str | None) -> tuple[str, bytes | None]:
    """(validator, bytes) of a local feed file; bytes is None when unchanged since ``validator``.

    The validator is ``"<mtime_ns>-<size>"``. Raises :class:`FetchError` (kind ``missing``) when the
    file does not exist or cannot be read.
    """
    try:
        status = path.stat()
        current = f"{status.st_mtime_ns}-{status.st_size}"
        if current == validator:
            return current, None
        with path.open("rb") as file:
            status = os.fstat(file.fileno())  # what we read, should the file change in between
            return f"{status.st_mtime_ns}-{status.st_size}", file.read()
    except FileNotFoundError as e:
        raise FetchError(f"feed file {path} does not exist", kind="missing") from e
    except IsADirectoryError as e:
        raise FetchError(f"{path} is a folder, not a feed file", kind="missing") from e
    except OSError as e:
        raise FetchError(f"cannot read feed file {path}: {e.strerror or e}", kind="missing") from e


@dataclass(frozen=True, slots=True)
class _ArticleFile:
    name: str  # relative to the folder, POSIX separators
    path: Path
    mtime_ns: int
    size: int


def _is_article(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(ARTICLE_SUFFIXES)


def list_article_files(folder: Path) -> tuple[list[_ArticleFile], list[str]]:
    """The article files under ``folder`` sorted by relative name, and warnings for unreadable subfolders."""
    try:
        with os.scandir(folder):
            pass
    except FileNotFoundError as e:
        raise FetchError(f"article folder {folder} does not exist", kind="missing") from e
    except NotADirectoryError as e:
        raise FetchError(f"{folder} is a file, not an article folder", kind="missing") from e
    except OSError as e:
        raise FetchError(f"cannot read article folder {folder}: {e.strerror or e}", kind="missing") from e

    warnings: list[str] = []
    files: list[_ArticleFile] = []

    def unreadable(error: OSError) -> None:
        warnings.append(f"cannot read {error.filename}: {error.strerror or error}")

    for directory, subfolders, names in os.walk(folder, onerror=unreadable):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            if not _is_article(name):
                continue
            path = Path(directory, name)
            try:
                status = path.stat()
            except OSError:
                continue  # removed while we walked: the next check sees a changed validator anyway
            relative = path.relative_to(folder).as_posix()
            files.append(_ArticleFile(relative, path, status.st_mtime_ns, status.st_size))
    files.sort(key=lambda f: f.name)
    return files, warnings


def folder_validator(files: list[_ArticleFile]) -> str:
    """A short hash over the sorted (relative name, mtime_ns, size) of the article files."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.name}\x00{file.mtime_ns}\x00{file.size}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def _decode_article(raw: bytes, name: str, warnings: list[str]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as e:
        raise ParseError(f"{name}: not UTF-8 text") from e
    warnings.append(f"{name}: not UTF-8; read as GB18030")
    return text


def _read_one(file: _ArticleFile, warnings: list[str]) -> ParsedEntry | None:
    try:
        raw = file.path.read_bytes()
    except OSError as e:
        raise ParseError(f"{file.name}: cannot be read: {e.strerror or e}") from e
    return read_article(_decode_article(raw, file.name, warnings), file.name, file_bytes=raw)


def read_article_folder(path: Path, validator: str | None) -> tuple[str, ParsedFeed | None]:
    """(validator, feed) of a folder of articles; feed is None when nothing changed since ``validator``.

    A bad article (no front matter, invalid YAML, no title) is skipped with a warning naming it; a folder
    whose every article is bad raises :class:`ParseError` listing them. Drafts are skipped silently.
    Raises :class:`FetchError` (kind ``missing``) when the folder does not exist or cannot be read.
    """
    files, warnings = list_article_files(path)
    current = folder_validator(files)
    if current == validator:
        return current, None
    entries: list[ParsedEntry] = []
    problems: list[str] = []
    for file in files:
        try:
            entry = _read_one(file, warnings)
        except ParseError as e:
            problems.append(str(e))
            continue
        if entry is not None:
            entries.append(replace(entry, position=len(entries)))
    if problems and len(problems) == len(files):
        raise ParseError(f"no article in {path} could be read: " + "; ".join(problems))
    feed = ParsedFeed(
        title=path.name,
        format="markdown",
        encoding="utf-8",
        entries=tuple(entries),
        warnings=tuple(warnings + [f"skipped {problem}" for problem in problems]),
    )
    return current, feed
