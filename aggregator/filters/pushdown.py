"""What part of a filter the database can check: a conservative *superset* of the matching entries.

The store uses a :class:`Pushdown` to read candidates through its indexes (newest first); the full filter is
then evaluated in Python on those candidates. Anything the database cannot check exactly (keywords with NFKC
folding, regexes) is simply left out here, which only widens the candidate set, never narrows it. That keeps
one source of truth for the rules (:mod:`aggregator.filters.match`) and still lets a category feed over a
million entries read only the entries of that category.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aggregator.filters.expr import All, AnyOf, Category, Filter, MaxAge, Not, Source
from aggregator.filters.match import canonical_category, fold


@dataclass(frozen=True, slots=True)
class Pushdown:
    """Entries must have one of ``categories`` (folded names) and come from one of ``sources``, etc.

    ``None`` means no constraint. Every field only ever narrows a superset of the true matches.
    """

    categories: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    excluded_sources: frozenset[str] = field(default_factory=frozenset)
    excluded_categories: frozenset[str] = field(default_factory=frozenset)
    since: datetime | None = None

    def merge(self, other: Pushdown) -> Pushdown:
        """Both constraints hold (the pushdown of ``all``)."""
        categories = self.categories if self.categories is not None else other.categories
        if self.categories is not None and other.categories is not None:
            # "has one of A" and "has one of B": either set alone is a valid superset; the smaller is cheaper.
            categories = min(self.categories, other.categories, key=len)
        sources = self.sources
        if sources is None:
            sources = other.sources
        elif other.sources is not None:
            sources = sources & other.sources
        since = max((s for s in (self.since, other.since) if s is not None), default=None)
        return Pushdown(
            categories=categories,
            sources=sources,
            excluded_sources=self.excluded_sources | other.excluded_sources,
            excluded_categories=self.excluded_categories | other.excluded_categories,
            since=since,
        )


EVERYTHING = Pushdown()


def pushdown(node: Filter | None, aliases: Mapping[str, str], now: datetime) -> Pushdown:
    if node is None:
        return EVERYTHING
    if isinstance(node, Category):
        return Pushdown(categories=_categories(node, aliases))
    if isinstance(node, Source):
        return Pushdown(sources=frozenset(node.names))
    if isinstance(node, MaxAge):
        return Pushdown(since=now - timedelta(seconds=node.seconds))
    if isinstance(node, All):
        result = EVERYTHING
        for item in node.items:
            result = result.merge(pushdown(item, aliases, now))
        return result
    if isinstance(node, AnyOf):
        return _any(node, aliases)
    if isinstance(node, Not):
        if isinstance(node.item, Source):
            return Pushdown(excluded_sources=frozenset(node.item.names))
        if isinstance(node.item, Category):
            return Pushdown(excluded_categories=_categories(node.item, aliases))
    return EVERYTHING


def _categories(node: Category, aliases: Mapping[str, str]) -> frozenset[str]:
    return frozenset(fold(canonical_category(name, aliases)) for name in node.names)


def _any(node: AnyOf, aliases: Mapping[str, str]) -> Pushdown:
    """``any`` narrows only when every branch is of one kind (all categories, or all sources)."""
    if all(isinstance(item, Category) for item in node.items):
        names: frozenset[str] = frozenset()
        for item in node.items:
            assert isinstance(item, Category)
            names |= _categories(item, aliases)
        return Pushdown(categories=names)
    if all(isinstance(item, Source) for item in node.items):
        return Pushdown(
            sources=frozenset(n for item in node.items if isinstance(item, Source) for n in item.names)
        )
    return EVERYTHING
