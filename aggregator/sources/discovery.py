"""Feed autodiscovery: the feed URLs an HTML page advertises with ``<link rel="alternate">``.

People often configure a portal's home page instead of its feed. The page usually names its feeds in its
``<head>`` (the RSS Autodiscovery convention, and HTML's ``rel=alternate`` with a feed type), so the fetcher
can either follow that link or tell the user which URL to use.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

FEED_LINK_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)


def find_feed_links(html: bytes | str, base_url: str) -> tuple[str, ...]:
    """Absolute http(s) URLs of the feeds a page links to, in order of appearance, without duplicates.

    ``base_url`` is the URL the page was fetched from; a ``<base href>`` in the page takes precedence, as in
    a browser. A page lxml cannot read yields no links rather than an error: discovery only ever adds a hint.
    """
    root = _parse(html)
    if root is None:
        return ()
    base = base_url
    for element in root.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            base = urljoin(base_url, href)
            break
    found: dict[str, None] = {}
    for element in root.iter("link"):
        rel_tokens = (element.get("rel") or "").lower().split()
        media_type = (element.get("type") or "").split(";", 1)[0].strip().lower()
        href = (element.get("href") or "").strip()
        if "alternate" not in rel_tokens or media_type not in FEED_LINK_TYPES or not href:
            continue
        url = urljoin(base, href)
        if urlsplit(url).scheme in ("http", "https"):
            found.setdefault(url, None)
    return tuple(found)


def _parse(html: bytes | str) -> lxml.html.HtmlElement | None:
    """Parse leniently; undecodable bytes fall back to the page's own ``<meta charset>`` via lxml.

    Strings are parsed as UTF-8 bytes because lxml refuses a ``str`` that carries an XML encoding
    declaration, which XHTML pages do.
    """
    encoding: str | None
    if isinstance(html, str):
        data, encoding = html.encode("utf-8", "replace"), "utf-8"
    else:
        data, encoding = html, _utf8_or_none(html)
    if not data.strip():
        return None
    parser = lxml.html.HTMLParser(encoding=encoding, remove_comments=True, no_network=True)
    try:
        root: lxml.html.HtmlElement | None = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    return root


def _utf8_or_none(data: bytes) -> str | None:
    """UTF-8 when the bytes are valid UTF-8; otherwise None lets lxml honour the declared charset (GBK...)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"
