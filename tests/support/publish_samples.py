"""Sample feed documents for the publishing tests, and the golden-file check.

The documents are chosen to break renderers: a realistic feed (the seed article of a Chinese portal, an
English review, a local Markdown article), an empty one, a minimal one with nothing optional, and a hostile
one (XML-illegal characters, a repeated uid, IRIs, an empty body, a non-UTC time). tests/data is
self-contained: the seed article's sanitized body is copied below.

Golden files (tests/data/golden/feed.rss, feed.atom, feed.json) are rewritten only when the environment
variable ``UPDATE_GOLDEN=1`` is set; review the diff before committing them.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from aggregator.models import Enclosure, StoredEntry
from aggregator.publish import FeedDocument
from tests.conftest import DATA_DIR

GOLDEN_DIR = DATA_DIR / "golden"

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


PODCAST_AUDIO = Enclosure("https://cdn.podcast.example.cn/音频/ep2.mp3", "audio/mpeg", 38749539)
PODCAST_TRANSCRIPT = Enclosure("https://podcast.example.cn/ep2.txt", None, None)


def podcast_entry() -> StoredEntry:
    """A podcast episode: its audio and a transcript of unknown type and size besides its cover image."""
    return make_entry(
        id=104,
        uid="9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
        source_name="tech-podcast",
        source_title="科技早知道",
        source_url="https://podcast.example.cn/feed.xml",
        source_link="https://podcast.example.cn/",
        key="episode-2",
        link="https://podcast.example.cn/episodes/2",
        title="第2期：芯片与大模型",
        published=datetime(2021, 6, 12, 2, 0, tzinfo=UTC),
        summary="本期我们聊聊芯片。",
        content_html="<p>本期我们聊聊芯片。</p>",
        content_text="本期我们聊聊芯片。",
        image="https://podcast.example.cn/images/ep2.jpg",
        image_type="image/jpeg",
        language="zh-CN",
        enclosures=(PODCAST_AUDIO, PODCAST_TRANSCRIPT),
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
    "podcast": lambda: make_document(podcast_entry(), english_entry()),
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
