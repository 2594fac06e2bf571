"""Stable entry keys and published ids.

A key says "this is the same entry as last time" for every fetch of a source, so it may depend only on what
the feed says about the entry, never on fetch time or on the entry's position in a changing feed:

* the GUID / Atom id when there is one: ``g:<guid>``;
* else the canonical link without its scheme (an http->https move, or a new tracking parameter, is not a new
  entry): ``l://host/path?query``;
* else a hash of title and content: ``h:<32 hex>``.

Feeds repeat GUIDs (WordPress exports, portals that put the section URL in every <guid>, wechat-feeds that
re-list an article): duplicates in one document are told apart, never merged. A duplicate whose link differs
from earlier ones gets ``<guid>|<link key>``; one whose link is the same but whose title or content differs
gets ``<key>|<hash key>``; a true copy gets ``#2``, ``#3``... in document order.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Protocol

from aggregator.normalize.links import canonical_link, link_key
from aggregator.normalize.text import strip_control_chars

MAX_KEY_CHARS = 400
# uuid5(NAMESPACE_URL, "https://github.com/aggregator-project/aggregator#entry"); fixed forever: changing it
# would change every published id.
ENTRY_NAMESPACE = uuid.UUID("7c13eee9-2f7f-5fd6-9450-c82e86bd3c4c")


class KeyMaterial(Protocol):
    """What a key is made of: a :class:`~aggregator.models.ParsedEntry`, or a reference to one.

    Title and content are read only to tell apart entries that share a GUID or link, or for entries that
    have neither: a reference builds its entry then, and only then.
    """

    @property
    def guid(self) -> str | None: ...
    @property
    def link(self) -> str | None: ...
    @property
    def base_url(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def content_html(self) -> str | None: ...
    @property
    def summary_html(self) -> str | None: ...


class _Identity:
    """An entry's base key (g:, l: or h:), and (computed only when needed) its link key and content key.

    Hashing title and content costs more than the rest of the key together, and is needed only for entries
    without GUID and link, and to tell apart entries that share a base key. The link key is needed for the
    base key, unless the caller knows that already, and to tell apart entries that share one.
    """

    __slots__ = ("_content", "_link", "base", "entry")

    def __init__(self, entry: KeyMaterial, base: str | None = None) -> None:
        self.entry = entry
        self._content: str | None = None
        self._link: str | _Unset | None = _UNSET
        if base is None:
            guid = strip_control_chars(entry.guid).strip() if entry.guid else ""
            base = _limited("g:", guid) if guid else self.link or self.content
        self.base = base

    @property
    def link(self) -> str | None:
        if isinstance(self._link, _Unset):
            link = canonical_link(self.entry.link, self.entry.base_url)
            self._link = _limited("l:", link_key(link)) if link else None
        return self._link

    @property
    def content(self) -> str:
        if self._content is None:
            self._content = _content_key(self.entry)
        return self._content


class _Unset:
    """Not computed yet (None is a value: no link)."""


_UNSET = _Unset()


def is_base_key(key: str) -> bool:
    """Whether ``key`` is surely an entry's base key as :func:`assign_keys` computed it, not told apart.

    Telling apart adds ``|`` or ``#``, or hashes a too long result into ``<prefix><64 hex>``: a key with none
    of these is the base key itself. (A GUID of 64 hex digits is a base key this says no to: harmless.)
    """
    if "|" in key or "#" in key:
        return False
    return not (len(key) == 66 and _is_hex(key[2:]))


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _limited(prefix: str, value: str) -> str:
    """``prefix + value``, or ``prefix + sha256(value)`` when that would exceed :data:`MAX_KEY_CHARS`."""
    if len(prefix) + len(value) <= MAX_KEY_CHARS:
        return prefix + value
    return prefix + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _content_key(entry: KeyMaterial) -> str:
    material = f"{entry.title or ''}\n{entry.content_html or entry.summary_html or ''}"
    return "h:" + hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def assign_keys(entries: Sequence[KeyMaterial], bases: Sequence[str | None] | None = None) -> list[str]:
    """One stable, unique key per entry of a document, in the same order.

    ``bases``, when given, has one item per entry: its base key if the caller knows it (the key an entry
    with the same raw material got before, when :func:`is_base_key` says so), else None. The entry's GUID
    and link are then read only if another entry shares that base key.
    """
    earlier: dict[str, list[_Identity]] = {}
    used: set[str] = set()
    keys: list[str] = []
    for position, entry in enumerate(entries):
        ident = _Identity(entry, bases[position] if bases is not None else None)
        same = earlier.setdefault(ident.base, [])
        candidate = ident.base
        if same:
            if (
                ident.link is not None
                and ident.link != ident.base
                and all(o.link != ident.link for o in same)
            ):
                candidate = _limited(ident.base[:2], f"{ident.base[2:]}|{ident.link}")
            elif ident.content != ident.base and all(o.content != ident.content for o in same):
                candidate = _limited(ident.base[:2], f"{ident.base[2:]}|{ident.content}")
        same.append(ident)
        key, n = candidate, 1
        while key in used:
            n += 1
            key = f"{candidate}#{n}"
        used.add(key)
        keys.append(key)
    return keys


def entry_uid(source_name: str, key: str) -> str:
    """The published id of an entry (RSS guid, Atom id, JSON Feed id): a UUID5, the same forever.

    Source names cannot contain ``/`` (configuration rule), so ``name/key`` is unambiguous.
    """
    return str(uuid.uuid5(ENTRY_NAMESPACE, f"{source_name}/{key}"))
