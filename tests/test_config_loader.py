"""The loader: the shipped example is valid; every bad input gives one located, actionable message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from aggregator.config import load_config
from aggregator.errors import ConfigError
from aggregator.filters import AnyOf, Category, Keyword, Not, Regex
from tests.conftest import REPO_DIR

EXAMPLE = REPO_DIR / "config" / "aggregator.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "aggregator.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


def test_example_config_is_valid() -> None:
    loaded = load_config(EXAMPLE)
    config = loaded.config
    assert {s.name for s in config.sources} >= {"portal-articles", "tech-portal-cn", "ithome"}
    assert [p.name for p in config.publish][:1] == ["news"]
    # Relative paths resolve against the config file's folder, not the current directory.
    assert config.output_dir == (REPO_DIR / "feeds").resolve()
    articles = config.source("portal-articles").path
    assert articles == (REPO_DIR / "config" / "samples" / "articles").resolve()
    assert config.database == f"sqlite:///{(REPO_DIR / 'config' / 'data' / 'aggregator.db').resolve()}"


def test_paths_resolve_against_config_folder_not_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = write(folder, "sources:\n  - name: local\n    path: articles\n")
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("etc/aggregator.yaml")).config
    assert config.source("local").path == folder / "articles"
    assert config.database == f"sqlite:///{folder / 'data' / 'aggregator.db'}"
    assert config.output_dir == folder / "feeds"
    assert path.exists()


def test_database_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "database: sqlite:///x.db\n")
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", "postgresql+psycopg://u@db.example/agg")
    assert load_config(path).config.database == "postgresql+psycopg://u@db.example/agg"


def test_environment_variables_in_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets stay out of the file: ${NAME}, ${NAME:-default}, and $${ for a literal "${"."""
    monkeypatch.setenv("FEED_TOKEN", "s3cr3t")
    monkeypatch.setenv("EMPTY", "")
    monkeypatch.setenv("PORT", "9090")
    monkeypatch.delenv("UNSET", raising=False)
    path = write(
        tmp_path,
        """
        server: {port: "${PORT}"}
        sources:
          - name: private
            url: "https://feeds.example.com/rss?token=${FEED_TOKEN}"
            headers:
              Authorization: "Bearer ${FEED_TOKEN}"
              X-Tier: "${UNSET:-free}"
              X-Empty: "${EMPTY:-none}"
            include: {regex: 'price $${currency}'}
        """,
    )
    config = load_config(path).config
    source = config.source("private")
    assert source.url == "https://feeds.example.com/rss?token=s3cr3t"
    assert dict(source.headers) == {"Authorization": "Bearer s3cr3t", "X-Tier": "free", "X-Empty": "none"}
    assert source.include == Regex(("price ${currency}",))
    assert config.server.port == 9090


def test_a_url_from_the_environment_makes_its_source_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN", "t")
    path = write(
        tmp_path,
        """
        sources:
          - {name: secret, url: "https://a.example/rss?key=${TOKEN}"}
          - {name: said-public, url: "https://a.example/rss?key=${TOKEN}", private: false}
          - {name: plain, url: "https://a.example/rss"}
          - {name: escaped, url: "https://a.example/rss?x=$${y}"}
          - {name: said-private, url: "https://a.example/rss?key=literal", private: true}
          - {name: header-token, url: "https://a.example/rss", headers: {Authorization: "${TOKEN}"}}
        """,
    )
    private = {s.name: s.private for s in load_config(path).config.sources}
    assert private == {
        "secret": True,
        "said-public": False,
        "plain": False,
        "escaped": False,
        "said-private": True,
        "header-token": False,  # a header is never published
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("${UNSET}", "environment variable UNSET is not set (set it, or write ${UNSET:-default})"),
        ("${1ABC}", "'${1ABC}' is not an environment variable reference"),
        ("x ${UNSET", "'${' without its closing '}' (write $${ for a literal '${')"),
    ],
)
def test_a_bad_environment_reference_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.delenv("UNSET", raising=False)
    path = write(tmp_path, f'sources:\n  - name: a\n    url: "https://a.example/{value}"\n')
    [problem] = problems(path)
    assert problem.startswith(f"{path}:3:10: sources[0].url: {message}")


def test_missing_file(tmp_path: Path) -> None:
    [message] = problems(tmp_path / "nope.yaml")
    assert message.startswith(f"{tmp_path / 'nope.yaml'}: file not found")
    assert "aggregator init" in message


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        sources:
          - name: a
            url: [unclosed
        """,
    )
    [message] = problems(path)
    assert message.startswith(f"{path}:3:10:")  # the "[" never closed, not the end of the file
    assert "YAML syntax error" in message


def test_yaml_syntax_errors_say_what_was_found(tmp_path: Path) -> None:
    """Valid files are composed by libyaml; a refused one is explained by PyYAML's own parser, which names
    the character or alias (libyaml says only "found character that cannot start any token")."""
    tab = tmp_path / "tab.yaml"
    tab.write_text("sources:\n\t- name: a\n", encoding="utf-8")
    [message] = problems(tab)
    assert message.startswith(f"{tab}:2:1:")
    assert "found character '\\t' that cannot start any token" in message
    alias = tmp_path / "alias.yaml"
    alias.write_text("sources:\n  - name: a\n    url: *nope\n", encoding="utf-8")
    [message] = problems(alias)
    assert message.startswith(f"{alias}:3:10:")
    assert "found undefined alias 'nope'" in message


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        (
            "publish:\n  - name: n\n    title: Hacker News: Front Page\n",
            "3:23",
            "not allowed here (quote a value holding ': ', or add the ':' a key above lacks)",
        ),
        ("sources:\n\t- name: a\n", "2:1", "(YAML indents with spaces, never tabs)"),
        (
            "sources:\n  - name: a\n    url: https://x.com/feed\n   interval: 1h\n",
            "4:4",
            "(this line is not indented like the lines it belongs with)",
        ),
        # Unclosed at the end of the file: located where it was opened, not at the end.
        ('sources:\n  - name: "a\n  - name: b\n', "2:11", "(a quote or bracket opened here is never closed)"),
        ("sources:\n  - {name: a, url: x\n", "2:5", "(a quote or bracket opened here is never closed)"),
        (
            "sources:\n  - {name: a, url: https://x.com\n  - name: b\n    url: https://y.com\n",
            "3:9",
            "(is the bracket opened at line 2, column 5 closed?)",
        ),
    ],
)
def test_yaml_syntax_errors_say_what_was_likely_meant(
    tmp_path: Path, text: str, where: str, says: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    [message] = problems(path)
    assert message.startswith(f"{path}:{where}: ")
    assert message.endswith(says)


def test_wrong_type_and_duration(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        scheduler:
          concurrency: lots
        sources:
          - name: a
            url: https://example.com/feed
          - name: b
            url: https://example.com/feed2
          - name: c
            url: https://example.com/feed3
          - name: d
            url: https://example.com/feed4
            interval: 15 minutes
        """,
    )
    messages = problems(path)
    assert messages[0].startswith(f"{path}:2:16: scheduler.concurrency: Input should be a valid integer")
    assert "'lots'" in messages[0]
    assert (
        messages[1] == f"{path}:12:15: sources[3].interval: '15 minutes' is not a duration (use 15m, 2h, 1d)"
    )


def test_duplicate_source_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        sources:
          - name: ithome
            url: https://www.ithome.com/rss/
          - name: ithome
            url: https://www.ithome.com/rss2/
        """,
    )
    assert problems(path) == [
        f"{path}:4:11: sources[1].name: duplicate source name 'ithome' (already used by sources[0])"
    ]


def test_source_with_url_and_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        sources:
          - name: both
            url: https://example.com/feed
            path: feeds/x.xml
        """,
    )
    assert problems(path) == [f"{path}:2:5: sources[0]: a source needs exactly one of 'url' or 'path'"]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - name: a\n    url: https://e.com/f\n    intervall: 5m\n")
    [message] = problems(path)
    assert message.startswith(
        f"{path}:4:5: sources[0].intervall: unknown key 'intervall' (did you mean 'interval'?"
    )


def test_unknown_category_in_filter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        categories:
          新闻: {aliases: [News]}
        publish:
          - name: chips
            title: Chips
            filter:
              all:
                - category: news
                - any: [{keyword: 芯片}, {category: 芯片}]
        """,
    )
    [message] = problems(path)
    assert message.startswith(
        f"{path}:9:43: publish[0].filter.all[1].any[1].category: unknown category '芯片'"
    )
    assert "declare it under 'categories'" in message


def test_invalid_regex(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        publish:
          - name: x
            title: X
            filter:
              regex: "(unclosed"
        """,
    )
    [message] = problems(path)
    assert message.startswith(f"{path}:5:14: publish[0].filter.regex: invalid regular expression '(unclosed'")


def test_unknown_source_in_filter_and_bad_filter_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        sources:
          - name: a
            url: https://e.com/f
        publish:
          - name: x
            title: X
            filter: {source: b}
          - name: y
            title: Y
            filter: {catgory: a}
        """,
    )
    first, second = problems(path)
    assert first.startswith(f"{path}:7:22: publish[0].filter.source: unknown source 'b'")
    assert second.startswith(f"{path}:10:14: publish[1].filter.catgory: unknown filter key 'catgory'")
    assert "did you mean 'category'" in second


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = write(tmp_path, "server:\n  port: 1\n  port: 2\n")
    assert problems(path) == [f"{path}:3:3: server.port: duplicate key 'port' (it appears twice)"]


def test_merge_keys_take_the_written_keys_over_the_merged_ones(tmp_path: Path) -> None:
    """YAML's merge rule: a key written in the mapping overrides the one ``<<: *anchor`` brings in; of
    several merged mappings the first wins. Once, each of these overrides was reported as a duplicate key."""
    path = write(
        tmp_path,
        """
        sources:
          - &portal
            name: ithome
            url: https://www.ithome.com/rss/
            timezone: Asia/Shanghai
            categories: [科技]
          - &english
            <<: *portal
            name: verge
            url: https://www.theverge.com/rss/index.xml
            timezone: America/New_York
          - <<: *english
            name: verge-tech
            url: https://www.theverge.com/tech/rss/index.xml
          - <<: [*portal, *english]
            name: both
        """,
    )
    sources = {s.name: s for s in load_config(path).config.sources}
    assert str(sources["verge"].url) == "https://www.theverge.com/rss/index.xml"
    assert sources["verge"].timezone == "America/New_York"
    assert sources["verge"].categories == ["科技"]
    assert sources["verge-tech"].timezone == "America/New_York"  # merged through two levels
    assert str(sources["verge-tech"].url) == "https://www.theverge.com/tech/rss/index.xml"
    assert sources["both"].timezone == "Asia/Shanghai"  # the first merged mapping wins
    assert str(sources["both"].url) == "https://www.ithome.com/rss/"
    assert str(sources["ithome"].url) == "https://www.ithome.com/rss/"  # the anchor itself is unchanged


MAPPING_MISTAKES = [
    pytest.param(
        "sources:\n  - &a\n    name: a\n    url: https://a.example/feed\n"
        "  - <<: *a\n    name: b\n    name: c\n",
        "7:5: sources[1].name: duplicate key 'name' (it appears twice)",
        id="a key written twice beside a merge key",
    ),
    pytest.param(
        "sources:\n  - &a\n    name: a\n    url: https://a.example/feed\n    headers: *a\n",
        "2:5: sources[0].headers: an alias to a mapping or list that contains it",
        id="an alias inside its own anchor",
    ),
    pytest.param(
        "sources:\n  - <<: 5\n    name: a\n    url: https://a.example/feed\n",
        "2:9: sources[0]: '<<' must name a mapping, or a list of mappings, to merge",
        id="a merge of a scalar",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MAPPING_MISTAKES)
def test_mapping_mistakes_are_located_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "aggregator.yaml"
    path.write_text(text, encoding="utf-8")
    assert problems(path) == [f"{path}:{expected}"]


def test_bad_timezone_encoding_and_url(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        sources:
          - name: a
            url: ftp://example.com/feed
            timezone: Mars/Olympus
            encoding: klingon
        """,
    )
    messages = problems(path)
    assert any(
        "sources[0].url: 'ftp://example.com/feed' is not an http:// or https:// URL" in m for m in messages
    )
    assert any("sources[0].timezone: 'Mars/Olympus' is not a time zone" in m for m in messages)
    assert any("sources[0].encoding: 'klingon' is not a known text encoding" in m for m in messages)


def test_bad_database_url(tmp_path: Path) -> None:
    path = write(tmp_path, "# comment\ndatabase: not a url\n")
    [message] = problems(path)
    assert message.startswith(f"{path}:2:11: database: 'not a url' is not a database URL")


def test_alias_owned_by_two_categories(tmp_path: Path) -> None:
    path = write(tmp_path, "categories:\n  AI: [ML]\n  Data: [ml]\n")
    [message] = problems(path)
    assert message == f"{path}:3:9: categories.Data.aliases[0]: alias 'ml' already belongs to category 'AI'"


def test_filters_parse_into_trees(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        categories:
          人工智能: [AI]
        sources:
          - name: hn
            url: https://news.ycombinator.com/rss
            include: [GPT, 大模型]
            exclude: {regex: "(?i)sponsored", fields: [title]}
        publish:
          - name: ai
            title: AI
            filter:
              any:
                - category: ai
                - not: {keyword: 广告}
        """,
    )
    config = load_config(path).config
    source = config.source("hn")
    assert source.include == Keyword(("GPT", "大模型"))
    assert source.exclude == Regex(("(?i)sponsored",), ("title",))
    assert config.publish[0].filter == AnyOf((Category(("ai",)), Not(Keyword(("广告",)))))


def test_empty_file_is_a_valid_empty_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "# nothing yet\n")).config
    assert config.sources == []
