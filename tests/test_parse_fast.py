"""Differential tests: the lxml fast path (aggregator.parse.fast) against feedparser, the oracle.

Whatever the fast path accepts must give exactly the :class:`ParsedFeed` feedparser gives, hence the same
normalized entries; anything else it must refuse, and feedparser reads it. Raw hashes are the exception:
each path hashes what it reads its own way (the fast path an entry's XML, feedparser the fields it read).
Every accepted document is also read with every entry deferred: the ids, links and base URLs read alone
(what keys are made of) must be those of the whole entries, and the deferred entries, once built, the same.

Checked on every file of the real-world corpus (``REFUSED`` lists the ones it refuses, and why), on the
fixtures of ``tests/data``, on feeds from the benchmark's generator (which it must accept: that is what
portals serve) and on a few hundred mutations of them, where each change is one a real feed could make
(reordered, repeated or removed elements, attributes feedparser reads, unknown namespaces, entities,
mojibake, stray markup).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from feedparser.urls import _urljoin
from lxml import etree

from aggregator.errors import ParseError
from aggregator.models import NormalizedEntry, ParsedFeed
from aggregator.normalize import NormalizeSettings, assign_keys, normalize_entry
from aggregator.normalize.links import resolve_url
from aggregator.parse import ParseOptions, parse_document
from aggregator.parse.charset import media_type
from aggregator.parse.fast import parse_fast, read_fast, refusal
from aggregator.parse.feedparser_rules import join_url
from aggregator.parse.prepare import prepare_xml
from bench.corpus import CorpusSpec, render_feed
from tests.conftest import CORPUS_DIR, DATA_DIR, corpus_file

URL = "http://feeds.example.com/dir/feed.xml"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = NormalizeSettings(source_name="src", timezone="Asia/Shanghai", aliases={"ai": "人工智能"})
NORMALIZED_FIELDS = ("title", "link", "key", "published", "updated", "author", "categories")
NORMALIZED_FIELDS += ("content_html", "summary", "image", "content_hash")

# Real-world corpus files the fast path leaves to feedparser, and why (a prefix of the reason).
REFUSED = {
    "FeedReader/AtomBattleNet.xml": "content of type xhtml",
    "FeedReader/AtomSpecialCharacters.xml": "<creativeCommons_license> means something to",
    "FeedReader/AtomWiganwarriors.xml": "unexpected attributes on the root",
    "FeedReader/AtomYoutubeInvestmentPunk.xml": "<media_group> means something to",
    "FeedReader/Rss091Stadtfeuerwehr.xml": "not RSS 2.x",
    "FeedReader/Rss20ISO88591Intranet30.xml": "<source> means something to",
    "FeedReader/Rss20IndianExpress.xml": "child elements (or comments)",
    "FeedReader/Rss20NYTimes.xml": "<media_description> means something to",
    "FeedReader/Rss20TheMirror.xml": "a comment or processing instruction",
    "RSParser/489.rss": "a standard prefix bound to another known namespace",
    "RSParser/4fsodonline.atom": "<image> means something to",
    "RSParser/DaringFireball.atom": "xml:base on an",
    "RSParser/DaringFireball.rss": "xml:base on an",
    "RSParser/EMarley.rss": "a standard prefix bound to another known namespace",
    "RSParser/OneFootTsunami.atom": "unexpected attributes on the root",
    "RSParser/aktuality.rss": "<image> means something to",
    "RSParser/atp.rss": "<itunes_author> means something to",
    "RSParser/bio.rdf": "<dc_title> means something to",
    "RSParser/cloudblog.rss": "<title> means something to",
    "RSParser/expertopinionent.atom": "xml:lang on an",
    "RSParser/lanacion.xml": "child elements (or comments)",
    "RSParser/livemint.xml": "<image> means something to",
    "RSParser/macworld.rss": "<category> means something to",
    "RSParser/rubenerd.rss": "unexpected attributes on the root",
    "RSParser/theomnishow.rss": "<itunes_subtitle> means something to",
    "feed-rs/atom_mediarss_newscred_1.xml": "child elements (or comments)",
    "feed-rs/atom_mediarss_youtube_1.xml": "<media_group> means something to",
    "feed-rs/rss_0.91_encoding_1.xml": "not RSS 2.x",
    "feed-rs/rss_0.91_encoding_2.xml": "not RSS 2.x",
    "feed-rs/rss_1.0_biorxiv.xml": "<dc_title> means something to",
    "feed-rs/rss_1.0_debian.xml": "xml:lang on rdf:RDF",
    "feed-rs/rss_2.0_anchorfm.xml": "<itunes_author> means something to",
    "feed-rs/rss_2.0_bbc.xml": "<itunes_summary> means something to",
    "feed-rs/rss_2.0_ch9.xml": "<itunes_summary> means something to",
    "feed-rs/rss_2.0_encoding_1.xml": "<link> means something to",
    "feed-rs/rss_2.0_heated.xml": "<itunes_owner> means something to",
    "feed-rs/rss_2.0_ilgiornale.xml": "<id> means something to",
    "feed-rs/rss_2.0_nightvale.xml": "<itunes_author> means something to",
    "feed-rs/rss_2.0_spreaker.xml": "<itunes_author> means something to",
    "feed-rs/rss_2.0_vimeo_media.xml": "child elements (or comments)",
    "feedjira/AmazonWebServicesBlog.xml": "xml:lang on an",
    "feedjira/CRE.xml": "<itunes_author> means something to",
    "feedjira/DuplicateContentAtomFeed.xml": "not an RSS 2.0, Atom 1.0 or RSS 1.0 root",
    "feedjira/FeedBurnerXHTML.xml": "xml:lang on an",
    "feedjira/HuffPostCanada.xml": "<modified> means something to",
    "feedjira/InvalidDateFormat.xml": "not well-formed for lxml",
    "feedjira/PaulDixExplainsNothing.xml": "xml:lang on an",
    "feedjira/SamRuby.xml": "content of type xhtml",
    "feedjira/TechCrunch.xml": "child elements (or comments)",
    "feedjira/TypePadNews.xml": "xml:lang on an",
    "feedjira/itunes_feedburner.xml": "<itunes_author> means something to",
    "feedjira/pet_atom.xml": "content of type xhtml",
    "feedjira/youtube_atom.xml": "<media_group> means something to",
    "misc-english/arstechnica.xml": "child elements (or comments)",
    "rss-parser/atom-customfields.atom": "<media_group> means something to",
    "rss-parser/content-encoded.rss": "a standard prefix bound to another known namespace",
    "rss-parser/craigslist.rss": "<dc_title> means something to",
    "rss-parser/customfields.rss": "<subtitle> means something to",
    "rss-parser/feedburner.atom": "<image> means something to",
    "rss-parser/giantbomb-podcast.rss": "<itunes_image> means something to",
    "rss-parser/guardian.rss": "child elements (or comments)",
    "rss-parser/heraldsun.rss": "not RSS 2.x",
    "rss-parser/many-links.rss": "<image> means something to",
    "rss-parser/narro.rss": "<itunes_author> means something to",
    "rss-parser/pagination-links.rss": "<itunes_subtitle> means something to",
    "rss-parser/reddit-atom.rss": "child elements (or comments)",
    "rss-parser/reddit-home.rss": "xml:base on an",
    "rss-parser/reddit.rss": "<media_title> means something to",
    "rss-parser/rss-1.rss": "<dc_title> means something to",
    "rss-parser/uolNoticias.rss": "not RSS 2.x",
}
CONTENT_TYPES = {
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".rss": "application/rss+xml",
}


def _corpus_files() -> list[str]:
    if not CORPUS_DIR.is_dir():
        return []
    return sorted(
        path.relative_to(CORPUS_DIR).as_posix()
        for path in CORPUS_DIR.rglob("*")
        if path.is_file() and path.name != "MANIFEST.md" and not path.name.startswith(".")
    )


CORPUS_FILES = _corpus_files()
ABSENT = f"real-world corpus not found at {CORPUS_DIR} (it lives in ../shared beside the clone)"


def both_paths(
    body: bytes, content_type: str = "application/xml", url: str | None = URL
) -> tuple[ParsedFeed | None, ParsedFeed | ParseError]:
    """(the fast path's feed or None when it refuses, feedparser's feed or its ParseError)."""
    headers = {"content-type": content_type}
    try:
        slow: ParsedFeed | ParseError = parse_document(body, headers, ParseOptions(url=url, fast_path=False))
    except ParseError as e:
        slow = e
    prepared = prepare_xml(body)
    return parse_fast(prepared, media_type=media_type(content_type), url=url), slow


def normalized(feed: ParsedFeed) -> list[NormalizedEntry]:
    keys = assign_keys(feed.entries)
    return [
        normalize_entry(entry, key, feed, SETTINGS, NOW)
        for entry, key in zip(feed.entries, keys, strict=True)
    ]


def assert_same(
    fast: ParsedFeed,
    slow: ParsedFeed | ParseError,
    name: str,
    body: bytes | None = None,
    url: str | None = URL,
) -> None:
    assert isinstance(slow, ParsedFeed), f"{name}: the fast path read a document feedparser rejects: {slow}"
    for field in fields(ParsedFeed):
        if field.name != "entries":
            assert getattr(fast, field.name) == getattr(slow, field.name), f"{name}: feed {field.name}"
    assert len(fast.entries) == len(slow.entries), name
    for i, (mine, theirs) in enumerate(zip(fast.entries, slow.entries, strict=True)):
        for field in fields(mine):
            if field.name != "raw_hash":
                assert getattr(mine, field.name) == getattr(theirs, field.name), (
                    f"{name}: entry {i} {field.name}"
                )
    for i, (mine_n, theirs_n) in enumerate(zip(normalized(fast), normalized(slow), strict=True)):
        for attribute in NORMALIZED_FIELDS:
            assert getattr(mine_n, attribute) == getattr(theirs_n, attribute), f"{name}: {i} {attribute}"
    if body is not None:
        assert_deferred_same(fast, body, name, url)


def assert_deferred_same(eager: ParsedFeed, body: bytes, name: str, url: str | None = URL) -> None:
    """Every entry deferred: identities read alone equal the whole entries'; built later, the same entries."""
    prepared = prepare_xml(body)
    deferred = read_fast(prepared, media_type="application/xml", url=url, skippable=lambda _: True)
    assert deferred is not None, f"{name}: refused when deferring"
    assert deferred.feed == replace(eager, entries=()), name
    assert len(deferred.entries) == len(eager.entries), name
    for i, (ref, entry) in enumerate(zip(deferred.entries, eager.entries, strict=True)):
        identity = (ref.position, ref.guid, ref.link, ref.base_url, ref.raw_hash)
        assert identity == (entry.position, entry.guid, entry.link, entry.base_url, entry.raw_hash), (
            f"{name}: {i}"
        )
    assert assign_keys(deferred.entries) == assign_keys(eager.entries), name
    assert deferred.whole() == eager, name


# ---------------------------------------------------------------------------------- real-world corpus


@pytest.mark.corpus
@pytest.mark.parametrize(
    "relative", CORPUS_FILES or [pytest.param("", marks=pytest.mark.skip(reason=ABSENT))]
)
def test_corpus_file_same_as_feedparser_or_refused(relative: str) -> None:
    path = corpus_file(relative)
    body = path.read_bytes()
    url = f"http://127.0.0.1/{path.name}"
    fast, slow = both_paths(body, CONTENT_TYPES.get(path.suffix, "application/xml"), url)
    if fast is None:
        reason = refusal(prepare_xml(body), url=url)
        assert relative in REFUSED, f"newly refused: {reason}"
        assert reason is not None and reason.startswith(REFUSED[relative]), reason
        return
    assert relative not in REFUSED, "now accepted: remove it from REFUSED"
    assert_same(fast, slow, relative, body, url)


@pytest.mark.corpus
def test_fast_path_reads_most_of_the_corpus() -> None:
    if not CORPUS_FILES:
        pytest.skip(ABSENT)
    assert set(REFUSED) <= set(CORPUS_FILES)
    assert len(CORPUS_FILES) - len(REFUSED) >= 70  # of 143: all the plain RSS 2.0, Atom and RDF feeds


# ------------------------------------------------------------------------------------------ fixtures

FIXTURES = sorted(p.name for p in DATA_DIR.glob("*.xml")) + sorted(p.name for p in DATA_DIR.glob("*.rss"))


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_same_as_feedparser_or_refused(name: str) -> None:
    body = (DATA_DIR / name).read_bytes()
    fast, slow = both_paths(body)
    if fast is not None:
        assert_same(fast, slow, name, body)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("rss_truncated.xml", "not well-formed"),
        ("rss_undefined_entity.xml", "not well-formed"),
        ("xml_billion_laughs.xml", "not well-formed"),
        ("rss091_netscape_doctype_entities.xml", "not RSS 2.x"),
        ("atom_entry_fields.xml", "unexpected attributes on the root"),  # xml:base
        ("xml_not_a_feed.xml", "not an RSS 2.0, Atom 1.0 or RSS 1.0 root"),
    ],
)
def test_fixtures_the_fast_path_leaves_to_feedparser(name: str, reason: str) -> None:
    found = refusal(prepare_xml((DATA_DIR / name).read_bytes()), url=URL)
    assert found is not None and found.startswith(reason)


def test_parse_document_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_feedparser(*_: object, **__: object) -> None:
        raise AssertionError("feedparser was called")

    monkeypatch.setattr("aggregator.parse.run_feedparser", no_feedparser)
    feed = parse_document((DATA_DIR / "rss_item_fields.xml").read_bytes(), {}, ParseOptions(url=URL))
    assert feed.entries and feed.format == "rss20"


def test_non_xml_content_type_warns_as_feedparser_does() -> None:
    fast, slow = both_paths((DATA_DIR / "rss_item_fields.xml").read_bytes(), "text/html; charset=utf-8")
    assert fast is not None
    assert_same(fast, slow, "text/html")
    assert any("NonXMLContentType" in warning for warning in fast.warnings)


# --------------------------------------------------------------------------------- generated feeds

GENERATED = [(feed, round_number) for feed in range(10) for round_number in (1, 2)]


@pytest.mark.parametrize(("feed", "round_number"), GENERATED)
def test_generated_feeds_are_read_by_the_fast_path(feed: int, round_number: int) -> None:
    body = render_feed(CorpusSpec(feeds=10, entries=8), feed, round_number)
    fast, slow = both_paths(body)
    assert fast is not None, refusal(prepare_xml(body), url=URL)
    assert_same(fast, slow, f"feed {feed} round {round_number}", body)


# --------------------------------------------------------------------------------------- mutations

_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "media": "http://search.yahoo.com/mrss/",
    "atom": "http://www.w3.org/2005/Atom",
    "x": "http://example.com/x",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
}
_TEXTS = [
    *("", "  ", "plain", "a &amp; b", "AT&amp;T", "<b>bold</b>", "x < y", "Ã©tÃ©", "café", "\x93quoted\x94"),
    *("http://example.com/a?x=1&amp;y=2", "/relative/path", "relative", "2024-03-05T10:30:00+08:00"),
    *("Tue, 05 Mar 2024 10:30:00 +0800", "张三", "a@b.com (Ann)", "Ann <a@b.com>", "&lt;p&gt;hi&lt;/p&gt;"),
    *("<p>para</p><p>two</p>", "&#233;t&#233;", "javascript:alert(1)", "urn:uuid:1234", "  spaced  "),
]
_ELEMENTS = [
    *("title", "link", "guid", "description", "pubDate", "author", "category", "comments", "source"),
    *("{dc}creator", "{dc}date", "{dc}subject", "{dc}language", "{content}encoded", "{media}thumbnail"),
    *("{media}content", "{atom}link", "{atom}id", "{atom}summary", "{atom}content", "{atom}updated"),
    *("{atom}published", "{x}title", "{x}thing", "{slash}comments", "{itunes}image", "enclosure", "Title"),
    *("PubDate", "id", "summary", "content", "updated", "published", "name", "language", "ttl", "image"),
]
_XML = "{http://www.w3.org/XML/1998/namespace}"
_ATTRIBUTES = [
    *(("isPermaLink", "false"), ("isPermaLink", "true"), ("isPermaLink", "True"), ("type", "html")),
    *(("type", "text"), ("type", "xhtml"), ("type", "TEXT/HTML"), ("rel", "alternate"), ("rel", "self")),
    *(("rel", "enclosure"), ("rel", "Alternate"), ("href", "http://example.com/h"), ("href", "rel/h")),
    *(("href", ""), ("url", "http://example.com/u.jpg"), ("term", "T"), ("label", "L"), ("domain", "D")),
    *(("medium", "image"), ("length", "12"), (f"{_XML}lang", "fr"), (f"{_XML}base", "http://base.example/")),
    *(("lang", "de"), ("mode", "escaped"), ("src", "http://x/"), ("{http://example.com/x}count", "3")),
]


def _tag(name: str, root: etree._Element) -> str:
    if name.startswith("{"):
        prefix, local = name[1:].split("}")
        return f"{{{_NS[prefix]}}}{local}"
    if root.tag == "{http://www.w3.org/2005/Atom}feed":
        return "{http://www.w3.org/2005/Atom}" + name
    if root.tag.endswith("RDF"):
        return "{http://purl.org/rss/1.0/}" + name
    return name


def _mutate(rng: random.Random, root: etree._Element) -> None:
    containers = [root] + [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname in ("channel", "item", "entry", "author")
    ]
    for _ in range(rng.randint(1, 2)):
        parent = rng.choice(containers)
        children = [c for c in parent if isinstance(c.tag, str)]
        roll = rng.random()
        if roll < 0.12 and children:
            parent.remove(rng.choice(children))
        elif roll < 0.22 and children:
            parent.insert(rng.randint(0, len(parent)), copy.deepcopy(rng.choice(children)))
        elif roll < 0.32 and len(children) > 1:
            rng.shuffle(children)
            for child in children:
                parent.remove(child)
                parent.append(child)
        elif roll < 0.55:
            element = etree.Element(_tag(rng.choice(_ELEMENTS), root))
            parent.insert(rng.randint(0, len(parent)), element)
            element.text = rng.choice(_TEXTS) if rng.random() < 0.8 else None
            for _ in range(rng.choice([0, 0, 1, 2])):
                element.set(*rng.choice(_ATTRIBUTES))
        elif roll < 0.75 and children:
            child = rng.choice(children)
            if len(child) == 0 and rng.random() < 0.8:
                child.text = rng.choice(_TEXTS)
            else:
                child.set(*rng.choice(_ATTRIBUTES))
        elif roll < 0.85 and children:
            child = rng.choice(children)
            if len(child) == 0:
                child.text = (child.text or "") + rng.choice(["\x85", "\u2028", " Ã¤ ", "&", "]]>", "\t\n"])
        elif roll < 0.92 and children:
            inner = etree.SubElement(rng.choice(children), _tag(rng.choice(["b", "name", "{x}inner"]), root))
            inner.text = "inner"
        else:
            parent.set(*rng.choice(_ATTRIBUTES))


def _seeds() -> Iterator[tuple[str, bytes]]:
    spec = CorpusSpec(feeds=10, entries=3)
    for feed in (0, 1, 7, 9):  # RSS 2.0 Chinese and English, Atom, RDF
        yield f"generated-{feed}", render_feed(spec, feed, 1)
    for name in ("rss_item_fields.xml", "rss_duplicate_guids.xml", "rss_gb2312_tencent.xml"):
        yield name, (DATA_DIR / name).read_bytes()


@pytest.mark.parametrize(("name", "body"), list(_seeds()), ids=[name for name, _ in _seeds()])
def test_mutations_same_as_feedparser_or_refused(name: str, body: bytes) -> None:
    rng = random.Random(f"mutations:{name}")
    accepted = 0
    for i in range(60):
        root = etree.fromstring(prepare_xml(body).body)
        _mutate(rng, root)
        mutated = etree.tostring(root, encoding="utf-8", xml_declaration=True)
        fast, slow = both_paths(mutated)
        if fast is not None:
            accepted += 1
            assert_same(fast, slow, f"{name} mutation {i}:\n{mutated.decode()[:3000]}", mutated)
    assert accepted >= 10  # the mutations are not all refused: the comparison means something


# ----------------------------------------------------------------------------- behaviours, one each


def _rss(item: str, channel: str = "", root_attributes: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{root_attributes} '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>T</title><link>http://example.com/</link>{channel}<item>{item}</item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "item",
    [
        "<title>A &amp;amp; B</title>",  # feedparser's HTML guess: the title becomes HTML
        "<title>&lt;b&gt;x&lt;/b&gt;</title><title>second</title>",  # the second title is ignored
        "<guid>/relative/guid</guid>",  # a permalink guid resolves against the document URL
        "<guid isPermaLink='True'>/p</guid>",  # not 'true': not a permalink
        "<link>http://example.com/a?x=1&amp;amp;y=2</link>",  # feedparser's &amp; repair in links
        "<author>ann@example.com (Ann)</author>",
        "<dc:creator>Bob</dc:creator><dc:creator>Carl</dc:creator>",
        "<category domain='d'>A</category><category>A</category><category/><category>B</category>",
        "<description>one</description><description>two</description>",  # the second is content
        "<content:encoded>c</content:encoded><description>d</description>",
        "<description>Ã©tÃ© \x93quoted\x94</description>",  # UTF-8 read as Latin-1, cp1252 controls
        "<enclosure url='/a.jpg' type='IMAGE/JPEG' length='12'/>",
        "<pubDate>2024年3月5日 10:30</pubDate><dc:date>2024-03-05T10:30:00+08:00</dc:date>",
        "<x:thing xmlns:x='http://example.com/x'>aside</x:thing><title>t</title>",
    ],
)
def test_behaviours_match_feedparser(item: str) -> None:
    fast, slow = both_paths(_rss(item))
    assert fast is not None, refusal(prepare_xml(_rss(item)), url=URL)
    assert_same(fast, slow, item, _rss(item))


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("<title xml:base='http://b/'>t</title>", "xml:base"),
        ("<link xml:lang='en'>http://example.com/</link>", "xml:lang"),
        ("<description><p>markup</p></description>", "child elements"),
        ("<x:title xmlns:x='http://example.com/x'>t</x:title>", "<title> means something"),
        ("<media:title xmlns:media='http://search.yahoo.com/mrss/'>t</media:title>", "<media_title> means"),
        ("<title><!-- c -->t</title>", "child elements"),
    ],
)
def test_refuses_what_it_cannot_read_exactly(item: str, reason: str) -> None:
    found = refusal(prepare_xml(_rss(item)), url=URL)
    assert found is not None and reason in found


def test_refuses_a_document_lxml_finds_malformed() -> None:
    body = _rss("<title>t</title>").replace(b"</channel>", b"")
    assert refusal(prepare_xml(body), url=URL) == "not well-formed for lxml"
    fast, slow = both_paths(body)
    assert fast is None and isinstance(slow, ParsedFeed)  # feedparser's loose parser still reads it


def test_without_a_document_url() -> None:
    body = _rss("<link>/relative</link><guid>/g</guid>")
    fast, slow = both_paths(body, url=None)
    assert fast is not None
    assert_same(fast, slow, "no url", body, url=None)


def test_atom_root_language_reaches_the_entries() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh_CN"><title>T</title><entry><id>i</id>'
        b'<title type="html">A &amp;lt; B</title><content type="text">x &lt; y</content></entry></feed>'
    )
    fast, slow = both_paths(body)
    assert fast is not None
    assert_same(fast, slow, "atom")
    assert fast.entries[0].language == "zh-CN"


def test_generated_corpus_path_is_importable_from_tests() -> None:
    # The generator lives in bench/; the tests import it from the repository root.
    assert Path(__file__).resolve().parent.parent.joinpath("bench", "corpus.py").exists()


# ------------------------------------------------- the shortcuts give what they short-cut, on random URLs

_URL_ALPHABET = [*"abcXYZ09/.;?#:@[]% \t\n\\-_~!$&'()*+,=é中\x01\x7f", "http://", "//", "?", "#", ";"]


def test_join_url_is_feedparsers_urljoin() -> None:
    rng = random.Random("join_url")
    bases = ["", "http://a.com/x", "https://b.org/", "http://c.net/d?e#f", "ftp://x/", "HTTP://A.COM/"]
    for _ in range(20_000):
        prefix = rng.choice(["http://", "https://", "HTTP://", "http:///", "https:////", "/", ""])
        uri = prefix + "".join(rng.choice(_URL_ALPHABET) for _ in range(rng.randint(0, 16)))
        base = rng.choice(bases)
        assert join_url(base, uri) == _urljoin(base, uri), (base, uri)


def test_resolve_url_is_urljoin() -> None:
    rng = random.Random("resolve_url")
    bases = ["http://a.com", "https://a.com/x/y?q#f", "HTTP://a.com/", "http://a.com:80/p", "http://[::1/x"]
    bases += ["http://user@a.com/", "http://例子.com/a", " http://a.com/x ", "http://a.com?x", "ftp://a.com/"]
    for _ in range(20_000):
        url = "/" + "".join(rng.choice(_URL_ALPHABET) for _ in range(rng.randint(0, 12)))
        base = rng.choice(bases)
        try:
            expected = urljoin(base.strip(), url.strip())
        except ValueError:
            expected = url.strip()
        assert resolve_url(url, base) == expected, (base, url)


def test_every_author_is_credited_once_by_both_paths() -> None:
    """feedparser's own `author` is the last one met: a co-written article went to its second author."""
    fast, slow = both_paths((DATA_DIR / "atom_two_authors.xml").read_bytes())
    assert fast is not None and isinstance(slow, ParsedFeed)
    assert [e.author for e in fast.entries] == [e.author for e in slow.entries] == ["Jane Doe, 张伟"]
