"""Removing the characters XML 1.0 cannot carry, before any text reaches feedgen or a JSON encoder.

XML 1.0 (section 2.2, production ``Char``) allows tab, line feed, carriage return and every code point from
U+0020 except the surrogates U+D800-U+DFFF and the non-characters U+FFFE and U+FFFF. Scraped Chinese portals
really do send vertical tabs, escape sequences and NULs inside titles. lxml (under feedgen) refuses such
strings with a ValueError that would stop the whole feed, and a lone surrogate cannot be encoded as UTF-8 at
all (which also breaks JSON output), so they are dropped, silently: there is nothing a reader could show for
them anyway.

DEL and the C1 controls (U+007F-U+009F) are legal but "discouraged" by the same section, never meaningful in
text that was decoded correctly (they are the remains of a cp1252/latin-1 mix-up), and the W3C feed validator
reports each one ("BadCharacters"): they are dropped too.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")

_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without C0 controls (except tab, LF, CR), DEL, C1 controls, surrogates, U+FFFE and U+FFFF."""
    if _NOT_XML_CHAR.search(text) is None:
        return text
    return _NOT_XML_CHAR.sub("", text)


def xml_safe_fields(obj: D) -> D:
    """A copy of the dataclass ``obj`` whose every string is XML-safe.

    Strings inside tuples, mappings and nested dataclasses are cleaned too. Working on all fields at once,
    instead of at each call into feedgen, means a field added later cannot be forgotten. ``obj`` itself is
    returned when nothing needed cleaning (the common case costs one regex search per string).
    """
    changes: dict[str, Any] = {}
    for spec in dataclasses.fields(obj):
        value = getattr(obj, spec.name)
        cleaned = _clean(value)
        if cleaned is not value:
            changes[spec.name] = cleaned
    return dataclasses.replace(obj, **changes) if changes else obj


def _clean(value: object) -> object:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, tuple):
        items = tuple(_clean(item) for item in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, Mapping):
        pairs = [(_clean(key), _clean(item)) for key, item in value.items()]
        if all(k is key and i is item for (k, i), (key, item) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return xml_safe_fields(value)
    return value
