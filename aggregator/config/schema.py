"""The configuration schema: every key the YAML file may hold, its type, default and meaning.

The models are frozen and reject unknown keys. Paths are kept as written here; the loader resolves them
against the configuration file's folder. ``docs/configuration.md`` documents the same keys for people, and
``aggregator config-schema`` exports this schema for editors.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from aggregator.filters import Filter, KnownNames, filter_json_schema, parse_filter
from aggregator.normalize.categories import build_alias_map
from aggregator.units import format_duration, format_size, parse_duration, parse_size

# ------------------------------------------------------------------------------------------ field types

Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": ["string", "number"],
            "pattern": r"^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d|w)\s*)+$",
            "description": "a duration such as 90s, 15m, 2h, 1d, 1h30m, or a number of seconds",
        }
    ),
]

ByteSize = Annotated[
    int,
    BeforeValidator(parse_size),
    PlainSerializer(format_size, return_type=str),
    WithJsonSchema({"type": ["string", "integer"], "description": "a size such as 15MB, 512KB, 2000000"}),
]


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"'{name}' is not a time zone (use an IANA name such as Asia/Shanghai or UTC)"
        ) from None
    return name


def _check_encoding(name: str) -> str:
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValueError(f"'{name}' is not a known text encoding (for example gb18030, gbk, utf-8)") from None
    return name


def _check_http_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"'{url}' is not an http:// or https:// URL")
    return url.strip()


def _check_proxy(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.netloc:
        raise ValueError(f"'{url}' is not a proxy URL (http://host:port, https://... or socks5://...)")
    return url.strip()


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _parse_filter_field(value: Any, info: ValidationInfo) -> Filter:
    known = (info.context or {}).get("known_names", KnownNames())
    return parse_filter(value, (), known)


def _parse_source_rule(value: Any, info: ValidationInfo) -> Filter:
    """``include``/``exclude`` take a filter, or a plain list of keywords as shorthand."""
    if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        value = {"keyword": value}
    return _parse_filter_field(value, info)


FilterField = Annotated[
    Filter,
    BeforeValidator(_parse_filter_field),
    PlainSerializer(lambda f: repr(f), return_type=str),
    WithJsonSchema({"x-aggregator-filter": True}),
]
SourceRule = Annotated[
    Filter,
    BeforeValidator(_parse_source_rule),
    PlainSerializer(lambda f: repr(f), return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}, "description": "keywords (any of)"},
                {"x-aggregator-filter": True},
            ]
        }
    ),
]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
EncodingName = Annotated[str, AfterValidator(_check_encoding)]
HttpUrl = Annotated[str, AfterValidator(_check_http_url)]
StrList = Annotated[list[str], BeforeValidator(_one_or_many)]

_NAME = re.compile(r"^[^\s/\\?#]+$")
_FEED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------------------------------- sections


class Defaults(StrictModel):
    """Values every source inherits unless it sets its own."""

    interval: Duration = Field(timedelta(minutes=30), description="How often a source is checked.")
    timeout: Duration = Field(timedelta(seconds=30), description="Total time allowed for one fetch.")
    connect_timeout: Duration = Field(timedelta(seconds=10), description="Time allowed to connect.")
    max_body_size: ByteSize = Field(15_000_000, description="Largest document accepted, after decompression.")
    user_agent: str | None = Field(None, description="User-Agent header; default names this project.")
    timezone: TimeZoneName = Field("UTC", description="Zone for dates printed without one (naive times).")
    max_future: Duration = Field(
        timedelta(days=1), description="Dates further ahead than this are clamped to the first-seen time."
    )


class SchedulerSettings(StrictModel):
    """How the daemon polls: timing, concurrency and backoff."""

    tick: Duration = Field(timedelta(seconds=5), description="How often the daemon looks for due sources.")
    min_interval: Duration = Field(timedelta(minutes=1), description="Lower clamp of any next check time.")
    max_interval: Duration = Field(timedelta(days=1), description="Upper clamp of any next check time.")
    max_backoff: Duration = Field(timedelta(hours=6), description="Longest wait after repeated failures.")
    concurrency: int = Field(16, ge=1, le=512, description="Fetches in flight at once, in all.")
    per_host: int = Field(2, ge=1, le=64, description="Fetches in flight at once to one host.")
    shutdown_timeout: Duration = Field(
        timedelta(seconds=10), description="How long in-flight fetches may finish after SIGTERM."
    )
    stale_factor: float = Field(
        8.0, gt=1, description="A source with no new entry for this many times its usual cadence is stale."
    )

    @model_validator(mode="after")
    def _ordered(self) -> SchedulerSettings:
        if self.min_interval > self.max_interval:
            raise ValueError("min_interval must not be longer than max_interval")
        return self


class RetentionSettings(StrictModel):
    """How long entries are kept; pruned entries leave a tombstone while their feed still carries them."""

    max_age: Duration | None = Field(None, description="Prune entries older than this (none: keep).")
    max_entries_per_source: int | None = Field(None, ge=1, description="Keep at most this many per source.")
    every: Duration = Field(timedelta(hours=1), description="How often the daemon prunes.")
    fetch_log: Duration | None = Field(
        timedelta(days=30),
        description="Keep the fetch log (a row per check of a source) this long (none: forever).",
    )


class ServerSettings(StrictModel):
    """The HTTP server of ``aggregator serve`` and ``aggregator run``."""

    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8080, ge=0, le=65535, description="Port to listen on (0: any free port).")
    base_url: HttpUrl | None = Field(
        None, description="Public URL of the server, used in self links; default http://host:port/."
    )
    max_limit: int = Field(500, ge=1, description="Largest ?limit= accepted on published feeds.")
    allow_origin: str | None = Field(
        "*",
        description="Access-Control-Allow-Origin of feeds and OPML, for readers running in a browser "
        "(null: none).",
    )


class WebSubSettings(StrictModel):
    """WebSub (W3C): announce a hub in every feed and ping it when a feed changes."""

    hub: HttpUrl | None = Field(None, description="The hub URL; none disables WebSub.")


class CategorySettings(StrictModel):
    aliases: StrList = Field(default_factory=list, description="Other spellings mapped to this name.")


def _category_shorthand(value: Any) -> Any:
    """``名称: [a, b]`` and ``名称:`` (null) are shorthands for ``{aliases: [...]}``."""
    if value is None:
        return {}
    if isinstance(value, list | str):
        return {"aliases": _one_or_many(value)}
    return value


CategoryEntry = Annotated[CategorySettings, BeforeValidator(_category_shorthand)]


class SourceConfig(StrictModel):
    """One feed to pull: a URL, a local feed file, or a folder of Markdown articles."""

    name: str = Field(description="Unique name; used in filters, logs and the command line.")
    url: HttpUrl | None = Field(None, description="RSS, Atom, RDF or JSON Feed over HTTP(S).")
    path: Path | None = Field(None, description="A local feed file, or a folder of Markdown articles.")
    title: str | None = Field(None, description="Display title; default the feed's own title.")
    categories: StrList = Field(default_factory=list, description="Added to every entry of this source.")
    interval: Duration | None = Field(None, description="How often to check; default defaults.interval.")
    enabled: bool = True
    encoding: EncodingName | None = Field(None, description="Decode as this charset, whatever is declared.")
    timezone: TimeZoneName | None = Field(None, description="Zone of naive dates; default defaults.timezone.")
    language: str | None = Field(None, description="Language of the entries, when the feed does not say.")
    include: SourceRule | None = Field(None, description="Keep only entries matching this (before storing).")
    exclude: SourceRule | None = Field(None, description="Drop entries matching this (before storing).")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra HTTP request headers.")
    user_agent: str | None = None
    timeout: Duration | None = None
    proxy: Annotated[str, AfterValidator(_check_proxy)] | None = None
    discover: bool = Field(False, description="Follow <link rel=alternate> when the URL is an HTML page.")
    adaptive: bool = Field(False, description="Poll more often when busy, less when quiet.")
    max_entries: int | None = Field(None, ge=1, description="Retention: keep at most this many entries.")
    private: bool | None = Field(
        None,
        description="Never publish this source's URL (its entries' source): for feeds whose URL holds a "
        "token. Default: true when the URL takes a value from the environment (${NAME}).",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"{value!r} is not a valid source name (no spaces, '/', '?' or '#')")
        return value

    @model_validator(mode="after")
    def _one_location(self) -> SourceConfig:
        if (self.url is None) == (self.path is None):
            raise ValueError("a source needs exactly one of 'url' or 'path'")
        return self


Format = Literal["rss", "atom", "json"]
ALL_FORMATS: tuple[Format, ...] = ("rss", "atom", "json")


class PublishConfig(StrictModel):
    """One published feed: which entries (filter), how many, in which formats."""

    name: str = Field(description="File and URL name: feeds/<name>.rss, .atom, .json.")
    title: str
    description: str = ""
    filter: FilterField | None = Field(None, description="Which entries; none: every entry.")
    limit: int = Field(50, ge=1, le=10_000, description="Newest entries per page.")
    formats: list[Format] = Field(default_factory=lambda: list(ALL_FORMATS), min_length=1)
    language: str | None = None
    link: HttpUrl | None = Field(None, description="Site link of the feed; default the server's index page.")
    icon: HttpUrl | None = None
    logo: HttpUrl | None = None
    ttl: Duration | None = Field(None, description="<ttl> advertised to readers; default from the schedule.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _FEED_NAME.match(value):
            raise ValueError(f"{value!r} is not a valid feed name (letters, digits, '.', '_', '-')")
        return value

    @field_validator("formats")
    @classmethod
    def _unique_formats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each format may appear once")
        return value


class Config(StrictModel):
    """The whole configuration file."""

    database: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///data/aggregator.db next to this file."
    )
    output_dir: Path = Field(Path("feeds"), description="Where published feeds are written.")
    defaults: Defaults = Field(default_factory=Defaults)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    websub: WebSubSettings = Field(default_factory=WebSubSettings)
    categories: dict[str, CategoryEntry] = Field(default_factory=dict)
    sources: list[SourceConfig] = Field(default_factory=list)
    publish: list[PublishConfig] = Field(default_factory=list)

    def source(self, name: str) -> SourceConfig:
        return self._sources_by_name[name]

    @functools.cached_property
    def category_aliases(self) -> Mapping[str, str]:
        """Folded category name or alias -> canonical name: what normalizing, filtering and publishing map
        categories through (one map per configuration, built once)."""
        return build_alias_map({name: c.aliases for name, c in self.categories.items()})

    @functools.cached_property
    def _sources_by_name(self) -> dict[str, SourceConfig]:
        """Looked up once per source on every refresh: a scan was quadratic in the number of sources."""
        return {source.name: source for source in self.sources}

    @property
    def public_base_url(self) -> str:
        base = self.server.base_url or f"http://{self.server.host}:{self.server.port}/"
        return base if base.endswith("/") else base + "/"


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of the configuration file (``aggregator config-schema``)."""
    schema: dict[str, Any] = _link_filters(Config.model_json_schema(mode="validation"))
    schema.setdefault("$defs", {})["Filter"] = filter_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "aggregator configuration"
    return schema


def _link_filters(node: Any) -> Any:
    """Point filter placeholders at the shared recursive Filter definition (pydantic cannot emit it)."""
    if isinstance(node, dict):
        if node.get("x-aggregator-filter"):
            return {"$ref": "#/$defs/Filter"}
        return {key: _link_filters(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_filters(item) for item in node]
    return node
