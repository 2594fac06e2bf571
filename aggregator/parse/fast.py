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
mutations of them, that every document accepted here gives feedparser's :class:`ParsedFeed`, field for field
(but for the raw hashes, see below).

**Raw hashes and deferred entries.** An entry's raw hash here is the SHA-256 of its XML as lxml serializes
it (every in-scope namespace declared on it), salted with what else its reading depends on (the document's
URL, base, language, version and feed language, whether the feed has a link, an Atom feed's author, and
:data:`FAST_PATH_VERSION`): equal hashes mean equal entries, found by the same code. Given a
``skippable`` predicate (:func:`read_fast`), an entry whose hash it accepts (one the caller has stored) is
deferred: nothing of it is read until asked; its id and links
(:meth:`~.fast_elements.ElementReader.read_identity`) only when its key is not known from its raw hash, the
rest only if it is needed, which for an unchanged entry is never. Such an entry was read by this code
before, from the same bytes in the same context, so reading it later cannot fail; if it does anyway,
:class:`~.refs.StaleEntry` tells the caller to read the document again without deferring. Feedparser's path
keeps hashing the fields it read (:func:`.feedparser_path.hash_fields`): a source whose documents move from
one path to the other rewrites its raw hashes once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import partial
from typing import Any

from lxml import etree

from aggregator.models import ParsedEntry, ParsedFeed
from aggregator.parse.fast_elements import (
    ATOM_FEED_HANDLERS,
    ATOM_NS,
    CHANNEL_HANDLERS,
    RDF_ABOUT,
    RDF_CHANNEL_HANDLERS,
    RDF_NS,
    RSS10_NS,
    XML_NS,
    CannotDefer,
    ElementReader,
)
from aggregator.parse.feedparser_path import EntryContext, convert_entry, convert_feed, convert_identity
from aggregator.parse.feedparser_rules import (
    PREFIXES,
    STANDARD_PREFIXES,
    Refuse,
    content_type_bozo,
    element_key,
)
from aggregator.parse.prepare import PreparedXML
from aggregator.parse.refs import EntryRef, Identity, ParsedDocument, StaleEntry

__all__ = ["FAST_PATH_VERSION", "Refuse", "parse_fast", "read_fast", "refusal"]

#: Part of every raw hash of this path: bump it whenever an entry's XML is read differently (a new handler,
#: a new refusal), so that entries stored by the older code are read again rather than deferred.
FAST_PATH_VERSION = 1

# Namespaces whose declaration sets feedparser's version before the root element's handler runs.
_VERSION_NAMESPACES = {RSS10_NS: "rss10", ATOM_NS.lower(): "atom10"}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, collect_ids=False
)


def parse_fast(prepared: PreparedXML, *, media_type: str, url: str | None) -> ParsedFeed | None:
    """The document read with lxml, every entry built, or None when feedparser must read it."""
    document = read_fast(prepared, media_type=media_type, url=url)
    return None if document is None else document.whole()


def read_fast(
    prepared: PreparedXML,
    *,
    media_type: str,
    url: str | None,
    skippable: Callable[[str], bool] | None = None,
) -> ParsedDocument | None:
    """The document read with lxml, or None when feedparser must read it (see the module docstring).

    Entries whose raw hash ``skippable`` accepts are deferred; every other entry is read here, so that one
    the fast path cannot read sends the whole document to feedparser, as it always did.
    """
    try:
        reader = _Reader(url, defer=skippable is not None)
        try:
            result = reader.read(prepared.body)
        except CannotDefer:
            reader = _Reader(url, defer=False)
            result = reader.read(prepared.body)
        bozo = content_type_bozo(media_type)
        if bozo is not None:
            result["bozo"] = True
            result["bozo_exception"] = bozo
        feed, context, malformed = convert_feed(result, prepared, url=url)
        if malformed is not None:
            return None
        return ParsedDocument(feed, tuple(reader.references(context, skippable)))
    except Refuse:
        return None


def refusal(prepared: PreparedXML, *, url: str | None) -> str | None:
    """Why the fast path refuses this document, or None when it reads it (for tests and diagnostics)."""
    try:
        _Reader(url, defer=False).read(prepared.body)
    except Refuse as e:
        return str(e)
    return None


# An item met in document order: (element, depth, read as RDF, feedparser's dict or None when deferred).
_Item = tuple[Any, int, bool, dict[str, Any] | None]


class _Reader(ElementReader):
    """One document: its root, version and structure; entries read in order, or deferred."""

    def __init__(self, url: str | None, *, defer: bool) -> None:
        super().__init__(url)
        # Deferred entries get their base URL from the document (convert_identity): only exact when the
        # base of their text constructs is the document URL, that is without xml:base (refused anyway)
        # and when feedparser's handling leaves the URL as it is.
        self.defer = defer and (self.base.strip() or None) == url
        self.url = url
        self.items: list[_Item] = []

    def on_item(self, el: Any, depth: int, *, rdf: bool) -> None:
        if self.defer:
            self.deferring = True
            self.items.append((el, depth, rdf, None))
        else:
            self.items.append((el, depth, rdf, self.read_item(el, depth, rdf=rdf)))

    def references(self, context: EntryContext, skippable: Callable[[str], bool] | None) -> list[EntryRef]:
        """One reference per entry, in document order; deferred entries skippable accepts stay deferred."""
        # The feed's author joins the salt only when there is one, so that documents without one keep the
        # raw hashes they were stored with.
        inherited = [context.feed_author] if context.feed_author is not None else []
        salt = json.dumps(
            [FAST_PATH_VERSION, self.version, self.url, self.base, self.lang, context.feed_language,
             bool(context.feed_link), *inherited],
            ensure_ascii=False,
        ).encode("utf-8", "surrogatepass")  # fmt: skip
        refs: list[EntryRef] = []
        for position, (el, depth, rdf, entry) in enumerate(self.items):
            digest = hashlib.sha256(salt)
            digest.update(etree.tostring(el, encoding="UTF-8", xml_declaration=False, with_tail=False))
            raw_hash = digest.hexdigest()
            if entry is None and (skippable is None or not skippable(raw_hash)):
                entry = self.read_item(el, depth, rdf=rdf)
            if entry is not None:
                refs.append(EntryRef.of(convert_entry(entry, position, context, raw_hash)))
                continue
            identify = partial(self._identify, el, depth, rdf, context)
            load = partial(self._load, el, depth, rdf, position, context, raw_hash)
            refs.append(EntryRef(position, raw_hash, identify, load))
        return refs

    def _identify(self, el: Any, depth: int, rdf: bool, context: EntryContext) -> Identity:
        try:
            return convert_identity(self.read_identity(el, depth, rdf=rdf), context)
        except Refuse as e:
            raise StaleEntry(f"a deferred entry's identity was refused: {e}") from e

    def _load(
        self, el: Any, depth: int, rdf: bool, position: int, context: EntryContext, raw_hash: str
    ) -> ParsedEntry:
        try:
            entry = self.read_item(el, depth, rdf=rdf)
        except Refuse as e:
            raise StaleEntry(f"a deferred entry was refused: {e}") from e
        return convert_entry(entry, position, context, raw_hash)

    # ------------------------------------------------------------------------------------------- document

    def read(self, body: bytes) -> dict[str, Any]:
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError as e:
            raise Refuse("not well-formed for lxml") from e
        if len(_PARSER.error_log):
            raise Refuse("lxml reported problems")
        feed: dict[str, Any] = {}
        self.version = self._version(root)
        lang = root.get(f"{XML_NS}lang")
        root_attrs = {k for k in root.attrib if k != f"{XML_NS}lang" and k != "version"}
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
            self._children(channels[0], feed, 3, CHANNEL_HANDLERS)
        elif self.version == "atom10":
            self._children(root, feed, 2, ATOM_FEED_HANDLERS)
        else:
            self._rdf(root, feed)
        return {"bozo": False, "feed": feed, "entries": [], "version": self.version}

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
                if set(child.attrib) - {RDF_ABOUT}:
                    raise Refuse("attributes on <channel>")
                self._children(child, feed, 3, RDF_CHANNEL_HANDLERS)
            elif key == "item" and seen_channel:
                self.on_item(child, 2, rdf=True)
            elif key in ("image", "textinput") and seen_channel:
                # After </channel> feedparser is neither in the feed nor in an entry: it stores nothing.
                if set(child.attrib) - {RDF_ABOUT}:
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
