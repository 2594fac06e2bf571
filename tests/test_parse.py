"""parse_document on XML feeds: mapping into our dataclasses, broken feeds, attacks, clear errors."""

from __future__ import annotations

import io
import shutil
from dataclasses import fields
from pathlib import Path

import feedparser
import pytest

from aggregator.errors import ParseError
from aggregator.models import Enclosure, ParsedFeed
from aggregator.parse import ParseOptions, parse_document
from aggregator.parse.feedparser_path import run_feedparser
from aggregator.parse.selflink import self_link
from aggregator.parse.sniff import DocumentKind, looks_like_html, sniff
from tests.conftest import DATA_DIR

XML = {"content-type": "application/rss+xml"}


def parse(name: str, *, url: str | None = "http://example.com/feed.xml", **kwargs: str) -> ParsedFeed:
    headers = {"content-type": kwargs.pop("content_type", "application/xml")}
    return parse_document((DATA_DIR / name).read_bytes(), headers, ParseOptions(url=url, **kwargs))


def all_text(feed: ParsedFeed) -> str:
    """Every string the parse produced, to look for leaks and expansions."""
    return repr(feed)


# ------------------------------------------------------------------------------------------- mapping


def test_atom_entry_fields() -> None:
    feed = parse("atom_entry_fields.xml")
    assert (feed.title, feed.link, feed.description) == (
        "Atom fields",
        "http://example.org/blog/",
        "Every entry field we read",
    )
    assert (feed.language, feed.icon, feed.format, feed.encoding) == (
        "en-GB",
        "http://example.org/favicon.ico",
        "atom10",
        "utf-8",
    )
    first, second = feed.entries
    assert first.position == 0 and second.position == 1
    assert first.guid == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert first.link == "http://example.org/posts/1"  # the text/html alternate, not the JSON one
    assert first.title == "A <b>bold</b> title" and first.title_is_html
    assert first.summary_html == "Short &amp; plain<br>\non two lines"  # type="text": escaped
    assert first.content_html == '<p>Bonjour <a href="x.html">lien</a></p>'  # xhtml, relative URL untouched
    assert first.base_url == "http://example.org/posts/"  # the content's xml:base
    assert first.language == "fr"
    assert first.author == "Ada Lovelace"
    assert first.published_raw == "2024-03-05T10:30:00+08:00"
    assert first.updated_raw == "2024-03-06T08:00:00+08:00"
    assert first.categories == ("ai", "chips")  # term before label
    assert first.enclosures == (
        Enclosure(url="http://example.org/media/1.mp3", type="audio/mpeg", length=12345),
        Enclosure(url="http://example.org/media/1.mp4", type="video/mp4", length=None),
    )
    assert first.thumbnails == ("http://example.org/thumb.jpg", "http://example.org/photo.jpg")
    assert first.image is None


def test_atom_entry_with_only_an_id_and_text_content() -> None:
    entry = parse("atom_entry_fields.xml").entries[1]
    assert entry.link is None  # feedparser copies the urn: id into `link`; that is no link
    assert entry.guid == "urn:uuid:2225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert entry.content_html == "line one<br>\nline two &lt;not a tag&gt; &amp; more"
    assert entry.summary_html is None  # feedparser's copy of the content is not a summary
    assert entry.published_raw is None and entry.updated_raw == "2024-03-05T11:00:00Z"
    assert entry.language == "en-GB"


@pytest.mark.parametrize("fast_path", [True, False], ids=["lxml", "feedparser"])
def test_atom_entries_without_an_author_have_the_feeds(fast_path: bool) -> None:
    """RFC 4287 §4.2.1: the feed's author applies to an entry that names none; its own author wins."""
    feed = parse("atom_feed_level_author.xml", fast_path=fast_path)
    assert [e.author for e in feed.entries] == ["王小明", "Guest Writer"]


def test_the_feeds_author_is_part_of_an_inheriting_entrys_raw_hash() -> None:
    """When the feed's author changes, the entries that show it are read again (on the fast path the others
    too: the author salts the hashes of the whole document)."""
    body = (DATA_DIR / "atom_feed_level_author.xml").read_bytes()
    renamed = body.replace("王小明".encode(), "王大明".encode())
    for fast_path in (True, False):
        before, after = (
            parse_document(b, XML, ParseOptions(url="http://example.com/feed.xml", fast_path=fast_path))
            for b in (body, renamed)
        )
        assert after.entries[0].author == "王大明"
        assert after.entries[0].raw_hash != before.entries[0].raw_hash


def test_rss_items_do_not_take_the_channels_managing_editor() -> None:
    """feedparser reads <managingEditor> as the feed's author; it edits the channel, it wrote no item."""
    body = (
        b'<rss version="2.0"><channel><title>t</title><link>http://e.com/</link>'
        b"<managingEditor>editor@e.com (The Editor)</managingEditor>"
        b"<item><title>A</title><link>http://e.com/a</link></item></channel></rss>"
    )
    assert parse_document(body, XML).entries[0].author is None


def test_rss_item_fields() -> None:
    feed = parse("rss_item_fields.xml")
    assert (feed.title, feed.link, feed.language, feed.icon) == (
        "RSS fields",
        "http://www.example.cn/",
        "zh-CN",
        "http://www.example.cn/logo.png",
    )
    assert feed.ttl_seconds == 45 * 60
    assert feed.format == "rss20"
    entry = feed.entries[0]
    assert entry.guid == "article-1" and entry.link == "http://www.example.cn/a/1.htm"
    assert entry.title == "大模型发布会" and not entry.title_is_html
    assert entry.summary_html == '<p>摘要 <img src="/img/1.jpg"></p>'
    assert entry.content_html == "<p>正文第一段</p><p>正文第二段，比摘要长得多。</p>"
    assert entry.author == "张三"
    assert entry.categories == ("人工智能", "芯片")
    assert entry.enclosures == (
        Enclosure(url="http://www.example.cn/a/1.mp3", type="audio/mpeg", length=None),
    )
    assert entry.thumbnails == (
        "http://www.example.cn/img/1-thumb.jpg",
        "http://www.example.cn/img/1-cover.jpg",
    )
    # RSS has no xml:base semantics: relative links mean the portal's site, so the entry's link (normalize's
    # fallback) is the base, not the URL the feed was served from.
    assert entry.base_url is None
    assert entry.language == "zh-CN"


def test_chinese_dates_pass_through_untouched() -> None:
    """feedparser reads 2024年3月5日 10:30 as 2024-11-01: only the raw string may leave this layer."""
    entry = parse("rss_item_fields.xml").entries[0]
    assert entry.published_raw == "2024年3月5日 10:30"
    assert entry.updated_raw == "2024-03-05T10:30:00+08:00"  # dc:date


def test_permalink_guid_without_link_is_the_link() -> None:
    entry = parse("rss_item_fields.xml").entries[1]
    assert entry.guid == entry.link == "http://www.example.cn/a/2.htm"
    assert entry.summary_html == "Plain description"


def test_longest_html_content_wins() -> None:
    entry = parse("rss_several_contents.xml").entries[0]
    assert entry.content_html == "<p>the long body, which is the one to keep</p>"


def test_sy_update_period_gives_the_ttl() -> None:
    feed = parse("rss_sy_update_period.xml")
    assert feed.format == "rss10"
    assert feed.ttl_seconds == 86400 // 2
    assert feed.entries[0].updated_raw == "2024-03-05T10:30:00+08:00"


def test_relative_links_resolve_against_the_document_url() -> None:
    body = b'<rss version="2.0"><channel><item><title>a</title><link>/a/1</link></item></channel></rss>'
    feed = parse_document(body, XML, ParseOptions(url="https://portal.example.cn/rss/index.xml"))
    assert feed.entries[0].link == "https://portal.example.cn/a/1"
    assert feed.entries[0].base_url is None  # RSS: the entry's link is the base


def test_rss_without_any_site_link_falls_back_to_the_document_url() -> None:
    body = b'<rss version="2.0"><channel><item><title>a</title><description>x</description></item></channel>'
    body += b"</rss>"
    feed = parse_document(body, XML, ParseOptions(url="https://portal.example.cn/rss/index.xml"))
    assert feed.entries[0].base_url == "https://portal.example.cn/rss/index.xml"


def test_raw_hash_is_stable_and_tracks_content() -> None:
    first = parse("rss_item_fields.xml")
    again = parse("rss_item_fields.xml")
    assert [e.raw_hash for e in first.entries] == [e.raw_hash for e in again.entries]
    assert len({e.raw_hash for e in first.entries}) == 2
    assert all(len(e.raw_hash) == 64 for e in first.entries)
    body = (
        (DATA_DIR / "rss_item_fields.xml").read_bytes().replace("正文第一段".encode(), "改过的正文".encode())
    )
    changed = parse_document(body, XML, ParseOptions(url="http://example.com/feed.xml"))
    assert changed.entries[0].raw_hash != first.entries[0].raw_hash
    assert changed.entries[1].raw_hash == first.entries[1].raw_hash


def test_raw_hash_ignores_the_position() -> None:
    item_a = b"<item><title>A</title><link>http://e.com/a</link></item>"
    item_b = b"<item><title>B</title><link>http://e.com/b</link></item>"

    def hashes(items: bytes) -> dict[str | None, str]:
        body = b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>"
        return {e.title: e.raw_hash for e in parse_document(body, XML).entries}

    assert hashes(item_a + item_b) == hashes(item_b + item_a)


def test_every_entry_field_is_filled_from_somewhere() -> None:
    """Guard against a field of ParsedEntry that no fixture ever fills."""
    entries = [
        *parse("atom_entry_fields.xml").entries,
        *parse("rss_item_fields.xml").entries,
    ]
    empty = {f.name for f in fields(entries[0]) if not any(getattr(e, f.name) for e in entries)}
    assert empty == {"image"}  # explicit images come from front matter and JSON Feed only


# ----------------------------------------------------------------------------- encodings (real bytes)


def test_gb2312_labelled_feed() -> None:
    """rss-parser/encoding-gb2312.xml: tech.qq.com, GB2312 label, blank lines after the declaration."""
    feed = parse("rss_gb2312_tencent.xml")
    assert feed.encoding == "gb18030"
    assert feed.title == "互联网"
    assert feed.entries[0].title == "拟298亿元重组盛大游戏后 世纪华通发20亿回购预案"
    assert feed.entries[0].published_raw == "2018-09-19T05:11:22.000Z"


def test_gbk_characters_outside_gb2312() -> None:
    feed = parse("rss_gbk_labelled_gb2312.xml")
    assert feed.entries[0].title == "朱镕基与陶喆：GB2312 之外的汉字"
    assert feed.warnings == ()


def test_encoding_override_wins() -> None:
    feed = parse("rss_gbk_declared_utf8.xml", encoding="gbk")
    assert feed.encoding == "gb18030"
    assert feed.entries[0].title == "朱镕基与陶喆：GB2312 之外的汉字"
    assert feed.warnings == ()


def test_declared_latin1_sent_as_utf8() -> None:
    """FeedReader/Rss20FinanzenNet.xml declares iso-8859-1 but its bytes are UTF-8."""
    feed = parse("rss_declared_latin1_sent_utf8.xml")
    assert len(feed.entries) == 15
    text = all_text(feed)
    assert "für" in text
    assert "Ã" not in text
    assert feed.warnings == ("declared as iso-8859-1 but the bytes are UTF-8: read as UTF-8",)


def test_latin1_without_declaration() -> None:
    """rss-parser/uolNoticias.rss: no XML declaration, ISO-8859-1 bytes."""
    feed = parse("rss_latin1_without_declaration.rss")
    assert len(feed.entries) == 15
    assert feed.description == "Últimas Notícias"
    assert (
        feed.entries[0].title == "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno"
    )
    assert feed.warnings == ("no charset declared and not valid UTF-8: read as windows-1252",)


def test_non_xml_content_type_is_a_warning() -> None:
    feed = parse("rss_no_items.xml", content_type="text/html")
    assert feed.title == "Quiet channel"
    assert feed.warnings == ("NonXMLContentType: text/html; charset=utf-8 is not an XML media type",)


# ------------------------------------------------------------------------------- broken but readable


def test_leading_whitespace_before_declaration_loses_nothing() -> None:
    feed = parse("rss_leading_whitespace.xml")
    assert [e.title for e in feed.entries] == ["One", "Two"]
    assert feed.warnings == ()  # the strict parser read it


def test_real_feed_with_newline_before_declaration() -> None:
    """feedjira/PaulDixExplainsNothing.xml: feedparser alone reports a SAXParseException on it."""
    feed = parse("atom_newline_before_xml_declaration.xml")
    assert len(feed.entries) == 5
    assert feed.warnings == ()


def test_byte_order_mark() -> None:
    feed = parse("rss_utf8_bom.xml")
    assert feed.entries[0].title == "Überschrift mit Umlauten"


def test_truncated_document_yields_what_it_can() -> None:
    feed = parse("rss_truncated.xml")
    assert [e.title for e in feed.entries] == ["Complete item", "Cut short"]
    assert feed.warnings == ("recovered from malformed XML: line 8, column 86: no element found",)


def test_real_truncated_feed() -> None:
    """feedjira/InvalidDateFormat.xml has no closing tags."""
    feed = parse("rss_truncated_no_closing_tags.xml")
    assert [e.link for e in feed.entries] == ["http://example.com/item0", "http://example.com/item1"]
    assert feed.entries[0].updated_raw == "1518478934"  # dc:date, raw
    assert len(feed.warnings) == 1 and feed.warnings[0].startswith("recovered from malformed XML")


def test_undefined_entities_stay_as_text() -> None:
    feed = parse("rss_undefined_entity.xml")
    assert feed.entries[0].title == "Wait\u2026 an em dash \u2014 and &bogus;"
    assert feed.warnings == ("recovered from malformed XML: line 6, column 13: undefined entity",)


def test_real_feed_with_a_control_character() -> None:
    """FeedReader/AtomSpecialCharacters.xml: BOM and a raw U+000F that stops the strict parser."""
    feed = parse("atom_control_character_in_content.xml")
    assert len(feed.entries) == 1
    assert feed.entries[0].title == "Decode NMEA bytes received via external GPS bluetooth device"
    assert feed.warnings == ("removed 2 characters not allowed in XML (control characters, surrogates)",)


def test_raw_control_characters_are_removed() -> None:
    feed = parse("xml_control_characters.xml")
    first = feed.entries[0]
    assert first.title == "Colour [31mred[0m and a form feed  and a nul  end"
    assert first.summary_html == "tab\tkept, newline\nkept, bell  removed"
    assert len(feed.entries) == 2
    assert not any("malformed" in w for w in feed.warnings)


def test_surrogate_character_reference_does_not_crash() -> None:
    """feedparser raises UnicodeEncodeError on &#xD800; (see the canary below); we remove it."""
    feed = parse("xml_surrogate_char_ref.xml")
    assert feed.entries[0].title == "Lone surrogate  here, escape  and nul  and  gone; 中文 kept"
    assert feed.entries[0].summary_html == "<p>ok</p>"
    assert len(feed.entries) == 2
    assert feed.warnings == ("removed 5 characters not allowed in XML (control characters, surrogates)",)


def test_canary_feedparser_still_crashes_on_a_surrogate_reference() -> None:
    """Why the rule above exists. If feedparser fixes this, the stripping stays harmless."""
    body = (DATA_DIR / "xml_surrogate_char_ref.xml").read_bytes()
    with pytest.raises(UnicodeEncodeError):
        feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)


def test_feedparser_exceptions_become_parse_errors() -> None:
    """Unprepared, the surrogate reference makes feedparser raise: the boundary turns that into ParseError."""
    body = (DATA_DIR / "xml_surrogate_char_ref.xml").read_bytes()
    with pytest.raises(ParseError) as info:
        run_feedparser(body, media_type="application/xml", url=None)
    assert str(info.value).startswith(
        "no entries could be read: the feed parser failed (UnicodeEncodeError: "
    )
    assert isinstance(info.value.__cause__, UnicodeEncodeError)


def test_netscape_rss091_html_entities() -> None:
    feed = parse("rss091_netscape_doctype_entities.xml")
    assert feed.format == "rss091n"
    assert feed.title == "Café Netscape"
    assert feed.entries[0].title == "Crème\xa0brûlée & café"
    assert feed.entries[0].summary_html == "Prix\xa0: 5\xa0€ © café"
    assert feed.warnings == ()  # the DTD's entities applied: the strict parser read it


def test_rss091_latin1() -> None:
    feed = parse("rss091_latin1_declared.xml")
    assert feed.format == "rss091u"
    assert feed.title == "Stadtfeuerwehr Weiz - Einsätze"
    assert len(feed.entries) == 15


# --------------------------------------------------------------------------------------- attacks


def test_billion_laughs_is_not_expanded() -> None:
    feed = parse("xml_billion_laughs.xml")
    assert feed.entries[0].title == "Laugh &lol9;"
    assert "lollol" not in all_text(feed)
    assert len(all_text(feed)) < 5_000


def test_quadratic_blowup_is_not_expanded() -> None:
    feed = parse("xml_quadratic_blowup.xml")
    entry = feed.entries[0]
    assert entry.title is not None and entry.title.startswith("Blowup &big;&big;")
    assert "AAAA" not in all_text(feed)
    assert len(all_text(feed)) < 10_000  # expanded, the item alone would be 2 MB
    assert "ignored the DOCTYPE's internal subset: entity declarations are never expanded" in feed.warnings


def test_canary_feedparser_alone_expands_the_blowup() -> None:
    """Proof that the fixture above is an attack: feedparser expands internal entities it deems safe."""
    body = (DATA_DIR / "xml_quadratic_blowup.xml").read_bytes()
    result = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    assert len(dict.get(result.entries[0], "title")) > 1_000_000


def test_entity_declared_inside_a_comment_is_not_expanded() -> None:
    """feedparser alone does expand this one (its entity regex does not know comments)."""
    feed = parse("xml_entity_declared_in_prolog_comment.xml")
    assert feed.entries[0].title == "Item &big;&big;&big;"
    assert "EXPANDED" not in all_text(feed)


@pytest.mark.parametrize("name", ["xml_xxe_system_doctype.xml", "xml_xxe_external_entity.xml"])
def test_external_entities_and_dtds_are_never_read(name: str) -> None:
    feed = parse(name)
    text = all_text(feed)
    assert "root:" not in text
    passwd = Path("/etc/passwd")
    if passwd.exists():
        first_line = passwd.read_text(errors="replace").splitlines()[0]
        assert first_line not in text
    assert len(feed.entries) == 1


def test_external_entity_reference_stays_as_text() -> None:
    feed = parse("xml_xxe_external_entity.xml")
    assert feed.entries[0].title == "Secrets: &xxe;"


def test_feedparser_is_never_handed_a_path(tmp_path: Path) -> None:
    """Given bare bytes, feedparser first tries ``open(bytes)``: a body naming a file is read from disk."""
    local = tmp_path / "local-feed.xml"
    shutil.copyfile(DATA_DIR / "rss_item_fields.xml", local)
    body = str(local).encode()
    canary = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    assert len(canary.entries) == 2  # feedparser alone read the local file
    assert dict.get(run_feedparser(body, media_type="application/xml", url=None), "entries") == []
    with pytest.raises(ParseError):
        parse_document(body)


# ---------------------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    ("body", "media", "kind"),
    [
        (b"", "", DocumentKind.EMPTY),
        (b" \r\n", "application/rss+xml", DocumentKind.EMPTY),
        (b"\xef\xbb\xbf  <rss/>", "", DocumentKind.MARKUP),
        ("<rss/>".encode("utf-16"), "", DocumentKind.MARKUP),
        (b'{"version": 1}', "text/html", DocumentKind.JSON),
        (b"[]", "", DocumentKind.JSON),
        (b"oops", "application/feed+json", DocumentKind.JSON),
        (b"oops", "text/plain", DocumentKind.TEXT),
        (b"PHP Notice: undefined index\n<?xml version='1.0'?><rss/>", "", DocumentKind.MARKUP),
    ],
)
def test_sniff(body: bytes, media: str, kind: DocumentKind) -> None:
    assert sniff(body, media) is kind


@pytest.mark.parametrize(
    ("body", "html"),
    [
        (b"<!DOCTYPE html><html><head><title>x</title></head></html>", True),
        (b"<HTML><BODY>old school</BODY></HTML>", True),
        # feedjira/DuplicateContentAtomFeed.xml wraps a real Atom feed in an XHTML page
        (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><html><body><feed xmlns="a">', False),
        (b'<rss version="2.0"><channel><title>t</title></channel></rss>', False),
    ],
)
def test_looks_like_html(body: bytes, html: bool) -> None:
    assert looks_like_html(body) is html


def parse_error(body: bytes, content_type: str = "application/xml") -> str:
    with pytest.raises(ParseError) as info:
        parse_document(body, {"content-type": content_type}, ParseOptions(url="http://example.com/feed.xml"))
    return str(info.value)


@pytest.mark.parametrize("body", [b"", b"   \r\n\t ", b"\xef\xbb\xbf\n"])
def test_empty_document(body: bytes) -> None:
    assert parse_error(body) == "empty document"


def test_html_page() -> None:
    body = (DATA_DIR / "html_page_not_a_feed.html").read_bytes()
    assert parse_error(body, "text/html") == "not a feed: looks like an HTML page"


def test_xml_that_is_not_a_feed() -> None:
    assert parse_error((DATA_DIR / "xml_not_a_feed.xml").read_bytes()) == (
        "not a feed: no RSS, Atom or RDF root element (the root element is <sitemap>)"
    )


def test_plain_text_is_not_a_feed() -> None:
    assert parse_error(b"Service Unavailable", "text/plain") == (
        "not a feed: neither XML nor JSON (starts with 'Service Unavailable')"
    )


def test_truncated_before_any_item() -> None:
    assert parse_error((DATA_DIR / "rss_truncated_before_items.xml").read_bytes()) == (
        "no entries could be read: line 6, column 0: no element found"
    )


def test_well_formed_feed_without_items_is_valid() -> None:
    feed = parse("rss_no_items.xml")
    assert feed.entries == () and feed.warnings == ()
    assert feed.title == "Quiet channel" and feed.format == "rss20"


def test_real_channel_without_items_is_valid() -> None:
    """FeedReader/Rss20DailyMail.xml: a Daily Mail channel with no items."""
    feed = parse("rss_channel_without_items.xml")
    assert feed.entries == ()
    assert feed.title == "World News Articles | Mail Online"


def test_headers_are_case_insensitive_and_optional() -> None:
    body = (DATA_DIR / "rss_gb2312_tencent.xml").read_bytes()
    assert (
        parse_document(body).entries[0].title
        == parse_document(body, {"Content-Type": "text/xml"}).entries[0].title
    )


def test_a_saved_atom_feed_uses_its_self_link_as_base() -> None:
    """Read from a local file (no document URL), relative links resolve against the feed's own address."""
    feed = parse("atom_saved_with_relative_links.xml", url=None)
    first, second = feed.entries
    assert feed.link == "http://blog.example.org/blog/"
    assert first.link == "http://blog.example.org/blog/2024/03/01/Plex"
    assert first.base_url == "http://blog.example.org/blog/index.atom"
    assert second.link == "http://blog.example.org/blog/2024/03/02/Next"  # not against the entry's self link


def test_a_saved_rss_feed_uses_its_atom_self_link_as_base() -> None:
    feed = parse("rss_saved_with_atom_self_link.xml", url=None)
    assert feed.link == "https://portal.example.cn/news/"
    assert feed.entries[0].link == "https://portal.example.cn/news/2024/0301/1.html"


def test_the_document_url_wins_over_the_self_link() -> None:
    """Fetched (or mirrored) documents resolve against where they were served from, as before."""
    feed = parse("atom_saved_with_relative_links.xml", url="https://mirror.example/feeds/blog.atom")
    assert feed.entries[0].link == "https://mirror.example/blog/2024/03/01/Plex"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<feed><link rel="self" href="http://a.example/f.atom"/>', "http://a.example/f.atom"),
        (
            b"<rss><channel><atom:link href='https://a.example/r?x=1&amp;y=2' rel='self'/>",
            "https://a.example/r?x=1&y=2",
        ),
        (b'<feed><link rel="self" href="/feed.atom"/>', None),  # relative: no base
        (b'<feed><link rel="self" href="file:///etc/feed.atom"/>', None),
        (b'<feed><link rel="alternate" href="http://a.example/"/>', None),
        (b'<feed><entry><link rel="self" href="http://a.example/e.atom"/></entry>', None),  # an entry's own
        (b'<rss><channel><item><atom:link rel="self" href="http://a.example/i"/></item>', None),
    ],
)
def test_self_link(head: bytes, expected: str | None) -> None:
    assert self_link(head) == expected
