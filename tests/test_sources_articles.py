"""One Markdown article with YAML front matter -> ParsedEntry."""

from __future__ import annotations

import hashlib

import pytest

from aggregator.errors import ParseError
from aggregator.sources.articles import ARTICLE_SUFFIXES, parse_article, read_article
from tests.conftest import DATA_DIR, SHARED_DIR

ARTICLES = DATA_DIR / "articles"
SEED = SHARED_DIR / "seeds" / "000_6c5dac8243fe42b9.txt"


def article(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8")


def problem(name: str) -> str:
    with pytest.raises(ParseError) as info:
        parse_article(article(name), name)
    return str(info.value)


def test_suffixes() -> None:
    assert ARTICLE_SUFFIXES == (".md", ".markdown", ".txt")


def test_every_front_matter_key() -> None:
    name = "article_all_front_matter_keys.md"
    raw = (ARTICLES / name).read_bytes()
    entry = parse_article(raw.decode("utf-8"), name, file_bytes=raw)
    assert entry.guid == "portal-article-42"
    assert entry.title == "Every front matter key" and not entry.title_is_html
    assert entry.categories == ("新闻", "人工智能", "大模型")  # categories then tags, deduplicated
    assert entry.author == "高科技行业门户"
    assert entry.published_raw == "2024-03-05T10:30:00"  # a naive YAML timestamp stays naive
    assert entry.updated_raw == "2024-03-06"  # a YAML date
    assert entry.image == "https://img.example.cn/head.jpg"
    assert entry.thumbnails == ("https://img.example.cn/head.jpg", "https://img.example.cn/thumb.jpg")
    assert entry.link == entry.base_url == "https://portal.example.cn/a/42.html"
    assert entry.summary_html == "A summary with &lt;angle&gt; &amp; ampersand<br>\non two lines"
    assert entry.language == "zh-CN"
    assert entry.raw_hash == hashlib.sha256(raw).hexdigest()
    assert entry.content_html is not None
    assert "<h1>Heading</h1>" in entry.content_html
    assert '<em>emphasis</em> and a <a href="/a/41.html">relative link</a>' in entry.content_html
    assert "<table>" in entry.content_html


def test_bom_and_blank_lines_before_front_matter() -> None:
    name = "article_bom_and_blank_lines.md"
    entry = parse_article((ARTICLES / name).read_bytes().decode("utf-8"), name)
    assert entry.title == "BOM and blank lines first"
    assert entry.categories == ("单个分类",)  # a single string
    assert entry.published_raw == "Tue, 15 Jun 2021 03:58:00 GMT"  # RFC 822 strings stay raw
    assert entry.guid == name
    assert entry.link is None and entry.base_url is None


def test_yaml_timestamp_with_offset_and_cover_image() -> None:
    entry = parse_article(article("article_yaml_timestamp_with_offset.markdown"), "x.markdown")
    assert entry.published_raw == "2024-03-05T10:30:00+08:00"
    assert entry.image == "https://img.example.cn/cover.jpg"


def test_raw_html_passes_through_untouched() -> None:
    entry = parse_article(article("article_raw_html_body.txt"), "article_raw_html_body.txt")
    assert entry.content_html is not None
    assert entry.content_html.count('<p style="text-indent: 2em; text-align: left;">') == 3
    assert "第二段。" in entry.content_html


def test_seed_article_keeps_every_paragraph() -> None:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (it lives in ../shared beside the clone)")
    raw = SEED.read_bytes()
    entry = parse_article(raw.decode("utf-8"), SEED.name, file_bytes=raw)
    assert entry.title == "全力打造高端特色，中关村科学城进数字化治理方式变革"
    assert entry.guid == "000_6c5dac8243fe42b9.txt"
    assert entry.categories == ("新媒体", "高科技行业门户", "新闻")
    assert entry.published_raw == "Tue, 15 Jun 2021 03:58:00 GMT"
    assert entry.image == "https://picsum.photos/400/300?random=5411"
    assert entry.content_html is not None
    paragraphs = raw.decode("utf-8").count("<p style=")
    assert paragraphs > 20
    assert entry.content_html.count("<p style=") == paragraphs
    assert "部分内容参考来源：海淀网、北京日报" in entry.content_html


def test_draft_is_parsed_by_parse_article_and_skipped_by_read_article() -> None:
    text = article("article_draft.md")
    assert parse_article(text, "article_draft.md").title == "Not ready yet"
    assert read_article(text, "article_draft.md") is None


def test_no_front_matter() -> None:
    assert problem("article_no_front_matter.md") == (
        "article_no_front_matter.md: no front matter (the article must start with a '---' line)"
    )


def test_invalid_yaml_names_the_file_and_line() -> None:
    message = problem("article_invalid_yaml.md")
    assert message.startswith("article_invalid_yaml.md: invalid YAML in the front matter at line ")


def test_missing_title() -> None:
    assert problem("article_missing_title.md") == "article_missing_title.md: the front matter has no title"


def test_front_matter_not_closed() -> None:
    assert problem("article_front_matter_not_closed.md") == (
        "article_front_matter_not_closed.md: the front matter is not closed by a '---' line"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\n- a\n- b\n---\nbody", "x.md: the front matter is not a mapping of keys to values"),
        ("---\ntitle: t\ncategories: {a: b}\n---\n", "x.md: 'categories' must be a list or a single name"),
        ("---\ntitle: ''\n---\n", "x.md: the front matter has no title"),
        (
            "---\ntitle: [AI, 芯片]\n---\n",
            "x.md: 'title' must be text, not a list or a mapping (quote it if it is)",
        ),
    ],
)
def test_other_bad_front_matter(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_article(text, "x.md")
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("front", "categories"),
    [
        ("categories: AI, 芯片", ("AI", "芯片")),
        ("categories: 新闻，科技、开源；云计算", ("新闻", "科技", "开源", "云计算")),
        ("tags: 'a;b, '", ("a", "b")),
        ("categories: [Mergers, Acquisitions]", ("Mergers", "Acquisitions")),
        ("categories: ['Mergers, Acquisitions']", ("Mergers, Acquisitions",)),  # a list item is one name
    ],
)
def test_one_string_of_several_names_is_split(front: str, categories: tuple[str, ...]) -> None:
    """Hand-written front matter packs names into one string; a list keeps each item whole."""
    assert parse_article(f"---\ntitle: t\n{front}\n---\n", "x.md").categories == categories


@pytest.mark.parametrize(
    ("front", "author", "updated"),
    [
        ("author: [张三, 李四]", "张三, 李四", None),
        ("authors: [{name: A}, B, A]", "A, B", None),  # Hugo's key; names once each
        ("author: {name: 张三, twitter: zs}", "张三", None),  # Jekyll's mapping
        ("author: []\nlastmod: 2024-03-06", None, "2024-03-06"),  # Hugo's updated date
        ("last_modified_at: 2024-03-06 10:00", None, "2024-03-06 10:00"),  # Jekyll's
    ],
)
def test_authors_and_updated_dates_as_static_site_generators_write_them(
    front: str, author: str | None, updated: str | None
) -> None:
    entry = parse_article(f"---\ntitle: t\n{front}\n---\n", "x.md")
    assert (entry.author, entry.updated_raw) == (author, updated)


def test_scalars_are_strings_and_empty_body_has_no_content() -> None:
    entry = parse_article("---\ntitle: 2024\ntags: [1, true, AI]\nguid: 7\n---\n\n", "n.md")
    assert entry.title == "2024"
    assert entry.categories == ("1", "AI")
    assert entry.guid == "7"
    assert entry.content_html is None
    assert (
        entry.raw_hash
        == hashlib.sha256(b"---\ntitle: 2024\ntags: [1, true, AI]\nguid: 7\n---\n\n").hexdigest()
    )
