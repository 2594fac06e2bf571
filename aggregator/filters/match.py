"""Evaluating filter expressions over entries: pure functions, no I/O.

A filter is compiled once into a predicate (closures over pre-folded terms), then applied to many entries.
Text matching is NFKC-normalized and case-folded substring search: it works for Chinese, which has no spaces
to split words on, and treats full-width and half-width forms alike (``ＡＩ`` matches ``AI``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aggregator.filters.expr import (
    All,
    AnyOf,
    Author,
    Category,
    Filter,
    Keyword,
    Language,
    MaxAge,
    Not,
    Regex,
    Source,
)


class Matchable(Protocol):
    """What a filter looks at; both freshly normalized and stored entries have these attributes."""

    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def content_text(self) -> str: ...
    @property
    def author(self) -> str | None: ...
    @property
    def categories(self) -> tuple[str, ...]: ...
    @property
    def language(self) -> str | None: ...
    @property
    def published(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Subject:
    """An entry seen by a filter: the entry, the name of its source, and the time to judge ages against."""

    entry: Matchable
    source: str
    now: datetime


Predicate = Callable[[Subject], bool]


def fold(text: str) -> str:
    """The form both sides of a text comparison are put in."""
    return unicodedata.normalize("NFKC", text).casefold()


def _field(subject: Subject, name: str) -> str:
    entry = subject.entry
    if name == "title":
        return entry.title
    if name == "summary":
        return entry.summary
    if name == "content":
        return entry.content_text
    return entry.author or ""


def compile_filter(node: Filter, aliases: Mapping[str, str] | None = None) -> Predicate:
    """Turn a filter tree into a predicate.

    ``aliases`` maps folded names and aliases to canonical categories.
    """
    aliases = aliases or {}
    if isinstance(node, All):
        parts = [compile_filter(item, aliases) for item in node.items]
        return lambda s: all(p(s) for p in parts)
    if isinstance(node, AnyOf):
        parts = [compile_filter(item, aliases) for item in node.items]
        return lambda s: any(p(s) for p in parts)
    if isinstance(node, Not):
        inner = compile_filter(node.item, aliases)
        return lambda s: not inner(s)
    if isinstance(node, Category):
        wanted = frozenset(fold(canonical_category(name, aliases)) for name in node.names)
        return lambda s: any(fold(c) in wanted for c in s.entry.categories)
    if isinstance(node, Source):
        names = frozenset(node.names)
        return lambda s: s.source in names
    if isinstance(node, Keyword):
        terms = tuple(_Term.of(fold(t)) for t in node.terms)
        fields = node.fields
        return lambda s: _any_term_in(terms, (fold(_field(s, f)) for f in fields))
    if isinstance(node, Regex):
        patterns = node.compiled()
        fields = node.fields
        return lambda s: any(p.search(_field(s, f)) for f in fields for p in patterns)
    if isinstance(node, Author):
        authors = tuple(fold(n) for n in node.names)
        return lambda s: bool(s.entry.author) and any(n in fold(s.entry.author or "") for n in authors)
    if isinstance(node, Language):
        codes = node.codes
        return lambda s: _language_matches(s.entry.language, codes)
    if isinstance(node, MaxAge):
        age = timedelta(seconds=node.seconds)
        return lambda s: s.entry.published >= s.now - age
    raise TypeError(f"unknown filter node {node!r}")


def canonical_category(name: str, aliases: Mapping[str, str]) -> str:
    """The canonical name a filter's category refers to (an alias or the name itself)."""
    return aliases.get(fold(" ".join(name.split())), name)


def _spaced(char: str) -> bool:
    """A letter or digit of a script that separates words with spaces (Latin, Cyrillic, Greek...).

    Chinese, Japanese and Korean (East Asian wide), Thai, Lao, Khmer and Myanmar write words without
    spaces: there a keyword is any substring.
    """
    if not char.isalnum():
        return False
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return False
    return not ("\u0e00" <= char <= "\u0eff" or "\u1000" <= char <= "\u109f" or "\u1780" <= char <= "\u17ff")


@dataclass(frozen=True, slots=True)
class _Term:
    """A folded keyword, and whether each of its ends must fall on a word boundary."""

    text: str
    start_bound: bool
    end_bound: bool

    @classmethod
    def of(cls, text: str) -> _Term:
        return cls(text, bool(text) and _spaced(text[0]), bool(text) and _spaced(text[-1]))

    def found_in(self, haystack: str) -> bool:
        """``AI`` is in "AI-powered" and "英伟达AI芯片", not in "said": a word edge is not inside a word."""
        text = self.text
        if not (self.start_bound or self.end_bound):
            return text in haystack
        at = haystack.find(text)
        while at >= 0:
            end = at + len(text)
            if (not self.start_bound or at == 0 or not _spaced(haystack[at - 1])) and (
                not self.end_bound or end == len(haystack) or not _spaced(haystack[end])
            ):
                return True
            at = haystack.find(text, at + 1)
        return False


def _any_term_in(terms: tuple[_Term, ...], haystacks: Iterable[str]) -> bool:
    for haystack in haystacks:
        for term in terms:
            if term.found_in(haystack):
                return True
    return False


def _language_matches(language: str | None, codes: tuple[str, ...]) -> bool:
    if not language:
        return False
    folded = language.lower()
    return any(folded == code or folded.startswith(code + "-") for code in codes)


def matches(
    node: Filter, entry: Matchable, *, source: str, now: datetime, aliases: Mapping[str, str] | None = None
) -> bool:
    """One-off evaluation; for many entries compile once with :func:`compile_filter`."""
    return compile_filter(node, aliases)(Subject(entry, source, now))
