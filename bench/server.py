"""The corpus over HTTP on 127.0.0.1: ETag, Last-Modified, 304 and gzip, HTTP/1.1 keep-alive.

Run as its own process (``python -m bench.server --corpus DIR``) so that serving never competes with the
measured pipeline for its interpreter. It prints ``port=<n>`` once listening. Feeds are read from the
corpus folder of the current round; ``POST /_round/<n>`` switches rounds (round 2 has five new entries on
top of each feed, so new ETags and Last-Modified dates). Bodies are read once and kept in memory.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from bench.corpus import BASE_TIME

_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 405: "Method Not Allowed"}
_CONTENT_TYPES = {
    "rss20": "application/rss+xml",
    "atom10": "application/atom+xml",
    "rss10": "application/rdf+xml",
}


@dataclass(frozen=True, slots=True)
class Document:
    body: bytes
    gzipped: bytes
    etag: str
    gzip_etag: str
    last_modified: str
    content_type: str


def load_round(folder: Path, round_number: int) -> dict[str, Document]:
    """Every feed of one round, keyed by its request path."""
    moment = BASE_TIME.replace(day=round_number)  # round 2 was modified a day after round 1
    stamp = format_datetime(moment, usegmt=True)
    docs: dict[str, Document] = {}
    for path in sorted(folder.glob("*.xml")):
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:24]
        head = body[:300]
        kind = "atom10" if b"<feed" in head else "rss10" if b"<rdf:RDF" in head else "rss20"
        docs[f"/feeds/{path.name}"] = Document(
            body=body,
            gzipped=path.with_name(path.name + ".gz").read_bytes(),
            etag=f'"{digest}"',
            gzip_etag=f'"{digest}-gz"',
            last_modified=stamp,
            content_type=f"{_CONTENT_TYPES[kind]}; charset=utf-8",
        )
    return docs


class CorpusServer:
    def __init__(self, corpus_root: Path) -> None:
        self._rounds = {n: load_round(corpus_root / f"round{n}", n) for n in (1, 2)}
        self.round = 1
        self.requests = 0
        self.not_modified = 0

    def respond(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if method == "POST" and target.startswith("/_round/"):
            self.round = int(target.rsplit("/", 1)[1])
            return 200, {"Content-Type": "text/plain"}, f"round {self.round}\n".encode()
        if target == "/_stats":
            text = f"requests={self.requests} not_modified={self.not_modified}\n"
            return 200, {"Content-Type": "text/plain"}, text.encode()
        if method not in ("GET", "HEAD"):
            return 405, {}, b""
        self.requests += 1
        doc = self._rounds[self.round].get(target.split("?", 1)[0])
        if doc is None:
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        use_gzip = "gzip" in headers.get("accept-encoding", "")
        etag = doc.gzip_etag if use_gzip else doc.etag
        out = {
            "ETag": etag,
            "Last-Modified": doc.last_modified,
            "Content-Type": doc.content_type,
            "Cache-Control": "max-age=0",
            "Vary": "Accept-Encoding",
        }
        if _not_modified(headers, doc):
            self.not_modified += 1
            return 304, out, b""
        if use_gzip:
            out["Content-Encoding"] = "gzip"
            return 200, out, doc.gzipped
        return 200, out, doc.body

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = ([*lines[0].split(" "), "", "", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                status, out, body = self.respond(method, target, headers)
                keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                out["Content-Length"] = str(len(body))
                out["Connection"] = "keep-alive" if keep_alive else "close"
                response = f"HTTP/1.1 {status} {_REASONS[status]}\r\n" + "".join(
                    f"{k}: {v}\r\n" for k, v in out.items()
                )
                writer.write(response.encode("latin-1") + b"\r\n")
                if method != "HEAD" and body:
                    writer.write(body)
                await writer.drain()
                if not keep_alive:
                    return
        except ConnectionError:
            return
        finally:
            writer.close()


def _not_modified(headers: dict[str, str], doc: Document) -> bool:
    """RFC 9110 §13.2.2: If-None-Match first; If-Modified-Since only without it."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or doc.etag in tags or doc.gzip_etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(doc.last_modified)
        except (TypeError, ValueError):
            return False
    return False


async def serve(corpus_root: Path, port: int) -> None:
    app = CorpusServer(corpus_root)
    server = await asyncio.start_server(app.handle, "127.0.0.1", port, backlog=1024)
    print(f"port={server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True, help="folder with round1/ and round2/")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.corpus, args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
