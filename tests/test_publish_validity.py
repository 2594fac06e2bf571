"""Are our feeds valid? The W3C feed validator is the judge; strict structural checks back it up.

Every document below (a realistic feed, an empty one, a minimal one, a hostile one) is rendered in every
format and must pass:

* the **W3C Feed Validation Service** (github.com/w3c/feedvalidator), with no error and no warning, when its
  ``feedvalidator`` package is importable; otherwise those tests are skipped and everything else still runs.
  It is on no package index and has no packaging of its own; its ``src`` folder only needs to be importable::

      pip install 'html5lib>=1.1'
      git clone https://github.com/w3c/feedvalidator && git -C feedvalidator checkout <pinned commit>
      PYTHONPATH=feedvalidator/src python -m pytest tests/test_publish_validity.py

* lxml (well-formed XML) and feedparser (``bozo == 0``, the right version);
* our own checks of the RSS 2.0 and Atom (RFC 4287) requirements that the W3C validator enforces most often
  (ids are IRIs, RFC 822 dates with four-digit years and the right weekday, RFC 3339 dates, ``rel="self"``,
  enclosure attributes, unique ids), each proven able to fail on a broken sample;
* a JSON Schema of JSON Feed 1.1 written from the specification.

The seed article (tests/data is self-contained: its sanitized body is copied below) must come back intact
from each format: title, link, author, categories, date, image and body.

This module also owns the sample documents and the golden-file helper used by the per-format tests. Golden
files (tests/data/golden/feed.rss, feed.atom, feed.json) are rewritten only when the environment variable
``UPDATE_GOLDEN=1`` is set; review the diff before committing them.
"""

from __future__ import annotations

import calendar
import difflib
import json
import os
import re
import socket
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import feedparser
import jsonschema
import pytest
from lxml import etree

from aggregator.models import StoredEntry
from aggregator.publish import FeedDocument, render_atom, render_json, render_opml, render_rss
from aggregator.publish.opml import OpmlOutline

GOLDEN_DIR = Path(__file__).parent / "data" / "golden"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"

# ------------------------------------------------------------------------------------------ samples

SEED_TITLE = "全力打造高端特色，中关村科学城进数字化治理方式变革"
SEED_LINK = "https://www.example.cn/article/6c5dac8243fe42b9.html"
SEED_IMAGE = "https://picsum.photos/400/300?random=5411"
SEED_AUTHOR = "高科技行业门户"
SEED_CATEGORIES = ("新媒体", "高科技行业门户", "新闻")
SEED_PUBLISHED = datetime(2021, 6, 15, 3, 58, tzinfo=UTC)
# The seed article's body as the normalizer leaves it: inline styles removed, structure kept.
SEED_BODY = (
    "<div><p><strong>前言：</strong></p><p>一直以来，中关村都是中国数字最为密集、数字经济最为发达的"
    "地区。</p><p>中关村在整个互联网协同办公、互联网医疗、互联网教育、互联网生活等各方面已成为引领"
    "中国数字经济发展的排头兵。</p><p>作者 ｜ 方文</p><p><strong>加快布局新型数字基础设施</strong><"
    "/p><p>近日，北京市海淀区开始制定了新一轮的“三年行动”计划！海淀区在中关村科学城北区“创新合伙人”"
    "大会上发布《中关村科学城数字经济创新发展三年行动计划（2021－2023年）》。</p><p>根据《行动计划"
    "》，目标是到2023年，中关村科学城将培育1—2家具有全球竞争力的五千亿级企业及一批千亿级企业、隐形"
    "冠军、独角兽企业、骨干型创新企业，形成国际一流的新兴数字产业集群。</p><p>计划实施5个方面15项具"
    "体行动，深入推进“两新两高”战略落实落地，巩固提升中关村科学城数字经济创新引领水平，加快打造全球"
    "数字经济创新引领区。</p><p>中关村科学城支持企业参与新基建建设，升级打造千兆固网、5G网络、工业"
    "互联网、卫星互联网、 车联网、物联网、智慧电网等先进网络基础设施；大力建设计算与训练平台、 区块"
    "链算力平台、边缘计算节点等数据智能基础设施。</p><p><strong>着力加强引领性 数字技术攻关</strong"
    "></p><p>中关村科学城前瞻布局数字前沿技术，支持原型算法研究、区块链关键技术及新一代通信技术研究"
    "。中关村科学城攻坚突破“卡脖子”数字技术，开展重点领域专用芯片、高端通用芯片研发设计。</p><p>加"
    "强芯片设计系统 软件研发应用；引入揭榜挂帅、择优支持等新机制，加快物联网终端操作系统、跨平台操"
    "作系统等关键基础软件技术研发；加快关键及新型 电子材料研发和产业化等。</p><p><strong>全力打造高"
    "端特色 数字产业</strong></p><p>中关村科学城构筑硬核数字产业体系，聚焦人工智能、5G、大数据、区"
    "块链、超高清视频、智能网联、集成电路、网络安全等领域，强化资源、平台和政策 供给。支持领军企业"
    "搭建创新联合体，搭建一批数字产业共性技术平台和公共服务平台。</p><p>培育数字产业新业态新模式，"
    "通过监管创新、场景供给、示范带动多措并举，大力发展互联网教育、互联网医疗、云上会展、数字文化产"
    "业。</p><p><strong>积极探索数字经济制度创新</strong></p><p>中关村科学城加快释放数据要素价值，"
    "推动公共数据资源开放，促进政务数据与社会化数据平台对接，推动企业大数据资源以服务新模式多种价值"
    "形态参与社会生产活动，积极开展数据交易 商业模式创新。</p><p>推动数字贸易制度创新，打造数字贸易"
    "港，率先开展跨境数据流动试点，探索构建接轨国际、适用性强的跨境数据流动规则，依托中关村论坛等平"
    "台，策划数字经济领域高峰论坛。</p><p><strong>全面推进数字化治理方式变革</strong></p><p>中关村"
    "科学城打造高品质数字化生活，加快推动数字技术在教育、医疗健康、交通出行等民生领域应用；建设一批"
    "数字园区、 数字校园、数字公园、数字田园。加快发展数字化消费新业态新模式，支持面向社区的智慧运"
    "营服务体系建设。</p><p>为确保以上行动落地见效，海淀配套了92个重点项目，制定了细化落实重点项目"
    "清单、强化资金投入、加强人才供给等三方面保障措施。</p><p>下一步，海淀将逐一跟进重点项目进行组"
    "织实施，确保到2023年，数字经济创新发展取得显著成效，数字 经济增加值年均增长8％以上。</p><p>力"
    "争培育1－2家在数字经济领域具有全球竞争力的五千亿级企业和3－5家千亿级企业，培育10家左右高成长、"
    "高价值数字经济隐形冠军、独角兽企业，发展壮大一批数字经济领域骨干型创新企业，形成国际一流的新兴"
    "数字产业集群。</p><p><strong>结尾：</strong></p><p>预计中关村科学城将会形成国际一流的新兴数字"
    "产业集群，打造数字化生产、生活、生态、生命新空间，成为全球数字经济创新策源地。</p><p>部分内容"
    "参考来源：海淀网、北京日报</p></div>"
)


SITE = "https://feeds.example.org/"


def make_entry(**changes: Any) -> StoredEntry:
    """An ordinary English entry; ``changes`` override any field."""
    entry = StoredEntry(
        id=1,
        uid="7d444840-9dc0-11d1-b245-5ffdce74fad2",
        source_name="example-tech",
        source_title="Example Tech",
        source_url="https://example-tech.com/feed.xml",
        source_link="https://example-tech.com/",
        key="k1",
        link="https://example-tech.com/news/1",
        title="An ordinary entry",
        author=None,
        published=datetime(2021, 6, 1, 12, 0, tzinfo=UTC),
        updated=None,
        first_seen=datetime(2021, 6, 1, 12, 5, tzinfo=UTC),
        summary="A short summary.",
        content_html="<p>A short body.</p>",
        content_text="A short body.",
        image=None,
        image_type=None,
        image_length=None,
        language="en",
        categories=(),
    )
    return replace(entry, **changes)


def seed_entry() -> StoredEntry:
    """The seed article (tests/../shared/seeds/000_6c5dac8243fe42b9.txt) as the store returns it."""
    return make_entry(
        id=101,
        uid="6c5dac82-43fe-42b9-8d7e-2b1c4a9f0e11",
        source_name="hitech-portal",
        source_title="高科技行业门户",
        source_url="https://www.example.cn/rss.xml",
        source_link="https://www.example.cn/",
        key="seed",
        link=SEED_LINK,
        title=SEED_TITLE,
        author=SEED_AUTHOR,
        published=SEED_PUBLISHED,
        first_seen=SEED_PUBLISHED + timedelta(minutes=7),
        summary="前言：一直以来，中关村都是中国数字最为密集、数字经济最为发达的地区。中关村在整个互联网协同办公、"
        "互联网医疗、互联网教育、互联网生活等各方面已成为引领中国数字经济发展的排头兵。…",
        content_html=SEED_BODY,
        content_text="前言：一直以来，中关村都是中国数字最为密集、数字经济最为发达的地区。",
        image=SEED_IMAGE,
        language="zh-CN",
        categories=SEED_CATEGORIES,
    )


def english_entry() -> StoredEntry:
    """Older than the seed but updated after it: the feed's time must come from here."""
    return make_entry(
        id=102,
        uid="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        key="pi5",
        link="https://example-tech.com/reviews/raspberry-pi-5",
        title="Raspberry Pi 5 review: faster, hotter & finally with PCIe",
        author="Jane Doe",
        published=datetime(2021, 6, 14, 18, 30, tzinfo=UTC),
        updated=datetime(2021, 6, 15, 5, 0, tzinfo=UTC),
        summary="The new board doubles the CPU speed of its predecessor and adds a PCIe lane for <SSD>s.",
        content_html='<p>The new board <a href="https://example-tech.com/specs">doubles the CPU</a>.</p>'
        '<p><img src="https://example-tech.com/images/pi5.png" alt="Raspberry Pi 5"></p>',
        content_text="The new board doubles the CPU speed.",
        image="https://example-tech.com/images/pi5.png",
        image_type="image/png",
        image_length=48213,
        language="en",
        categories=("Hardware", "Reviews"),
    )


def local_entry() -> StoredEntry:
    """From a folder of Markdown articles: no link, no author, no image, a filesystem path as source."""
    return make_entry(
        id=103,
        uid="f47ac10b-58cc-4372-a567-0e02b2c3d479",
        source_name="portal-articles",
        source_title=None,
        source_url="/srv/aggregator/articles",
        source_link=None,
        key="weekly-24",
        link=None,
        title="本地文章：周报 <第 24 周> & 摘要",
        published=datetime(2021, 6, 13, 8, 0, tzinfo=UTC),
        summary="本周要点：a < b & 更多。",
        content_html="<p>本周要点：<code>a &lt; b</code> &amp; 更多。</p>",
        content_text="本周要点：a < b & 更多。",
        language="zh-CN",
        categories=("新闻",),
    )


def make_document(*entries: StoredEntry, **changes: Any) -> FeedDocument:
    """A fully configured feed named "news" holding ``entries``; ``changes`` override any field."""
    document = FeedDocument(
        name="news",
        title="科技新闻",
        description="Chinese and English technology news",
        site_url=SITE,
        self_urls={fmt: f"{SITE}feeds/news.{fmt}" for fmt in ("rss", "atom", "json")},
        language="zh-CN",
        icon=f"{SITE}favicon.png",
        logo=f"{SITE}logo.png",
        ttl_minutes=30,
        hub_url="https://hub.example.org/",
        next_page_urls={fmt: f"{SITE}feeds/news.{fmt}?page=2" for fmt in ("rss", "atom", "json")},
        generator="aggregator 0.1.0",
        generator_uri="https://github.com/aggregator-project/aggregator",
        entries=entries,
    )
    return replace(document, **changes)


def golden_document() -> FeedDocument:
    """The document of the golden files: the seed, an English review, a local article."""
    return make_document(seed_entry(), english_entry(), local_entry())


def minimal_document() -> FeedDocument:
    """Nothing optional: no description, language, icon, logo, ttl, hub, paging, generator URI."""
    return FeedDocument(
        name="bare",
        title="Bare",
        description="",
        site_url=SITE,
        self_urls={fmt: f"{SITE}feeds/bare.{fmt}" for fmt in ("rss", "atom", "json")},
        entries=(make_entry(summary="", author=None, link=None, categories=()),),
    )


def hostile_document() -> FeedDocument:
    """XML-illegal characters, a repeated uid, IRIs, an empty body, a non-UTC time, a repeated category."""
    return make_document(
        make_entry(
            id=1,
            title="Bad\x0b title\x1b[31m with\x00 controls\ufffe and \x85C1",
            summary="summary\x00 with a NUL",
            content_html="<p>body\x0c with a form feed \ud800 and a lone surrogate</p>",
            categories=("AI", "AI", "机器学习", ""),
            published=datetime(2021, 6, 1, 20, 0, tzinfo=timezone(timedelta(hours=8))),
        ),
        make_entry(id=2, uid="7d444840-9dc0-11d1-b245-5ffdce74fad2", title="same uid: dropped"),
        make_entry(
            id=4,
            uid="3c6f0c9e-5b1a-4d2e-9f8a-7b6c5d4e3f2a",
            title="IRIs of a Chinese portal",
            link="https://例子.测试/文章/一?q=中文 空格",
            image="https://图片.例子.测试/图.png",
            source_url="https://例子.测试/rss",
            source_link="https://例子.测试/",
            published=datetime(2021, 5, 31, 0, 0, tzinfo=UTC),
        ),
        make_entry(
            id=3,
            uid="9f2b8a3e-0c1d-4e5f-8a9b-0c1d2e3f4a5b",
            title="",
            summary="",
            content_html="",
            link=None,
            published=datetime(2021, 5, 30, 0, 0, tzinfo=UTC),
        ),
    )


DOCUMENTS: dict[str, Callable[[], FeedDocument]] = {
    "golden": golden_document,
    "empty": lambda: make_document(),
    "minimal": minimal_document,
    "hostile": hostile_document,
}
RENDERERS: dict[str, Callable[[FeedDocument], bytes]] = {
    "rss": render_rss,
    "atom": render_atom,
    "json": render_json,
}


def assert_golden(name: str, data: bytes) -> None:
    """``data`` equals tests/data/golden/``name`` byte for byte; UPDATE_GOLDEN=1 rewrites the file first."""
    path = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if not path.exists():
        pytest.fail(f"{path} is missing: run the tests once with UPDATE_GOLDEN=1 and review it")
    expected = path.read_bytes()
    if data != expected:
        diff = difflib.unified_diff(
            expected.decode().splitlines(), data.decode().splitlines(), str(path), "rendered", lineterm=""
        )
        pytest.fail("rendering differs from the golden file (UPDATE_GOLDEN=1 to accept):\n" + "\n".join(diff))


# ------------------------------------------------------------------------------- the W3C validator


@pytest.fixture(scope="module")
def w3c() -> ModuleType:
    """The W3C validator's package, or a skip saying how to install it."""
    timeout = socket.getdefaulttimeout()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its sources predate today's stricter warnings
            module: ModuleType = pytest.importorskip(
                "feedvalidator",
                reason="the W3C feed validator is not installed (see this module's docstring)",
            )
    finally:
        socket.setdefaulttimeout(timeout)  # importing it sets a process-wide 10 s socket timeout
    return module


def w3c_problems(w3c: ModuleType, data: bytes, self_url: str, expected_type: int) -> list[str]:
    """Every error and warning the W3C validator reports for ``data`` served at ``self_url``."""
    from feedvalidator.logging import Error, Warning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = w3c.validateString(data, firstOccurrenceOnly=1, fallback="utf-8", base=self_url)
    assert result.get("feedType") == expected_type, "the validator did not recognize the document"
    problems = []
    for event in result["loggedEvents"]:
        if isinstance(event, Error | Warning):
            params = {
                k: v for k, v in event.params.items() if k not in ("backupline", "backupcolumn", "msgcount")
            }
            problems.append(
                f"{'error' if isinstance(event, Error) else 'warning'} {type(event).__name__} {params}"
            )
    return problems


W3C_RSS, W3C_ATOM, W3C_OPML = 2, 3, 9


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize(("fmt", "feed_type"), [("rss", W3C_RSS), ("atom", W3C_ATOM)])
def test_w3c_validator_finds_nothing(w3c: ModuleType, name: str, fmt: str, feed_type: int) -> None:
    document = DOCUMENTS[name]()
    data = RENDERERS[fmt](document)
    assert w3c_problems(w3c, data, document.self_urls[fmt], feed_type) == []


def test_w3c_validator_finds_nothing_in_opml(w3c: ModuleType) -> None:
    outlines = [
        OpmlOutline("科技新闻", f"{SITE}feeds/news.atom", SITE, "Chinese and English technology news"),
        OpmlOutline("Hardware", f"{SITE}feeds/hardware.rss", category="English"),
    ]
    data = render_opml("Published feeds", outlines, date_created=SEED_PUBLISHED)
    assert w3c_problems(w3c, data, f"{SITE}index.opml", W3C_OPML) == []


def test_w3c_validator_is_not_a_rubber_stamp(w3c: ModuleType) -> None:
    """A broken feed fails: the tests above would otherwise prove nothing."""
    broken = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>a</title><guid>urn:uuid:1234</guid><pubDate>2021-06-15</pubDate></item></channel></rss>"
    )
    found = " ".join(w3c_problems(w3c, broken, "https://example.org/feed.rss", W3C_RSS))
    for name in (
        "MissingDescription",
        "MissingLink",
        "InvalidUUID",
        "InvalidRFC2822Date",
        "MissingAtomSelfLink",
    ):
        assert name in found


# ------------------------------------------------------------------------- structural RSS and Atom checks

RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d\d:\d\d:\d\d (\+0000|GMT)$"
)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
URN_UUID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
WEB_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def rfc822_problem(value: str | None) -> str | None:
    if value is None or not RFC822.match(value):
        return f"not an RFC 822 date with a four-digit year: {value!r}"
    parsed = parsedate_to_datetime(value)
    if parsed.strftime("%a") != value[:3]:
        return f"wrong day of the week: {value!r}"
    return None


def rss_problems(data: bytes) -> list[str]:
    """Violations of RSS 2.0 and of the W3C validator's most common RSS rules."""
    problems: list[str] = []
    root = etree.fromstring(data)
    if root.tag != "rss" or root.get("version") != "2.0":
        return ["root is not <rss version='2.0'>"]
    channel = root.find("channel")
    for tag in ("title", "link", "description"):
        if not (channel.findtext(tag) or "").strip():
            problems.append(f"channel has no {tag}")
    selves = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if len(selves) != 1 or selves[0].get("type") != "application/rss+xml":
        problems.append("channel needs exactly one atom:link rel=self type=application/rss+xml")
    if problem := rfc822_problem(channel.findtext("lastBuildDate")):
        problems.append(f"lastBuildDate: {problem}")
    guids = []
    for item in channel.findall("item"):
        if not (item.findtext("title") or item.findtext("description")):
            problems.append("item has neither title nor description")
        guid = item.find("guid")
        if guid is None or guid.get("isPermaLink") != "false" or not URN_UUID.match(guid.text or ""):
            problems.append("item guid must be a urn:uuid with isPermaLink=false")
        else:
            guids.append(guid.text)
        if problem := rfc822_problem(item.findtext("pubDate")):
            problems.append(f"pubDate: {problem}")
        for author in item.findall("author"):
            if "@" not in (author.text or ""):
                problems.append("<author> must hold an e-mail address")
        for enclosure in item.findall("enclosure"):
            length, mime = enclosure.get("length", ""), enclosure.get("type", "")
            if not WEB_URL.match(enclosure.get("url", "")) or not length.isdigit() or not MIME.match(mime):
                problems.append(
                    f"enclosure needs url, a non-negative integer length and a type: {enclosure.attrib}"
                )
        for source in item.findall("source"):
            if not WEB_URL.match(source.get("url", "")):
                problems.append("source needs a url attribute")
    if len(guids) != len(set(guids)):
        problems.append("duplicate guid")
    return problems


def atom_problems(data: bytes) -> list[str]:
    """Violations of RFC 4287 and of the W3C validator's most common Atom rules."""
    problems: list[str] = []
    root = etree.fromstring(data)
    if root.tag != f"{ATOM}feed":
        return ["root is not atom:feed"]

    def date_problems(element: Any, where: str) -> None:
        value = element.findtext(f"{ATOM}updated")
        if value is None or not RFC3339.match(value):
            problems.append(f"{where}: updated is not RFC 3339: {value!r}")

    feed_id = root.findtext(f"{ATOM}id") or ""
    if not (URN_UUID.match(feed_id) or WEB_URL.match(feed_id)):
        problems.append(f"feed id is not an IRI: {feed_id!r}")
    if not (root.findtext(f"{ATOM}title") or "").strip():
        problems.append("feed has no title")
    date_problems(root, "feed")
    links = root.findall(f"{ATOM}link")
    if [link.get("type") for link in links if link.get("rel") == "self"] != ["application/atom+xml"]:
        problems.append("feed needs exactly one link rel=self type=application/atom+xml")
    feed_author = root.find(f"{ATOM}author") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if not URN_UUID.match(entry_id):
            problems.append(f"entry id is not a urn:uuid: {entry_id!r}")
        ids.append(entry_id)
        if not (entry.findtext(f"{ATOM}title") or "").strip():
            problems.append("entry has no title")
        date_problems(entry, "entry")
        published = entry.findtext(f"{ATOM}published")
        if published is not None and not RFC3339.match(published):
            problems.append(f"published is not RFC 3339: {published!r}")
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append("entry without author in a feed without author")
        entry_links = entry.findall(f"{ATOM}link")
        alternate = [link for link in entry_links if link.get("rel", "alternate") == "alternate"]
        if entry.find(f"{ATOM}content") is None and not alternate:
            problems.append("entry has neither content nor an alternate link")
        for link in entry_links:
            if not link.get("href") or not link.get("rel"):
                problems.append(f"entry link without href or rel: {link.attrib}")
            if link.get("rel") == "enclosure" and not MIME.match(link.get("type", "")):
                problems.append("enclosure link without a type")
    if len(ids) != len(set(ids)):
        problems.append("duplicate entry id")
    return problems


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_rss_meets_the_rss_rules(name: str) -> None:
    assert rss_problems(render_rss(DOCUMENTS[name]())) == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_atom_meets_the_atom_rules(name: str) -> None:
    assert atom_problems(render_atom(DOCUMENTS[name]())) == []


def test_structural_checks_catch_broken_documents() -> None:
    rss = (
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
        b"<lastBuildDate>Tue, 15 Jun 21 03:58:00 GMT</lastBuildDate><item><title>a</title>"
        b"<guid>urn:uuid:1</guid><pubDate>Mon, 15 Jun 2021 03:58:00 +0000</pubDate><author>Jane</author>"
        b'<enclosure url="https://e.org/a.jpg" type="image/jpeg"/></item></channel></rss>'
    )
    found = " | ".join(rss_problems(rss))
    for part in (
        "no link",
        "no description",
        "rel=self",
        "lastBuildDate",
        "guid",
        "day of the week",
        "e-mail",
    ):
        assert part in found
    assert "enclosure" in found
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>not an iri</id><title>t</title>'
        b"<updated>2021-06-15 03:58</updated><entry><id>urn:uuid:x</id><title>e</title>"
        b"<updated>2021-06-15T03:58:00Z</updated>"
        b"<link href='https://e.org/a' rel='enclosure'/></entry></feed>"
    )
    found = " | ".join(atom_problems(atom))
    for part in ("feed id", "RFC 3339", "rel=self", "urn:uuid", "without author", "neither content", "type"):
        assert part in found


# --------------------------------------------------------------------------------- parsers agree


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize(("fmt", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_feedparser_reads_without_complaint(name: str, fmt: str, version: str) -> None:
    document = DOCUMENTS[name]()
    parsed = feedparser.parse(RENDERERS[fmt](document))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    assert len(parsed.entries) == len({e.uid for e in document.entries})


# --------------------------------------------------------------------------------- JSON Feed 1.1

_DATE = {"type": "string", "pattern": RFC3339.pattern}
_URL = {"type": "string", "pattern": r"^https?://\S+$"}
_AUTHORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "url": _URL, "avatar": _URL},
        "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
        "additionalProperties": False,
        "patternProperties": {"^_": {}},
    },
}
JSON_FEED_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": _URL,
        "feed_url": _URL,
        "description": {"type": "string"},
        "user_comment": {"type": "string"},
        "next_url": _URL,
        "icon": _URL,
        "favicon": _URL,
        "authors": _AUTHORS,
        "language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "expired": {"type": "boolean"},
        "hubs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "url"],
                "properties": {"type": {"type": "string"}, "url": _URL},
            },
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": _URL,
                    "external_url": _URL,
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "image": _URL,
                    "banner_image": _URL,
                    "date_published": _DATE,
                    "date_modified": _DATE,
                    "authors": _AUTHORS,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "language": {"type": "string"},
                    "attachments": {"type": "array"},
                },
                "additionalProperties": False,
                "patternProperties": {"^_": {"type": "object"}},
            },
        },
    },
    "additionalProperties": False,
    "patternProperties": {"^_": {"type": "object"}},
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_json_feed_matches_the_schema(name: str) -> None:
    feed = json.loads(render_json(DOCUMENTS[name]()))
    jsonschema.Draft202012Validator.check_schema(JSON_FEED_SCHEMA)
    jsonschema.Draft202012Validator(JSON_FEED_SCHEMA).validate(feed)


def test_json_feed_schema_rejects_a_broken_feed() -> None:
    broken = {"version": "https://jsonfeed.org/version/1", "title": "", "items": [{"id": "1", "author": {}}]}
    errors = list(jsonschema.Draft202012Validator(JSON_FEED_SCHEMA).iter_errors(broken))
    assert len(errors) >= 3


# ------------------------------------------------------------------------------ the seed round trip


def _epoch(parsed_time: Any) -> int:
    return calendar.timegm(parsed_time)


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_seed_article_survives_xml_formats(fmt: str) -> None:
    parsed = feedparser.parse(RENDERERS[fmt](golden_document()))
    entry = parsed.entries[0]
    assert entry.title == SEED_TITLE
    assert entry.link == SEED_LINK
    assert entry.author == SEED_AUTHOR
    assert [tag.term for tag in entry.tags] == list(SEED_CATEGORIES)
    assert _epoch(entry.published_parsed) == int(SEED_PUBLISHED.timestamp())
    assert entry.enclosures[0].href == SEED_IMAGE
    assert entry.media_thumbnail[0]["url"] == SEED_IMAGE
    assert entry.content[0].value == SEED_BODY
    assert entry.id == "urn:uuid:6c5dac82-43fe-42b9-8d7e-2b1c4a9f0e11"


def test_seed_article_survives_json_feed() -> None:
    item = json.loads(render_json(golden_document()))["items"][0]
    assert item["title"] == SEED_TITLE
    assert item["url"] == SEED_LINK
    assert item["authors"] == [{"name": SEED_AUTHOR}]
    assert item["tags"] == list(SEED_CATEGORIES)
    assert item["date_published"] == "2021-06-15T03:58:00Z"
    assert item["image"] == SEED_IMAGE
    assert item["content_html"] == SEED_BODY
