"""Group calls from many asyncio tasks into one call in a worker thread (group commit, batched reads).

A refresh has hundreds of sources in flight, each needing the database once or twice. One transaction per
source costs more than the rows it touches (a session, BEGIN, COMMIT, the statement's setup), and the database
thread is shared with everything else the daemon does. A :class:`Batcher` lets every task ask for its own
item while the items that arrive during one call queue up and go together in the next: under load a call
carries dozens of items, alone an item waits for nobody.

A writer can also ask a call to wait for company (``min_batch``, ``linger``, ``coming``): on SQLite a commit
rewrites every index page its rows touched, so two 100-row commits cost far more than one of 200 rows. It
waits only while the caller says more items are on their way, and never longer than ``linger``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class Batcher(Generic[In, Out]):
    """Runs ``many(items) -> results`` (one result per item, in order) on ``executor``, many items per call.

    If a call raises and ``one`` is given, the batch is retried item by item, so one bad item never takes the
    others down with it; without ``one``, every item of the batch gets the exception.

    ``size`` gives an item's share of ``max_batch`` (1 each by default). The writer gives a result without
    entries 0: writing a source's row and a log line costs little, and 500 of them in one call cost a
    fraction of eight calls of 64.
    """

    def __init__(
        self,
        executor: Executor,
        many: Callable[[Sequence[In]], Sequence[Out]],
        *,
        one: Callable[[In], Out] | None = None,
        max_batch: int = 64,
        min_batch: int = 1,
        linger: float = 0.0,
        coming: Callable[[], bool] | None = None,
        size: Callable[[In], int] | None = None,
    ) -> None:
        """``coming`` says whether more items are on their way; while it does, a call waits (at most
        ``linger`` seconds) until ``min_batch`` items are pending. Call :meth:`nudge` when it changes."""
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if not 1 <= min_batch <= max_batch:
            raise ValueError("min_batch must be between 1 and max_batch")
        self._executor = executor
        self._many = many
        self._one = one
        self._max_batch = max_batch
        self._min_batch = min_batch
        self._linger = linger
        self._coming = coming
        self._size = size
        self._pending: list[tuple[In, asyncio.Future[Out]]] = []
        self._flushing: asyncio.Task[None] | None = None
        self._arrived: asyncio.Event | None = None  # created in the loop that uses it

    async def submit(self, item: In) -> Out:
        return await self.enqueue(item)

    def enqueue(self, item: In) -> asyncio.Future[Out]:
        """Queue ``item`` and return the future of its result at once, for a caller with other work to do
        meanwhile; whoever holds the future must await it (or its exception goes unseen)."""
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self.nudge()
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return future

    def nudge(self) -> None:
        """Wake a call waiting for company: an item arrived, or ``coming`` may have changed."""
        if self._arrived is not None and not self._waiting_for_company():
            self._arrived.set()  # the wait is over: woken once, not on every arrival

    def _waiting_for_company(self) -> bool:
        return self._coming is not None and len(self._pending) < self._min_batch and self._coming()

    async def _wait_for_company(self) -> None:
        if self._coming is None or self._linger <= 0 or self._min_batch <= 1:
            return
        if self._arrived is None:
            self._arrived = asyncio.Event()
        try:
            async with asyncio.timeout(self._linger):
                while self._waiting_for_company():
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            return

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            await self._wait_for_company()
            end = self._batch_end()
            batch, self._pending = self._pending[:end], self._pending[end:]
            results: Sequence[Out | _Failed]
            try:
                results = await loop.run_in_executor(self._executor, self._many, [item for item, _ in batch])
            except Exception as error:
                if self._one is None:
                    results = [_Failed(error)] * len(batch)
                else:
                    results = [await self._run_one(self._one, item) for item, _ in batch]
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # its task was cancelled meanwhile
                    continue
                if isinstance(result, _Failed):
                    future.set_exception(result.error)
                else:
                    future.set_result(result)

    def _batch_end(self) -> int:
        """How many pending items the next call takes: up to ``max_batch`` of size, at least one item."""
        if self._size is None:
            return min(len(self._pending), self._max_batch)
        end = taken = 0
        for item, _ in self._pending:
            taken += self._size(item)
            if taken > self._max_batch and end:
                break
            end += 1
        return end

    async def _run_one(self, one: Callable[[In], Out], item: In) -> Out | _Failed:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, one, item)
        except Exception as error:
            return _Failed(error)


@dataclass(frozen=True, slots=True)
class _Failed:
    error: Exception
