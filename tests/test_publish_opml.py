"""OPML 2.0: writing our subscription list, reading the exports of feed readers for import-opml.

The exports below are shaped like the real ones: Feedly (folders carrying ``text`` and ``title``, feeds with
``type="rss"``), Inoreader (a feed in two folders, nested folders, ``&amp;`` in titles), an OPML 1.0 file
from an old reader (lower-case ``xmlurl``, only ``text``, a bare ``&``), and NetNewsWire (no folders).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from aggregator.errors import PublishError
from aggregator.publish import OpmlOutline, parse_opml, render_opml

FEEDLY = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head>
    <title>Jane subscriptions in feedly Cloud</title>
  </head>
  <body>
    <outline text="Tech" title="Tech">
      <outline type="rss" text="IT\xe4\xb9\x8b\xe5\xae\xb6" title="IT\xe4\xb9\x8b\xe5\xae\xb6"
               xmlUrl="https://www.ithome.com/rss/" htmlUrl="https://www.ithome.com/"/>
      <outline type="rss" text="Ars Technica" title="Ars Technica"
               xmlUrl="https://feeds.arstechnica.com/arstechnica/index" htmlUrl="https://arstechnica.com"/>
    </outline>
    <outline text="\xe6\x96\xb0\xe9\x97\xbb" title="\xe6\x96\xb0\xe9\x97\xbb">
      <outline type="rss" text="36Kr" title="36Kr" xmlUrl="https://36kr.com/feed" htmlUrl="https://36kr.com"/>
    </outline>
  </body>
</opml>
"""

INOREADER = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions of Jane from Inoreader [https://www.inoreader.com]</title></head>
  <body>
    <outline text="AI &amp; ML" title="AI &amp; ML">
      <outline text="Papers" title="Papers">
        <outline text="arXiv cs.CL" title="arXiv cs.CL" type="rss"
                 xmlUrl="https://rss.arxiv.org/rss/cs.CL" htmlUrl="https://arxiv.org/list/cs.CL/recent"/>
      </outline>
      <outline text="OpenAI News" title="OpenAI News" type="rss" xmlUrl="https://openai.com/news/rss.xml"
               htmlUrl="https://openai.com/news"/>
    </outline>
    <outline text="Later" title="Later">
      <outline text="OpenAI News" title="OpenAI News" type="rss" xmlUrl="https://openai.com/news/rss.xml"/>
    </outline>
    <!-- an empty folder and a link outline are not feeds -->
    <outline text="Empty" title="Empty"/>
    <outline text="A page" type="link" url="https://example.com/"/>
  </body>
</opml>
"""

OPML_1_0_OLD_READER = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
<head><title>mySubscriptions</title><dateCreated>Sat, 18 Jun 2005 12:11:52 GMT</dateCreated></head>
<body>
<outline text="Caf\xe9 & Code" type="RSS" xmlurl="http://cafe.example.com/index.xml" htmlurl="http://cafe.example.com/"
 description="Notes on coffee & code"/>
<outline text="   " xmlUrl="http://untitled.example.com/rss"/>
</body>
</opml>
"""

NETNEWSWIRE = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.1">
  <head><title>Subscriptions-OnMyMac.opml</title></head>
  <body>
    <outline text="Daring Fireball" title="Daring Fireball" description="" type="rss" version="RSS"
             htmlUrl="https://daringfireball.net/" xmlUrl="https://daringfireball.net/feeds/main"/>
  </body>
</opml>
"""


# ------------------------------------------------------------------------------------------- render


def test_render_opml_2() -> None:
    outlines = [
        OpmlOutline(
            "科技新闻", "https://feeds.example.org/feeds/news.atom", "https://feeds.example.org/", "All"
        ),
        OpmlOutline("Hardware", "https://feeds.example.org/feeds/hardware.rss", category="English"),
        OpmlOutline("AI", "https://feeds.example.org/feeds/ai.json", type="rss"),
        OpmlOutline("Reviews", "https://feeds.example.org/feeds/reviews.rss", category="English"),
    ]
    data = render_opml("Published feeds", outlines, date_created=datetime(2021, 6, 15, 3, 58, tzinfo=UTC))
    assert data == (
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<opml version="2.0">\n'
        b"  <head>\n"
        b"    <title>Published feeds</title>\n"
        b"    <dateCreated>Tue, 15 Jun 2021 03:58:00 GMT</dateCreated>\n"
        b"  </head>\n"
        b"  <body>\n"
        b'    <outline type="rss" text="\xe7\xa7\x91\xe6\x8a\x80\xe6\x96\xb0\xe9\x97\xbb" '
        b'title="\xe7\xa7\x91\xe6\x8a\x80\xe6\x96\xb0\xe9\x97\xbb" '
        b'xmlUrl="https://feeds.example.org/feeds/news.atom" htmlUrl="https://feeds.example.org/" '
        b'description="All"/>\n'
        b'    <outline text="English">\n'
        b'      <outline type="rss" text="Hardware" title="Hardware" '
        b'xmlUrl="https://feeds.example.org/feeds/hardware.rss"/>\n'
        b'      <outline type="rss" text="Reviews" title="Reviews" '
        b'xmlUrl="https://feeds.example.org/feeds/reviews.rss"/>\n'
        b"    </outline>\n"
        b'    <outline type="rss" text="AI" title="AI" xmlUrl="https://feeds.example.org/feeds/ai.json"/>\n'
        b"  </body>\n"
        b"</opml>\n"
    )


def test_render_without_date_is_deterministic() -> None:
    outlines = [OpmlOutline("A", "https://a.example/feed")]
    first = render_opml("List", outlines)
    assert first == render_opml("List", outlines)
    assert b"dateCreated" not in first


def test_render_date_in_utc_and_naive_refused() -> None:
    beijing = datetime(2021, 6, 15, 11, 58, tzinfo=timezone(timedelta(hours=8)))
    assert b"<dateCreated>Tue, 15 Jun 2021 03:58:00 GMT</dateCreated>" in render_opml(
        "L", [], date_created=beijing
    )
    with pytest.raises(PublishError, match="naive"):
        render_opml("L", [], date_created=datetime(2021, 6, 15))


def test_render_escapes_and_strips_what_xml_cannot_carry() -> None:
    data = render_opml("A & B\x00", [OpmlOutline('Say "hi" <now>\x1b', "https://a.example/?a=1&b=2")])
    root = etree.fromstring(data)
    assert root.findtext("head/title") == "A & B"
    outline = root.find("body/outline")
    assert outline is not None
    assert (outline.get("title"), outline.get("xmlUrl")) == ('Say "hi" <now>', "https://a.example/?a=1&b=2")


def test_render_then_parse_round_trip() -> None:
    outlines = [
        OpmlOutline("科技新闻", "https://feeds.example.org/news.atom", "https://feeds.example.org/", "全部"),
        OpmlOutline("Hardware", "https://feeds.example.org/hardware.rss", category="English"),
    ]
    assert parse_opml(render_opml("Published feeds", outlines)) == outlines


# -------------------------------------------------------------------------------------------- parse


def test_parse_feedly_export_folders_become_categories() -> None:
    assert parse_opml(FEEDLY) == [
        OpmlOutline("IT之家", "https://www.ithome.com/rss/", "https://www.ithome.com/", category="Tech"),
        OpmlOutline(
            "Ars Technica",
            "https://feeds.arstechnica.com/arstechnica/index",
            "https://arstechnica.com",
            category="Tech",
        ),
        OpmlOutline("36Kr", "https://36kr.com/feed", "https://36kr.com", category="新闻"),
    ]


def test_parse_inoreader_nested_folders_and_duplicates() -> None:
    assert parse_opml(INOREADER) == [
        OpmlOutline(
            "arXiv cs.CL",
            "https://rss.arxiv.org/rss/cs.CL",
            "https://arxiv.org/list/cs.CL/recent",
            category="Papers",  # the innermost folder
        ),
        OpmlOutline(
            "OpenAI News", "https://openai.com/news/rss.xml", "https://openai.com/news", category="AI & ML"
        ),
    ]


def test_parse_old_opml_1_export_with_bare_ampersands_and_lower_case_names() -> None:
    assert parse_opml(OPML_1_0_OLD_READER) == [
        OpmlOutline(
            "Café & Code",
            "http://cafe.example.com/index.xml",
            "http://cafe.example.com/",
            "Notes on coffee & code",
            type="rss",
        ),
        OpmlOutline("http://untitled.example.com/rss", "http://untitled.example.com/rss"),
    ]


def test_parse_netnewswire_export() -> None:
    assert parse_opml(NETNEWSWIRE) == [
        OpmlOutline("Daring Fireball", "https://daringfireball.net/feeds/main", "https://daringfireball.net/")
    ]


def test_parse_category_attribute_when_not_in_a_folder() -> None:
    data = (
        b'<opml version="2.0"><head/><body><outline type="rss" text="A" xmlUrl="https://a.example/feed" '
        b'category="/Tech/AI,/News"/></body></opml>'
    )
    assert parse_opml(data)[0].category == "AI"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"not xml at all", "not XML"),
        (b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</body></html>", "<html>"),
        (b'<rss version="2.0"><channel><title>x</title></channel></rss>', "<rss>"),
        (b'<opml version="2.0"><head/></opml>', "no <body>"),
    ],
)
def test_parse_rejects_what_is_not_opml(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_opml(data)


def test_parse_does_not_expand_entities() -> None:
    """A hostile file cannot pull in local files or blow up memory (no DTD, no entity expansion)."""
    data = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml version="2.0"><head/><body><outline text="&x;" xmlUrl="https://a.example/f"/></body></opml>'
    )
    outlines = parse_opml(data)
    assert [o.xml_url for o in outlines] == ["https://a.example/f"]
    assert "root:" not in outlines[0].title


def test_parse_empty_body_gives_no_feeds() -> None:
    assert parse_opml(b'<opml version="2.0"><head/><body/></opml>') == []
