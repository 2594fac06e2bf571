"""Bytes preparation before an XML feed reaches feedparser: charset, prolog, illegal characters.

We decode the document ourselves and hand feedparser clean UTF-8, because feedparser's own charset
handling follows RFC 3023 to the letter (``text/xml`` without a charset is US-ASCII) and has no answer to
the mislabelled documents real portals send. The rules, in order:

1. A per-source ``encoding`` override wins over everything (the configuration's escape hatch for portals
   that mislabel GBK).
2. A byte order mark wins over the labels (XML 1.0 appendix F), then the HTTP charset (RFC 7303), then
   the XML declaration, then UTF-8, the XML default.
3. Labels of the GB family (``gb2312``, ``gbk``, ``gb_2312-80``, ``x-gbk``, ...) are read as GB18030, a
   superset: portals label GBK text, with characters outside GB2312, as ``gb2312`` (tech.qq.com,
   rss-parser/encoding-gb2312.xml). Latin-1 labels are read as windows-1252, as browsers do, so that the
   "smart quotes" of CMSs that call cp1252 ISO-8859-1 come out as quotes, not C1 controls.
4. A document labelled with a legacy charset whose bytes are valid UTF-8 with non-ASCII characters is read
   as UTF-8 (FeedReader/Rss20FinanzenNet.xml declares iso-8859-1 and sends UTF-8: read as declared it
   gives "fÃ¼r"). Checked on the real-world corpus: every genuinely Latin-1 or GB file there is invalid
   UTF-8, so the rule never fires wrongly on them; random legacy text is almost never valid UTF-8.
5. When the labels fail to decode, the other labels and UTF-8 are tried; when UTF-8 was expected and
   fails, the document is read as UTF-8 with replacement characters if most of its non-ASCII text is valid
   UTF-8, else as windows-1252 (rss-parser/uolNoticias.rss has no declaration and ISO-8859-1 bytes).

Every decision that departs from what the document says is recorded as a warning.

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
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.entities import name2codepoint

#: Labels read as GB18030, the superset every GB2312/GBK document decodes with.
GB_LABELS = frozenset(
    [
        "gb2312",
        "gbk",
        "gb_2312-80",
        "gb_2312",
        "x-gbk",
        "cp936",
        "ms936",
        "windows-936",
        "csgb2312",
        "csgb231280",
        "euc-cn",
        "x-euc-cn",
        "chinese",
        "iso-ir-58",
        "csiso58gb231280",
        "gb18030",
    ]
)
#: Labels read as windows-1252 (WHATWG Encoding Standard: browsers do the same).
LATIN1_LABELS = frozenset(
    [
        "iso-8859-1",
        "iso8859-1",
        "iso_8859-1",
        "iso_8859-1:1987",
        "latin1",
        "latin-1",
        "l1",
        "cp819",
        "ibm819",
        "iso-ir-100",
        "csisolatin1",
        "us-ascii",
        "ascii",
        "windows-1252",
        "cp1252",
        "x-cp1252",
    ]
)

WINDOWS_1252 = "windows-1252"
UTF8 = "utf-8"
_UNICODE_CODECS = ("utf-8", "utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be", "utf-32-le")

# windows-1252 leaves five bytes undefined; like browsers we map them to the C1 code points (Latin-1).
_WINDOWS_1252_TABLE = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, UTF8),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# XML 1.0 appendix F: '<?' in UTF-16/32 without a byte order mark.
_UNMARKED = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)

_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:\-]+)""")
_XML_DECL_TEXT = '<?xml version="1.0" encoding="utf-8"?>'
_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_CHINESE_LANGUAGE = re.compile(rb"""<(?:\w+:)?language>\s*zh|xml:lang\s*=\s*["']zh""", re.IGNORECASE)
_NON_ASCII_VALID = re.compile("[^\x00-\x7f\ufffd]")
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


def normalize_charset(label: str | None) -> str | None:
    """The codec we decode ``label`` with, or None for an empty or unknown label."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in GB_LABELS:
        return "gb18030"
    if name in LATIN1_LABELS:
        return WINDOWS_1252
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # codecs also knows bytes-to-bytes transforms (base64, zlib) and rot13: not text encodings.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def charset_from_content_type(content_type: str | None) -> str | None:
    """The raw ``charset`` parameter of a Content-Type header value."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def media_type(content_type: str | None) -> str:
    """The lower-case media type of a Content-Type header value, '' when absent."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode(body: bytes, codec: str, errors: str = "strict") -> str:
    """Decode with our codec names (``windows-1252`` meaning the browser's total variant)."""
    if codec == WINDOWS_1252:
        return codecs.charmap_decode(body, errors, _WINDOWS_1252_TABLE)[0]
    return body.decode(codec, errors)


def _try_decode(body: bytes, codec: str) -> str | None:
    try:
        return decode(body, codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_legacy(codec: str) -> bool:
    """An ASCII-compatible non-Unicode charset, where valid UTF-8 bytes mean a mislabelled document."""
    return codec not in _UNICODE_CODECS and not codec.startswith(("utf", "cp037", "cp500"))


def decode_document(
    body: bytes, *, http_charset: str | None, override: str | None
) -> tuple[str, str, list[str]]:
    """(text, codec used, warnings) following the rules of the module docstring."""
    warnings: list[str] = []
    if override:
        codec = normalize_charset(override)
        if codec is None:
            warnings.append(f"unknown encoding override {override!r} ignored")
        else:
            if codec == UTF8:
                codec = "utf-8-sig"
            text = _try_decode(body, codec)
            if text is None:
                text = decode(body, codec, "replace")
                warnings.append(f"some bytes are not valid {override} (the configured encoding); replaced")
            return text, codec.removesuffix("-sig"), warnings

    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _decode_or_replace(body[len(bom) :], codec, warnings), codec, warnings
    for marker, codec in _UNMARKED:
        if body.startswith(marker):
            return _decode_or_replace(body, codec, warnings), codec, warnings

    declared: list[tuple[str, str]] = []  # (codec, label as written)
    match = _XML_DECL_ENCODING.match(body[:1024])
    for source, label in (
        ("HTTP charset", http_charset),
        ("XML declaration", match.group(1).decode("ascii") if match else None),
    ):
        codec_or_none = normalize_charset(label)
        if label and codec_or_none is None:
            warnings.append(f"unknown charset {label!r} in the {source} ignored")
        elif label and codec_or_none and all(codec_or_none != known for known, _ in declared):
            declared.append((codec_or_none, label))
    primary, primary_label = declared[0] if declared else (UTF8, UTF8)

    if _is_legacy(primary) and not body.isascii():
        text = _try_decode(body, UTF8)
        if text is not None:
            warnings.append(f"declared as {primary_label} but the bytes are UTF-8: read as UTF-8")
            return text, UTF8, warnings

    for codec in [*(known for known, _ in declared), UTF8]:
        text = _try_decode(body, codec)
        if text is not None:
            if codec != primary:
                warnings.append(f"not valid {primary_label} as declared: read as {codec}")
            return text, codec, warnings

    if primary != UTF8:
        return _decode_or_replace(body, primary, warnings), primary, warnings
    # UTF-8 expected (declared or by default) and invalid: mostly UTF-8 with a few bad bytes, or a legacy
    # charset without a label (rss-parser/uolNoticias.rss)?
    as_utf8 = body.decode(UTF8, "replace")
    bad = as_utf8.count("\ufffd")
    good = len(_NON_ASCII_VALID.findall(as_utf8))
    if good > bad:
        warnings.append(f"{bad} invalid UTF-8 sequences replaced")
        return as_utf8, UTF8, warnings
    what = f"declared as {primary_label}" if declared else "no charset declared"
    if _CHINESE_LANGUAGE.search(body, 0, 4096):
        # A Chinese portal whose template says UTF-8 (or nothing) and whose bytes are GBK.
        text = _try_decode(body, "gb18030")
        if text is not None:
            warnings.append(f"{what} and not valid UTF-8; the feed's language is Chinese: read as gb18030")
            return text, "gb18030", warnings
    warnings.append(f"{what} and not valid UTF-8: read as {WINDOWS_1252}")
    return decode(body, WINDOWS_1252), WINDOWS_1252, warnings


def _decode_or_replace(body: bytes, codec: str, warnings: list[str]) -> str:
    text = _try_decode(body, codec)
    if text is not None:
        return text
    warnings.append(f"some bytes are not valid {codec}; replaced")
    return decode(body, codec, "replace")


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
    text, codec, warnings = decode_document(body, http_charset=http_charset, override=override)
    text, removed = strip_illegal_characters(text)
    if removed:
        warnings.append(f"removed {removed} characters not allowed in XML (control characters, surrogates)")
    prolog = _scan_prolog(text)
    if prolog.internal_subset:
        warnings.append("ignored the DOCTYPE's internal subset: entity declarations are never expanded")
    if prolog.junk:
        warnings.append(f"ignored {prolog.junk} characters of text before the root element")
    if prolog.netscape:
        text = html_entities_to_references(text)
    # The whole prolog is replaced: nothing in it carries feed data, and feedparser looks for entity
    # declarations anywhere before the root element, inside comments and PIs included. Keeping the
    # prolog's line count keeps feedparser's error line numbers those of the original document.
    text = _XML_DECL_TEXT + "\n" * text.count("\n", 0, prolog.root) + text[prolog.root :]
    return PreparedXML(
        body=text.encode("utf-8"),
        encoding=codec,
        warnings=tuple(warnings),
        netscape_doctype=prolog.netscape,
    )
