"""Plain-text cleaning: control characters, whitespace, titles, authors and summaries.

Everything here works on short strings or on text already extracted from HTML (see :mod:`.html`), and
everything is total: any ``str`` goes in, a clean ``str`` comes out, nothing raises.
"""

from __future__ import annotations

import html
import re

import nh3

# XML 1.0 (§2.2 Char) forbids C0 controls other than TAB/LF/CR, U+FFFE/U+FFFF and surrogates; C1 controls
# and DEL are legal but never meant as text (they come from cp1252 bytes decoded as latin-1, e.g. the
# FeedReader/AtomSpecialCharacters.xml corpus feed). Any of them in a title makes lxml/feedgen refuse to write
# the republished feed, PostgreSQL refuses NUL in TEXT, and nh3 (Rust) refuses lone surrogates.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# Those of them an ASCII string can hold, as bytes to delete.
_ASCII_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Characters stripped from the ends of a title besides whitespace: BOM and zero-width space, which CMS
# editors paste in front of titles and which are invisible in a feed reader's list.
_INVISIBLE_ENDS = " \ufeff\u200b"

# One shared tag stripper: no tag survives, script/style content is dropped, text stays (entity-escaped).
_TAG_STRIPPER = nh3.Cleaner(
    tags=set(),
    clean_content_tags={"script", "style", "noscript", "template", "svg", "iframe"},
    attributes={},
)

# RSS 2.0 <author> is "email (Name)" (RSS 2.0 spec: "lawyer@boyer.net (Lawyer Boyer)"); RFC 5322 mailboxes are
# "Name <email>"; some portals give "Name (email)"; wechat-feeds give " (hellodword)".
_EMAIL = r"[^\s()<>@]+@[^\s()<>@]+"
_EMAIL_NAME_RE = re.compile(rf"^({_EMAIL})\s*\((.*)\)$")
_NAME_EMAIL_RE = re.compile(rf"^(.*?)\s*[<(]({_EMAIL})[>)]$")
_PARENTHESIZED_RE = re.compile(r"^\((.*)\)$")

_ELLIPSIS = "…"
# Punctuation not worth keeping right before the ellipsis ("the company said,…" reads badly).
_TRAILING_PUNCTUATION = " \t,;:，、；：-—"
# A Latin word longer than this at the cut point is not a word (a URL, a hash): cut inside it.
_MAX_WORD_BACKOFF = 40


def strip_control_chars(s: str) -> str:
    """Remove characters that no XML document or database column can hold (TAB, LF and CR stay).

    Seven strings of each entry pass here, its HTML among them. An ASCII one is checked as bytes, by a
    table lookup per byte in C: twice as fast as the regex's character class, which took 4 % of
    ``process_document`` on the benchmark's entries (half of them English).
    """
    if s.isascii():
        data = s.encode("ascii")
        kept = data.translate(None, _ASCII_CONTROLS)
        return s if len(kept) == len(data) else kept.decode("ascii")
    return _CONTROL_RE.sub("", s)


def collapse_whitespace(s: str) -> str:
    """Every run of whitespace becomes one space; the ends are trimmed.

    Unicode whitespace: NBSP (U+00A0) and the ideographic space (U+3000) included, which Chinese portals use
    to indent paragraphs and pad titles.
    """
    return " ".join(s.split())  # str.split() splits on Unicode whitespace, in C


def strip_tags(markup: str) -> str:
    """The text of an HTML fragment: tags removed, script/style content dropped, entities decoded once.

    Parsed by nh3 (html5ever), so broken markup, comments and ``<`` in attribute values are handled like a
    browser would. Whitespace is left as is.
    """
    text = _TAG_STRIPPER.clean(strip_control_chars(markup))
    if "&" in text:
        text = html.unescape(text)
    return strip_control_chars(text)  # character references such as &#x1b; decode to controls


def clean_title(title: str | None, is_html: bool) -> str:
    """A one-line title.

    Entities are decoded once, and only when the title is HTML: a plain-text title is literal, so a title
    about markup ("Escaping &amp; in XML") keeps its text. Double-escaped RSS titles (``AT&amp;amp;T``)
    are flagged as HTML by feedparser (its ``lookslikehtml`` sees the entity), so they still decode once.
    """
    if not title:
        return ""
    text = strip_tags(title) if is_html and ("<" in title or "&" in title) else strip_control_chars(title)
    return collapse_whitespace(text).strip(_INVISIBLE_ENDS)


def clean_author(author: str | None) -> str | None:
    """A display name: ``"email (Name)"`` and ``"Name <email>"`` give the name, a bare email stays."""
    if not author:
        return None
    text = collapse_whitespace(strip_control_chars(author))
    match = _EMAIL_NAME_RE.match(text)
    if match:
        text = match.group(2).strip() or match.group(1)
    elif (match := _NAME_EMAIL_RE.match(text)) is not None:
        text = match.group(1).strip() or match.group(2)
    elif (match := _PARENTHESIZED_RE.match(text)) is not None:
        text = match.group(1)
    if "<" in text or "&" in text:
        text = strip_tags(text)
    return collapse_whitespace(text) or None


def _is_latin_word_char(c: str) -> bool:
    """A letter or digit of a space-separated script: cutting there would split a word."""
    if not c.isalnum():
        return False
    code = ord(c)
    # CJK ideographs, kana, CJK symbols and full-width forms stand alone: any position is a boundary.
    return not (
        0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF or code >= 0x20000
    )


def make_summary(text: str, limit: int = 200) -> str:
    """At most ``limit`` characters of ``text`` on one line, ending with "…" when cut.

    Chinese and Japanese have no spaces, so they are cut at the character; a cut that would fall inside a
    Latin word backs off to the start of that word. Only a prefix of long texts is looked at.
    """
    if limit <= 0:
        return ""
    window = limit * 4 + 64
    head = collapse_whitespace(text[:window])
    if len(text) <= window and len(head) <= limit:
        return head
    if len(head) <= limit:  # mostly whitespace at the start of a long text: look at all of it
        head = collapse_whitespace(text)
        if len(head) <= limit:
            return head
    cut = limit - 1  # room for the ellipsis
    if cut > 0 and _is_latin_word_char(head[cut - 1]) and _is_latin_word_char(head[cut]):
        start = cut - 1
        while start > 0 and cut - start < _MAX_WORD_BACKOFF and _is_latin_word_char(head[start - 1]):
            start -= 1
        if start > 0 and not _is_latin_word_char(head[start - 1]):
            cut = start
    return head[:cut].rstrip(_TRAILING_PUNCTUATION) + _ELLIPSIS
