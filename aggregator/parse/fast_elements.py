"""The fast path's element handlers: for each element it knows, what feedparser would store, and where.

Split from :mod:`.fast` (the document: root, version, items, entry references), which subclasses
:class:`ElementReader`. Reading an entry depends only on the entry's own XML and on the document's base URI,
language and version: ``<item>`` resets every piece of state the handlers keep (title depth, content seen,
in an image). That is what lets :mod:`.fast` read an unchanged entry's id and links alone, and the rest of it
only when needed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from feedparser.urls import _urljoin, make_safe_absolute_uri

from aggregator.parse.feedparser_rules import (
    CONTENT_TYPE_NAMES,
    FEEDPARSER_HTML_TYPES,
    IGNORED_ELEMENTS,
    LINK_ENTITY_RE,
    PREFIXES,
    READ_ATTRIBUTES,
    RELATIVE_ELEMENTS,
    Refuse,
    add_tag,
    check_harmless,
    element_key,
    enforce_href,
    join_url,
    looks_like_html,
    map_type,
    repair,
    sync_author_detail,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
RSS10_NS = "http://purl.org/rss/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"
RDF_ABOUT = f"{{{RDF_NS}}}about"
_RDF_RESOURCE = f"{{{RDF_NS}}}resource"


class CannotDefer(Exception):  # noqa: N818 (control flow: "read this document's entries in order")
    """Entries of this document cannot be read out of order; the document reader starts again, in order."""


Handler = Callable[["ElementReader", Any, dict[str, Any], int], None]


class ElementReader(ABC):
    """feedparser's rules per element, on one document's state (base URI, language, version, depths).

    Each handler takes an element, ``ctx`` (the dict feedparser would fill: the feed's, an entry's, an
    image's) and the element's depth, and fills ``ctx`` as feedparser's handlers would, or raises
    :class:`Refuse`. The document-level reading (root, versions, where items are) is :mod:`.fast`.
    """

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
        self.deferring = False  # set by the document reader once it has deferred an entry

    @staticmethod
    def _next_base(base: str) -> str:
        """What feedparser's start-tag handler makes of the base URI of an element without xml:base."""
        if base:
            return make_safe_absolute_uri(base, base) or base
        return str(_urljoin(base, base))

    # ------------------------------------------------------------------------------------------- document

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
        if self.deferring and not self.in_entry and not self.in_image:
            # The one handler that reads state an entry leaves behind (the title depth): a feed-level title
            # after entries needs them read in order.
            raise CannotDefer("a feed-level title after entries")
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
        if set(el.attrib) - {_RDF_RESOURCE, RDF_ABOUT}:
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
        self.on_item(el, depth, rdf=False)

    @abstractmethod
    def on_item(self, el: Any, depth: int, *, rdf: bool) -> None:
        """An ``<item>`` or ``<entry>`` met in document order: the document reader reads or defers it."""

    def read_item(self, el: Any, depth: int, *, rdf: bool) -> dict[str, Any]:
        """The dict feedparser would build for an entry (the same whenever it is read, see the docstring)."""
        entry = self._item_start(el, rdf=rdf)
        self.in_entry = True
        self.title_depth = -1
        try:
            self._children(el, entry, depth + 1, _ATOM_ENTRY if self.version == "atom10" else _ITEM)
        finally:
            self.in_entry = False
            self.has_content = False
        return entry

    def read_identity(self, el: Any, depth: int, *, rdf: bool) -> dict[str, Any]:
        """Only what gives an entry its id and links (``id``, ``link``, ``links``) of :meth:`read_item`.

        No other handler writes those keys (an enclosure's link has ``rel="enclosure"``, never an alternate),
        and these handlers read nothing the others write, so running them alone, in document order, gives
        the same values. Only for an item :meth:`read_item` accepted before (same bytes, same context).
        """
        entry = self._item_start(el, rdf=rdf)
        table = _ATOM_IDENTITY if self.version == "atom10" else _ITEM_IDENTITY
        self.in_entry = True
        try:
            for child in el:
                handler = table.get(element_key(child))
                if handler is not None:
                    handler(self, child, entry, depth + 1)
        finally:
            self.in_entry = False
        return entry

    @staticmethod
    def _item_start(el: Any, *, rdf: bool) -> dict[str, Any]:
        attrs = dict(el.attrib)
        about = attrs.pop(RDF_ABOUT, None) if rdf else None
        if attrs:
            raise Refuse("attributes on an item")
        return {"id": about} if about else {}

    def source(self, el: Any, ctx: dict[str, Any], depth: int) -> None:
        if self.version == "atom10" or not self.in_entry:
            raise Refuse("an Atom <source>")
        self._plain(el)
        self.title_depth = -1

    def _no_attrs(self, el: Any) -> None:
        if el.attrib:
            raise Refuse(f"attributes on <{element_key(el)}>")


_R = ElementReader
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
CHANNEL_HANDLERS: dict[str, Handler] = {**_COMMON, "description": _R.description, "item": _R.item}
RDF_CHANNEL_HANDLERS: dict[str, Handler] = {
    **_COMMON,
    "description": _R.description,
    "items": _R.ignore_tree,
    "textinput": _R.textinput,
}
ATOM_FEED_HANDLERS: dict[str, Handler] = {
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
# The handlers that write an entry's id and links (see ElementReader.read_identity).
_ITEM_IDENTITY = {key: h for key, h in _ITEM.items() if h in (_R.guid, _R.link)}
_ATOM_IDENTITY = {key: h for key, h in _ATOM_ENTRY.items() if h in (_R.guid, _R.link)}
