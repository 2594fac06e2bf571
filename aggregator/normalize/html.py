"""Entry HTML: sanitizing for republication, plain text, the first image.

We republish other people's HTML to feed readers, so it goes through an allow-list (nh3, the Rust ammonia
sanitizer): structure and text formatting stay, anything that runs, styles, tracks or embeds goes. Portal
articles style every paragraph inline (``<p style="text-indent: 2em">``, see tests/data): the ``style``
attribute goes, the paragraphs and their ``<strong>`` stay. An embedded player (an iframe, a video) would run
someone else's code in the reader: it becomes a plain link to what it plays, so the reader keeps a way there.

Work per call is a few regex passes and one nh3 call; the sanitizer is built once at import. Relative URLs
are resolved while nh3 sanitizes (its ``url_relative`` callback, called only for them), against the base of
the call in progress, which a thread-local holds: an absolute URL never costs a Python call.
"""

from __future__ import annotations

import re
import threading
from html import escape, unescape

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
# Embeds with a usable source have become links before nh3 sees them (see prepare_embeds).
CONTENT_DROPPED_TAGS: frozenset[str] = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "select", "textarea"}
)


class _Call(threading.local):
    base_url: str | None = None
    page_url: str | None = None


_CALL = _Call()
_FRAGMENT_STARTS = frozenset("# \t\n\r\f")


def _resolve_relative(url: str) -> str | None:
    """nh3's hook for a relative ``href``/``src``: absolute against the call's base, or None to drop it.

    A fragment alone (``#merkle_trees``) points into the article itself. The base is often the feed
    document's URL (Atom's xml:base, or the URL the feed was fetched from), where that anchor is not: such a
    reference resolves against the entry's own page when the call names one.
    """
    # The first character first: portal HTML holds many relative links, and "#" rarely begins one.
    if url[:1] in _FRAGMENT_STARTS and url.lstrip()[:1] == "#" and _CALL.page_url is not None:
        resolved = resolve_web_url(url, _CALL.page_url)
        if resolved is not None:
            return resolved
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

# Embedded players and documents, found in the raw markup: nh3 drops iframes, objects and embeds with their
# content, and keeps nothing of a video or an audio but its fallback. The hint is one scan for "<" followed
# by one of their names: most entries have none. An iframe's content runs to its end tag, or to the end of
# the document as a browser reads it; but "<iframe ... />" is empty, as Blogger means it
# (RSParser/4fsodonline.atom). A video's content is its fallback, kept when the video has no end tag (it
# stops at the next video or audio: unclosed ones cannot make the search quadratic).
# Paragraph boundaries are followed on the way: a link standing for an embed inside a <p> must not open a
# paragraph of its own, which would close that one and leave empty paragraphs around the link.
_EMBED_HINT_RE = re.compile(r"<[ieovaIEOVA](?i:frame|mbed|bject|ideo|udio)")
_RAW_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_PARAGRAPH_CLOSERS = (
    "p|div|ul|ol|li|dl|dt|dd|table|caption|tr|td|th|blockquote|pre|figure|figcaption|section|article|aside"
    "|header|footer|nav|main|address|details|summary|center|form|hr|h[1-6]"
)
_RAW_EMBED_RE = re.compile(
    rf"<(?:(?P<opaque>iframe|object)\b(?P<opaque_attributes>{_RAW_ATTRIBUTES})>"
    rf"(?:(?<=/>)|.*?(?:</(?P=opaque)\s*>|\Z))"
    rf"|(?P<media>video|audio)\b(?P<media_attributes>{_RAW_ATTRIBUTES})>"
    rf"(?:(?<=/>)|(?P<fallback>(?:[^<]|<(?!/?(?:video|audio)\b))*)</(?P=media)\s*>)?"
    rf"|embed\b(?P<embed_attributes>{_RAW_ATTRIBUTES})>)",
    re.IGNORECASE | re.DOTALL,
)
# The last tag opening or closing a paragraph (or a block, which closes it) in a stretch of markup: matched
# backwards from the stretch's end, so a document of many paragraphs costs no Python call per paragraph.
_LAST_PARAGRAPH_BOUNDARY_RE = re.compile(
    rf".*<(?P<end>/?)(?P<block>{_PARAGRAPH_CLOSERS})(?=[\s/>])", re.IGNORECASE | re.DOTALL
)
_RAW_SOURCE_SRC_RE = re.compile(
    rf"""<source\b{_RAW_ATTRIBUTES}?\ssrc\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE
)
_FALLBACK_LINK_RE = re.compile(r"<a\s", re.IGNORECASE)
# Players whose page is the place to watch: YouTube's (youtube-nocookie.com too) and Vimeo's. The others are
# linked as they are: the player's own page still plays in a browser.
_YOUTUBE_EMBED_RE = re.compile(
    r"https?://(?i:(?:www\.|m\.)?youtube(?:-nocookie)?\.com)/embed/([A-Za-z0-9_-]+)/?(?:\?([^#]*))?"
)
_VIMEO_EMBED_RE = re.compile(r"https?://(?i:player\.vimeo\.com)/video/([0-9]+)/?(?:\?([^#]*))?")
_YOUTUBE_PARAMETER_RE = re.compile(r"(?:^|&)(list|start)=([A-Za-z0-9_-]+)")
_VIMEO_HASH_RE = re.compile(r"(?:^|&)h=([0-9a-f]+)")
_FLASH_TYPE = "application/x-shockwave-flash"
_FLASH_PATH_RE = re.compile(r"[^?#]*\.swf(?:[?#]|$)", re.IGNORECASE)

# nh3's output is canonical (html5ever serializer): lower-case names, every value double-quoted with & and "
# escaped, < and > escaped everywhere. So these regexes are exact on sanitized HTML (and only on it).
# A tag's inside is written as an unrolled loop (runs of plain characters, then quoted values): the same
# strings as (?:[^>"]|"[^"]*")*, matched in one step per run rather than one alternation per character:
# removing the tags of a benchmark entry's text took 21-24 µs instead of 40.
_CLEAN_INSIDE = r'[^>"]*(?:"[^"]*"[^>"]*)*'
# After nh3 resolved the relative URLs, the tags that need a second look: every image (a tracking pixel, a
# source that is not http(s)), and, where some href is not written "http(s)://..." or "mailto:..." (such as
# "http:page.html" or " https://a.com/"), the links, which then resolve against the base as they always did.
_CLEAN_IMG_TAG_RE = re.compile(rf"<(img)(?:\s{_CLEAN_INSIDE})?>")
_CLEAN_LINK_TAG_RE = re.compile(rf"<(a)\s{_CLEAN_INSIDE}>")
_ODD_HREF_RE = re.compile(r' href="(?!(?i:https?://|mailto:))')
_CLEAN_ATTRIBUTE_RE = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')
_CLEAN_TAG_RE = re.compile(rf"<{_CLEAN_INSIDE}>")
_CLEAN_IMG_SRC_RE = re.compile(rf"<img\s{_CLEAN_INSIDE}>")

# Share buttons, feed widgets and feed ads. A republished entry is not the page that carried them: in a reader
# they are noise, and their icons became the entry's picture (Slashdot's Twitter icon on every story of its
# feed, then the FeedBurner ad below it). Images served by trackers, feed widgets and ad servers (FeedBurner's
# FeedFlare, ads and pixels; Google's FeedBurner ads, feedads.g.doubleclick.net; Feedsportal's; Amazon's ad
# widgets; Flattr; WordPress stats) go, as Miniflux drops them; links to a network's "share this" endpoint
# or to an ad server's click-through go with their content (the icon, "Share on Twitter", the ad's image).
# Links to the story itself through FeedBurner (/~r/) or Feedsportal stay.
_WIDGET_HOSTS = (
    r"(?:[a-z0-9-]+\.)*(?:feedburner\.com|feedproxy\.google\.com|feedsportal\.com|api\.flattr\.com"
    r"|stats\.wordpress\.com|pixel\.wp\.com|feedads\.g\.doubleclick\.net|amazon-adsystem\.com)"
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
    r"slashdot\.org/slashdot-it\.pl",  # the "Slashdot it" button and comment count, an iframe in its feeds
    _WIDGET_HOSTS + r"/~(?:ff?|a)/",
)
# Click-throughs of feed ads (FeedBurner's in misc-english/slashdot.rss and feedjira/TechCrunch.xml,
# Feedsportal's in misc-english/slashdot-2013.rss): an image in a link, the links of a slot parted by <br>.
_AD_ENDPOINTS = (r"feedads\.g\.doubleclick\.net/", r"da\.feedsportal\.com/r/")
_AD_URL = rf"https?://(?:{'|'.join(_AD_ENDPOINTS)})"
_SHARE_URL = rf"https?://(?:{'|'.join((*_SHARE_ENDPOINTS, *_AD_ENDPOINTS))})"
_SHARE_HREF_RE = re.compile(f' href="{_SHARE_URL}')
_SHARE_LINK_RE = re.compile(
    rf'<a\s(?:[^>"]|"[^"]*")*?href="{_SHARE_URL}[^"]*"(?:[^>"]|"[^"]*")*>.*?</a>', re.DOTALL
)
# An ad slot goes whole: its links with the line breaks around them, and the paragraph holding nothing else
# (it would stay as a blank line). An ad's content stops at its </a>: nh3 never nests links.
_AD_HREF_RE = re.compile(f' href="{_AD_URL}')
_AD_LINK = rf'<a\s(?:[^>"]|"[^"]*")*?href="{_AD_URL}[^"]*"(?:[^>"]|"[^"]*")*>(?:[^<]|<(?!/a>))*</a>'
_AD_SLOT_RE = re.compile(rf"<p>(?:\s*{_AD_LINK}(?:\s*<br>)?)+\s*</p>|(?:<br>\s*)*{_AD_LINK}(?:\s*<br>)?")
# One scan of the links for both second looks (most entries need neither): a literal prefix is what makes
# Python's regex engine skip ahead, and the links are the only places either can match.
_LINK_NEEDS_LOOK_RE = re.compile(rf' href="(?:(?!(?i:https?://|mailto:))|{_SHARE_URL})')
_WIDGET_IMAGE_RE = re.compile(rf"https?://{_WIDGET_HOSTS}/", re.IGNORECASE)
# The embed of a share button, a widget or an ad (Slashdot's "Slashdot it", Amazon's product ads): no content.
_DROPPED_EMBED_RE = re.compile(rf"{_SHARE_URL}|https?://{_WIDGET_HOSTS}/", re.IGNORECASE)

# Images that are not an entry's picture, though they stay in its HTML: declared smaller than this on a side
# (avatars, badges, icons; a picture is shown at thumbnail size at least, and readability ignores images under
# 50 px as well), or served from a path that names icons, emoticons or avatars (a forum's file-type icon
# before each attached photo, RSParser/kc0011.rss; Gravatar's avatars beside comments).
_MIN_PICTURE_SIDE = 50
_LEADING_NUMBER_RE = re.compile(r"\s*([0-9]+)(?:\.[0-9]*)?\s*(?:px)?\s*$", re.IGNORECASE)
_ICON_URL_RE = re.compile(
    r"https?://(?:[^/?#]*\.)?gravatar\.com/avatar/"
    r"|https?://[^/?#]*/(?:[^?#]*/)?(?:filetypes?|icons?|emoticons?|smilies|smileys?|emoji|avatars?)/",
    re.IGNORECASE,
)

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
_CLEAN_BLOCK_ELEMENT_RE = re.compile(rf"</?(?:{'|'.join(BLOCK_TAGS)})(?=[\s>/]){_CLEAN_INSIDE}>")
_CLEAN_CELL_ELEMENT_RE = re.compile(rf"</?(?:{'|'.join(CELL_TAGS)})(?=[\s>/]){_CLEAN_INSIDE}>")
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


def raw_attributes(markup: str) -> dict[str, str]:
    """A raw tag's attributes, names lower-cased, values unquoted and decoded; the first of a name wins."""
    values: dict[str, str] = {}
    for name, value in _RAW_ATTRIBUTE_RE.findall(markup):
        values.setdefault(name.lower(), unescape(_unquote(value)))
    return values


def _watch_url(url: str) -> str:
    """The page of a YouTube or Vimeo player's video (where a reader can watch it), else the player's URL."""
    match = _YOUTUBE_EMBED_RE.match(url)
    if match is not None:
        video, query = match.group(1), match.group(2) or ""
        parameters = dict(_YOUTUBE_PARAMETER_RE.findall(query))
        if video == "videoseries":  # a playlist
            return (
                f"https://www.youtube.com/playlist?list={parameters['list']}" if "list" in parameters else url
            )
        start = f"&t={parameters['start']}s" if parameters.get("start", "").isdigit() else ""
        return f"https://www.youtube.com/watch?v={video}{start}"
    match = _VIMEO_EMBED_RE.match(url)
    if match is not None:
        secret = _VIMEO_HASH_RE.search(match.group(2) or "")
        return f"https://vimeo.com/{match.group(1)}" + (f"/{secret.group(1)}" if secret else "")
    return url


def _embed_url(value: str | None, base_url: str | None) -> str | None:
    """Where an embed's source (decoded) leads, absolute http(s); None when it leads nowhere worth a link."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("//"):
        value = "https:" + value  # every player is served over https; the page's scheme says nothing
    url = resolve_web_url(value, base_url)
    if url is None or _DROPPED_EMBED_RE.match(url) is not None:
        return None
    return _watch_url(url)


def _is_flash(attributes: dict[str, str], url: str) -> bool:
    """A Flash movie: no browser plays it any more, and its URL names a player, not what it played."""
    return _FLASH_TYPE in attributes.get("type", "").lower() or _FLASH_PATH_RE.match(url) is not None


def _embed_replacement(match: re.Match[str], base_url: str | None, in_paragraph: bool) -> str:
    """What stands for an embed: a link to what it shows (titled as the embed is), or nothing."""
    if match.group("opaque") is not None:
        attributes = raw_attributes(match.group("opaque_attributes"))
        if match.group("opaque").lower() == "iframe":
            if "wp-embedded-content" in attributes.get("class", ""):
                return ""  # WordPress's embed of a post: the blockquote before it already links there
            candidates = [attributes.get(name) for name in ("src", *_LAZY_ATTRIBUTES)]
        else:
            candidates = [attributes.get("data")]
    elif match.group("media") is not None:
        attributes = raw_attributes(match.group("media_attributes"))
        fallback = match.group("fallback") or ""
        if _FALLBACK_LINK_RE.search(fallback) is not None:
            return match.group(0)  # the fallback links to the file already (WordPress writes one); it stays
        sources = (_unquote(value) for value in _RAW_SOURCE_SRC_RE.findall(fallback))
        candidates = [attributes.get("src"), *(unescape(value) for value in sources)]
    else:
        attributes = raw_attributes(match.group("embed_attributes"))
        candidates = [attributes.get("src")]
    url = next((u for u in (_embed_url(c, base_url) for c in candidates) if u is not None), None)
    if url is None or (match.group("media") is None and _is_flash(attributes, url)):
        # Nothing to link to: an iframe or object goes with its content as nh3 would drop it; a video or
        # audio is left to nh3, which keeps its fallback.
        return match.group(0) if match.group("media") is not None else ""
    title = " ".join(attributes.get("title", "").split())
    link = f'<a href="{escape(url)}">{escape(title or url, quote=False)}</a>'
    return link if in_paragraph else f"<p>{link}</p>"


def prepare_embeds(markup: str, base_url: str | None) -> str:
    """Before sanitizing: iframes, objects, embeds, videos and audios with a source become links to it.

    They would run someone else's code (and track) in the reader, so they never pass; but a post whose body
    is a video (RSParser/phpxml.rss) would be left empty, and articles lose what they show. A YouTube or
    Vimeo player is linked to its video's page (``/embed/ID`` -> ``watch?v=ID``), any other to its source
    made absolute (a scheme-relative one read as https), titled by the embed's ``title`` when it has one.
    What has no http(s) source, a Flash movie, a share button's, a widget's or an ad's embed vanishes as
    before; so does WordPress's embed of another post, which the blockquote before it already links. The
    links then go through nh3 like any link.
    """
    if _EMBED_HINT_RE.search(markup) is None:
        return markup
    parts: list[str] = []
    position = 0
    in_paragraph = False
    for match in _RAW_EMBED_RE.finditer(markup):
        boundary = _LAST_PARAGRAPH_BOUNDARY_RE.match(markup, position, match.start())
        if boundary is not None:
            in_paragraph = boundary.group("block").lower() == "p" and not boundary.group("end")
        parts.append(markup[position : match.start()])
        parts.append(_embed_replacement(match, base_url, in_paragraph))
        position = match.end()
    if not parts:
        return markup
    parts.append(markup[position:])
    return "".join(parts)


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


def sanitize_html(html: str, base_url: str | None, *, page_url: str | None = None) -> str:
    """HTML safe to republish, with absolute http(s) links and images.

    Kept: the tags of :data:`ALLOWED_TAGS` with the attributes of :data:`ALLOWED_ATTRIBUTES`; links get
    ``rel="noopener noreferrer"``. Dropped: scripts and styles with their content, event handlers, ``style``,
    ``class`` and ``id``, forms, and any URL that is not http(s) (``mailto:`` for links). Iframes, objects,
    embeds, videos and audios become links to what they play (see :func:`prepare_embeds`), or vanish.
    ``srcset`` is dropped rather than resolved: every reader shows ``src``, and one URL per image keeps the
    output small. Relative URLs are resolved against ``base_url``; without one they are dropped; a fragment
    alone (``#section``) resolves against ``page_url``, the entry's own page, when given. Lazy images are
    given their real source first; 1×1 tracking pixels, images of feed widgets, trackers and ad servers, share
    buttons (links to a network's "share this" endpoint, with their icon or text) and feed ads (links to an
    ad server, with their image) are removed.
    """
    if not html:
        return ""
    markup = prepare_images(strip_control_chars(html))  # nh3 (Rust) rejects lone surrogates
    markup = prepare_embeds(markup, base_url)
    _CALL.base_url = base_url
    _CALL.page_url = page_url
    try:
        clean = _SANITIZER.clean(markup)
    finally:
        _CALL.base_url = None
        _CALL.page_url = None
    if "<img" in clean:
        clean = _CLEAN_IMG_TAG_RE.sub(lambda m: _fix_url_tag(m, base_url), clean)
    if "<a " in clean and _LINK_NEEDS_LOOK_RE.search(clean) is not None:
        if _ODD_HREF_RE.search(clean) is not None:
            clean = _CLEAN_LINK_TAG_RE.sub(lambda m: _fix_url_tag(m, base_url), clean)
        if _SHARE_HREF_RE.search(clean) is not None:
            if _AD_HREF_RE.search(clean) is not None:
                clean = _AD_SLOT_RE.sub("", clean)
            clean = _SHARE_LINK_RE.sub("", clean)
    # Numeric character references such as &#x1b; come out of the parser as raw controls (no named
    # reference stands for a control character, and the markup itself has none left).
    if "&#" in markup:
        clean = strip_control_chars(clean)
    return clean.strip()


def _tidy_lines(text: str) -> str:
    """Decoded text with breaks at block boundaries -> non-empty lines, whitespace collapsed inside each.

    Most lines have nothing to collapse: no whitespace but single spaces between words. ``isprintable`` is
    false for every other whitespace character (they are all separators or controls), so such a line is
    found by C scans and kept as it is; splitting an English paragraph into words and joining them again
    was most of this function's time (it now takes two thirds of it on the benchmark's entries).
    """
    lines = []
    for part in text.split(_BREAK):
        if part.isprintable() and "  " not in part and part[:1] != " " and part[-1:] != " ":
            if part:
                lines.append(part)
        else:
            line = " ".join(part.split())
            if line:
                lines.append(line)
    return "\n".join(lines)


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
    """An image served by a feed widget, tracker or ad server (FeedFlare, ads, pixels): never a picture."""
    return _WIDGET_IMAGE_RE.match(url) is not None


def _declared_side(value: str) -> int | None:
    """A ``width``/``height`` attribute in pixels ("40", "40px"); None if relative ("100%") or no number."""
    if value.isdecimal():  # nearly always
        return int(value)
    match = _LEADING_NUMBER_RE.match(value)
    return int(match.group(1)) if match is not None else None


def _is_small(attributes: dict[str, str]) -> bool:
    """Declared smaller than a picture on a side: an avatar (40×40 beside a comment), a badge, an icon."""
    for name in ("width", "height"):
        value = attributes.get(name)
        if value:
            side = _declared_side(value)
            if side is not None and side < _MIN_PICTURE_SIDE:
                return True
    return False


def _is_icon_url(src: str) -> bool:
    """Served from a path naming icons, emoticons or avatars (:data:`_ICON_URL_RE`); words first, cheaper."""
    lowered = src.lower()
    return (
        "icon" in lowered
        or "avatar" in lowered
        or "smil" in lowered
        or "emoji" in lowered
        or "filetype" in lowered
    ) and _ICON_URL_RE.match(src) is not None


def first_image(html: str) -> str | None:
    """The ``src`` of the first image of sanitized HTML that can be the entry's picture, entities decoded.

    Not an image declared small (:data:`_MIN_PICTURE_SIDE`; tracking pixels among them) or served as an
    icon, an emoticon or an avatar (:func:`_is_icon_url`): those stay in the HTML, but a reader showing one as
    the entry's picture shows an avatar or a file-type icon for a story. No such image, no picture.
    """
    for match in _CLEAN_IMG_SRC_RE.finditer(html):
        attributes = dict(_CLEAN_ATTRIBUTE_RE.findall(match.group(0)))
        src = attributes.get("src")
        if src and not (_is_small(attributes) or _is_icon_url(src)):  # a 1×1 pixel is small too
            return unescape(src) if "&" in src else src
    return None
