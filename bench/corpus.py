"""A deterministic corpus of tech-portal feeds: half Chinese, half English, about 4 KB of HTML per entry.

Feed ``i`` is Chinese when ``i`` is even. Formats follow what portals serve: RSS 2.0 with
``content:encoded`` (70%), Atom 1.0 (20%), RSS 1.0/RDF (10%). Entry ``s`` of a feed (its sequence number,
growing with time) is generated from ``(seed, feed, s)`` alone, so round 2 (five new entries on top, the
five oldest gone, as a real feed's window slides) repeats the other 45 entries byte for byte.

The HTML is what portals write: inline-styled paragraphs, relative and tracking-decorated links, lazy images
(``data-src``, ``data-original``), a script, a tracking pixel, lists, headings, quotes and code.

Files are written once under ``bench/.work/corpus/<key>/round<N>/`` (with a ``.gz`` beside each) and reused.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

GENERATOR_VERSION = 3
NEW_PER_ROUND = 5
BASE_TIME = datetime(2024, 6, 1, tzinfo=UTC)
_BEIJING = timezone(timedelta(hours=8))

_ZH_WORDS = """
    人工智能 大模型 芯片 半导体 云计算 开源 操作系统 数据中心 算力 推理 训练 自动驾驶
    智能手机 折叠屏 鸿蒙 安卓 苹果 华为 小米 腾讯 阿里巴巴 百度 字节跳动 英伟达 英特尔
    高通 台积电 光刻机 存储 内存 显卡 服务器 数据库 编程语言 开发者 生态 发布会 新品
    升级 性能 功耗 续航 屏幕 摄像头 影像 网络 5G 通信 基站 卫星 机器人 具身智能
    电动汽车 电池 充电 储能 平台 用户 市场 份额 营收 财报 投资 融资 初创公司 监管 标准
    专利 安全 漏洞 隐私 加密 浏览器 搜索 社交 视频 直播 游戏 引擎 渲染 虚拟现实
    增强现实 可穿戴 手表 耳机 平板 笔记本 处理器 架构 工艺 纳米 晶体管 封装 良率 产能
    供应链
""".split()  # noqa: SIM905
_ZH_VERBS = """
    发布 推出 宣布 表示 透露 计划 完成 实现 支持 提升 降低 优化 开放 上线 测试 部署
""".split()  # noqa: SIM905
_ZH_LINKS = """
    据悉 此外 同时 另外 值得一提的是 业内人士认为 数据显示 官方表示 与此同时 总体来看
""".split()  # noqa: SIM905

_EN_WORDS = """
    model models chip chips cloud open source kernel datacenter inference training autonomous phone
    foldable android apple google microsoft amazon nvidia intel qualcomm tsmc memory storage gpu
    server database language developer ecosystem launch release upgrade performance power battery
    display camera network wireless satellite robot vehicle charging platform users market share
    revenue earnings investment funding startup regulation standard patent security vulnerability
    privacy encryption browser search social video streaming game engine rendering headset wearable
    watch laptop tablet processor architecture process transistor packaging yield capacity supply
    chain benchmark latency throughput
""".split()  # noqa: SIM905
_EN_GLUE = """
    the a of to and in for with on at by from that this new its their
""".split()  # noqa: SIM905

_CATEGORIES_ZH = ("人工智能", "芯片", "云计算", "开源", "手机", "汽车", "通信", "安全", "游戏", "新闻")
_CATEGORIES_EN = ("AI", "Semiconductors", "Cloud", "Open Source", "Mobile", "Cars", "5G", "Security", "Games")
_AUTHORS_ZH = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴昊")
_AUTHORS_EN = ("Jane Doe", "John Smith", "Alex Chen", "Maria Garcia", "Sam Lee", "Priya Patel", "Tom Brown")


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    feeds: int = 500
    entries: int = 50
    seed: int = 20240601

    @property
    def key(self) -> str:
        return f"v{GENERATOR_VERSION}-s{self.seed}-f{self.feeds}-e{self.entries}"


def feed_format(index: int) -> str:
    """rss20 for 7 feeds in 10, atom10 for 2, rss10 (RDF) for 1."""
    slot = index % 10
    return "rss20" if slot < 7 else "atom10" if slot < 9 else "rss10"


def feed_path(index: int) -> str:
    return f"/feeds/{index:05d}.xml"


def _zh_sentence(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(2, 4)):
        words = [rng.choice(_ZH_WORDS) for _ in range(rng.randint(2, 4))]
        parts.append(
            rng.choice(_ZH_LINKS) + "，" + "".join(words[:2]) + rng.choice(_ZH_VERBS) + "".join(words[2:])
        )
    return "，".join(parts) + "。"


def _en_sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(10, 18)):
        words.append(rng.choice(_EN_WORDS) if rng.random() < 0.6 else rng.choice(_EN_GLUE))
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + "."


def _paragraph_text(rng: random.Random, chinese: bool, sentences: int) -> str:
    make = _zh_sentence if chinese else _en_sentence
    return ("" if chinese else " ").join(make(rng) for _ in range(sentences))


def _inline(rng: random.Random, text: str, host: str) -> str:
    """Decorate a paragraph's text with a link and some emphasis, as editors do."""
    cut = len(text) // 3
    roll = rng.random()
    if roll < 0.3:
        link = f'<a href="/tag/{rng.randint(1, 999)}.html">{escape(text[cut : cut + 6])}</a>'
    elif roll < 0.55:
        link = (
            f'<a href="https://{host}/{rng.randint(1000, 99999)}.html?utm_source=rss&amp;utm_medium=feed"'
            f' target="_blank">{escape(text[cut : cut + 6])}</a>'
        )
    else:
        link = f"<strong>{escape(text[cut : cut + 6])}</strong>"
    return escape(text[:cut]) + link + escape(text[cut + 6 :])


def entry_html(rng: random.Random, chinese: bool, host: str, target_bytes: int = 4000) -> str:
    """About ``target_bytes`` of portal-style HTML."""
    blocks: list[str] = []
    size = 0
    n = 0
    while size < target_bytes:
        n += 1
        roll = rng.random()
        if n == 2:
            if chinese:
                src = f"https://img.{host}/upload/{rng.randint(10**6, 10**7)}.jpg"
                block = (
                    f'<p style="text-align: center;"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
                    f'data-original="{src}" class="lazy" alt="配图" width="640" height="360"></p>'
                )
            else:
                block = (
                    f'<figure><img src="/wp-content/uploads/2024/06/{rng.randint(1, 9999)}.png" '
                    f'alt="Illustration" width="800" height="450"><figcaption>'
                    f"{escape(_en_sentence(rng))}</figcaption></figure>"
                )
        elif roll < 0.08:
            items = "".join(f"<li>{escape(_paragraph_text(rng, chinese, 1))}</li>" for _ in range(3))
            block = f"<ul>{items}</ul>"
        elif roll < 0.14:
            block = f"<h2>{escape(_paragraph_text(rng, chinese, 1)[:30])}</h2>"
        elif roll < 0.19:
            block = f"<blockquote><p>{escape(_paragraph_text(rng, chinese, 1))}</p></blockquote>"
        elif roll < 0.22:
            block = "<pre><code>for (int i = 0; i &lt; n; i++) {\n    sum += a[i] * b[i];\n}</code></pre>"
        else:
            text = _paragraph_text(rng, chinese, rng.randint(2, 3))
            style = ' style="text-indent: 2em; line-height: 1.8;"' if chinese else ""
            block = f"<p{style}>{_inline(rng, text, host)}</p>"
        blocks.append(block)
        size += len(block.encode())
    if rng.random() < 0.3:
        blocks.append('<script type="text/javascript">window._hmt && _hmt.push(["_trackPageview"]);</script>')
    blocks.append(
        f'<img src="https://stats.{host}/pixel.gif?id={rng.randint(1, 10**6)}" width="1" height="1">'
    )
    return "\n".join(blocks)


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    title: str
    link: str
    guid: str
    published: datetime
    author: str
    categories: tuple[str, ...]
    summary: str
    html: str


def make_entry(spec: CorpusSpec, feed: int, seq: int) -> Entry:
    rng = random.Random(f"{spec.seed}:{feed}:{seq}")
    chinese = feed % 2 == 0
    host = f"www.portal{feed:05d}.{'cn' if chinese else 'com'}"
    if chinese:
        title = (
            "".join(rng.choice(_ZH_WORDS) for _ in range(3))
            + rng.choice(_ZH_VERBS)
            + "新一代"
            + rng.choice(_ZH_WORDS)
        )
        categories = tuple(dict.fromkeys(rng.choice(_CATEGORIES_ZH) for _ in range(rng.randint(1, 3))))
        author = rng.choice(_AUTHORS_ZH)
    else:
        title = _en_sentence(rng)[:70].rstrip(" .") + (" & more" if rng.random() < 0.1 else "")
        categories = tuple(dict.fromkeys(rng.choice(_CATEGORIES_EN) for _ in range(rng.randint(1, 3))))
        author = rng.choice(_AUTHORS_EN)
    html = entry_html(rng, chinese, host)
    summary = _paragraph_text(rng, chinese, 1)[:140]
    published = BASE_TIME + timedelta(minutes=37 * seq + feed % 60, seconds=feed % 7)
    link = f"https://{host}/{published:%Y/%m}/{feed:05d}-{seq:06d}.html"
    guid = link if feed % 3 else f"{host}:article:{seq}"
    return Entry(seq, title, link, guid, published, author, categories, summary, html)


def _rfc822(moment: datetime, chinese: bool) -> str:
    if chinese:
        return moment.astimezone(_BEIJING).strftime("%a, %d %b %Y %H:%M:%S +0800")
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_rss20(spec: CorpusSpec, feed: int, entries: list[Entry]) -> str:
    chinese = feed % 2 == 0
    host = f"www.portal{feed:05d}.{'cn' if chinese else 'com'}"
    items = []
    for e in entries:
        author = (
            f"<dc:creator>{_cdata(e.author)}</dc:creator>"
            if chinese
            else f"<author>editor{feed}@{host} ({escape(e.author)})</author>"
        )
        guid_attr = "" if e.guid == e.link else ' isPermaLink="false"'
        cats = "".join(f"<category>{_cdata(c) if chinese else escape(c)}</category>" for c in e.categories)
        items.append(
            f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
            f"<guid{guid_attr}>{escape(e.guid)}</guid><pubDate>{_rfc822(e.published, chinese)}</pubDate>"
            f"{author}{cats}<description>{_cdata(e.summary)}</description>"
            f"<content:encoded>{_cdata(e.html)}</content:encoded></item>"
        )
    title = f"科技门户 {feed}" if chinese else f"Tech Portal {feed}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n<channel>\n'
        f"<title>{escape(title)}</title><link>https://{host}/</link>"
        f"<description>{escape(title)} news</description>"
        f"<language>{'zh-CN' if chinese else 'en-US'}</language>"
        f"<lastBuildDate>{_rfc822(entries[0].published, chinese)}</lastBuildDate>"
        "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>"
        f"<generator>https://wordpress.org/?v=6.5</generator>\n" + "\n".join(items) + "\n</channel>\n</rss>\n"
    )


def render_atom(spec: CorpusSpec, feed: int, entries: list[Entry]) -> str:
    chinese = feed % 2 == 0
    host = f"www.portal{feed:05d}.{'cn' if chinese else 'com'}"
    out = []
    for e in entries:
        cats = "".join(f"<category term={quoteattr(c)}/>" for c in e.categories)
        out.append(
            f'<entry><title type="html">{escape(escape(e.title))}</title>'
            f'<link rel="alternate" type="text/html" href={quoteattr(e.link)}/>'
            f"<id>tag:{host},2024:{e.seq}</id><published>{e.published.isoformat()}</published>"
            f"<updated>{e.published.isoformat()}</updated><author><name>{escape(e.author)}</name></author>"
            f'{cats}<summary type="text">{escape(e.summary)}</summary>'
            f'<content type="html">{escape(e.html)}</content></entry>'
        )
    title = f"科技门户 {feed}" if chinese else f"Tech Portal {feed}"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{"zh-CN" if chinese else "en"}">\n'
        f"<title>{escape(title)}</title><subtitle>{escape(title)} news</subtitle>"
        f'<link rel="alternate" type="text/html" href="https://{host}/"/>'
        f'<link rel="self" href="https://{host}/feed.atom"/><id>https://{host}/</id>'
        f"<updated>{entries[0].published.isoformat()}</updated>\n" + "\n".join(out) + "\n</feed>\n"
    )


def render_rdf(spec: CorpusSpec, feed: int, entries: list[Entry]) -> str:
    chinese = feed % 2 == 0
    host = f"www.portal{feed:05d}.{'cn' if chinese else 'com'}"
    seq = "".join(f"<rdf:li rdf:resource={quoteattr(e.link)}/>" for e in entries)
    items = []
    for e in entries:
        subjects = "".join(f"<dc:subject>{escape(c)}</dc:subject>" for c in e.categories)
        items.append(
            f"<item rdf:about={quoteattr(e.link)}><title>{escape(e.title)}</title>"
            f"<link>{escape(e.link)}</link>"
            f"<description>{escape(e.summary)}</description><dc:creator>{escape(e.author)}</dc:creator>"
            f"<dc:date>{e.published.isoformat()}</dc:date>{subjects}"
            f"<content:encoded>{_cdata(e.html)}</content:encoded></item>"
        )
    title = f"科技门户 {feed}" if chinese else f"Tech Portal {feed}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f'<channel rdf:about="https://{host}/"><title>{escape(title)}</title><link>https://{host}/</link>'
        f"<description>{escape(title)} news</description>"
        f"<dc:language>{'zh-cn' if chinese else 'en'}</dc:language>"
        f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>\n" + "\n".join(items) + "\n</rdf:RDF>\n"
    )


_RENDERERS = {"rss20": render_rss20, "atom10": render_atom, "rss10": render_rdf}


def render_feed(spec: CorpusSpec, feed: int, round_number: int) -> bytes:
    """Feed ``feed`` as served in round 1 (entries 0..n-1) or 2 (five newer on top, five oldest gone)."""
    first = NEW_PER_ROUND * (round_number - 1)
    entries = [make_entry(spec, feed, s) for s in range(first + spec.entries - 1, first - 1, -1)]
    return _RENDERERS[feed_format(feed)](spec, feed, entries).encode("utf-8")


@dataclass(frozen=True, slots=True)
class CorpusFiles:
    spec: CorpusSpec
    root: Path

    def round_dir(self, round_number: int) -> Path:
        return self.root / f"round{round_number}"

    @property
    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.round_dir(1).glob("*.xml"))


def build_corpus(spec: CorpusSpec, work_dir: Path) -> CorpusFiles:
    """Write both rounds (and gzip copies) unless already there; returns where they are."""
    root = work_dir / "corpus" / spec.key
    marker = root / "complete.json"
    if marker.exists():
        return CorpusFiles(spec, root)
    digest = hashlib.sha256()
    for round_number in (1, 2):
        folder = root / f"round{round_number}"
        folder.mkdir(parents=True, exist_ok=True)
        for feed in range(spec.feeds):
            data = render_feed(spec, feed, round_number)
            digest.update(data)
            name = feed_path(feed).rsplit("/", 1)[1]
            (folder / name).write_bytes(data)
            (folder / f"{name}.gz").write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
    marker.write_text(json.dumps({"spec": spec.key, "sha256": digest.hexdigest()}))
    return CorpusFiles(spec, root)
