"""What feedparser does to element names, attributes and values, reproduced for the fast path.

feedparser names every element after a prefix of its own (``dc_creator``, ``content_encoded``), keeps
attributes under lower-case names, and passes every text value through the same steps: resolution against
the document URL for the elements it deems URLs, its guess that RSS text is HTML, its repair of UTF-8 read
as Latin-1 and of cp1252 control characters. :mod:`.fast` builds feedparser's dicts with these rules; where
a rule is feedparser's own code or table it is imported, not copied, so the two paths cannot drift apart
without the differential tests seeing it.
"""

from __future__ import annotations

import re
from typing import Any

from feedparser.exceptions import NonXMLContentType
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urifixer, _urljoin
from lxml import etree


class Refuse(Exception):  # noqa: N818 (control flow: "leave this document to feedparser")
    """The document is not one the fast path reads exactly as feedparser does."""


# feedparser's namespace table: lower-case URI -> the prefix its handlers are named after ('' for RSS/Atom).
PREFIXES: dict[str, str] = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
STANDARD_PREFIXES = frozenset(p for p in PREFIXES.values() if p)
RELATIVE_ELEMENTS = frozenset(_FeedParserMixin.can_be_relative_uri)
FEEDPARSER_HTML_TYPES = frozenset(_FeedParserMixin.html_types)
_CP1252_RE = re.compile("[\x80-\x9f]")
CONTENT_TYPE_NAMES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}
# feedparser's own author-and-email splitter (sync_author_detail), verbatim.
_EMAIL_RE = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)
LINK_ENTITY_RE = re.compile("&([A-Za-z0-9_]+);")
_XML_MEDIA_TYPES = ("application/xml", "application/xml-dtd", "application/xml-external-parsed-entity")
_XML_TEXT_TYPES = ("text/xml", "text/xml-external-parsed-entity")

# Keys of feedparser's dicts that the converter reads: an unknown element stored under one is not harmless.
_READ_KEYS = frozenset(
    {
        "id", "link", "links", "title", "title_detail", "content", "summary", "summary_detail", "subtitle",
        "author", "author_detail", "authors", "published", "created", "updated", "tags", "media_thumbnail",
        "media_content", "image", "language", "icon", "logo", "ttl", "sy_updateperiod", "sy_updatefrequency",
        "description", "href", "url", "name", "email",
    }
)  # fmt: skip
# Elements feedparser stores under keys we never read and that change none of its state: skipped.
IGNORED_ELEMENTS = frozenset(
    {
        "comments", "wfw_comment", "wfw_commentrss", "slash_comments", "slash_department", "slash_section",
        "slash_hit_parade", "feedburner_origlink", "feedburner_origenclosurelink", "thr_total", "docs",
        "rating", "sy_updatebase", "copyright", "rights", "dc_rights",
    }
)  # fmt: skip

# Attribute names feedparser reads (or that change its base URI and language).
READ_ATTRIBUTES = frozenset(
    {"href", "url", "uri", "rel", "type", "length", "term", "scheme", "domain", "label", "ispermalink",
     "medium", "src", "mode", "base", "lang", "version", "lastmod"}
)  # fmt: skip


def content_type_bozo(media_type: str) -> NonXMLContentType | None:
    """What feedparser says of our Content-Type (``run_feedparser`` sends ``<type>; charset=utf-8``)."""
    kind = media_type or "application/xml"
    if kind in _XML_MEDIA_TYPES or (kind.startswith("application/") and kind.endswith("+xml")):
        return None
    if kind in _XML_TEXT_TYPES or (kind.startswith("text/") and kind.endswith("+xml")):
        return None
    return NonXMLContentType(f"{kind}; charset=utf-8 is not an XML media type")


def repair(text: str) -> str:
    """feedparser's last steps on every text value: UTF-8 read as Latin-1 repaired, C1 controls as cp1252."""
    if text.isascii():
        return text
    try:  # noqa: SIM105 (a hot path: contextlib.suppress costs more than the work)
        text = text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return text.translate(_cp1252) if _CP1252_RE.search(text) else text


# An absolute http(s) URL that urljoin gives back as it is (its urlparse/urlunparse round trip is the
# identity): no whitespace or controls (urlsplit removes some), no ';' (an empty last-segment parameter is
# dropped), a plain ASCII host, no empty query or fragment. tests/test_parse_fast.py checks it on random URLs.
_PLAIN_ABSOLUTE_RE = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/[^\s\x00-\x1f\x7f;?#]*)?(?:\?[^\s\x00-\x1f\x7f#]+)?(?:#[^\s\x00-\x1f\x7f]+)?"
)


def join_url(base: str, uri: str) -> str:
    """feedparser's ``_urljoin(base, uri)``; without parsing both URLs when ``uri`` is plainly absolute."""
    if uri.startswith(("http://", "https://")):
        fixed = _urifixer.sub(r"\1\3", uri)
        if _PLAIN_ABSOLUTE_RE.fullmatch(fixed):
            return str(fixed)
    return str(_urljoin(base, uri))


def looks_like_html(text: str) -> bool:
    return bool(_FeedParserMixin.looks_like_html(text))


def check_harmless(el: Any, key: str) -> None:
    """Refuse unless every name feedparser could give ``el`` is one it only stores aside."""
    names = {key.lstrip("?")}
    if key.startswith("?"):
        # An unknown namespace: feedparser names the element after a prefix bound to its URI (the first it
        # met), or after nothing: any of those names that means something to it makes us refuse.
        qname = etree.QName(el)
        local = qname.localname.lower()
        names.add(local)
        names.update(f"{p}_{local}" for p, u in el.nsmap.items() if p and u == qname.namespace)
    for name in names:
        if name in _READ_KEYS or _has_handler(name):
            raise Refuse(f"<{name}> means something to feedparser here")


def _has_handler(name: str) -> bool:
    return hasattr(_FeedParserMixin, "_start_" + name) or hasattr(_FeedParserMixin, "_end_" + name)


_KEYS: dict[str, str] = {}


def element_key(el: Any) -> str:
    """feedparser's name for an element (``dc_creator``, ``pubdate``); ``?prefix_local`` for unknown ones."""
    tag = el.tag
    if not isinstance(tag, str):
        raise Refuse("a comment or processing instruction")
    key = _KEYS.get(tag)
    if key is not None:
        return key if not key.startswith("?") else "?" + (el.prefix + "_" if el.prefix else "") + key[1:]
    if tag[0] == "{":
        uri, local = tag[1:].split("}", 1)
    else:
        uri, local = "", tag
    lowered = uri.lower()
    if "backend.userland.com/rss" in lowered:
        lowered = "http://backend.userland.com/rss"
    prefix = PREFIXES.get(lowered)
    if prefix is None:
        _KEYS[tag] = "?" + local.lower()
        return element_key(el)
    key = (prefix + "_" if prefix else "") + local.lower()
    if len(_KEYS) < 10_000:
        _KEYS[tag] = key
    return key


def map_type(kind: str | None) -> str:
    kind = (kind or "").lower()
    return CONTENT_TYPE_NAMES.get(kind, "application/xhtml+xml" if kind == "xhtml" else kind)


def enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


def add_tag(tags: list[dict[str, Any]], term: str | None, scheme: str | None, label: str | None) -> None:
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)


def sync_author_detail(ctx: dict[str, Any]) -> None:
    """feedparser's ``sync_author_detail`` for key ``author``, on our dict."""
    detail = ctx.get("authors", [{}])[-1]
    if detail:
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            ctx["author"] = f"{name} ({email})"
        elif name:
            ctx["author"] = name
        elif email:
            ctx["author"] = email
        return
    author, email = ctx.get("author"), None
    if not author:
        return
    match = _EMAIL_RE.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "").replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author or email:
        ctx.setdefault("author_detail", detail)
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email
