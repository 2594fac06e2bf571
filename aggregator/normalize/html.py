"""Entry HTML: sanitizing for republication, plain text, the first image.

We republish other people's HTML to feed readers, so it goes through an allow-list (nh3, the Rust ammonia
sanitizer): structure and text formatting stay, anything that runs, styles, tracks or embeds goes. Portal
articles style every paragraph inline (``<p style="text-indent: 2em">``, see tests/data): the ``style``
attribute goes, the paragraphs and their ``<strong>`` stay.

Work per call is a few regex passes and one nh3 call; the sanitizer is built once at import. Relative URLs
are resolved while nh3 sanitizes (its ``url_relative`` callback, called only for them), against the base of
the call in progress, which a thread-local holds: an absolute URL never costs a Python call.
"""

from __future__ import annotations

import re
import threading
from html import unescape

import nh3

from aggregator.normalize.links import resolve_web_url
from aggregator.normalize.text import strip_control_chars

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        # structure
        "p", "div", "section", "article", "aside", "header", "footer", "address", "br", "hr",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "details", "summary",
        # text formatting
        "a", "abbr", "b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
        "q", "cite", "dfn", "kbd", "samp", "var", "time", "ruby", "rt", "rp", "wbr",
        # lists, tables, figures
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
        "figure", "figcaption", "img",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start", "reversed"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
}
# Removed with their content, not shown as text. noscript holds the non-lazy duplicate of lazy images
# (WordPress lazy-load plugins), which we already un-lazy; iframe content is "your browser cannot..." text.
CONTENT_DROPPED_TAGS: frozenset[str] = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "select", "textarea"}
)


class _Call(threading.local):
    base_url: str | None = None


_CALL = _Call()


def _resolve_relative(url: str) -> str | None:
    """nh3's hook for a relative ``href``/``src``: absolute against the call's base, or None to drop it."""
    return resolve_web_url(url, _CALL.base_url)


_SANITIZER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(CONTENT_DROPPED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes={"http", "https", "mailto"},
    url_relative=_resolve_relative,
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# Lazy-loading attributes that hold the real image, by who uses them: data-src (WeChat 公众号 articles,
# lazysizes), data-original (IT之家, jQuery lazyload), data-lazy-src (WordPress lazy-load plugins),
# data-actualsrc (知乎). The src beside them is a placeholder (a grey gif or a data: pixel).
_LAZY_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-actualsrc")
_LAZY_HINT_RE = re.compile(r"data-(?:src|original|lazy-src|actualsrc)\s*=", re.IGNORECASE)
_EMOJI_HINT_RE = re.compile(r"wp-smiley|\bemoji\b")
_EMOJI_CLASS_RE = re.compile(r"(?:^|\s)(?:wp-smiley|emoji)(?:\s|$)")
_RAW_IMG_RE = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_RAW_ATTRIBUTE_RE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")

# nh3's output is canonical (html5ever serializer): lower-case names, every value double-quoted with & and "
# escaped, < and > escaped everywhere. So these regexes are exact on sanitized HTML (and only on it).
# After nh3 resolved the relative URLs, the tags that need a second look: every image (a tracking pixel, a
# source that is not http(s)), and, where some href is not written "http(s)://..." or "mailto:..." (such as
# "http:page.html" or " https://a.com/"), the links, which then resolve against the base as they always did.
_CLEAN_IMG_TAG_RE = re.compile(r'<(img)(?:\s(?:[^>"]|"[^"]*")*)?>')
_CLEAN_LINK_TAG_RE = re.compile(r'<(a)\s(?:[^>"]|"[^"]*")*>')
_ODD_HREF_RE = re.compile(r' href="(?!(?i:https?://|mailto:))')
_CLEAN_ATTRIBUTE_RE = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')
_CLEAN_TAG_RE = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_CLEAN_IMG_SRC_RE = re.compile(r'<img\s(?:[^>"]|"[^"]*")*>')

# Share buttons and feed widgets. A republished entry is not the page that carried them: in a reader they are
# noise, and their icons became the entry's picture (Slashdot's Twitter icon on every story of its feed).
# Images served by trackers and feed widgets (FeedBurner's FeedFlare, ads and pixels; Flattr; WordPress
# stats) go, as Miniflux drops them; links to a network's "share this" endpoint go with their content (the
# icon or "Share on Twitter"). Links to the story itself through FeedBurner (/~r/) stay.
_WIDGET_HOSTS = (
    r"(?:[a-z0-9-]+\.)*(?:feedburner\.com|feedproxy\.google\.com|feedsportal\.com|api\.flattr\.com"
    r"|stats\.wordpress\.com|pixel\.wp\.com)"
)
_SHARE_ENDPOINTS = (
    r"(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:home/?\?status=|share\b|intent/(?:tweet|post)\b)",
    r"(?:www\.|m\.)?facebook\.com/(?:sharer|share\.php|dialog/(?:share|feed)\b)",
    r"(?:www\.)?linkedin\.com/(?:shareArticle|sharing/share-offsite|cws/share)",
    r"plus\.google\.com/share",
    r"(?:www\.)?reddit\.com/submit",
    r"(?:[a-z]+\.)?pinterest\.com/pin/create",
    r"service\.weibo\.com/share",
    r"connect\.qq\.com/widget/shareqq",
    r"sns\.qzone\.qq\.com/cgi-bin/qzshare",
    r"(?:www\.)?addtoany\.com/(?:share|add_to)",
    r"api\.addthis\.com/oexchange",
    r"news\.ycombinator\.com/submitlink",
    r"(?:www\.)?getpocket\.com/(?:save|edit)\b",
    r"(?:www\.)?digg\.com/submit",
    r"del\.icio\.us/post",
    _WIDGET_HOSTS + r"/~(?:ff?|a)/",
)
_SHARE_URL = rf"https?://(?:{'|'.join(_SHARE_ENDPOINTS)})"
_SHARE_HREF_RE = re.compile(f' href="{_SHARE_URL}')
_SHARE_LINK_RE = re.compile(
    rf'<a\s(?:[^>"]|"[^"]*")*?href="{_SHARE_URL}[^"]*"(?:[^>"]|"[^"]*")*>.*?</a>', re.DOTALL
)
# One scan of the links for both second looks (most entries need neither): a literal prefix is what makes
# Python's regex engine skip ahead, and the links are the only places either can match.
_LINK_NEEDS_LOOK_RE = re.compile(rf' href="(?:(?!(?i:https?://|mailto:))|{_SHARE_URL})')
_WIDGET_IMAGE_RE = re.compile(rf"https?://{_WIDGET_HOSTS}/", re.IGNORECASE)

# Tags whose boundaries separate text: without a break there, Chinese paragraphs run into one another. The
# break is marked with a Unicode noncharacter, never part of real text, that survives nh3 and unescaping, so
# that source newlines (plain whitespace in HTML) and block boundaries stay apart until the text is tidied.
_BREAK = "\ufdd0"
BLOCK_TAGS: tuple[str, ...] = (
    "p", "div", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "blockquote", "pre", "section", "article", "aside",
    "header", "footer", "address", "nav", "main", "figure", "figcaption", "details", "summary",
)  # fmt: skip
CELL_TAGS: tuple[str, ...] = ("td", "th")  # a space between cells, a line per row
# Serialized by nh3, tag names are lower-case right after "<" or "</": whole block and cell tags become a
# break or a space in one pass each.
_CLEAN_BLOCK_ELEMENT_RE = re.compile(rf'</?(?:{"|".join(BLOCK_TAGS)})(?=[\s>/])(?:[^>"]|"[^"]*")*>')
_CLEAN_CELL_ELEMENT_RE = re.compile(rf'</?(?:{"|".join(CELL_TAGS)})(?=[\s>/])(?:[^>"]|"[^"]*")*>')
# For the text of any HTML: parse it (a browser's way: broken markup, comments, "<" in attributes), keep only
# the tags that separate text, and let the regexes above do the rest. The breaks cannot be marked before
# parsing: the HTML parser moves text found between table rows out of the table ("foster parenting").
_TEXT_CLEANER = nh3.Cleaner(
    tags={*BLOCK_TAGS, *CELL_TAGS},
    clean_content_tags=set(CONTENT_DROPPED_TAGS),
    attributes={},
    strip_comments=True,
)


def _unquote(value: str) -> str:
    return value[1:-1] if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) > 1 else value


def _prepare_img(match: re.Match[str]) -> str:
    tag = match.group(0)
    attributes = _RAW_ATTRIBUTE_RE.findall(tag[4:-1])
    values = {name.lower(): _unquote(value) for name, value in attributes}
    if _EMOJI_CLASS_RE.search(values.get("class", "")) and values.get("alt", "").strip():
        return values["alt"]  # still HTML-escaped, as it was in the attribute
    for name in _LAZY_ATTRIBUTES:
        value = values.get(name, "").strip()
        if value and not value.lower().startswith("data:"):
            kept = " ".join(
                f"{n}={v}" if v else n
                for n, v in attributes
                if n.lower() not in ("src", "srcset", *_LAZY_ATTRIBUTES)
            )
            return f'<img src="{value.replace(chr(34), "&quot;")}" {kept}>'
    return tag


def prepare_images(markup: str) -> str:
    """Before sanitizing (which drops ``data-*`` and ``class``): un-lazy images, emoji images back to emoji.

    WordPress replaces every emoji of a post by an ``<img class="wp-smiley" alt="📣">`` in its feeds
    (misc-english/techcrunch.xml): readers display emoji themselves, and such an image must not become the
    entry's picture.
    """
    if (
        "data-" not in markup
        and "DATA-" not in markup
        and "wp-smiley" not in markup
        and "emoji" not in markup
    ):
        return markup
    if _LAZY_HINT_RE.search(markup) is None and _EMOJI_HINT_RE.search(markup) is None:
        return markup
    return _RAW_IMG_RE.sub(_prepare_img, markup)


def _absolute(value: str, base_url: str | None, schemes: tuple[str, ...]) -> str | None:
    """An attribute's URL made absolute, or None to drop it (relative without a base, or a bad scheme)."""
    url = unescape(value) if "&" in value else value
    if url[:8].lower().startswith(schemes):
        return value
    resolved = resolve_web_url(url, base_url)
    return resolved.replace("&", "&amp;").replace('"', "&quot;") if resolved is not None else None


def _is_pixel(attributes: dict[str, str]) -> bool:
    """A 1×1 (or 0×0) tracking image (FeedBurner, WordPress stats); miniflux drops them too."""
    return attributes.get("width") in ("0", "1") and attributes.get("height") in ("0", "1")


def _fix_url_tag(match: re.Match[str], base_url: str | None) -> str:
    name = match.group(1)
    tag = match.group(0)
    # Most tags need nothing: an absolute link, an absolute image that is not a pixel. nh3 writes each
    # attribute once, as ` name="value"`, with `"` escaped inside values, so these look-ups are exact.
    if name == "a":
        at = tag.find(' href="')
        if at < 0 or tag[at + 7 : at + 15].lower().startswith(("http://", "https://", "mailto:")):
            return tag
    else:
        at = tag.find(' src="')
        if (
            at >= 0
            and tag[at + 6 : at + 14].lower().startswith(("http://", "https://"))
            and ' width="0"' not in tag
            and ' width="1"' not in tag
            and _WIDGET_IMAGE_RE.match(tag, at + 6) is None
        ):
            return tag
    attributes = dict(_CLEAN_ATTRIBUTE_RE.findall(tag))
    if name == "a":
        href = attributes.get("href")
        if href is None:
            return match.group(0)
        fixed = _absolute(href, base_url, ("http://", "https://", "mailto:"))
        if fixed == href:
            return match.group(0)
        if fixed is None:
            del attributes["href"]
        else:
            attributes["href"] = fixed
    else:
        src = attributes.get("src")
        fixed = _absolute(src, base_url, ("http://", "https://")) if src is not None else None
        if fixed is None or _is_pixel(attributes) or _WIDGET_IMAGE_RE.match(fixed):
            return ""  # an image without a usable source shows nothing but a broken icon
        if fixed == src:
            return match.group(0)
        attributes["src"] = fixed
    rendered = "".join(f' {k}="{v}"' for k, v in attributes.items())
    return f"<{name}{rendered}>"


def sanitize_html(html: str, base_url: str | None) -> str:
    """HTML safe to republish, with absolute http(s) links and images.

    Kept: the tags of :data:`ALLOWED_TAGS` with the attributes of :data:`ALLOWED_ATTRIBUTES`; links get
    ``rel="noopener noreferrer"``. Dropped: scripts and styles with their content, event handlers, ``style``,
    ``class`` and ``id``, iframes, objects, forms, and any URL that is not http(s) (``mailto:`` for links).
    ``srcset`` is dropped rather than resolved: every reader shows ``src``, and one URL per image keeps the
    output small. Relative URLs are resolved against ``base_url``; without one they are dropped. Lazy images
    are given their real source first; 1×1 tracking pixels, images of feed widgets and trackers, and share
    buttons (links to a network's "share this" endpoint, with their icon or text) are removed.
    """
    if not html:
        return ""
    markup = prepare_images(strip_control_chars(html))  # nh3 (Rust) rejects lone surrogates
    _CALL.base_url = base_url
    try:
        clean = _SANITIZER.clean(markup)
    finally:
        _CALL.base_url = None
    if "<img" in clean:
        clean = _CLEAN_IMG_TAG_RE.sub(lambda m: _fix_url_tag(m, base_url), clean)
    if "<a " in clean and _LINK_NEEDS_LOOK_RE.search(clean) is not None:
        if _ODD_HREF_RE.search(clean) is not None:
            clean = _CLEAN_LINK_TAG_RE.sub(lambda m: _fix_url_tag(m, base_url), clean)
        if _SHARE_HREF_RE.search(clean) is not None:
            clean = _SHARE_LINK_RE.sub("", clean)
    # Numeric character references such as &#x1b; come out of the parser as raw controls (no named
    # reference stands for a control character, and the markup itself has none left).
    if "&#" in markup:
        clean = strip_control_chars(clean)
    return clean.strip()


def _tidy_lines(text: str) -> str:
    """Decoded text with breaks at block boundaries -> non-empty lines, whitespace collapsed inside each."""
    lines = (" ".join(part.split()) for part in text.split(_BREAK))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str) -> str:
    """The plain text of any HTML: one line per block, entities decoded, script/style content left out.

    Inside a line whitespace (NBSP and U+3000 included) is collapsed to one space, in ``<pre>`` too: this
    text is for searching and summaries, not for display.
    """
    if not html:
        return ""
    if "<" not in html:
        return _tidy_lines(strip_control_chars(unescape(html)) if "&" in html else strip_control_chars(html))
    # Control characters go before nh3 (lone surrogates) and after it (character references decode to them).
    return sanitized_html_to_text(strip_control_chars(_TEXT_CLEANER.clean(strip_control_chars(html))))


def sanitized_html_to_text(clean_html: str) -> str:
    """:func:`html_to_text` for the output of :func:`sanitize_html`, without parsing it again.

    Sanitized HTML has no comments, scripts or styles, lower-case tag names, escapes every ``<`` in text and
    holds no control characters, so regexes find its blocks and remove its tags exactly; the result is the
    same as ``html_to_text(clean_html)`` (a test checks it).
    """
    if not clean_html:
        return ""
    markup = _CLEAN_BLOCK_ELEMENT_RE.sub(_BREAK, clean_html)
    if "<t" in markup:
        markup = _CLEAN_CELL_ELEMENT_RE.sub(" ", markup)
    text = _CLEAN_TAG_RE.sub("", markup)
    return _tidy_lines(unescape(text) if "&" in text else text)


def is_widget_image(url: str) -> bool:
    """An image served by a feed widget or tracker (FeedFlare, ads, pixels): never an entry's picture."""
    return _WIDGET_IMAGE_RE.match(url) is not None


def first_image(html: str) -> str | None:
    """The ``src`` of the first image of sanitized HTML that is not a tracking pixel, entities decoded."""
    for match in _CLEAN_IMG_SRC_RE.finditer(html):
        attributes = dict(_CLEAN_ATTRIBUTE_RE.findall(match.group(0)))
        src = attributes.get("src")
        if src and not _is_pixel(attributes):
            return unescape(src) if "&" in src else src
    return None
