"""Which charset a feed document is in, and decoding it: the rules real portals make necessary.

We decode the document ourselves and hand the parsers clean UTF-8, because feedparser's own charset
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
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

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
_CHINESE_LANGUAGE = re.compile(rb"""<(?:\w+:)?language>\s*zh|xml:lang\s*=\s*["']zh""", re.IGNORECASE)
_NON_ASCII_VALID = re.compile("[^\x00-\x7f\ufffd]")


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


class Decoded(NamedTuple):
    """A decoded document; ``utf8_from`` says the text is exactly ``body[utf8_from:]`` read as UTF-8."""

    text: str
    codec: str
    warnings: list[str]
    utf8_from: int | None = None


def decode_document(
    body: bytes, *, http_charset: str | None, override: str | None
) -> tuple[str, str, list[str]]:
    """(text, codec used, warnings) following the rules of the module docstring."""
    text, codec, warnings, _ = decode_document_at(body, http_charset=http_charset, override=override)
    return text, codec, warnings


def _utf8_from(body: bytes, text: str, codec: str, start: int = 0) -> int | None:
    """``start`` when ``text`` is exactly ``body[start:]`` read as UTF-8 (lets the caller work on bytes)."""
    if codec in (UTF8, "utf-8-sig"):
        return start
    if start == 0 and body.isascii() and text == body.decode("ascii"):  # an ASCII-compatible codec
        return 0
    return None


def only_utf8_declared(body: bytes, *, http_charset: str | None, override: str | None) -> bool:
    """Whether every charset signal says UTF-8 or is absent: no override, no byte order mark or UTF-16/32
    shape, HTTP charset and XML declaration UTF-8 or missing.

    :func:`decode_document_at` reads such a document as UTF-8, without a warning, whenever its bytes are
    valid UTF-8.
    """
    if override is not None or any(body.startswith(mark) for mark, _ in (*_BOMS, *_UNMARKED)):
        return False
    match = _XML_DECL_ENCODING.match(body[:1024])
    labels = (http_charset, match.group(1).decode("ascii") if match else None)
    return all(label is None or normalize_charset(label) == UTF8 for label in labels)


def decode_document_at(body: bytes, *, http_charset: str | None, override: str | None) -> Decoded:
    """:func:`decode_document`, and where the bytes are the text's UTF-8 (see :class:`Decoded`)."""
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
                return Decoded(text, codec.removesuffix("-sig"), warnings)
            skipped = len(codecs.BOM_UTF8) if codec == "utf-8-sig" and body.startswith(codecs.BOM_UTF8) else 0
            utf8 = _utf8_from(body, text, codec, skipped)
            return Decoded(text, codec.removesuffix("-sig"), warnings, utf8)

    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = _try_decode(body[len(bom) :], codec)
            if text is not None:
                return Decoded(text, codec, warnings, len(bom) if codec == UTF8 else None)
            return Decoded(_decode_or_replace(body[len(bom) :], codec, warnings), codec, warnings)
    for marker, codec in _UNMARKED:
        if body.startswith(marker):
            return Decoded(_decode_or_replace(body, codec, warnings), codec, warnings)

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
            return Decoded(text, UTF8, warnings, 0)

    for codec in [*(known for known, _ in declared), UTF8]:
        text = _try_decode(body, codec)
        if text is not None:
            if codec != primary:
                warnings.append(f"not valid {primary_label} as declared: read as {codec}")
            return Decoded(text, codec, warnings, _utf8_from(body, text, codec))

    if primary != UTF8:
        return Decoded(_decode_or_replace(body, primary, warnings), primary, warnings)
    # UTF-8 expected (declared or by default) and invalid: mostly UTF-8 with a few bad bytes, or a legacy
    # charset without a label (rss-parser/uolNoticias.rss)?
    as_utf8 = body.decode(UTF8, "replace")
    bad = as_utf8.count("\ufffd")
    good = len(_NON_ASCII_VALID.findall(as_utf8))
    if good > bad:
        warnings.append(f"{bad} invalid UTF-8 sequences replaced")
        return Decoded(as_utf8, UTF8, warnings)
    what = f"declared as {primary_label}" if declared else "no charset declared"
    if _CHINESE_LANGUAGE.search(body, 0, 4096):
        # A Chinese portal whose template says UTF-8 (or nothing) and whose bytes are GBK.
        text = _try_decode(body, "gb18030")
        if text is not None:
            warnings.append(f"{what} and not valid UTF-8; the feed's language is Chinese: read as gb18030")
            return Decoded(text, "gb18030", warnings)
    warnings.append(f"{what} and not valid UTF-8: read as {WINDOWS_1252}")
    return Decoded(decode(body, WINDOWS_1252), WINDOWS_1252, warnings)


def _decode_or_replace(body: bytes, codec: str, warnings: list[str]) -> str:
    text = _try_decode(body, codec)
    if text is not None:
        return text
    warnings.append(f"some bytes are not valid {codec}; replaced")
    return decode(body, codec, "replace")
