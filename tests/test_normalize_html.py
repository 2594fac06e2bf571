"""Sanitizing, plain text and the first image (aggregator.normalize.html)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from aggregator.normalize.html import first_image, html_to_text, sanitize_html, sanitized_html_to_text

DATA = Path(__file__).parent / "data"
ITHOME_ARTICLE = "https://www.ithome.com/0/757/123.htm"
REL = ' rel="noopener noreferrer"'

SANITIZE_CASES = [
    # things that run, style or embed
    ("<p>你好<script>alert(1)</script></p>", ITHOME_ARTICLE, "<p>你好</p>"),
    ("<style>p{color:red}</style><p>x</p>", ITHOME_ARTICLE, "<p>x</p>"),
    ('<p onclick="steal()" onmouseover="x()">a</p>', ITHOME_ARTICLE, "<p>a</p>"),
    ('<p style="text-indent: 2em;" class="c" id="i" align="left">段落</p>', ITHOME_ARTICLE, "<p>段落</p>"),
    ('<iframe src="https://player.youku.com/embed/x">fallback</iframe><p>x</p>', ITHOME_ARTICLE, "<p>x</p>"),
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
