"""Serving bytes the way feed readers poll: strong ETags, Last-Modified, 304s, gzip, HEAD.

A :class:`Representation` is one rendering of a feed with its validators and (lazily) its gzip form. The
gzip form is a different representation, so it gets its own strong ETag (RFC 9110 §8.8.3); either form's
ETag in ``If-None-Match`` answers 304, since both describe the same content.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from aggregator.publish.publisher import etag_for

GZIP_MIN_BYTES = 512


@dataclass
class Representation:
    body: bytes
    media_type: str
    last_modified: datetime
    etag: str = ""
    _gzipped: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.etag:
            self.etag = etag_for(self.body)
        self.last_modified = self.last_modified.astimezone(UTC).replace(microsecond=0)

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            # mtime=0: the same body always compresses to the same bytes (deterministic, cacheable).
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def _accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding allows gzip (RFC 9110 §12.5.3: ``gzip;q=0`` refuses it)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        token, *params = (p.strip() for p in part.split(";"))
        if token.lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        return quality > 0
    return False


def _not_modified(request: Request, rep: Representation) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        # RFC 9110 §13.1.2: weak comparison for If-None-Match; "*" matches any current representation.
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or rep.etag in tags or rep.gzip_etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return rep.last_modified <= moment
    return False


def respond(
    request: Request, rep: Representation, *, max_age: int, extra_headers: Mapping[str, str] | None = None
) -> Response:
    """200 (full or gzip), or 304 when the client's validators match; HEAD gets the headers only."""
    use_gzip = len(rep.body) >= GZIP_MIN_BYTES and _accepts_gzip(request)
    headers = {
        "Cache-Control": f"public, max-age={max_age}",
        "Last-Modified": format_datetime(rep.last_modified, usegmt=True),
        "ETag": rep.gzip_etag if use_gzip else rep.etag,
        "Vary": "Accept-Encoding",
        **(extra_headers or {}),
    }
    if _not_modified(request, rep):
        return Response(status_code=304, headers=headers)
    body = rep.gzipped() if use_gzip else rep.body
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(body))
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers, media_type=rep.media_type)
    return Response(content=body, status_code=200, headers=headers, media_type=rep.media_type)
