"""One Markdown article with YAML front matter -> :class:`ParsedEntry`.

The format is the one portals export (Hexo-style, see the seed article ``000_6c5dac8243fe42b9.txt``)::

    ---
    title: '全力打造高端特色，中关村科学城进数字化治理方式变革'
    categories: [新媒体, 新闻]
    headimg: 'https://picsum.photos/400/300?random=5411'
    author: 高科技行业门户
    date: Tue, 15 Jun 2021 03:58:00 GMT
    ---
    <div><p style="text-indent: 2em;">...</p></div>

Blank lines or a BOM may precede the first ``---``. The body is CommonMark (plus GFM tables and
strikethrough) rendered with raw HTML passed through untouched: the portals' inline-styled ``<div>`` and
``<p>`` blocks must survive, and our normalize package sanitizes afterwards. Dates stay raw strings, as
for feeds: ``normalize.dates`` reads them in the source's timezone. PyYAML turns an unquoted
``2021-06-15 03:58:00`` into a datetime; it is written back in ISO 8601, naive when it was naive, so the
source's timezone still applies.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from datetime import date, datetime

import yaml
from markdown_it import MarkdownIt

from aggregator.errors import ParseError
from aggregator.models import ParsedEntry

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")

_IMAGE_KEYS = ("headimg", "thumbnail", "image", "cover")
_LINK_KEYS = ("link", "url", "permalink")
_ID_KEYS = ("id", "guid")
_SUMMARY_KEYS = ("summary", "description")
_LANGUAGE_KEYS = ("lang", "language")
_AUTHOR_KEYS = ("author", "authors")  # Hexo and Jekyll say author, Hugo authors
_UPDATED_KEYS = ("updated", "lastmod", "last_modified_at", "modified")  # Hexo, Hugo, Jekyll, Pelican
_FENCE = re.compile(r"---[ \t]*")
_END_FENCE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_LABEL_SEPARATORS = re.compile(r"[,，、;；]")
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(["table", "strikethrough"])


def split_front_matter(text: str, name: str) -> tuple[dict[str, object], str]:
    """(front matter mapping, Markdown body); raises :class:`ParseError` naming ``name``."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or not _FENCE.fullmatch(lines[start].rstrip("\r\n")):
        raise ParseError(f"{name}: no front matter (the article must start with a '---' line)")
    end = next(
        (i for i in range(start + 1, len(lines)) if _END_FENCE.fullmatch(lines[i].rstrip("\r\n"))), None
    )
    if end is None:
        raise ParseError(f"{name}: the front matter is not closed by a '---' line")
    try:
        data = yaml.safe_load("".join(lines[start + 1 : end]))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {start + 2 + mark.line}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e)
        raise ParseError(f"{name}: invalid YAML in the front matter{where}: {problem}") from e
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError(f"{name}: the front matter is not a mapping of keys to values")
    return {str(key): value for key, value in data.items()}, "".join(lines[end + 1 :])


def text_to_html(text: str) -> str:
    """A plain-text front matter value (``summary``) as HTML: escaped, line breaks as ``<br>``."""
    return html.escape(text, quote=False).replace("\n", "<br>\n")


def _scalar(value: object) -> str | None:
    """A YAML scalar as a stripped string (dates in ISO 8601); None for empty values and collections."""
    if value is None or isinstance(value, bool | list | dict):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _author(front: Mapping[str, object]) -> str | None:
    """One name, several (``[张三, 李四]``: joined), or Jekyll's mapping (``{name: 张三, twitter: ...}``)."""
    for key in _AUTHOR_KEYS:
        value = front.get(key)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, list):
            names = [
                name
                for item in value
                if (name := _scalar(item.get("name") if isinstance(item, dict) else item))
            ]
            value = ", ".join(dict.fromkeys(names)) or None
        if (name := _scalar(value)) is not None:
            return name
    return None


def _first(front: Mapping[str, object], keys: tuple[str, ...]) -> str | None:
    return next((value for key in keys if (value := _scalar(front.get(key)))), None)


def _labels(front: Mapping[str, object], key: str, name: str) -> list[str]:
    value = front.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [label for item in value if (label := _scalar(item))]
    label = _scalar(value)
    if label is None:
        raise ParseError(f"{name}: '{key}' must be a list or a single name")
    # One string may pack several names, as people type them: "AI, 芯片", "新闻，科技", "云计算、开源".
    return [part for piece in _LABEL_SEPARATORS.split(label) if (part := piece.strip())]


def is_draft(front: Mapping[str, object]) -> bool:
    draft = front.get("draft")
    return draft is True or (isinstance(draft, str) and draft.strip().lower() in ("true", "yes"))


def render_markdown(body: str) -> str | None:
    return _MARKDOWN.render(body) if body.strip() else None


def entry_from_parts(
    front: Mapping[str, object], body: str, name: str, *, file_bytes: bytes, position: int = 0
) -> ParsedEntry:
    """The entry for an article already split into front matter and body."""
    title = _scalar(front.get("title"))
    if title is None:
        if isinstance(front.get("title"), list | dict):
            raise ParseError(f"{name}: 'title' must be text, not a list or a mapping (quote it if it is)")
        raise ParseError(f"{name}: the front matter has no title")
    link = _first(front, _LINK_KEYS)
    images = [value for key in _IMAGE_KEYS if (value := _scalar(front.get(key)))]
    summary = _first(front, _SUMMARY_KEYS)
    categories = _labels(front, "categories", name) + _labels(front, "tags", name)
    return ParsedEntry(
        position=position,
        guid=_first(front, _ID_KEYS) or name,
        link=link,
        title=title,
        title_is_html=False,
        summary_html=text_to_html(summary) if summary else None,
        content_html=render_markdown(body),
        author=_author(front),
        published_raw=_scalar(front.get("date")),
        updated_raw=_first(front, _UPDATED_KEYS),
        categories=tuple(dict.fromkeys(categories)),
        thumbnails=tuple(dict.fromkeys(images)),
        image=images[0] if images else None,
        base_url=link,
        language=_first(front, _LANGUAGE_KEYS),
        raw_hash=hashlib.sha256(file_bytes).hexdigest(),
    )


def parse_article(text: str, name: str, *, file_bytes: bytes | None = None) -> ParsedEntry:
    """The entry of one article (drafts included); ``name`` is its stable name, the default guid.

    ``file_bytes`` are the file's bytes, for ``raw_hash``; without them the UTF-8 text is hashed.
    Raises :class:`ParseError` naming the file and the problem.
    """
    front, body = split_front_matter(text, name)
    raw = file_bytes if file_bytes is not None else text.encode("utf-8")
    return entry_from_parts(front, body, name, file_bytes=raw)


def read_article(text: str, name: str, *, file_bytes: bytes | None = None) -> ParsedEntry | None:
    """Like :func:`parse_article`, but None for a draft (``draft: true``), which is never published."""
    front, body = split_front_matter(text, name)
    if is_draft(front):
        return None
    raw = file_bytes if file_bytes is not None else text.encode("utf-8")
    return entry_from_parts(front, body, name, file_bytes=raw)
