"""Normalizing parsed entries: pure functions, one module per concern.

``keys`` (stable keys, published ids), ``links`` (canonical links), ``dates`` (UTC dates), ``html``
(sanitizing, plain text, images), ``text`` (titles, authors, summaries, control characters),
``categories`` (aliases), ``language``, and ``entry``, which composes them into a
:class:`~aggregator.models.NormalizedEntry`.
The names below are the package's API; the building blocks are importable from their modules.
"""

from __future__ import annotations

from aggregator.normalize.categories import build_alias_map
from aggregator.normalize.entry import NORMALIZER_VERSION, NormalizeSettings, content_hash, normalize_entry
from aggregator.normalize.keys import assign_keys, entry_uid

__all__ = [
    "NORMALIZER_VERSION",
    "NormalizeSettings",
    "assign_keys",
    "build_alias_map",
    "content_hash",
    "entry_uid",
    "normalize_entry",
]
