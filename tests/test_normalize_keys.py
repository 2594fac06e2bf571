"""Stable entry keys and published ids (aggregator.normalize.keys)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from aggregator.models import ParsedEntry
from aggregator.normalize import assign_keys, entry_uid
from aggregator.normalize.keys import MAX_KEY_CHARS, is_base_key


def entry(
    guid: str | None = None,
    link: str | None = None,
    title: str | None = None,
    content: str | None = None,
    base: str | None = None,
    position: int = 0,
) -> ParsedEntry:
    return ParsedEntry(
        position=position, guid=guid, link=link, title=title, content_html=content, base_url=base
    )


def content_key(title: str, content: str) -> str:
    return "h:" + hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()[:32]


IFANR = "https://www.ifanr.com/1558705?utm_source=rss&utm_medium=rss&utm_campaign="
LONG_GUID = "tag:example.com,2024:" + "x" * 500

KEY_CASES: list[tuple[str, list[ParsedEntry], list[str]]] = [
    ("guid, stripped", [entry(guid=f"  {IFANR}\n")], [f"g:{IFANR}"]),
    (
        "guid wins over link",
        [entry(guid="ithome-757123", link="https://www.ithome.com/0/757/123.htm")],
        ["g:ithome-757123"],
    ),
    ("guid control characters removed", [entry(guid="id\x00-1\x1b")], ["g:id-1"]),
    (
        "link without scheme and tracking",
        [entry(link="https://www.ithome.com/0/750/123.htm?utm_source=rss#comments")],
        ["l://www.ithome.com/0/750/123.htm"],
    ),
    (
        "http and https give one key",
        [entry(link="HTTP://www.IThome.com/0/750/123.htm")],
        ["l://www.ithome.com/0/750/123.htm"],
    ),
    (
        "relative link against the base",
        [entry(link="/0/750/123.htm", base="https://www.ithome.com/rss/")],
        ["l://www.ithome.com/0/750/123.htm"],
    ),
    (
        "empty guid falls back to the link",
        [entry(guid="   ", link="https://36kr.com/p/123")],
        ["l://36kr.com/p/123"],
    ),
    (
        "javascript: link falls back to the hash",
        [entry(link="javascript:void(0)", title="快讯", content="<p>内容</p>")],
        [content_key("快讯", "<p>内容</p>")],
    ),
    (
        "nothing but title and content",
        [entry(title="超链接之死", content="超链接之死")],
        [content_key("超链接之死", "超链接之死")],
    ),
    ("nothing at all", [entry()], [content_key("", "")]),
    ("long guid hashed", [entry(guid=LONG_GUID)], ["g:" + hashlib.sha256(LONG_GUID.encode()).hexdigest()]),
    # duplicates in one document: told apart, in document order
    (
        "same guid, different links",
        [
            entry(guid="https://www.ithome.com/", link="https://www.ithome.com/0/1.htm"),
            entry(guid="https://www.ithome.com/", link="https://www.ithome.com/0/2.htm"),
        ],
        ["g:https://www.ithome.com/", "g:https://www.ithome.com/|l://www.ithome.com/0/2.htm"],
    ),
    (
        "same guid and link, different titles",
        [
            entry(guid="42", link="https://a.com/x", title="旧标题"),
            entry(guid="42", link="https://a.com/x", title="新标题"),
        ],
        ["g:42", "g:42|" + content_key("新标题", "")],
    ),
    (
        "exact copies numbered",
        [entry(guid="42", link="https://a.com/x", title="t")] * 3,
        ["g:42", "g:42#2", "g:42#3"],
    ),
    (
        "duplicates of duplicates",
        [
            entry(guid="42", link="https://a.com/1"),
            entry(guid="42", link="https://a.com/2"),
            entry(guid="42", link="https://a.com/1"),
            entry(guid="42", link="https://a.com/2"),
        ],
        ["g:42", "g:42|l://a.com/2", "g:42#2", "g:42#3"],
    ),
    (
        "same link without guid, different titles",
        [
            entry(link="https://www.example.com/", title="A"),
            entry(link="https://www.example.com/", title="B"),
        ],
        ["l://www.example.com/", "l://www.example.com/|" + content_key("B", "")],
    ),
    (
        "a guid that looks like a numbered key",
        [entry(guid="42#2"), entry(guid="42"), entry(guid="42")],
        ["g:42#2", "g:42", "g:42#3"],
    ),
    ("empty document", [], []),
]


@pytest.mark.parametrize(("name", "entries", "expected"), KEY_CASES, ids=[c[0] for c in KEY_CASES])
def test_assign_keys(name: str, entries: list[ParsedEntry], expected: list[str]) -> None:
    keys = assign_keys(entries)
    assert keys == expected
    assert len(set(keys)) == len(keys)
    assert all(len(k) <= MAX_KEY_CHARS + len("#99") for k in keys)


def known_bases(before: list[ParsedEntry], keys: list[str], now: list[ParsedEntry]) -> list[str | None]:
    """What processing passes: for each entry, the key its same raw material got before, if a base key."""
    material = [(e.guid, e.link, e.base_url, e.title, e.content_html) for e in before]
    stored = {m: k for m, k in zip(material, keys, strict=True) if is_base_key(k)}
    return [stored.get((e.guid, e.link, e.base_url, e.title, e.content_html)) for e in now]


@pytest.mark.parametrize(("name", "entries", "expected"), KEY_CASES, ids=[c[0] for c in KEY_CASES])
def test_known_base_keys_give_the_same_keys(
    name: str, entries: list[ParsedEntry], expected: list[str]
) -> None:
    # The same document again, reversed, and with a newcomer sharing the first entry's GUID and link on top:
    # base keys known from the first document change no key.
    newcomer = [replace(entries[0], title="newcomer", content_html="<p>new</p>")] if entries else []
    for now in (entries, entries[::-1], newcomer + entries, entries + newcomer):
        assert assign_keys(now, known_bases(entries, expected, now)) == assign_keys(now), name


class Unread:
    """Key material that must not be read."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"{name} was read")


def test_an_entry_whose_base_key_is_known_is_not_read() -> None:
    entries = [entry(guid="new", link="https://a.com/new"), Unread(), Unread()]
    assert assign_keys(entries, [None, "g:a", "l://a.com/b"]) == ["g:new", "g:a", "l://a.com/b"]  # type: ignore[list-item]


def test_an_entry_sharing_a_known_base_key_is_read() -> None:
    known = entry(guid="a", link="https://a.com/1")
    newcomer = entry(guid="a", link="https://a.com/0")
    assert assign_keys([newcomer, known], [None, "g:a"]) == ["g:a", "g:a|l://a.com/1"]


@pytest.mark.parametrize(
    ("key", "base"),
    [
        ("g:42", True),
        ("l://www.ithome.com/0/750/123.htm", True),
        ("h:" + "0" * 32, True),
        ("g:42#2", False),
        ("g:42|l://a.com/2", False),
        ("l://www.example.com/|h:" + "0" * 32, False),
        ("g:" + hashlib.sha256(b"told apart, then too long").hexdigest(), False),
        ("l://example.com/#!/post/1", False),  # a base key, but "#": read again, only slower
    ],
)
def test_is_base_key(key: str, base: bool) -> None:
    assert is_base_key(key) is base


def test_keys_do_not_depend_on_position_or_fetch() -> None:
    entries = [entry(guid="a", position=0), entry(link="https://a.com/b", position=1)]
    moved = [entry(guid="a", position=7), entry(link="https://a.com/b", position=3)]
    assert assign_keys(entries) == assign_keys(moved) == assign_keys(list(entries))


def test_a_long_link_is_hashed() -> None:
    link = "https://example.com/" + "路" * 500
    (key,) = assign_keys([entry(link=link)])
    assert key == "l:" + hashlib.sha256(f"//example.com/{'路' * 500}".encode()).hexdigest()


@pytest.mark.parametrize(
    ("source", "key", "expected"),
    [
        # pinned: a published id must never change
        ("ithome", "g:https://www.ithome.com/0/750/123.htm", "8a5da192-e876-5df7-a6a0-8471a5ef88fc"),
        ("portal-articles", "l://www.ifanr.com/1558705", "908d6b05-f109-5451-bab1-005eb381bf24"),
    ],
)
def test_entry_uid(source: str, key: str, expected: str) -> None:
    assert entry_uid(source, key) == expected
    assert len(entry_uid(source, key)) == 36


def test_entry_uid_depends_on_source_and_key() -> None:
    assert entry_uid("a", "g:1") != entry_uid("b", "g:1")
    assert entry_uid("a", "g:1") != entry_uid("a", "g:2")
