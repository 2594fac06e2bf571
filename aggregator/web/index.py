"""The HTML index page: every published feed, its formats, counts and freshness, with autodiscovery links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from aggregator import __version__
from aggregator.config import Config
from aggregator.publish.build import feed_url
from aggregator.publish.document import LINK_TYPES
from aggregator.store.published import PublishedState

FORMAT_LABELS = {"rss": "RSS 2.0", "atom": "Atom 1.0", "json": "JSON Feed 1.1"}

_STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#222;
background:#fafafa}
main{max-width:860px;margin:0 auto;padding:2rem 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
.lead{color:#666;margin:0 0 2rem}
article{background:#fff;border:1px solid #e4e4e4;border-radius:8px;padding:1rem 1.25rem;margin:0 0 1rem}
article h2{font-size:1.2rem;margin:0 0 .25rem}
article p{margin:.25rem 0;color:#444}
.meta{font-size:.85rem;color:#777}
.formats a{display:inline-block;margin:.5rem .5rem 0 0;padding:.15rem .6rem;border-radius:4px;
background:#f0f4ff;text-decoration:none;color:#2748c6;font-size:.9rem}
footer{font-size:.85rem;color:#888;margin-top:2rem}
"""


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def render_index(config: Config, states: Sequence[PublishedState]) -> str:
    base = config.public_base_url
    by_key = {(s.name, s.format): s for s in states}
    head_links = []
    articles = []
    for feed in config.publish:
        links = []
        count = None
        newest = None
        for fmt in feed.formats:
            url = feed_url(base, feed.name, fmt)
            title = f"{feed.title} ({FORMAT_LABELS[fmt]})"
            head_links.append(
                f'<link rel="alternate" type="{LINK_TYPES[fmt]}" title="{escape(title)}"'
                f' href="{escape(url)}">'
            )
            links.append(f'<a href="{escape(url)}">{FORMAT_LABELS[fmt]}</a>')
            state = by_key.get((feed.name, fmt))
            if state is not None:
                count = state.entry_count
                newest = max(filter(None, (newest, state.newest_entry_at)), default=None)
        count_text = "not published yet" if count is None else f"{count} entries"
        articles.append(
            "<article>"
            f"<h2>{escape(feed.title)}</h2>"
            + (f"<p>{escape(feed.description)}</p>" if feed.description else "")
            + f'<p class="meta">{count_text} · newest {_when(newest)} · <code>{escape(feed.name)}</code></p>'
            f'<p class="formats">{"".join(links)}</p>'
            "</article>"
        )
    opml = f"{base}opml"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Published feeds</title>"
        f'<link rel="alternate" type="text/x-opml" title="All feeds (OPML)" href="{escape(opml)}">'
        f"{''.join(head_links)}<style>{_STYLE}</style></head><body><main>"
        "<h1>Published feeds</h1>"
        f'<p class="lead">Subscribe in any feed reader, or import them all at once with the '
        f'<a href="{escape(opml)}">OPML list</a>.</p>'
        f"{''.join(articles) or '<p>No feeds are published yet: add some under <code>publish</code>.</p>'}"
        f"<footer>aggregator {escape(__version__)}</footer>"
        "</main></body></html>\n"
    )
