"""Batcher: items submitted while a call runs go together in the next call; failures stay with their items."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from aggregator.batching import Batcher


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool


class Recorder:
    """``many`` doubles each item; the first call waits for ``release`` so that others queue up behind it."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []
        self.release = threading.Event()

    def many(self, items: Sequence[int]) -> list[int]:
        self.calls.append(list(items))
        self.release.wait(5)
        if any(item < 0 for item in items):
            raise ValueError(f"negative item in {list(items)}")
        return [item * 2 for item in items]

    def one(self, item: int) -> int:
        if item < 0:
            raise ValueError(f"negative item {item}")
        return item * 2


async def _started(batcher: Batcher[int, int], items: Sequence[int]) -> list[asyncio.Task[int]]:
    tasks = [asyncio.create_task(batcher.submit(item)) for item in items]
    await asyncio.sleep(0.05)  # the first item's call is running; the rest queue behind it
    return tasks


def test_items_arriving_during_a_call_go_together(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(executor, recorder.many, max_batch=3)
        first = asyncio.create_task(batcher.submit(1))
        await asyncio.sleep(0.05)
        rest = await _started(batcher, [2, 3, 4, 5, 6])
        recorder.release.set()
        return [await task for task in [first, *rest]]

    assert asyncio.run(main()) == [2, 4, 6, 8, 10, 12]
    assert recorder.calls == [[1], [2, 3, 4], [5, 6]]  # max_batch bounds a call


def test_items_of_size_zero_do_not_count_against_max_batch(executor: ThreadPoolExecutor) -> None:
    """Even items are light (a result without entries): a call takes every one pending, and up to
    ``max_batch`` of the others; an item larger than ``max_batch`` still goes, alone."""
    recorder = Recorder()

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(
            executor, recorder.many, max_batch=2, size=lambda item: 5 if item == 9 else item % 2
        )
        first = asyncio.create_task(batcher.submit(1))
        await asyncio.sleep(0.05)
        rest = await _started(batcher, [2, 4, 3, 6, 5, 8, 7, 10, 9, 11])
        recorder.release.set()
        return [await task for task in [first, *rest]]

    assert asyncio.run(main()) == [2, 4, 8, 6, 12, 10, 16, 14, 20, 18, 22]
    assert recorder.calls == [[1], [2, 4, 3, 6, 5, 8], [7, 10], [9], [11]]


def test_enqueue_returns_the_future_at_once(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()
    recorder.release.set()

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(executor, recorder.many)
        futures = [batcher.enqueue(item) for item in (1, 2, 3)]
        assert not any(future.done() for future in futures)  # queued, not yet written
        return list(await asyncio.gather(*futures))

    assert asyncio.run(main()) == [2, 4, 6]
    assert recorder.calls == [[1, 2, 3]]


def test_a_failed_batch_is_retried_one_by_one(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()
    recorder.release.set()

    async def main() -> list[int | str]:
        batcher: Batcher[int, int] = Batcher(executor, recorder.many, one=recorder.one)
        tasks = [asyncio.create_task(batcher.submit(item)) for item in (1, -2, 3)]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return [r if isinstance(r, int) else str(r) for r in results]

    assert asyncio.run(main()) == [2, "negative item -2", 6]


def test_without_one_every_item_of_a_failed_batch_gets_the_error(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()
    recorder.release.set()

    async def main() -> list[BaseException | int]:
        batcher: Batcher[int, int] = Batcher(executor, recorder.many)
        tasks = [asyncio.create_task(batcher.submit(item)) for item in (1, -2, 3)]
        failed = await asyncio.gather(*tasks, return_exceptions=True)
        later = await batcher.submit(4)  # the batcher keeps working after a failure
        return [*failed, later]

    *failed, later = asyncio.run(main())
    assert [str(error) for error in failed] == ["negative item in [1, -2, 3]"] * 3
    assert later == 8


def test_a_cancelled_waiter_does_not_disturb_the_others(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(executor, recorder.many)
        tasks = await _started(batcher, [1, 2, 3])
        tasks[1].cancel()
        recorder.release.set()
        return [await task for task in (tasks[0], tasks[2])]

    assert asyncio.run(main()) == [2, 6]
    assert recorder.calls == [[1, 2, 3]]  # the cancelled item was already in the call: computed, then dropped


def test_max_batch_must_be_positive(executor: ThreadPoolExecutor) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        Batcher(executor, list, max_batch=0)


def test_a_call_waits_for_company_while_more_items_are_coming(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()
    recorder.release.set()

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(
            executor, recorder.many, min_batch=3, linger=30, coming=lambda: True
        )
        first = asyncio.create_task(batcher.submit(1))
        await asyncio.sleep(0.05)  # without the wait, item 1 would be in a call of its own by now
        rest = [asyncio.create_task(batcher.submit(item)) for item in (2, 3)]
        return [await task for task in (first, *rest)]

    assert asyncio.run(main()) == [2, 4, 6]
    assert recorder.calls == [[1, 2, 3]]


def test_a_call_stops_waiting_when_nothing_more_is_coming(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()
    recorder.release.set()
    coming = [True]

    async def main() -> int:
        batcher: Batcher[int, int] = Batcher(
            executor, recorder.many, min_batch=3, linger=30, coming=lambda: coming[0]
        )
        first = asyncio.create_task(batcher.submit(1))
        await asyncio.sleep(0.05)
        assert recorder.calls == []  # waiting: the others are still coming
        coming[0] = False
        batcher.nudge()
        return await asyncio.wait_for(first, 10)

    assert asyncio.run(main()) == 2
    assert recorder.calls == [[1]]


def test_the_wait_for_company_is_bounded_by_linger(executor: ThreadPoolExecutor) -> None:
    recorder = Recorder()
    recorder.release.set()

    async def main() -> int:
        batcher: Batcher[int, int] = Batcher(
            executor, recorder.many, min_batch=3, linger=0.05, coming=lambda: True
        )
        return await asyncio.wait_for(batcher.submit(1), 10)  # never gets company, goes alone

    assert asyncio.run(main()) == 2
    assert recorder.calls == [[1]]


def test_min_batch_must_be_within_max_batch(executor: ThreadPoolExecutor) -> None:
    with pytest.raises(ValueError, match="min_batch"):
        Batcher(executor, list, max_batch=4, min_batch=5)
