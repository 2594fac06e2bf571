"""Writing published files so that readers never see half a file and unchanged feeds are not touched.

A web server (ours, or nginx serving ``feeds/``) may read a file at any moment: the new content goes to a
temporary file in the same folder (same filesystem, so the rename is atomic), is flushed to disk, then
replaces the old file with :func:`os.replace`. When the bytes are already there nothing is written, so the
file's mtime, and with it ``Last-Modified`` and conditional GETs, stays put.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from aggregator.errors import PublishError

DEFAULT_MODE = 0o644
"""Mode of a new published file: world-readable, since a separate web server may serve the folder.

(:func:`tempfile.mkstemp` creates files readable by their owner only.)
"""


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically make ``path`` hold ``data``; False, touching nothing, when it already does.

    Creates missing folders. An existing file keeps its permission bits. On any error the temporary file is
    removed and :class:`PublishError` names the path and the cause.
    """
    try:
        try:
            current: os.stat_result | None = path.stat()
        except FileNotFoundError:
            current = None
        # Compare sizes first: a changed feed almost always changes length, and then nothing is read.
        if current is not None and current.st_size == len(data) and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, data, stat.S_IMODE(current.st_mode) if current is not None else DEFAULT_MODE)
    except OSError as e:
        raise PublishError(f"cannot write {path}: {e.strerror or e}") from e
    return True


def _replace(path: Path, data: bytes, mode: int) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk, where the platform allows it.

    Best effort: the new file is already in place, and some filesystems (and Windows, which cannot open a
    folder) refuse to sync a directory; that must not turn a successful write into an error.
    """
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
