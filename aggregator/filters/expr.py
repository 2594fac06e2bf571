"""The filter expression tree and its parser from YAML data.

A filter is a nested ``all`` / ``any`` / ``not`` of predicates::

    filter:
      all:
        - category: [人工智能, 芯片]
        - not: {keyword: 广告}
        - any: [{source: ithome}, {keyword: [GPT, 大模型], fields: [title]}]
        - max_age: 7d

A list is shorthand for ``all``; a mapping with several predicates means all of them. Parsing is strict and
every error carries the path inside the filter, so the configuration loader can point at the exact line.
Evaluation lives in :mod:`aggregator.filters.match` (pure) and in the store (pushed into SQL).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aggregator.units import format_duration, parse_duration

TEXT_FIELDS: tuple[str, ...] = ("title", "summary", "content", "author")

Path = tuple[str | int, ...]


class FilterSyntaxError(ValueError):
    """A filter could not be read; ``path`` locates the problem inside the filter expression."""

    def __init__(self, path: Path, message: str, *, on_key: bool = False) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.on_key = on_key  # the problem is the key itself (point at it, not at its value)


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Filter


@dataclass(frozen=True, slots=True)
class Category:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Source:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Keyword:
    terms: tuple[str, ...]
    fields: tuple[str, ...] = TEXT_FIELDS


@dataclass(frozen=True, slots=True)
class Regex:
    patterns: tuple[str, ...]
    fields: tuple[str, ...] = TEXT_FIELDS

    def compiled(self) -> tuple[re.Pattern[str], ...]:
        return tuple(_compile(p) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class Author:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Language:
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MaxAge:
    seconds: float


Filter = All | AnyOf | Not | Category | Source | Keyword | Regex | Author | Language | MaxAge

_COMBINATORS = ("all", "any", "not")
_PREDICATES = ("category", "source", "keyword", "regex", "author", "language", "max_age")
_KEYS = (*_COMBINATORS, *_PREDICATES, "fields")

_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    compiled = _REGEX_CACHE.get(pattern)
    if compiled is None:
        compiled = _REGEX_CACHE[pattern] = re.compile(pattern)
    return compiled


@dataclass(frozen=True, slots=True)
class KnownNames:
    """Names a filter may refer to; None means "do not check" (for example outside a configuration)."""

    categories: frozenset[str] | None = None  # case-folded canonical names and aliases
    sources: frozenset[str] | None = None


def parse_filter(data: Any, path: Path = (), known: KnownNames = KnownNames()) -> Filter:
    """Build a filter tree from YAML data, or raise :class:`FilterSyntaxError` naming where it is wrong."""
    if isinstance(data, list):
        if not data:
            raise FilterSyntaxError(path, "an empty list matches nothing useful; remove the filter instead")
        return All(tuple(parse_filter(item, (*path, i), known) for i, item in enumerate(data)))
    if not isinstance(data, dict):
        raise FilterSyntaxError(
            path, f"expected a mapping such as {{category: 新闻}} or {{all: [...]}}, got {data!r}"
        )
    if not data:
        raise FilterSyntaxError(path, f"empty filter: use one of {', '.join(_COMBINATORS + _PREDICATES)}")
    for key in data:
        if key not in _KEYS:
            hint = difflib.get_close_matches(str(key), _KEYS, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise FilterSyntaxError(
                (*path, key),
                f"unknown filter key '{key}'{suggestion}; expected one of {', '.join(_KEYS[:-1])}",
                on_key=True,
            )
    fields = _parse_fields(data, path) if "fields" in data else None
    if fields is not None and not ({"keyword", "regex"} & data.keys()):
        raise FilterSyntaxError((*path, "fields"), "'fields' only applies to 'keyword' and 'regex'")
    parts = [
        _parse_key(key, value, (*path, key), fields, known) for key, value in data.items() if key != "fields"
    ]
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def _parse_key(key: str, value: Any, path: Path, fields: tuple[str, ...] | None, known: KnownNames) -> Filter:
    if key == "all" or key == "any":
        if not isinstance(value, list) or not value:
            raise FilterSyntaxError(path, f"'{key}' takes a non-empty list of filters")
        items = tuple(parse_filter(item, (*path, i), known) for i, item in enumerate(value))
        return All(items) if key == "all" else AnyOf(items)
    if key == "not":
        return Not(parse_filter(value, path, known))
    if key == "max_age":
        try:
            return MaxAge(parse_duration(value).total_seconds())
        except ValueError as e:
            raise FilterSyntaxError(path, str(e)) from None
    terms = _strings(value, path)
    if key == "category":
        _check_known(terms, value, path, known.categories, str.casefold, "category", "categories")
        return Category(terms)
    if key == "source":
        _check_known(terms, value, path, known.sources, str, "source", "sources")
        return Source(terms)
    if key == "author":
        return Author(terms)
    if key == "language":
        return Language(tuple(t.lower() for t in terms))
    if key == "keyword":
        return Keyword(terms, fields or TEXT_FIELDS)
    # regex
    for i, pattern in enumerate(terms):
        try:
            _compile(pattern)
        except re.error as e:
            where = (*path, i) if isinstance(value, list) else path
            raise FilterSyntaxError(where, f"invalid regular expression {pattern!r}: {e}") from None
    return Regex(terms, fields or TEXT_FIELDS)


def _check_known(
    terms: tuple[str, ...],
    value: Any,
    path: Path,
    known: frozenset[str] | None,
    fold: Any,
    what: str,
    section: str,
) -> None:
    if known is None:
        return
    for i, term in enumerate(terms):
        if fold(term) not in known:
            where = (*path, i) if isinstance(value, list) else path
            hint = difflib.get_close_matches(fold(term), sorted(known), n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise FilterSyntaxError(
                where,
                f"unknown {what} '{term}'{suggestion}: declare it under '{section}' first",
            )


def _strings(value: Any, path: Path) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values:
        raise FilterSyntaxError(path, "expected a string or a non-empty list of strings")
    out: list[str] = []
    for i, item in enumerate(values):
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            where = (*path, i) if isinstance(value, list) else path
            raise FilterSyntaxError(where, f"expected a string, got {item!r}")
        text = str(item).strip()
        if not text:
            raise FilterSyntaxError(path, "empty strings match everything; remove them")
        out.append(text)
    return tuple(out)


def _parse_fields(data: dict[str, Any], path: Path) -> tuple[str, ...]:
    fields = _strings(data["fields"], (*path, "fields"))
    for name in fields:
        if name not in TEXT_FIELDS:
            raise FilterSyntaxError(
                (*path, "fields"), f"unknown field '{name}'; use {', '.join(TEXT_FIELDS)}"
            )
    return fields


def filter_json_schema() -> dict[str, Any]:
    """A JSON Schema for filter expressions, for editors completing the YAML."""
    strings = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]}
    ref = {"$ref": "#/$defs/Filter"}
    fields = {"type": "array", "items": {"enum": list(TEXT_FIELDS)}}
    mapping = {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            "all": {"type": "array", "items": ref, "minItems": 1},
            "any": {"type": "array", "items": ref, "minItems": 1},
            "not": ref,
            "category": strings,
            "source": strings,
            "keyword": strings,
            "regex": strings,
            "author": strings,
            "language": strings,
            "max_age": {"type": ["string", "number"], "description": "like 7d, 12h"},
            "fields": fields,
        },
    }
    return {"anyOf": [mapping, {"type": "array", "items": ref, "minItems": 1}]}


def describe(node: Filter) -> str:
    """A compact one-line rendering for summaries and logs: ``all(category=新闻, not(keyword=广告))``."""
    if isinstance(node, All | AnyOf):
        name = "all" if isinstance(node, All) else "any"
        return f"{name}({', '.join(describe(item) for item in node.items)})"
    if isinstance(node, Not):
        return f"not({describe(node.item)})"
    if isinstance(node, MaxAge):
        return f"max_age={format_duration(timedelta(seconds=node.seconds))}"
    if isinstance(node, Keyword | Regex):
        values = node.terms if isinstance(node, Keyword) else node.patterns
        name = "keyword" if isinstance(node, Keyword) else "regex"
        fields = "" if node.fields == TEXT_FIELDS else f" in {'/'.join(node.fields)}"
        return f"{name}={'|'.join(values)}{fields}"
    if isinstance(node, Language):
        return f"language={'|'.join(node.codes)}"
    name = type(node).__name__.lower()
    return f"{name}={'|'.join(node.names)}"
