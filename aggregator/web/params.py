"""Ad-hoc parameters on published feeds, like RSSHub's: validated, bounded, turned into a filter.

``?limit=`` (1..server.max_limit), ``?category=`` (a category or alias), ``?q=`` (keyword in title, summary,
content or author), ``?exclude=`` (keyword that drops entries), ``?since=`` (an RFC 3339 date or a duration
such as ``7d``), ``?source=`` (configured source names, comma-separated), ``?language=`` (language codes,
comma-separated), ``?page=`` (RFC 5005 paging, from 1). Anything else is refused with a reason, so that a
typo does not silently return the unfiltered feed; an unknown source name too, so that it does not
silently return an empty one.

RSSHub's own filter parameters are understood too, so that its users' URLs work here: ``filter``,
``filter_title``, ``filter_description``, ``filter_author`` and their ``filterout`` counterparts, with
``|`` between alternatives, and ``filter_time`` (seconds). RSSHub takes regular expressions there; these
take the ``|``-separated keywords that nearly every such URL holds, and refuse other regex syntax with a 400:
a pattern from the open internet run by Python's backtracking engine over every entry could stall the
server. Matching is case-insensitive, as the ``keyword`` filter's (``filter_case_sensitive=false``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aggregator.filters import All, Category, Filter, Keyword, Language, MaxAge, Not, Source
from aggregator.units import parse_duration

# RSSHub's parameter -> the entry fields it looks at ("description" is the summary and the content).
RSSHUB_FIELDS: Mapping[str, tuple[str, ...]] = {
    "": ("title", "summary", "content"),
    "_title": ("title",),
    "_description": ("summary", "content"),
    "_author": ("author",),
}
RSSHUB_FILTERS = tuple(f"{kind}{suffix}" for kind in ("filter", "filterout") for suffix in RSSHUB_FIELDS)
ALLOWED = (
    "limit", "category", "q", "exclude", "since", "source", "language", "page",
    *RSSHUB_FILTERS, "filter_time", "filter_case_sensitive",
)  # fmt: skip
_REGEX_SYNTAX = frozenset("*+?()[]{}^$")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
MAX_TEXT = 200
MAX_PAGE = 1000


class BadParameterError(ValueError):
    """A request parameter is invalid; the message is the reason given to the client (HTTP 400)."""


@dataclass(frozen=True, slots=True)
class FeedParams:
    limit: int | None = None
    page: int = 1
    extra: Filter | None = None
    query: Mapping[str, str] = field(default_factory=dict)  # the accepted parameters, for self/next links

    @property
    def is_default(self) -> bool:
        return not self.query


def _text(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise BadParameterError(f"{name} must not be empty")
    if len(value) > MAX_TEXT:
        raise BadParameterError(f"{name} is longer than {MAX_TEXT} characters")
    return value


def _int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise BadParameterError(f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise BadParameterError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _since_seconds(value: str, now: datetime) -> float:
    value = value.strip()
    try:
        return parse_duration(value).total_seconds()
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameterError(
            f"since must be a date (2024-03-01T00:00:00Z) or a duration (7d), got {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((now - moment).total_seconds(), 0.0)


def _list(name: str, value: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(part.strip() for part in _text(name, value).split(",") if part.strip()))
    if not items:
        raise BadParameterError(f"{name} must name at least one, got {value!r}")
    return items


def _sources(value: str, known: Collection[str]) -> tuple[str, ...]:
    names = _list("source", value)
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise BadParameterError(f"source {name!r} is not a configured source{hint}")
    return names


def _languages(value: str) -> tuple[str, ...]:
    codes = _list("language", value)
    for code in codes:
        if not _LANGUAGE.fullmatch(code):
            raise BadParameterError(f"language must be codes such as zh, en or zh-CN, got {code!r}")
    return tuple(code.lower().replace("_", "-") for code in codes)


def _alternatives(name: str, value: str) -> tuple[str, ...]:
    """RSSHub's ``a|b|c``: keywords, any of which matches. ``\\x`` is a literal x and ``.`` a literal dot
    (``Node.js``); other regular-expression syntax is refused."""
    text = _text(name, value)
    terms: list[str] = [""]
    escaped = False
    for char in text:
        if escaped:
            terms[-1] += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            terms.append("")
        elif char in _REGEX_SYNTAX:
            raise BadParameterError(
                f"{name} takes keywords separated by '|', not regular expressions (found {char!r}); "
                "a configured feed's filter can use 'regex'"
            )
        else:
            terms[-1] += char
    terms = list(dict.fromkeys(term.strip() for term in terms if term.strip()))
    if not terms:
        raise BadParameterError(f"{name} must name at least one keyword, got {value!r}")
    return tuple(terms)


def _rsshub_filters(single: Mapping[str, str]) -> list[Filter]:
    parts: list[Filter] = []
    for name in RSSHUB_FILTERS:
        if name in single:
            kind, _, suffix = name.partition("_")
            match = Keyword(_alternatives(name, single[name]), RSSHUB_FIELDS[f"_{suffix}" if suffix else ""])
            parts.append(match if kind == "filter" else Not(match))
    if "filter_time" in single:
        parts.append(MaxAge(float(_int("filter_time", single["filter_time"], 1, 100 * 365 * 86400))))
    sensitive = single.get("filter_case_sensitive", "false").strip().lower()
    if sensitive not in ("false", "0"):
        raise BadParameterError("filter_case_sensitive: matching here is always case-insensitive; use false")
    return parts


def parse_params(
    params: Mapping[str, list[str]], *, max_limit: int, now: datetime, sources: Collection[str]
) -> FeedParams:
    """Validate query parameters (each given at most once) into a limit, a page and an extra filter.

    ``sources`` are the configured source names, which ``?source=`` may name.
    """
    unknown = sorted(set(params) - set(ALLOWED))
    if unknown:
        raise BadParameterError(f"unknown parameter {unknown[0]!r} (accepted: {', '.join(ALLOWED)})")
    single: dict[str, str] = {}
    for name, values in params.items():
        if len(values) != 1:
            raise BadParameterError(f"{name} may be given once")
        single[name] = values[0]
    limit = _int("limit", single["limit"], 1, max_limit) if "limit" in single else None
    page = _int("page", single["page"], 1, MAX_PAGE) if "page" in single else 1
    parts: list[Filter] = []
    if "category" in single:
        parts.append(Category((_text("category", single["category"]),)))
    if "q" in single:
        parts.append(Keyword((_text("q", single["q"]),)))
    if "exclude" in single:
        parts.append(Not(Keyword((_text("exclude", single["exclude"]),))))
    if "since" in single:
        parts.append(MaxAge(_since_seconds(single["since"], now)))
    if "source" in single:
        parts.append(Source(_sources(single["source"], sources)))
    if "language" in single:
        parts.append(Language(_languages(single["language"])))
    parts.extend(_rsshub_filters(single))
    extra = None if not parts else parts[0] if len(parts) == 1 else All(tuple(parts))
    query = {k: v.strip() for k, v in single.items() if k != "page"}
    return FeedParams(limit=limit, page=page, extra=extra, query=query)
