"""The document every renderer works from (``publish.document.prepare``): what it keeps out of feeds."""

from __future__ import annotations

import pytest

from aggregator.publish import render_atom, render_json, render_rss
from tests.support.publish_samples import make_document, make_entry


@pytest.mark.parametrize("render", [render_rss, render_atom, render_json], ids=["rss", "atom", "json"])
def test_a_source_urls_credentials_are_not_published(render: object) -> None:
    """A private feed configured as https://user:password@host/feed is credited by its address alone."""
    entry = make_entry(source_url="https://alice:s3cret@private.example.com/feed.xml?token=x")
    data = render(make_document(entry))  # type: ignore[operator]
    assert b"s3cret" not in data and b"alice" not in data
    assert b"https://private.example.com/feed.xml?token=x" in data
