"""Sanitizing, plain text and the first image (aggregator.normalize.html)."""

from __future__ import annotations

import random
import re
import threading
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from aggregator.models import NormalizedEntry
from aggregator.normalize import NormalizeSettings, assign_keys, normalize_entry
from aggregator.normalize.html import first_image, html_to_text, sanitize_html, sanitized_html_to_text
from aggregator.parse import ParseOptions, parse_document

DATA = Path(__file__).parent / "data"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
ITHOME_ARTICLE = "https://www.ithome.com/0/757/123.htm"
REL = ' rel="noopener noreferrer"'

SANITIZE_CASES = [
    # things that run, style or embed
    ("<p>你好<script>alert(1)</script></p>", ITHOME_ARTICLE, "<p>你好</p>"),
    ("<style>p{color:red}</style><p>x</p>", ITHOME_ARTICLE, "<p>x</p>"),
    ('<p onclick="steal()" onmouseover="x()">a</p>', ITHOME_ARTICLE, "<p>a</p>"),
    ('<p style="text-indent: 2em;" class="c" id="i" align="left">段落</p>', ITHOME_ARTICLE, "<p>段落</p>"),
    ('<p>a<object data="x.swf"><embed src="x.swf">plugin</object></p>', ITHOME_ARTICLE, "<p>a</p>"),
    ('<form action="/s"><input name="q"><button>搜索</button></form>', ITHOME_ARTICLE, "搜索"),
    ("<!-- ad start --><p>x</p><!-- ad end -->", ITHOME_ARTICLE, "<p>x</p>"),
    ('<svg width="10"><text>icon</text></svg><p>x</p>', ITHOME_ARTICLE, "<p>x</p>"),
    # links: http(s) and mailto only, relative ones made absolute, rel added, other attributes dropped
    ('<a href="javascript:alert(1)">x</a>', ITHOME_ARTICLE, f"<a{REL}>x</a>"),
    ('<a href="java\tscript:alert(1)">x</a>', ITHOME_ARTICLE, f"<a{REL}>x</a>"),
    ('<a href="vbscript:msgbox(1)">x</a>', ITHOME_ARTICLE, f"<a{REL}>x</a>"),
    (
        '<a href="mailto:tips@ithome.com">投稿</a>',
        ITHOME_ARTICLE,
        f'<a href="mailto:tips@ithome.com"{REL}>投稿</a>',
    ),
    (
        '<a href="https://x.com" target="_blank" rel="nofollow" title="X">x</a>',
        None,
        f'<a href="https://x.com" title="X"{REL}>x</a>',
    ),
    (
        '<a href="/0/750/123.htm">IT之家</a>',
        ITHOME_ARTICLE,
        f'<a href="https://www.ithome.com/0/750/123.htm"{REL}>IT之家</a>',
    ),
    (
        '<a href="?page=2&amp;id=3">下一页</a>',
        ITHOME_ARTICLE,
        f'<a href="https://www.ithome.com/0/757/123.htm?page=2&amp;id=3"{REL}>下一页</a>',
    ),
    ('<a href="/0/750/123.htm">no base</a>', None, f"<a{REL}>no base</a>"),
    # images: http(s) only, relative made absolute
    (
        '<img src="/images/a.png" alt="图">',
        ITHOME_ARTICLE,
        '<img src="https://www.ithome.com/images/a.png" alt="图">',
    ),
    (
        '<img src="//img.ithome.com/newsuploadfiles/2024/3/a.jpg">',
        ITHOME_ARTICLE,
        '<img src="https://img.ithome.com/newsuploadfiles/2024/3/a.jpg">',
    ),
    ('<img src="//img.ithome.com/a.jpg">', None, '<img src="https://img.ithome.com/a.jpg">'),
    ('<p>x<img src="images/a.png"></p>', None, "<p>x</p>"),
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', ITHOME_ARTICLE, ""),
    ('<img src="mailto:x@example.com">', ITHOME_ARTICLE, ""),
    ('<img src="javascript:alert(1)" onerror="alert(2)">', ITHOME_ARTICLE, ""),
    (
        '<img alt="a &gt; b &quot;q&quot;" src="https://a.com/x.png">',
        None,
        '<img alt="a &gt; b &quot;q&quot;" src="https://a.com/x.png">',
    ),
    # srcset is dropped: readers show src
    (
        '<img src="https://cdn.sspai.com/a.png" srcset="https://cdn.sspai.com/a@2x.png 2x" width="600">',
        None,
        '<img src="https://cdn.sspai.com/a.png" width="600">',
    ),
    # tracking pixels (FeedBurner)
    (
        '<p>x</p><img src="http://feeds.feedburner.com/~r/x/~4/abc" height="1" width="1" alt="">',
        None,
        "<p>x</p>",
    ),
    # share buttons and feed widgets: gone with their icon or text (misc-english/slashdot.rss,
    # feedjira/PaulDixExplainsNothing.xml); links to a tweet or to the story through FeedBurner stay
    (
        '<p>x</p><a href="http://twitter.com/home?status=Story%3A+http%3A%2F%2Fbit.ly%2Fa" target="_blank" '
        'title="Share on Twitter"><img src="http://a.fsdn.com/sd/twitter_icon_large.png"></a> '
        '<a class="slashpop" href="http://www.facebook.com/sharer.php?u=http%3A%2F%2Fn"><img '
        'src="http://a.fsdn.com/sd/facebook_icon_large.png"></a>',
        None,
        "<p>x</p>",
    ),
    (
        '<p>转发：<a title="分享到微博" href="http://service.weibo.com/share/share.php?url=x">微博</a>'
        '<a href="https://connect.qq.com/widget/shareqq/index.html?url=x">QQ</a></p>',
        None,
        "<p>转发：</p>",
    ),
    (
        '<div class="feedflare"><a href="http://feeds.feedburner.com/~ff/blog?a=lTnH"><img '
        'src="http://feeds.feedburner.com/~ff/blog?d=yIl2" border="0"></img></a> '
        '<a href="http://feeds.feedburner.com/~f/blog?a=9Q8q">Digg</a></div>',
        None,
        "<div> </div>",
    ),
    ('<p><img src="https://feeds.feedburner.com/~a/blog?i=1"></p>', None, "<p></p>"),
    (
        '<a href="https://twitter.com/jack/status/20">推文</a> <a href="https://x.com/intent/follow?x=1">关注</a>'
        ' <a href="http://feeds.feedburner.com/~r/blog/~3/abc/story.html">全文</a>',
        None,
        f'<a href="https://twitter.com/jack/status/20"{REL}>推文</a> '
        f'<a href="https://x.com/intent/follow?x=1"{REL}>关注</a> '
        f'<a href="http://feeds.feedburner.com/~r/blog/~3/abc/story.html"{REL}>全文</a>',
    ),
    # feed ads (misc-english/slashdot.rss, slashdot-2013.rss): the slot goes whole, with its image, its line
    # breaks and the paragraph holding nothing else; the links beside an ad stay
    (
        '<p>x</p><p><a href="http://feedads.g.doubleclick.net/~at/ize6/0/da"><img '
        'src="http://feedads.g.doubleclick.net/~at/ize6/0/di" border="0" ismap="true"></img></a><br/>\n'
        '<a href="http://feedads.g.doubleclick.net/~at/ize6/1/da"><img '
        'src="http://feedads.g.doubleclick.net/~at/ize6/1/di" border="0" ismap="true"></img></a></p>',
        None,
        "<p>x</p>",
    ),
    (
        '<p>x<br/><br/><a href="http://da.feedsportal.com/r/1613/u/49/a2.htm"><img '
        'src="http://da.feedsportal.com/r/1613/u/49/a2.img" border="0"/></a></p>',
        None,
        "<p>x</p>",
    ),
    (
        '<p><a href="https://feedads.g.doubleclick.net/~at/x/0/da">广告</a> 后文 <a href="https://a.com/">链接</a></p>',
        None,
        f'<p> 后文 <a href="https://a.com/"{REL}>链接</a></p>',
    ),
    (
        '<p><img src="https://ir-na.amazon-adsystem.com/e/ir?t=tag-20&amp;a=B00"> '
        '<img src="https://feedads.g.doubleclick.net/~at/x/0/di" width="300"></p>',
        None,
        "<p> </p>",
    ),
    # embedded players become links to what they play (RSParser/phpxml.rss, KatieFloyd.rss, dcrainmaker.xml)
    (
        '<iframe src="https://player.youku.com/embed/x">fallback</iframe><p>x</p>',
        ITHOME_ARTICLE,
        f'<p><a href="https://player.youku.com/embed/x"{REL}>https://player.youku.com/embed/x</a></p><p>x</p>',
    ),
    (
        '<iframe width="560" height="315" src="https://www.youtube.com/embed/YLTOSZYCOx8" '
        'title="YouTube video player" frameborder="0" allowfullscreen></iframe>',
        None,
        f'<p><a href="https://www.youtube.com/watch?v=YLTOSZYCOx8"{REL}>YouTube video player</a></p>',
    ),
    (
        '<p>视频：<iframe src="//www.youtube-nocookie.com/embed/abc_DEF-123?start=90&amp;rel=0">'
        "</iframe></p>",
        "http://a.com/",
        '<p>视频：<a href="https://www.youtube.com/watch?v=abc_DEF-123&amp;t=90s"'
        f"{REL}>https://www.youtube.com/watch?v=abc_DEF-123&amp;t=90s</a></p>",
    ),
    (
        '<IFRAME SRC="https://player.vimeo.com/video/176999007?h=1a2b3c&amp;api=1" '
        'TITLE="  SPACEDOCK &amp;\n more "></IFRAME>',
        None,
        f'<p><a href="https://vimeo.com/176999007/1a2b3c"{REL}>SPACEDOCK &amp; more</a></p>',
    ),
    (
        '<div><iframe src="/embed/map?id=1" title="&lt;script&gt;地图&lt;/script&gt;"></iframe></div>',
        ITHOME_ARTICLE,
        f'<div><p><a href="https://www.ithome.com/embed/map?id=1"{REL}>&lt;script&gt;地图&lt;/script&gt;</a></p></div>',
    ),
    (
        "<iframe src='https://www.blogger.com/video.g?token=AD' FRAMEBORDER='0' /><p>后文</p>",
        None,
        f'<p><a href="https://www.blogger.com/video.g?token=AD"{REL}>https://www.blogger.com/video.g?token=AD</a></p>'
        "<p>后文</p>",
    ),
    (
        '<iframe src="about:blank" data-lazy-src="https://www.youtube.com/embed/videoseries?list=PLx1"></iframe>',
        None,
        f'<p><a href="https://www.youtube.com/playlist?list=PLx1"{REL}>https://www.youtube.com/playlist?list=PLx1</a></p>',
    ),
    (
        '<embed src="/files/report.pdf" type="application/pdf">',
        "https://a.com/b/",
        f'<p><a href="https://a.com/files/report.pdf"{REL}>https://a.com/files/report.pdf</a></p>',
    ),
    (
        '<video src="/v.mp4" controls>您的浏览器不支持视频</video>',
        "https://a.com/",
        f'<p><a href="https://a.com/v.mp4"{REL}>https://a.com/v.mp4</a></p>',
    ),
    (
        '<p><audio controls title="第 1 期"><source src="https://cdn.a.com/1.mp3" type="audio/mpeg">'
        "</audio></p>",
        None,
        f'<p><a href="https://cdn.a.com/1.mp3"{REL}>第 1 期</a></p>',
    ),
    # ... unless their fallback links there already (WordPress, RSParser/natasha.xml)
    (
        '<video controls><source src="https://a.com/v.mp4"><a href="https://a.com/v.mp4">下载</a></video>',
        None,
        f'<a href="https://a.com/v.mp4"{REL}>下载</a>',
    ),
    # no http(s) source, Flash, the embed of a widget or an ad, or of a post the page links already: gone
    (
        '<iframe src="javascript:alert(1)">x</iframe><iframe>y</iframe>'
        '<iframe src="data:text/html,z"></iframe><p>x<iframe src="page.html"></iframe></p>'
        '<video controls><source src="data:video/mp4,x"></video>',
        None,
        "<p>x</p>",
    ),
    (
        '<object type="application/x-shockwave-flash" data="http://www.flickr.com/apps/video/stewart.swf?v=1">'
        '<param name="movie" value="x"></object><p>x</p>',
        None,
        "<p>x</p>",
    ),
    (
        '<iframe src="//ws-na.amazon-adsystem.com/widgets/q?ServiceVersion=1"></iframe>'
        '<iframe src="http://slashdot.org/slashdot-it.pl?op=discuss&amp;id=1&amp;smallembed=1"></iframe><p>x</p>',
        None,
        "<p>x</p>",
    ),
    (
        '<blockquote class="wp-embedded-content"><a href="https://tc.example/post/">Post</a></blockquote>'
        '<iframe class="wp-embedded-content" sandbox="allow-scripts" title="“Post” — TC" '
        'src="https://tc.example/post/embed/#?secret=x"></iframe>',
        None,
        f'<blockquote><a href="https://tc.example/post/"{REL}>Post</a></blockquote>',
    ),
    # lazy images: the real source replaces the placeholder
    (
        '<img data-src="https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png" data-ratio="0.5" '
        'src="data:image/gif;base64,iVBORw0KGgo=">',
        None,
        '<img src="https://mmbiz.qpic.cn/mmbiz_png/abc/640?wx_fmt=png">',
    ),
    (
        '<img src="//img.ithome.com/images/v2.3/grey.gif" '
        'data-original="//img.ithome.com/newsuploadfiles/2024/3/20240320_140500_123.jpg" w="600" h="400">',
        ITHOME_ARTICLE,
        '<img src="https://img.ithome.com/newsuploadfiles/2024/3/20240320_140500_123.jpg">',
    ),
    (
        '<img src="data:image/svg+xml;utf8,&lt;svg xmlns=&#39;http://www.w3.org/2000/svg&#39;&gt;'
        '&lt;/svg&gt;" '
        'data-actualsrc="https://pic1.zhimg.com/v2-abc_720w.jpg" data-rawwidth="720">',
        None,
        '<img src="https://pic1.zhimg.com/v2-abc_720w.jpg">',
    ),
    (
        '<img src="/wp-content/plugins/lazy-load/images/1x1.trans.gif" '
        'data-lazy-src=\'/wp-content/uploads/2024/03/photo.jpg\' alt="照片" width="800">'
        '<noscript><img src="/wp-content/uploads/2024/03/photo.jpg"></noscript>',
        "https://blog.example.com/2024/03/post/",
        '<img src="https://blog.example.com/wp-content/uploads/2024/03/photo.jpg" alt="照片" width="800">',
    ),
    (
        '<IMG SRC="a.png" DATA-SRC="https://cdn.example.com/b.png">',
        None,
        '<img src="https://cdn.example.com/b.png">',
    ),
    ('<img src="https://a.com/real.png" data-src="">', None, '<img src="https://a.com/real.png">'),
    # WordPress emoji images back to emoji (misc-english/techcrunch.xml)
    (
        '<p>Jamaica <img src="https://s.w.org/images/core/emoji/14.0.0/72x72/1f1ef-1f1f2.png" alt="🇯🇲" '
        'class="wp-smiley" style="height: 1em; max-height: 1em;" /></p>',
        None,
        "<p>Jamaica 🇯🇲</p>",
    ),
    (
        '<img draggable="false" role="img" class="emoji" alt="&amp;" src="https://s.w.org/images/core/emoji/2.png">',
        None,
        "&amp;",
    ),
    (
        '<p>emoji <img class="photo" alt="a photo" src="https://a.com/emoji.png"></p>',
        None,
        '<p>emoji <img alt="a photo" src="https://a.com/emoji.png"></p>',
    ),
    # structure that stays
    (
        '<figure><img src="https://a.com/x.jpg" alt="图" class="wp-image">'
        "<figcaption>说明</figcaption></figure>",
        None,
        '<figure><img src="https://a.com/x.jpg" alt="图"><figcaption>说明</figcaption></figure>',
    ),
    (
        '<table border="1"><tr><td colspan="2" style="x">a</td></tr></table>',
        None,
        '<table><tbody><tr><td colspan="2">a</td></tr></tbody></table>',
    ),
    (
        '<h2 id="t">标题</h2><ul><li>一</li></ul><pre><code class="lang-py">x = 1</code></pre>',
        None,
        "<h2>标题</h2><ul><li>一</li></ul><pre><code>x = 1</code></pre>",
    ),
    (
        "<details><summary>更多</summary><p>内容</p></details>",
        None,
        "<details><summary>更多</summary><p>内容</p></details>",
    ),
    (
        "<blockquote><p>引用</p></blockquote><p>H<sub>2</sub>O, x<sup>2</sup></p><hr>",
        None,
        "<blockquote><p>引用</p></blockquote><p>H<sub>2</sub>O, x<sup>2</sup></p><hr>",
    ),
    # links absolute without "//", or with spaces around, resolve against the base as relative ones do
    (
        '<a href="http:page.html">a</a><a href=" https://b.com/x ">b</a>',
        "http://a.com/dir/x.html",
        '<a href="http://a.com/dir/page.html" rel="noopener noreferrer">a</a>'
        '<a href="https://b.com/x" rel="noopener noreferrer">b</a>',
    ),
    # an image whose source is not http(s), or that has none, shows nothing
    ('<p><img src="mailto:a@b.c" alt="x"><img alt="y"></p>', "https://a.com/", "<p></p>"),
    (
        '<img src="//cdn.com/p.gif" width="1" height="1"><img src="../up/b.jpg" width="10">',
        "https://a.com/a/b/c.html",
        '<img src="https://a.com/a/up/b.jpg" width="10">',
    ),
    # control characters, raw or as character references
    ("标题\x0b带\x1b控制\ufffe字符<b>粗&#x1b;体</b>\ud800", None, "标题带控制字符<b>粗体</b>"),
    ("", None, ""),
]


@pytest.mark.parametrize(("raw", "base", "expected"), SANITIZE_CASES)
def test_sanitize_html(raw: str, base: str | None, expected: str) -> None:
    assert sanitize_html(raw, base) == expected


@pytest.mark.parametrize(("raw", "base", "expected"), SANITIZE_CASES)
def test_sanitized_text_fast_path_matches_html_to_text(raw: str, base: str | None, expected: str) -> None:
    clean = sanitize_html(raw, base)
    assert sanitized_html_to_text(clean) == html_to_text(clean)


def test_inline_styled_portal_article_goes_through_intact() -> None:
    raw = (DATA / "inline_styled_portal_article.html").read_text(encoding="utf-8")
    clean = sanitize_html(raw, None)
    assert "style=" not in clean
    assert clean.count("<p>") == raw.count("<p ") == 26
    strong = re.findall(r"<strong>(.*?)</strong>", raw)
    assert len(strong) == 7
    for text in strong:
        assert f"<strong>{text}</strong>" in clean
    assert html_to_text(clean) == html_to_text(raw)
    assert sanitized_html_to_text(clean).splitlines()[:2] == [
        "前言：",
        "一直以来，中关村都是中国数字最为密集、数字经济最为发达的地区。",
    ]
    assert sanitized_html_to_text(clean).endswith("部分内容参考来源：海淀网、北京日报")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # blocks become lines, so Chinese paragraphs do not run into each other
        ("<p>第一段</p><p>第二段<br>第二行</p>", "第一段\n第二段\n第二行"),
        ("<div>   \n<p>前言：</p>\n\n</div>", "前言："),
        ("<h2>标题</h2><ul><li>一</li><li>二</li></ul>", "标题\n一\n二"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        # inline tags do not break words; source newlines are spaces
        ("<p>Hello <b>wor</b>ld,\n  how are\tyou?</p>", "Hello world, how are you?"),
        ("<p>A<span>B</span>C</p>", "ABC"),
        # entities decoded once, NBSP and U+3000 collapsed
        ("<p>AT&amp;T&nbsp;&lt;3 &amp;amp;</p>", "AT&T <3 &amp;"),
        ("<p>\u3000\u3000段首缩进</p>", "段首缩进"),
        # not text
        ("<p>x</p><script>var a = '<p>';</script><style>.a{}</style><!-- c -->", "x"),
        ("<p>x&#x1b;y</p>", "xy"),
        # plain text in, plain text out
        ("just text &amp; more\nlines", "just text & more lines"),
        ("", ""),
    ],
)
def test_html_to_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


def test_text_lines_have_their_whitespace_collapsed_whatever_it_is() -> None:
    """Every Unicode whitespace character (NBSP, U+3000, line separators, tabs...) between, before or after
    words becomes one space inside a line or goes at its ends, and lines with nothing left go; lines that
    need nothing are kept as they are (the fast path of the tidying)."""
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    plain = [" ", "word", "字", "é", "&amp;", "<b>", "</b>", "\u200b"]  # lines the fast path may keep
    rng = random.Random(20241125)
    for _ in range(5000):
        segments = []
        for _ in range(rng.randrange(5)):
            palette = rng.choice([plain, plain + spaces])
            segments.append("".join(rng.choice(palette) for _ in range(rng.randrange(8))))
        markup = "<br>".join(segments)
        texts = [unescape(re.sub("</?b>", "", segment)) for segment in segments]
        expected = [" ".join(text.split()) for text in texts if text.split()]
        assert sanitized_html_to_text(markup).split("\n") == (expected or [""]), repr(markup)


@pytest.mark.parametrize(
    ("clean", "expected"),
    [
        (
            '<p>x</p><img src="https://s3.ifanr.com/wp-content/uploads/2023/08/werwer.png" alt="">',
            "https://s3.ifanr.com/wp-content/uploads/2023/08/werwer.png",
        ),
        ('<img src="https://a.com/1.png"><img src="https://a.com/2.png">', "https://a.com/1.png"),
        (
            '<img src="https://t.com/p.gif" width="1" height="1"><img src="https://a.com/x.jpg">',
            "https://a.com/x.jpg",
        ),
        ('<img src="https://a.com/x.jpg?w=1&amp;h=2">', "https://a.com/x.jpg?w=1&h=2"),
        # declared small on a side: an avatar (rss-parser/feedburner.atom), a badge, a thin strip
        (
            '<img height="40" width="40" src="https://lh6.googleusercontent.com/a"><img src="https://a.com/x.jpg">',
            "https://a.com/x.jpg",
        ),
        ('<img width="80" height="20" src="https://img.shields.io/badge/x.svg">', None),
        ('<img width=" 45px " height="300" src="https://a.com/narrow.png">', None),
        ('<img width="50" height="50" src="https://a.com/50.png">', "https://a.com/50.png"),
        ('<img width="100%" height="auto" src="https://a.com/wide.png">', "https://a.com/wide.png"),
        # served as an icon, an emoticon or an avatar (RSParser/kc0011.rss's file-type icons)
        (
            '<img src="http://www.kc0011.net/skins/default/filetype/jpg.gif"><img src="http://pic.kc0011.net/up/1.jpg">',
            "http://pic.kc0011.net/up/1.jpg",
        ),
        (
            '<img src="https://www.gravatar.com/avatar/9739?s=48"><img src="https://a.com/images/icons/rss.png">'
            '<img src="https://bbs.a.com/images/smilies/biggrin.gif"><img src="https://a.com/avatars/12.png">'
            '<img src="https://s.w.org/images/core/emoji/14.0.0/72x72/1f4e3.png">',
            None,
        ),
        ('<img src="https://a.com/uploads/avatar-review.jpg">', "https://a.com/uploads/avatar-review.jpg"),
        ("<p>no image</p>", None),
        ("", None),
    ],
)
def test_first_image(clean: str, expected: str | None) -> None:
    assert first_image(clean) == expected


def test_each_thread_resolves_against_its_own_base() -> None:
    """nh3 releases the interpreter lock while it cleans and calls back for relative URLs: the base of the
    call in progress must be per thread (with one shared variable, threads resolved against each other's)."""
    html = "".join(f'<p><a href="/p{i}">{i}</a></p>' for i in range(50))
    wrong: list[int] = []

    def run(n: int) -> None:
        base = f"https://site{n}.example/"
        for _ in range(200):
            if sanitize_html(html, base).count(f'href="https://site{n}.example/p') != 50:
                wrong.append(n)
                return

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_fragment_references_resolve_against_the_entry_page() -> None:
    """An anchor alone points into the article; the base may be the feed's URL (RSParser/russcox.atom)."""
    html = (
        '<p><a href="#merkle_trees">树</a> <a href=" #b">b</a> <a href="/vgo">vgo</a> <a href="x#c">c</a></p>'
    )
    feed_url = "http://research.swtch.com/feed.atom"
    assert sanitize_html(html, feed_url, page_url="http://research.swtch.com/tlog#top") == (
        f'<p><a href="http://research.swtch.com/tlog#merkle_trees"{REL}>树</a> '
        f'<a href="http://research.swtch.com/tlog#b"{REL}>b</a> '
        f'<a href="http://research.swtch.com/vgo"{REL}>vgo</a> '
        f'<a href="http://research.swtch.com/x#c"{REL}>c</a></p>'
    )
    # without an entry page (or with one that is no web URL), the base as before
    for page_url in (None, "tlog", "mailto:rsc@swtch.com"):
        clean = sanitize_html('<a href="#merkle_trees">树</a>', feed_url, page_url=page_url)
        assert clean == f'<a href="http://research.swtch.com/feed.atom#merkle_trees"{REL}>树</a>'
    assert sanitize_html('<a href="#top">x</a>', None, page_url="https://a.com/p") == (
        f'<a href="https://a.com/p#top"{REL}>x</a>'
    )
    # the page is the call's: the next call without one does not see it
    assert sanitize_html('<a href="#x">x</a>', None) == f"<a{REL}>x</a>"


def test_fragment_links_of_an_atom_feed_fetched_over_http_land_in_the_article() -> None:
    body = (DATA / "html_fragment_links.xml").read_bytes()
    entry = parse_document(body, options=ParseOptions(url="http://research.swtch.com/feed.atom")).entries[0]
    assert entry.base_url == "http://research.swtch.com/feed.atom"
    assert entry.content_html is not None and entry.link is not None
    clean = sanitize_html(entry.content_html, entry.base_url, page_url=entry.link)
    assert f'<a href="http://research.swtch.com/tlog#merkle_trees"{REL}>Merkle trees</a>' in clean
    assert f'<a href="http://research.swtch.com/vgo"{REL}>vgo</a>' in clean
    assert "feed.atom" not in clean


def _normalized(name: str) -> list[NormalizedEntry]:
    feed = parse_document((DATA / name).read_bytes())
    keys = assign_keys(feed.entries)
    settings = NormalizeSettings(source_name="html", timezone="UTC")
    return [normalize_entry(e, k, feed, settings, NOW) for e, k in zip(feed.entries, keys, strict=True)]


def test_feed_ads_are_neither_content_nor_picture() -> None:
    entries = _normalized("html_feed_ads.xml")
    assert [e.image for e in entries] == [None, "https://img.portal.example/2024/chip.jpg", None]
    assert entries[0].content_html == (
        f'<p>Gimmicks break immersion.</p><p><a href="https://portal.example/ad-1?from=rss"{REL}>'
        "Read more of this story</a> at Portal.</p>"
    )
    assert (
        entries[1].content_html
        == '<p>新品<img src="https://img.portal.example/2024/chip.jpg" alt="芯片"></p>'
    )
    for entry in entries:
        assert "doubleclick" not in entry.content_html and "feedsportal" not in entry.content_html
        assert "slashdot" not in entry.content_html


def test_embedded_players_become_links_to_what_they_play() -> None:
    entries = _normalized("html_embedded_videos.xml")
    # a post that is only a video is no longer empty
    assert entries[0].content_html == (
        f'<p><a href="https://www.youtube.com/watch?v=YLTOSZYCOx8"{REL}>YouTube video player</a></p>'
    )
    assert entries[0].content_text == "YouTube video player"
    assert entries[1].content_html == (
        "<ul><li>The trailer runs about 2 minutes.</li></ul>"
        f'<p><a href="https://www.youtube.com/watch?v=frdj1zb9sMY"{REL}>'
        "https://www.youtube.com/watch?v=frdj1zb9sMY</a></p>"
        "<ul><li>Here’s a video of the restoration.</li></ul>"
        f'<p><a href="https://vimeo.com/176999007"{REL}>SPACEDOCK</a></p>'
    )
    # in its paragraph, no empty paragraph around it; the Amazon ad widget goes
    assert entries[2].content_html == (
        "<p>An unboxing video:</p>\n"
        f'<p><a href="https://www.youtube.com/watch?v=pO663zwHwz8"{REL}>'
        "https://www.youtube.com/watch?v=pO663zwHwz8</a></p>\n<p>Buy it here: </p>"
    )
    # Blogger's "<iframe ... />": both videos, and the text between them
    assert entries[3].content_html.count('href="https://www.blogger.com/video.g?token=') == 2
    assert "<p>And another:</p>" in entries[3].content_html
    # WordPress's video already links to its file
    assert entries[4].content_html == (
        f'<div><a href="https://videos.example/uploads/Paging.mp4"{REL}>'
        "https://videos.example/uploads/Paging.mp4</a></div>"
    )
    assert all(e.image is None for e in entries)
    assert all("<iframe" not in e.content_html and "<video" not in e.content_html for e in entries)


def test_small_images_and_icons_stay_but_are_not_the_picture() -> None:
    entries = _normalized("html_small_images_and_icons.xml")
    assert [e.image for e in entries] == [
        None,
        "http://pic.kc0011.net/uploadfile/2020-1-10/202011014255757825.jpg",
        "https://small.example/uploads/chart.png",
    ]
    assert '<img height="40" width="40" src="https://lh6.googleusercontent.com/' in entries[0].content_html
    assert 'src="http://www.kc0011.net/skins/default/filetype/jpg.gif"' in entries[1].content_html
    assert 'src="https://www.gravatar.com/avatar/' in entries[2].content_html
