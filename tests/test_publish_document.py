"""The document every renderer works from (``publish.document.prepare``): what it keeps out of feeds."""

from __future__ import annotations

import pytest

from aggregator.publish import render_atom, render_json, render_rss
from tests.support.publish_samples import make_document, make_entry


@pytest.mark.parametrize("render", [render_rss, render_atom, render_json], ids=["rss", "atom", "json"])
def test_a_source_urls_credentials_are_not_published(render: object) -> None:
    """A private feed configured as https://user:password@host/feed is credited by its address alone."""
    entry = make_entry(source_url="https://alice:s3cret@private.example.com/feed.xml?id=7")
    data = render(make_document(entry))  # type: ignore[operator]
    assert b"s3cret" not in data and b"alice" not in data
    assert b"https://private.example.com/feed.xml?id=7" in data


@pytest.mark.parametrize("render", [render_rss, render_atom, render_json], ids=["rss", "atom", "json"])
@pytest.mark.parametrize(
    ("configured", "published"),
    [
        ("https://feeds.example.com/rss?token=s3cret&lang=zh", b"https://feeds.example.com/rss?lang=zh"),
        ("https://feeds.example.com/u/42.xml?API-Key=s3cret", b"https://feeds.example.com/u/42.xml"),
        (
            "https://rsshub.example.com/github/issue/a/b?key=s3cret&limit=5",
            b"rsshub.example.com/github/issue/a/b?limit=5",
        ),
    ],
)
def test_secret_query_parameters_are_not_published(render: object, configured: str, published: bytes) -> None:
    """Private feed URLs carry the subscriber's token in the query: the published address leaves it out."""
    data = render(make_document(make_entry(source_url=configured)))  # type: ignore[operator]
    assert b"s3cret" not in data
    assert published in data.replace(b"&amp;", b"&")
