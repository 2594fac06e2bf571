"""Bytes preparation: charsets, the prolog (DOCTYPE, entities, leading junk), illegal characters."""

from __future__ import annotations

import pytest

from aggregator.parse import prepare
from aggregator.parse.charset import charset_from_content_type, decode_document, normalize_charset
from aggregator.parse.prepare import html_entities_to_references, prepare_xml, strip_illegal_characters
from tests.conftest import CORPUS_DIR, DATA_DIR

DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ("x-gbk", "gb18030"),
        ("GB18030", "gb18030"),
        ("iso-8859-1", "windows-1252"),
        ("US-ASCII", "windows-1252"),
        ("utf8", "utf-8"),
        ("ISO-8859-2", "iso8859-2"),
        ('"utf-8"', "utf-8"),
        ("no-such-charset", None),
        ("base64", None),  # a codec, but bytes-to-bytes: never a document charset
        ("rot13", None),
        ("", None),
        (None, None),
    ],
)
def test_charset_labels(label: str | None, codec: str | None) -> None:
    assert normalize_charset(label) == codec


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("application/rss+xml; charset=GBK", "GBK"),
        ('text/xml; Charset="utf-8"', "utf-8"),
        ("text/xml", None),
        (None, None),
    ],
)
def test_charset_from_content_type(header: str | None, charset: str | None) -> None:
    assert charset_from_content_type(header) == charset


def test_gb2312_label_reads_gbk_characters_outside_gb2312() -> None:
    body = (DATA_DIR / "rss_gbk_labelled_gb2312.xml").read_bytes()
    text, codec, warnings = decode_document(body, http_charset=None, override=None)
    assert codec == "gb18030"
    assert "朱镕基与陶喆" in text  # 镕 and 喆 are GBK, not GB2312: Python's gb2312 codec fails on them
    assert warnings == []


def test_override_wins_over_declaration_and_http_charset() -> None:
    body = (DATA_DIR / "rss_gbk_declared_utf8.xml").read_bytes()
    text, codec, warnings = decode_document(body, http_charset="iso-8859-1", override="gbk")
    assert codec == "gb18030"
    assert "朱镕基" in text
    assert warnings == []


def test_http_charset_wins_over_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>中文</title></channel></rss>'
    text, codec, _ = decode_document(body.encode("gbk"), http_charset="gbk", override=None)
    assert codec == "gb18030"
    assert "中文" in text


def test_declared_latin1_but_utf8_bytes_is_read_as_utf8() -> None:
    """FeedReader/Rss20FinanzenNet.xml declares iso-8859-1 and sends UTF-8."""
    body = (DATA_DIR / "rss_declared_latin1_sent_utf8.xml").read_bytes()
    text, codec, warnings = decode_document(body, http_charset=None, override=None)
    assert codec == "utf-8"
    assert "für" in text and "Ã¼" not in text
    assert warnings == ["declared as iso-8859-1 but the bytes are UTF-8: read as UTF-8"]


def test_genuine_latin1_stays_latin1() -> None:
    body = (DATA_DIR / "rss091_latin1_declared.xml").read_bytes()
    text, codec, warnings = decode_document(body, http_charset=None, override=None)
    assert codec == "windows-1252"
    assert "Einsätze" in text
    assert warnings == []


def test_undeclared_latin1_is_read_as_windows_1252() -> None:
    """rss-parser/uolNoticias.rss: no XML declaration, ISO-8859-1 bytes."""
    body = (DATA_DIR / "rss_latin1_without_declaration.rss").read_bytes()
    text, codec, warnings = decode_document(body, http_charset=None, override=None)
    assert codec == "windows-1252"
    assert "Últimas Notícias" in text
    assert warnings == ["no charset declared and not valid UTF-8: read as windows-1252"]


def test_chinese_feed_mislabelled_utf8_is_read_as_gb18030() -> None:
    body = (DATA_DIR / "rss_gbk_declared_utf8.xml").read_bytes()
    text, codec, warnings = decode_document(body, http_charset=None, override=None)
    assert codec == "gb18030"
    assert "科技频道" in text
    assert len(warnings) == 1 and "Chinese" in warnings[0]


def test_mostly_utf8_with_a_bad_byte_keeps_utf8() -> None:
    body = "<rss><channel><title>中文标题，很长的中文</title></channel></rss>".encode() + b"\xff"
    text, codec, warnings = decode_document(body, http_charset=None, override=None)
    assert codec == "utf-8"
    assert "中文标题" in text and text.endswith("\ufffd")
    assert warnings == ["1 invalid UTF-8 sequences replaced"]


def test_windows_1252_smart_quotes_declared_as_latin1() -> None:
    body = b'<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>\x93quoted\x94 \x81</title></rss>'
    text, codec, _ = decode_document(body, http_charset=None, override=None)
    assert codec == "windows-1252"
    assert "\u201cquoted\u201d \x81" in text  # the undefined 0x81 falls back to its Latin-1 code point


def test_utf16_with_bom() -> None:
    body = '<?xml version="1.0" encoding="utf-16"?><rss><title>中文</title></rss>'.encode("utf-16")
    prepared = prepare_xml(body)
    assert prepared.encoding.startswith("utf-16")
    assert "中文".encode() in prepared.body
    assert prepared.body.startswith(DECLARATION)


def test_illegal_characters_raw_and_as_references() -> None:
    text, removed = strip_illegal_characters(
        "a\x00b\x1bc\x0cd\ufffee\uffff f&#xD800;g&#x1b;h&#0;i&#65535;j&#x110000;k"
    )
    assert text == "abcde fghijk"
    assert removed == 10


def test_legal_characters_and_references_are_kept() -> None:
    source = "tab\t lf\n cr\r &#x9; &#10; &#x4E2D; &#25991; &#x1F600; &amp;#x1b; \u00e9 \U0001f600"
    assert strip_illegal_characters(source) == (source, 0)


def test_leading_whitespace_and_bom_before_declaration_are_dropped() -> None:
    prepared = prepare_xml(b"\xef\xbb\xbf\r\n\n  " + DECLARATION + b"\n<rss/>")
    assert prepared.body == DECLARATION + b"\n\n\n<rss/>"  # the root stays on line 4, as in the original
    assert prepared.warnings == ()


def test_junk_before_the_declaration_is_dropped_with_a_warning() -> None:
    prepared = prepare_xml(b"Warning: something in feed.php\n" + DECLARATION + b"<rss/>")
    assert prepared.body.endswith(b"<rss/>")
    assert b"Warning" not in prepared.body
    assert prepared.warnings == ("ignored 30 characters of text before the root element",)


def test_declaration_is_rewritten_to_utf8() -> None:
    prepared = prepare_xml(
        '<?xml version="1.0" encoding="gb2312"?><rss><title>中文</title></rss>'.encode("gbk")
    )
    assert prepared.body == (DECLARATION + "<rss><title>中文</title></rss>".encode())


def test_doctype_with_internal_subset_is_removed_whole() -> None:
    prepared = prepare_xml((DATA_DIR / "xml_billion_laughs.xml").read_bytes())
    assert b"<!DOCTYPE" not in prepared.body and b"<!ENTITY" not in prepared.body
    assert prepared.warnings == (
        "ignored the DOCTYPE's internal subset: entity declarations are never expanded",
    )


def test_prolog_line_count_is_kept_for_error_messages() -> None:
    source = (DATA_DIR / "xml_billion_laughs.xml").read_bytes()
    prepared = prepare_xml(source)
    root = source.index(b"<rss")
    assert prepared.body.count(b"\n", 0, prepared.body.index(b"<rss")) == source.count(b"\n", 0, root)


def test_entity_declared_inside_a_prolog_comment_is_removed() -> None:
    """feedparser collects `<!ENTITY` lines anywhere before the root, comments included."""
    prepared = prepare_xml((DATA_DIR / "xml_entity_declared_in_prolog_comment.xml").read_bytes())
    assert b"ENTITY" not in prepared.body and b"EXPANDED" not in prepared.body


def test_doctype_literals_may_hold_brackets_and_angle_brackets() -> None:
    body = b'<!DOCTYPE rss [ <!ENTITY a "]> tricky"> <!-- ]> --> ]><rss><title>&a;</title></rss>'
    prepared = prepare_xml(body)
    assert prepared.body == DECLARATION + b"<rss><title>&a;</title></rss>"


def test_netscape_doctype_is_detected_and_its_entities_applied() -> None:
    prepared = prepare_xml((DATA_DIR / "rss091_netscape_doctype_entities.xml").read_bytes())
    assert prepared.netscape_doctype
    assert b"<!DOCTYPE" not in prepared.body
    assert b"Cr&#232;me&#160;br&#251;l&#233;e &amp; caf&#233;" in prepared.body


def test_html_entities_are_left_alone_in_cdata_and_comments() -> None:
    source = "<a>&eacute;&amp;<![CDATA[&eacute;]]><!-- &eacute; -->&unknown;</a>"
    assert (
        html_entities_to_references(source)
        == "<a>&#233;&amp;<![CDATA[&eacute;]]><!-- &eacute; -->&unknown;</a>"
    )


def test_unknown_labels_are_ignored_with_a_warning() -> None:
    body = b'<?xml version="1.0" encoding="klingon"?><rss/>'
    text, codec, warnings = decode_document(body, http_charset="x-unknown", override="nonsense")
    assert codec == "utf-8" and text.endswith("<rss/>")
    assert warnings == [
        "unknown encoding override 'nonsense' ignored",
        "unknown charset 'x-unknown' in the HTTP charset ignored",
        "unknown charset 'klingon' in the XML declaration ignored",
    ]


def test_declared_gb_with_a_broken_byte_keeps_gb18030() -> None:
    body = '<?xml version="1.0" encoding="gbk"?><rss><title>中文标题</title></rss>'.encode("gbk") + b"\xff"
    text, codec, warnings = decode_document(body, http_charset=None, override=None)
    assert codec == "gb18030"
    assert "中文标题" in text
    assert warnings == ["some bytes are not valid gb18030; replaced"]


# ------------------------------------------------------------------------- the same bytes, two ways

_BYTES_CASES = [
    b'<?xml version="1.0" encoding="utf-8"?><rss><channel><title>\xe6\x96\xb0</title></channel></rss>',
    b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- \xe6\xb3\xa8\xe9\x87\x8a -->\n<rss/>",  # BOM, CJK prolog
    b"<rss><channel><title>a\x01b\x1fc</title></channel></rss>",  # raw C0 controls
    b"<rss><channel><title>a&#x1;b&#0;c&#8217;d&#xD800;</title></channel></rss>",  # forbidden references
    b"<rss><channel><title>a&#8217;b&#x4E2D;&#38;</title></channel></rss>",  # only legal references
    b"<rss><channel><title>\xef\xbf\xbe\xef\xbf\xbf</title></channel></rss>",  # U+FFFE, U+FFFF
    b"<rss><channel><title>\xef\xbf\xa5\xef\xbd\x9e</title></channel></rss>",  # U+FFE5, U+FF5E: legal
    b'<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>plain ascii</title></channel></rss>',
    b'<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>caf\xc3\xa9</title></channel></rss>',
    b'<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>caf\xe9</title></channel></rss>',
    b"junk <?xml version='1.0'?><!DOCTYPE rss [<!ENTITY e 'x'>]>\r\n<rss><channel/></rss>",
    b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x"><rss><c>&eacute;</c></rss>',
    b"<rss><channel><title>bad \xff utf-8 \xe6\x96\xb0\xe9\x97\xbb \xe6\x96\xb0</title></channel></rss>",
    "<rss><title>utf-16</title></rss>".encode("utf-16"),
    b"no root at all",
    b"",
]


def _bodies() -> list[tuple[str, bytes, str | None, str | None]]:
    cases = [(f"case {i}", body, None, None) for i, body in enumerate(_BYTES_CASES)]
    cases += [(f"override {i}", body, None, "utf-8") for i, body in enumerate(_BYTES_CASES)]
    cases += [(f"http gbk {i}", body, "gbk", None) for i, body in enumerate(_BYTES_CASES)]
    files = sorted(DATA_DIR.glob("*.xml")) + sorted(DATA_DIR.glob("*.rss"))
    if CORPUS_DIR.is_dir():
        files += sorted(
            p for p in CORPUS_DIR.rglob("*") if p.is_file() and p.suffix in (".xml", ".rss", ".atom")
        )
    cases += [(path.name, path.read_bytes(), None, None) for path in files]
    return cases


@pytest.mark.parametrize(("name", "body", "http_charset", "override"), _bodies(), ids=lambda v: str(v)[:40])
def test_prepared_on_bytes_as_on_text(
    name: str, body: bytes, http_charset: str | None, override: str | None
) -> None:
    on_bytes = prepare._prepare(body, http_charset, override, on_bytes=True)
    on_text = prepare._prepare(body, http_charset, override, on_bytes=False)
    assert on_bytes == on_text, name


# ------------------------------------------------------------- the usual document, prepared unchecked

_UNCHECKED_CASES = [
    *_BYTES_CASES,
    b"<?xml version='1.0'?><!-- a\x01b --><rss><channel><title>t</title></channel></rss>",  # C0 in prolog
    b"<rss><channel><description><![CDATA[a&#0;b]]></description></channel></rss>",  # reference in CDATA
    b"<rss><channel><description><![CDATA[a\x02b]]></description></channel></rss>",  # raw C0 in CDATA
    b"<rss><channel><title>a\xed\xa0\x80b</title></channel></rss>",  # an encoded surrogate: not UTF-8
    b"<rss><channel><title>a\xe0\x80\xafb</title></channel></rss>",  # overlong: not UTF-8
    b"<rss><channel><title>ok</title></channel></rss>\n<!-- \xff -->",  # bad byte after the root
    b"<?xml version='1.0'?><!--" + b"x" * 9000 + b"--><rss><channel/></rss>",  # root beyond the window
    b'<?xml-stylesheet href="s.xsl"?>\n\n<rss version="2.0"><channel><title>\xe4\xb8\xad</title></channel>'
    b"</rss>",
    b'<?xml version="1.0" encoding="UTF8"?><rss><channel><title>x</title></channel></rss>',
]


def _unchecked_bodies() -> list[tuple[str, bytes, str | None, str | None]]:
    cases = [(name, body, http, override) for name, body, http, override in _bodies()]
    cases += [(f"unchecked {i}", body, None, None) for i, body in enumerate(_UNCHECKED_CASES)]
    cases += [(f"http utf-8 {i}", body, "utf-8", None) for i, body in enumerate(_UNCHECKED_CASES)]
    return cases


def _lxml_accepts(body: bytes) -> bool:
    from lxml import etree

    from aggregator.parse.fast import _PARSER

    try:
        etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return False
    return len(_PARSER.error_log) == 0


@pytest.mark.parametrize(
    ("name", "body", "http_charset", "override"), _unchecked_bodies(), ids=lambda v: str(v)[:40]
)
def test_unchecked_preparation_is_the_checked_one_wherever_lxml_reads_it(
    name: str, body: bytes, http_charset: str | None, override: str | None
) -> None:
    """lxml stands in for the skipped checks: wherever it accepts the unchecked bytes, nothing differs."""
    unchecked = prepare.prepare_utf8_unchecked(body, http_charset=http_charset, override=override)
    if unchecked is not None and _lxml_accepts(unchecked.body):
        assert unchecked == prepare_xml(body, http_charset=http_charset, override=override), name


def test_unchecked_preparation_covers_the_usual_documents_and_only_them() -> None:
    """The test above compares something: most real UTF-8 feeds qualify, no other charset does."""
    read = [
        (name, body)
        for name, body, http, override in _unchecked_bodies()
        if (u := prepare.prepare_utf8_unchecked(body, http_charset=http, override=override)) is not None
        and _lxml_accepts(u.body)
    ]
    assert len(read) > 60
    names = {name for name, _ in read}
    # A CJK title; a stylesheet instruction and blank lines before the root; "UTF8" declared.
    assert {"unchecked 0", "http utf-8 23", "unchecked 24"} <= names
    assert not any(name.startswith(("override", "http gbk")) for name in names)
    # Forbidden characters raw or referenced (prolog and CDATA too), not UTF-8, no root, root too far.
    for i in (2, 3, 5, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22):
        assert f"unchecked {i}" not in names
