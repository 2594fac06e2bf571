"""Bytes preparation before an XML feed reaches a parser: charset, prolog, illegal characters.

The document is decoded by the rules of :mod:`.charset` and handed on as clean UTF-8.

The prolog (everything before the root element) is then replaced by a UTF-8 XML declaration. That
drops the whitespace some feeds send before ``<?xml`` (feedjira/TechCrunch.xml and six other captured
feeds start with a newline, which makes the strict parser fail and lose nothing only by luck), comments,
processing instructions and every DOCTYPE. Internal entity declarations are the "billion laughs" and
quadratic blowup attacks: feedparser's lenient parser expands the ones it deems safe by itself (a 111 KB
document took 38 s and 2.9 GB), and it finds them anywhere before the root element, inside comments too;
an external identifier (``SYSTEM "file:///etc/passwd"``) must never be fetched or read. References to
removed entities become undefined entities, which feedparser's loose parser keeps as text. Old RSS 0.91
feeds that cite Netscape's DTD use the HTML entities it declares (``&eacute;``, ``&nbsp;``): we turn those
into numeric references, as the DTD would, so the strict parser reads them.

Finally characters that XML 1.0 forbids are removed, raw or as numeric references: feedparser raises
``UnicodeEncodeError`` on ``&#xD800;`` and its strict parser stops at a raw control character
(FeedReader/AtomSpecialCharacters.xml carries a U+000F), which loses entries.

The usual document (UTF-8, nothing forbidden in it, no DOCTYPE to apply) is prepared on its bytes: it is
decoded once to check it and find its root element, then the prolog is replaced in the bytes themselves
(a quarter of the time of cleaning and encoding the decoded text; ``tests/test_parse_prepare.py`` checks
both ways give the same bytes). On the fast path it is not even decoded whole:
:func:`prepare_utf8_unchecked` reads only its prolog and leaves invalid UTF-8 and forbidden characters to
lxml, which refuses both; a refused document is prepared again, checked.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.entities import name2codepoint

from aggregator.parse.charset import UTF8, decode_document_at, only_utf8_declared

_XML_DECL_TEXT = '<?xml version="1.0" encoding="utf-8"?>'
_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_NAMED_ENTITY_OR_SKIPPED = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&([A-Za-z][A-Za-z0-9]*);", re.DOTALL)
_XML_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})
_DOCTYPE_START = re.compile(r"<!DOCTYPE", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PreparedXML:
    """A document ready for feedparser: UTF-8 bytes, the charset it was read as, what we changed."""

    body: bytes
    encoding: str
    warnings: tuple[str, ...]
    netscape_doctype: bool  # the removed DOCTYPE named Netscape's RSS 0.91 DTD (feedparser's "rss091n")


def _is_legal_code_point(value: int) -> bool:
    """XML 1.0 ``Char``: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]."""
    return (
        value in (0x9, 0xA, 0xD)
        or 0x20 <= value <= 0xD7FF
        or 0xE000 <= value <= 0xFFFD
        or 0x10000 <= value <= 0x10FFFF
    )


def strip_illegal_characters(text: str) -> tuple[str, int]:
    """Remove characters XML 1.0 forbids, raw or as numeric references; returns (text, removed)."""
    text, raw = _ILLEGAL_CHARS.subn("", text)
    refs = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal refs
        hex_digits, decimal = match.groups()
        value = int(hex_digits, 16) if hex_digits else int(decimal)
        if _is_legal_code_point(value):
            return match.group(0)
        refs += 1
        return ""

    if "&#" in text:
        text = _CHAR_REF.sub(replace, text)
    return text, raw + refs


def _skip_quoted(text: str, pos: int) -> int:
    """Position after the quoted literal starting at ``pos`` (or the end of text)."""
    end = text.find(text[pos], pos + 1)
    return len(text) if end < 0 else end + 1


def _doctype_end(text: str, start: int) -> tuple[int, bool]:
    """(position after the DOCTYPE starting at ``start``, whether it has an internal subset).

    Quoted literals, comments and PIs may hold ``>`` and ``]``, so they are skipped as units.
    """
    pos = start + len("<!DOCTYPE")
    subset = False
    depth = 0
    while pos < len(text):
        ch = text[pos]
        if ch in "\"'":
            pos = _skip_quoted(text, pos)
            continue
        if text.startswith("<!--", pos):
            pos = _after(text, pos + 4, "-->")
            continue
        if text.startswith("<?", pos):
            pos = _after(text, pos + 2, "?>")
            continue
        if ch == "[":
            subset = True
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == ">" and depth == 0:
            return pos + 1, subset
        pos += 1
    return len(text), subset


def _after(text: str, start: int, terminator: str) -> int:
    end = text.find(terminator, start)
    return len(text) if end < 0 else end + len(terminator)


def html_entities_to_references(text: str) -> str:
    """Replace HTML named entities with numeric references, outside CDATA sections and comments.

    Netscape's RSS 0.91 DTD declares the HTML Latin-1 entities, and feeds citing it use ``&eacute;``
    freely (feed-rs and FeedReader keep such RSS 0.91 fixtures). We never read that DTD, so we apply
    what it says: the strict parser then accepts the document instead of failing on an "undefined
    entity" and leaving it to the loose one.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)  # a CDATA section or a comment, kept as it is
        if match.group(1) in _XML_PREDEFINED:
            return match.group(0)
        code_point = name2codepoint.get(match.group(1))
        return f"&#{code_point};" if code_point is not None else match.group(0)

    return _NAMED_ENTITY_OR_SKIPPED.sub(replace, text)


@dataclass(frozen=True, slots=True)
class _Prolog:
    root: int  # where the root element starts (len(text) when there is none)
    internal_subset: bool
    netscape: bool
    junk: int  # characters of text (not markup, not whitespace) before the root element


def _scan_prolog(text: str) -> _Prolog:
    """Find the root element, skipping the declaration, PIs, comments, DOCTYPEs and stray text."""
    pos = junk = 0
    internal = netscape = False
    length = len(text)
    while pos < length:
        lt = text.find("<", pos)
        if lt < 0:
            junk += len(text[pos:].strip())
            pos = length
            break
        junk += len(text[pos:lt].strip())
        nxt = text[lt + 1 : lt + 2]
        if nxt.isalnum() or nxt in ("_", ":"):
            return _Prolog(lt, internal, netscape, junk)
        if text.startswith("<?", lt):
            pos = _after(text, lt + 2, "?>")
        elif text.startswith("<!--", lt):
            pos = _after(text, lt + 4, "-->")
        elif _DOCTYPE_START.match(text, lt):
            pos, subset = _doctype_end(text, lt)
            internal = internal or subset
            netscape = netscape or "netscape" in text[lt:pos].lower()
        elif nxt == "!":
            pos = _after(text, lt + 2, ">")  # another declaration outside a DOCTYPE: never valid here
        else:
            junk += 1
            pos = lt + 1
    return _Prolog(length, internal, netscape, junk)


def prepare_xml(body: bytes, *, http_charset: str | None = None, override: str | None = None) -> PreparedXML:
    """Decode ``body`` and make it safe and well-formed enough for feedparser's strict parser."""
    return _prepare(body, http_charset, override, on_bytes=True)


def _prepare(body: bytes, http_charset: str | None, override: str | None, *, on_bytes: bool) -> PreparedXML:
    text, codec, warnings, utf8_from = decode_document_at(body, http_charset=http_charset, override=override)
    on_bytes = on_bytes and utf8_from is not None and _nothing_illegal_in_utf8(body)
    removed = 0
    if not on_bytes:
        text, removed = strip_illegal_characters(text)
    if removed:
        warnings.append(f"removed {removed} characters not allowed in XML (control characters, surrogates)")
    prolog = _scan_prolog(text)
    if prolog.internal_subset:
        warnings.append("ignored the DOCTYPE's internal subset: entity declarations are never expanded")
    if prolog.junk:
        warnings.append(f"ignored {prolog.junk} characters of text before the root element")
    # The whole prolog is replaced: nothing in it carries feed data, and feedparser looks for entity
    # declarations anywhere before the root element, inside comments and PIs included. Keeping the
    # prolog's line count keeps feedparser's error line numbers those of the original document.
    head = _XML_DECL_TEXT + "\n" * text.count("\n", 0, prolog.root)
    if on_bytes and not prolog.netscape:
        assert utf8_from is not None
        root = utf8_from + len(text[: prolog.root].encode("utf-8"))
        prepared = head.encode("utf-8") + body[root:]
    else:
        if prolog.netscape:
            text = html_entities_to_references(text)
        prepared = (head + text[prolog.root :]).encode("utf-8")
    return PreparedXML(
        body=prepared,
        encoding=codec,
        warnings=tuple(warnings),
        netscape_doctype=prolog.netscape,
    )


# How far into an unchecked document its root element is looked for (prologs are a declaration, a
# stylesheet instruction, a comment or two).
_PROLOG_WINDOW = 8192


def prepare_utf8_unchecked(
    body: bytes, *, http_charset: str | None = None, override: str | None = None
) -> PreparedXML | None:
    """What :func:`prepare_xml` gives for the usual document, without reading all of it: or None.

    The usual document is declared UTF-8 (or nothing), its prolog is short and clean, and no character
    reference in it names a forbidden character. Its body past the prolog is NOT checked for invalid UTF-8
    or characters XML forbids: only a parser that refuses both (lxml, which stops at the first) may read
    the result, and if it refuses, :func:`prepare_xml` must prepare the document again. Where that parser
    accepts, the result is :func:`prepare_xml`'s, byte for byte (``tests/test_parse_prepare.py``), for
    about a third of its time on a 250 KB feed (decoding it whole and scanning it for forbidden bytes are
    left to the parse).
    """
    if not only_utf8_declared(body, http_charset=http_charset, override=override):
        return None
    try:
        text = codecs.getincrementaldecoder(UTF8)().decode(body[:_PROLOG_WINDOW], final=False)
    except UnicodeDecodeError:
        return None
    prolog = _scan_prolog(text)
    if prolog.root >= len(text) - 1 or prolog.internal_subset or prolog.junk or prolog.netscape:
        return None  # not found in the window, or something to warn about or to rewrite
    if _ILLEGAL_CHARS.search(text, 0, prolog.root) or not _char_references_legal(body):
        return None
    head = _XML_DECL_TEXT + "\n" * text.count("\n", 0, prolog.root)
    root = len(text[: prolog.root].encode(UTF8))
    return PreparedXML(
        body=head.encode(UTF8) + body[root:], encoding=UTF8, warnings=(), netscape_doctype=False
    )


# Bytes XML 1.0 forbids raw (C0 controls but TAB, LF and CR) map to 0 in this table, the others to 1.
_C0_TABLE = bytes(0 if byte < 0x20 and byte not in (0x09, 0x0A, 0x0D) else 1 for byte in range(256))
# U+FFFE and U+FFFF in UTF-8. (Literal prefixes: each regex searches as fast as bytes.find.)
_FORBIDDEN_HIGH = re.compile(rb"\xef\xbf[\xbe\xbf]")
_CHAR_REF_BYTES = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _nothing_illegal_in_utf8(body: bytes) -> bool:
    """Whether valid UTF-8 ``body`` holds no character :func:`strip_illegal_characters` would remove.

    A strict UTF-8 decode never yields surrogates, so only C0 controls, U+FFFE, U+FFFF and references to
    forbidden code points are left to look for, which on bytes is a table lookup and literal searches.
    """
    if b"\x00" in body.translate(_C0_TABLE) or _FORBIDDEN_HIGH.search(body):
        return False
    return _char_references_legal(body)


def _char_references_legal(body: bytes) -> bool:
    """No numeric reference in ``body`` names a character XML forbids (CDATA sections and comments too:
    :func:`strip_illegal_characters` removes them there as well)."""
    for reference in _CHAR_REF_BYTES.finditer(body):
        hex_digits, decimal = reference.groups()
        if not _is_legal_code_point(int(hex_digits, 16) if hex_digits else int(decimal)):
            return False
    return True
