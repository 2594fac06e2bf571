"""Freezing the daemon's start-up objects out of the garbage collector."""

from __future__ import annotations

import gc
import weakref

from aggregator.heap import freeze_long_lived_objects


class Node:
    other: Node | None = None


def test_garbage_is_collected_and_the_survivors_frozen() -> None:
    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle: only the collector can free it
    cycle = weakref.ref(first)
    del first, second
    alive = Node()
    try:
        freeze_long_lived_objects()
        assert cycle() is None  # collected, not frozen forever
        assert gc.get_freeze_count() > 0
        # Frozen objects are out of every generation a collection walks.
        assert not any(o is alive for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(o is alive for o in gc.get_objects())
