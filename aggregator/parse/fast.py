"""The fast path: well-formed RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) read with lxml, exactly as feedparser would.

feedparser is most of the cost of a refresh (about 1,700 entries/s on portal feeds, its Python SAX handlers
doing the work; lxml builds the same tree ten times faster). This module reads the prepared document (see
:mod:`.prepare`: UTF-8, prolog replaced, illegal characters removed) with lxml and builds, for the elements it
knows, the very dicts feedparser would build (``result["feed"]``, ``result["entries"]``: same keys, same
values, same quirks), then hands them to the same converter (:func:`.feedparser_path.convert`). Every field of
:class:`~aggregator.models.ParsedFeed` is therefore computed by one piece of code whichever path read the
document. What feedparser does to a value is done here by the same steps in the same order (strip, resolve
against the document URL where it resolves, its HTML guess for RSS text, its UTF-8-read-as-Latin-1 repair,
its cp1252 mapping) and, where that is feedparser's own code, by calling it.

Anything else is refused (:func:`parse_fast` returns None) and feedparser reads the document: XML that lxml
finds malformed (feedparser may still recover entries with its loose parser), other formats and versions,
``xml:base``, ``xml:lang`` below the root, XHTML or base64 content, elements it does not know where their
name could mean something to feedparser, elements nested where only text is expected. Unknown elements
that feedparser would only store under a key we never read (``slash:comments``, ``wp:post-id``) are
skipped. ``tests/test_parse_fast.py`` checks, on the real-world corpus, the fixtures, generated feeds and
mutations of them, that every document accepted here gives feedparser's :class:`ParsedFeed`, field for field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

from aggregator.models import ParsedFeed
from aggregator.parse.feedparser_path import convert
from aggregator.parse.feedparser_rules import (
    CONTENT_TYPE_NAMES,
    FEEDPARSER_HTML_TYPES,
    IGNORED_ELEMENTS,
    LINK_ENTITY_RE,
    PREFIXES,
    READ_ATTRIBUTES,
    RELATIVE_ELEMENTS,
    STANDARD_PREFIXES,
    Refuse,
    add_tag,
    check_harmless,
    content_type_bozo,
    element_key,
    enforce_href,
    join_url,
    looks_like_html,
    map_type,
    repair,
    sync_author_detail,
)
from aggregator.parse.prepare import PreparedXML

__all__ = ["Refuse", "parse_fast", "refusal"]

ATOM_NS = "http://www.w3.org/2005/Atom"
RSS10_NS = "http://purl.org/rss/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_RDF_ABOUT = f"{{{RDF_NS}}}about"
_RDF_RESOURCE = f"{{{RDF_NS}}}resource"
# Namespaces whose declaration sets feedparser's version before the root element's handler runs.
_VERSION_NAMESPACES = {RSS10_NS: "rss10", ATOM_NS.lower(): "atom10"}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, collect_ids=False
)


def parse_fast(prepared: PreparedXML, *, media_type: str, url: str | None) -> ParsedFeed | None:
    """The document read with lxml, or None when feedparser must read it (see the module docstring)."""
    try:
        result = _Reader(url).read(prepared.body)
    except Refuse:
        return None
    bozo = content_type_bozo(media_type)
    if bozo is not None:
        result["bozo"] = True
        result["bozo_exception"] = bozo
    feed, malformed = convert(result, prepared, url=url)
    return feed if malformed is None else None


def refusal(prepared: PreparedXML, *, url: str | None) -> str | None:
    """Why the fast path refuses this document, or None when it reads it (for tests and diagnostics)."""
    try:
        _Reader(url).read(prepared.body)
    except Refuse as e:
        return str(e)
    return None


Handler = Callable[["_Reader", Any, dict[str, Any], int], None]


class _Reader:
    """One document. ``ctx`` is the dict feedparser would fill (the feed's, an entry's, an image's)."""

    def __init__(self, url: str | None) -> None:
        base = url or ""
        first = self._next_base(base)
        if self._next_base(first) != first:
            raise Refuse("the document URL is not stable under feedparser's base handling")
        self.base = first
        self.lang: str | None = None
        self.version = ""
        self.title_depth = -1
        self.has_content = False
        self.in_entry = False
        self.in_image = False

    @staticmethod
    def _next_base(base: str) -> str:
        """What feedparser's start-tag handler makes of the base URI of an element without xml:base."""
        if base:
            return make_safe_absolute_uri(base, base) or base
        return str(_urljoin(base, base))

    # ------------------------------------------------------------------------------------------- document

    def read(self, body: bytes) -> dict[str, Any]:
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError as e:
            raise Refuse("not well-formed for lxml") from e
        if len(_PARSER.error_log):
            raise Refuse("lxml reported problems")
        feed: dict[str, Any] = {}
        self.entries: list[dict[str, Any]] = []
        self.version = self._version(root)
        lang = root.get(f"{_XML_NS}lang")
        root_attrs = {k for k in root.attrib if k != f"{_XML_NS}lang" and k != "version"}
        if root_attrs:
            raise Refuse("unexpected attributes on the root element")
        if lang is not None:
            if self.version == "rss10":
                raise Refuse("xml:lang on rdf:RDF")
            self.lang = lang or None
            if self.lang:
                feed["language"] = self.lang.replace("_", "-")
        if self.version == "rss20":
            channels = [c for c in root if c.tag == "channel"]
            if len(channels) != 1 or len(root) != 1 or channels[0].attrib:
                raise Refuse("an RSS root with other than one bare <channel>")
            self._children(channels[0], feed, 3, _CHANNEL)
        elif self.version == "atom10":
            self._children(root, feed, 2, _ATOM_FEED)
        else:
            self._rdf(root, feed)
        return {"bozo": False, "feed": feed, "entries": self.entries, "version": self.version}

    def _version(self, root: Any) -> str:
        declared = [uri.lower() for uri in root.nsmap.values()]
        first = next((_VERSION_NAMESPACES[u] for u in declared if u in _VERSION_NAMESPACES), "")
        for prefix, uri in root.nsmap.items():
            standard = PREFIXES.get(uri.lower())
            # feedparser maps a document's prefixes of known namespaces to its own names, and applies that
            # map to its own names too: a prefix that is one of its names, bound to another known namespace,
            # would rename that namespace's elements.
            if prefix in STANDARD_PREFIXES and standard is not None and standard != prefix:
                raise Refuse("a standard prefix bound to another known namespace")
            if uri.lower() == "http://my.netscape.com/rdf/simple/0.9/":
                raise Refuse("RSS 0.90")
        tag = root.tag
        if tag == "rss":
            version = root.get("version", "")
            if not version.startswith("2.") or first == "rss10":
                raise Refuse("not RSS 2.x")
            return "rss20"
        if tag == f"{{{ATOM_NS}}}feed":
            if first != "atom10" or root.get("version") is not None:
                raise Refuse("not Atom 1.0")
            return "atom10"
        if tag == f"{{{RDF_NS}}}RDF" and root.nsmap.get(None) == RSS10_NS:
            if first != "rss10" or root.get("version") is not None:
                raise Refuse("not RSS 1.0")
            return "rss10"
        raise Refuse("not an RSS 2.0, Atom 1.0 or RSS 1.0 root")

    def _rdf(self, root: Any, feed: dict[str, Any]) -> None:
        """RSS 1.0: <channel>, then <item>s (and an <image>/<textinput> whose content feedparser drops)."""
        seen_channel = False
        for child in root:
            key = element_key(child)
            if key == "channel" and not seen_channel:
                seen_channel = True
                if set(child.attrib) - {_RDF_ABOUT}:
                    raise Refuse("attributes on <channel>")
                self._children(child, feed, 3, _RDF_CHANNEL)
            elif key == "item" and seen_channel:
                self._item(child, 2, rdf=True)
            elif key in ("image", "textinput") and seen_channel:
                # After </channel> feedparser is neither in the feed nor in an entry: it stores nothing.
                if set(child.attrib) - {_RDF_ABOUT}:
                    raise Refuse("attributes on a root <image>")
                for grandchild in child:
                    if element_key(grandchild) not in ("title", "url", "link", "description", "name"):
                        raise Refuse("unexpected element in a root <image>")
                    self._plain(grandchild)
                if key == "image":
                    feed.setdefault("image", {})
            else:
                raise Refuse(f"unexpected <{key}> under rdf:RDF")

    # ----------------------------------------------------------------------------------------- elements

    def _children(self, parent: Any, ctx: dict[str, Any], depth: int, table: dict[str, Handler]) -> None:
        for child in parent:
            key = element_key(child)
            handler = table.get(key)
            if handler is not None:
                handler(self, child, ctx, depth)
            else:
                self._unknown(child, key, ctx)

    def _unknown(self, el: Any, key: str, ctx: dict[str, Any]) -> None:
        """An element no handler of ours takes: skipped when feedparser would only store it aside."""
        if key in IGNORED_ELEMENTS:
            self._plain(el)
            return
        check_harmless(el, key)
        if len(el):
            self.ignore_tree(el, ctx, 0)
        else:
            self._plain(el)

    def _plain(self, el: Any) -> str:
        """The stripped text of an element that may hold nothing but text.

        Attributes are each handler's business, but for the ones that change feedparser's base URI or
        language (``xml:base``, ``xml:lang``, and ``base``/``lang`` in any or no namespace).
        """
        if len(el):
            raise Refuse("child elements (or comments) where feedparser expects text")
        for name in el.attrib:
            if name.rsplit("}", 1)[-1].lower() in ("base", "lang"):
                raise Refuse("xml:base, xml:lang or a look-alike")
        text = el.text
        return text.strip() if text else ""

    def _attrs(self, el: Any) -> dict[str, str]:
        """Attributes as feedparser sees them: lower-case names, rel and type values lower-cased.

        A namespaced attribute is ``prefix:name`` when feedparser knows the namespace, else just ``name``
        (``thr:count`` becomes ``count``): refused when that could be a name it reads.
        """
        out: dict[str, str] = {}
        for name, value in el.attrib.items():
            if name[0] == "{":
                uri, local = name[1:].split("}", 1)
                prefix = PREFIXES.get(uri.lower(), "")
                low = f"{prefix}:{local}".lower() if prefix else local.lower()
                if prefix == "xml":
                    raise Refuse(f"xml:{local} on an element")
                if not prefix and low in READ_ATTRIBUTES:
                    raise Refuse("a namespaced attribute that feedparser would read")
            else:
                low = name.lower()
            if low in out or low in ("base", "lang"):
                raise Refuse("an ambiguous attribute, or base/lang")
            out[low] = value.lower() if low in ("rel", "type") and value else value
        return out

    def _value(self, text: str, key: str) -> str:
        """feedparser's ``pop`` for an element expecting text: resolved when its name says URL, repaired."""
        if key in RELATIVE_ELEMENTS and text:
            text = join_url(self.base, text)
        return repair(text)

    def _typed(self, text: str, kind: str) -> tuple[str, str]:
        """The same for a text construct: (value, content type after feedparser's HTML guess for RSS)."""
        if kind == "text/plain" and not self.version.startswith("atom") and looks_like_html(text):
            kind = "text/html"
        return repair(text), kind

    def _detail(self, kind: str | None, value: str) -> dict[str, Any]:
        lang = self.lang.replace("_", "-") if self.lang else self.lang
        return {"type": kind, "language": lang, "base": self.base, "value": value}

    def _content_type(self, el: Any, default: str) -> str:
        attrs = self._attrs(el)
        if set(attrs) - {"type"}:
            raise Refuse("content attributes (src, mode...)")
        kind = attrs.get("type", default).lower()
        kind = CONTENT_TYPE_NAMES.get(kind, kind)
        if kind not in ("text/plain", "text/html"):
            raise Refuse(f"content of type {kind}")
        return kind

    # ---- text constructs

    def title(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        kind = self._content_type(el, "text/plain")
        value, kind = self._typed(self._plain(el), kind)
        stored = not (-1 < self.title_depth <= depth)
        if stored:
            ctx["title"] = value
            ctx["title_detail"] = self._detail(kind, value)
        if value:
            self.title_depth = depth

    def description(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        if "summary" in ctx and not self.has_content:
            self._content(el, ctx, "text/plain")
            return
        kind = self._content_type(el, "text/html")
        value, kind = self._typed(self._plain(el), kind)
        if self.in_entry:
            ctx["summary"] = value
            ctx["summary_detail"] = self._detail(kind, value)
        else:
            ctx["subtitle"] = value
            ctx["subtitle_detail"] = self._detail(kind, value)

    def summary(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        if "summary" in ctx and not self.has_content:
            self._content(el, ctx, "text/plain")
            return
        kind = self._content_type(el, "text/plain")
        value, kind = self._typed(self._plain(el), kind)
        ctx["summary"] = value
        ctx["summary_detail"] = self._detail(kind, value)

    def subtitle(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        kind = self._content_type(el, "text/plain")
        value, kind = self._typed(self._plain(el), kind)
        ctx["subtitle"] = value
        ctx["subtitle_detail"] = self._detail(kind, value)

    def content(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._content(el, ctx, "text/plain")

    def content_encoded(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._content(el, ctx, "text/html")

    def _content(self, el: Any, ctx: dict[str, Any], default: str) -> None:
        if not self.in_entry:
            raise Refuse("content outside an entry")
        self.has_content = True
        kind = self._content_type(el, default)
        value, kind = self._typed(self._plain(el), kind)
        ctx.setdefault("content", []).append(self._detail(kind, value))
        ctx.setdefault("summary", value)  # feedparser's _end_content copies text and HTML content

    # ---- links and ids

    def link(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        if self.in_entry and self.in_image:
            raise Refuse("a link inside an image inside an entry")
        attrs = self._attrs(el)
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        enforce_href(attrs)
        links = ctx.setdefault("links", [])
        if "href" in attrs:
            self._plain(el)
            attrs["href"] = join_url(self.base, attrs["href"])
            links.append(attrs)
            if attrs.get("rel") == "alternate" and map_type(attrs.get("type")) in FEEDPARSER_HTML_TYPES:
                ctx["link"] = attrs["href"]
            return
        links.append(attrs)
        value = self._value(self._plain(el), "link")
        if self.in_entry:
            value = LINK_ENTITY_RE.sub(r"&\g<1>", value.replace("&amp;", "&"))
            ctx["link"] = value
            if value:
                links[-1]["href"] = value
        else:
            ctx["link"] = LINK_ENTITY_RE.sub(r"&\g<1>", value)
            links[-1]["href"] = ctx["link"]

    def guid(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        attrs = self._attrs(el)
        if set(attrs) - {"ispermalink"}:
            raise Refuse("attributes on <guid>/<id>")
        is_link = attrs.get("ispermalink", "true") == "true"
        text = self._plain(el)
        value = repair(join_url(self.base, text) if is_link and text else text)
        ctx["id"] = value
        ctx.setdefault("guidislink", is_link and "link" not in ctx)
        if is_link:
            ctx.setdefault("link", value)

    # ---- dates

    def _date(self, el: Any, ctx: dict[str, Any], key: str) -> None:
        self._no_attrs(el)
        ctx[key] = self._value(self._plain(el), key)

    def published(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._date(el, ctx, "published")

    def updated(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._date(el, ctx, "updated")

    def created(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._date(el, ctx, "created")

    # ---- people

    def author(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._no_attrs(el)
        ctx.setdefault("authors", []).append({})
        if len(el):
            if (el.text or "").strip():
                raise Refuse("text beside an author's elements")
            for child in el:
                key = element_key(child)
                if key not in ("name", "email", "uri", "url", "homepage"):
                    check_harmless(child, key)  # Blogger's gd:image: stored aside
                    self._plain(child)
                    continue
                self._no_attrs(child)
                text = self._plain(child)
                if key in ("name", "email"):
                    self._save_author(ctx, key, text)
                else:
                    value = self._value(text, "href")
                    if self.in_entry:
                        ctx["href"] = value
                    self._save_author(ctx, "href", value)
                if (child.tail or "").strip():
                    raise Refuse("text beside an author's elements")
            ctx["author"] = ""
        else:
            ctx["author"] = self._value(self._plain(el), "author")
        sync_author_detail(ctx)

    def contributor(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._no_attrs(el)
        for child in el:
            if element_key(child) not in ("name", "email", "uri"):
                raise Refuse("unexpected element in a contributor")
            self._no_attrs(child)
            self._plain(child)

    def _save_author(self, ctx: dict[str, Any], key: str, value: str) -> None:
        ctx.setdefault("author_detail", {})[key] = value
        sync_author_detail(ctx)
        ctx.setdefault("authors", [{}])[-1][key] = value

    # ---- categories

    def category(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        attrs = self._attrs(el)
        if set(attrs) - {"term", "scheme", "domain", "label"}:
            raise Refuse("unexpected category attributes")
        tags = ctx.setdefault("tags", [])
        add_tag(tags, attrs.get("term"), attrs.get("scheme", attrs.get("domain")), attrs.get("label"))
        value = self._value(self._plain(el), "category")
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            add_tag(tags, value, None, None)

    # ---- media

    def enclosure(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        attrs = enforce_href(self._attrs(el))
        self._plain(el)
        attrs["rel"] = "enclosure"
        ctx.setdefault("links", []).append(attrs)

    def media_thumbnail(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        attrs = self._attrs(el)
        ctx.setdefault("media_thumbnail", []).append(attrs)
        url = self._value(self._plain(el), "url")
        if url.strip() and "url" not in attrs:
            attrs["url"] = url

    def media_content(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        attrs = self._attrs(el)
        self._plain(el)
        ctx.setdefault("media_content", []).append(attrs)

    def itunes_image(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        attrs = self._attrs(el)
        self._plain(el)
        if attrs.get("href"):
            ctx["image"] = {"href": attrs["href"]}
        elif attrs.get("url"):
            ctx["image"] = {"href": attrs["url"]}

    # ---- feed-level elements

    def language(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._no_attrs(el)
        ctx["language"] = self._value(self._plain(el), "language")

    def image(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        if self.in_entry:
            raise Refuse("an image inside an entry")
        if set(el.attrib) - {_RDF_RESOURCE, _RDF_ABOUT}:
            raise Refuse("attributes on <image>")
        image = ctx.setdefault("image", {})
        self.in_image = True
        self.title_depth = -1
        try:
            for child in el:
                key = element_key(child)
                if key == "url":
                    self._no_attrs(child)
                    image["href"] = self._value(self._plain(child), "href")
                elif key == "title":
                    self.title(child, image, depth + 1)
                elif key == "link":
                    self.link(child, image, depth + 1)
                elif key in ("width", "height"):
                    self._no_attrs(child)
                    self._plain(child)
                elif key == "description":
                    self._no_attrs(child)
                    value = self._value(self._plain(child), "description")
                    image["subtitle"] = value
                    image["subtitle_detail"] = self._detail("text/html", value)
                else:
                    raise Refuse(f"<{key}> in an image")
        finally:
            self.in_image = False

    def textinput(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        """RSS 1.0's ``<textinput rdf:resource="..."/>`` in the channel: only resets the title depth."""
        if set(el.attrib) - {_RDF_RESOURCE} or len(el):
            raise Refuse("a <textinput> with content")
        self._plain(el)
        ctx.setdefault("textinput", {})
        self.title_depth = -1

    def generic(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        """An element feedparser has no handler for: stored as text (or as its attributes) under its name."""
        key = element_key(el)
        if el.attrib:
            self._plain(el)
            ctx[key] = self._attrs(el)
        else:
            ctx[key] = self._value(self._plain(el), key)

    def ignore(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._plain(el)

    def ignore_tree(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        """An element whose descendants feedparser stores aside (RSS 1.0 <items>, RSS skipHours)."""
        for descendant in el.iterdescendants():
            check_harmless(descendant, element_key(descendant))

    def item(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        self._item(el, depth, rdf=False)

    def _item(self, el: Any, depth: int, *, rdf: bool) -> None:
        attrs = dict(el.attrib)
        about = attrs.pop(_RDF_ABOUT, None) if rdf else None
        if attrs:
            raise Refuse("attributes on an item")
        entry: dict[str, Any] = {}
        if about:
            entry["id"] = about
        self.entries.append(entry)
        self.in_entry = True
        self.title_depth = -1
        try:
            self._children(el, entry, depth + 1, _ATOM_ENTRY if self.version == "atom10" else _ITEM)
        finally:
            self.in_entry = False
            self.has_content = False

    def source(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        if self.version == "atom10" or not self.in_entry:
            raise Refuse("an Atom <source>")
        self._plain(el)
        self.title_depth = -1

    def _no_attrs(self, el: Any) -> None:
        if el.attrib:
            raise Refuse(f"attributes on <{element_key(el)}>")


_R = _Reader
_COMMON: dict[str, Handler] = {
    "title": _R.title,
    "link": _R.link,
    "language": _R.language,
    "generator": _R.ignore,
    "category": _R.category,
    "pubdate": _R.published,
    "published": _R.published,
    "lastbuilddate": _R.updated,
    "updated": _R.updated,
    "dc_date": _R.updated,
    "ttl": _R.generic,
    "sy_updateperiod": _R.generic,
    "sy_updatefrequency": _R.generic,
    "image": _R.image,
    "managingeditor": _R.author,
    "author": _R.author,
    "dc_subject": _R.category,
    "webmaster": _R.ignore,
    "dc_creator": _R.author,
    "dc_publisher": _R.ignore,
    "dc_language": _R.language,
    "cloud": _R.ignore,
    "feedburner_browserfriendly": _R.ignore,  # feedparser: <info>, stored aside
    "skiphours": _R.ignore_tree,
    "skipdays": _R.ignore_tree,
}
_CHANNEL: dict[str, Handler] = {**_COMMON, "description": _R.description, "item": _R.item}
_RDF_CHANNEL: dict[str, Handler] = {
    **_COMMON,
    "description": _R.description,
    "items": _R.ignore_tree,
    "textinput": _R.textinput,
}
_ATOM_FEED: dict[str, Handler] = {
    **_COMMON,
    "subtitle": _R.subtitle,
    "id": _R.guid,
    "author": _R.author,
    "contributor": _R.contributor,
    "icon": _R.generic,
    "logo": _R.generic,
    "entry": _R.item,
}
_ITEM: dict[str, Handler] = {
    "title": _R.title,
    "link": _R.link,
    "guid": _R.guid,
    "description": _R.description,
    "content_encoded": _R.content_encoded,
    "pubdate": _R.published,
    "published": _R.published,
    "dcterms_issued": _R.published,
    "updated": _R.updated,
    "dc_date": _R.updated,
    "dcterms_modified": _R.updated,
    "dcterms_created": _R.created,
    "author": _R.author,
    "dc_creator": _R.author,
    "category": _R.category,
    "dc_subject": _R.category,
    "enclosure": _R.enclosure,
    "media_thumbnail": _R.media_thumbnail,
    "media_content": _R.media_content,
    "itunes_image": _R.itunes_image,
    "dc_language": _R.language,
    "dc_publisher": _R.ignore,  # feedparser: publisher_detail, never read
    "source": _R.source,
}
_ATOM_ENTRY: dict[str, Handler] = {
    **_ITEM,
    "id": _R.guid,
    "summary": _R.summary,
    "content": _R.content,
    "contributor": _R.contributor,
}
