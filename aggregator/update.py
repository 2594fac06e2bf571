"""Orchestration of a refresh: claim due sources -> fetch -> process (parse, normalize) -> store.

This module holds no rules of its own: fetching limits live in :mod:`aggregator.sources`, what is new or
changed in :mod:`aggregator.processing`, when to check next in :mod:`aggregator.schedule`, silent breakage
and adaptive polling in :mod:`aggregator.health`, persistence in :mod:`aggregator.store`. It runs them in
order, concurrently across sources:

* sources are claimed in the database first, so two processes never refresh one source at once;
* fetches are asyncio tasks, bounded by the fetcher's global and per-host limits;
* parsing and normalizing is CPU work: in a thread for small runs, spread over a process pool for large ones;
* database writes go through one thread, in group commits: one transaction takes the source results that
  arrived while the previous one was being written (and, while more are on their way, waits a moment for
  half a ``scheduler.concurrency`` of them), each result whole, so a crash loses nothing that was committed
  and never leaves a half-written source; the stored hashes each fetched document is compared with are read
  the same way, many sources per query (:mod:`aggregator.batching`);
* at most ``scheduler.concurrency`` sources are between "fetch started" and "saved", which bounds the
  documents and results held in memory; a result without entries (a 304, an error) frees its slot as soon
  as it is queued for the writer, and the refresh returns once it is stored.

A failing source is a normal outcome: it becomes a :class:`SourceResult` with the error, recorded on the
source and retried with backoff; it never stops the other sources. Failures to reach a host at all
(connection refused, DNS, timeouts) are held until the cycle ends: if no server answered anything recently,
the network is down, and those failures are not counted against each source.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import ParamSpec, TypeVar

from aggregator.batching import Batcher
from aggregator.clock import ms_since
from aggregator.config import Config, SourceConfig
from aggregator.errors import FetchError, ParseError
from aggregator.health import adaptive_interval_seconds, cadence_seconds, keys_changed_reason, stale_reason
from aggregator.models import (
    FetchStatus,
    NormalizedEntry,
    RefreshOutcome,
    SourceKind,
    SourceResult,
    SourceState,
)
from aggregator.normalize import NormalizeSettings
from aggregator.processing import Processed, ProcessJob, SourceRules, process_document
from aggregator.schedule import SchedulePolicy, next_check_after_error, next_check_after_success
from aggregator.sources.files import read_article_folder, read_feed_file
from aggregator.sources.http import DEFAULT_USER_AGENT, HttpFetcher, HttpOptions
from aggregator.sources.retry import freshness_seconds
from aggregator.store import Store
from aggregator.store.entries import SaveCounts
from aggregator.streak import FailureStreak

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# Below this many sources in one run, a process pool costs more to start than it saves.
PROCESS_POOL_MIN_SOURCES = 12
# Failures to connect count against a source only if some server answered us this recently.
NETWORK_EVIDENCE = timedelta(minutes=10)
UNREACHABLE_KINDS = frozenset({"network", "timeout"})
# How long a claim holds beyond the slowest allowed fetch, for parsing and storing.
CLAIM_MARGIN = timedelta(minutes=10)
# Group commits: while more results are on their way, a commit waits up to WRITE_LINGER_SECONDS for this
# share of ``scheduler.concurrency`` results. Measured on the benchmark's refreshes (SQLite, 500 sources):
# commits of ~8 sources rather than ~2 took a sixth off the database thread's CPU (fewer rewrites of the
# same index pages, fewer checkpoints); half the slots leaves the other half fetching and processing.
WRITE_BATCH_SHARE = 0.5
WRITE_LINGER_SECONDS = 0.5


_SaveItem = tuple[RefreshOutcome, str, Sequence[NormalizedEntry]]


def _has_entries(item: _SaveItem) -> bool:
    """Whether saving ``item`` writes entries; without, it is a source row and a log line."""
    return bool(item[2])


_Known = tuple[dict[str, str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Fetched:
    """What the transport part of a refresh produced, before processing."""

    job: ProcessJob | None  # None: not modified
    http_status: int | None
    bytes: int
    etag: str | None
    last_modified: str | None
    moved_to: str | None
    freshness_seconds: float | None
    rules_fingerprint: str | None = None  # of the rules that processed ``job``
    rules_changed: bool = False  # since the stored document was read: ``job`` is the whole document again


@dataclass(frozen=True, slots=True)
class _Unreachable:
    """A failure to reach the host, recorded once the cycle knows whether the network itself is down."""

    state: SourceState
    started: datetime
    clock_start: float
    interval: float
    error: FetchError


def schedule_policy(config: Config) -> SchedulePolicy:
    scheduler = config.scheduler
    return SchedulePolicy(
        min_interval_seconds=scheduler.min_interval.total_seconds(),
        max_interval_seconds=scheduler.max_interval.total_seconds(),
        max_backoff_seconds=scheduler.max_backoff.total_seconds(),
    )


def source_rules(config: Config, source: SourceConfig) -> SourceRules:
    settings = NormalizeSettings(
        source_name=source.name,
        timezone=source.timezone or config.defaults.timezone,
        categories=tuple(source.categories),
        aliases=config.category_aliases,
        language=source.language,
        max_future_seconds=config.defaults.max_future.total_seconds(),
    )
    return SourceRules(
        settings=settings, include=source.include, exclude=source.exclude, encoding=source.encoding
    )


async def read_local(
    kind: SourceKind, path: Path, rules: SourceRules, now: datetime, validator: str | None
) -> tuple[str, ProcessJob | None, int]:
    """(new validator, job or None when unchanged since ``validator``, bytes read) of a file or folder."""
    if kind is SourceKind.FOLDER:
        stamp, feed = await asyncio.to_thread(read_article_folder, path, validator)
        return stamp, ProcessJob(rules=rules, now=now, feed=feed) if feed is not None else None, 0
    stamp, body = await asyncio.to_thread(read_feed_file, path, validator)
    if body is None:
        return stamp, None, 0
    # No document URL: a file:// base would turn relative links into local paths; the entry's and the feed's
    # own links are the right bases for a feed saved from a website.
    return stamp, ProcessJob(rules=rules, now=now, body=body), len(body)


def http_options(config: Config, source: SourceConfig) -> HttpOptions:
    defaults = config.defaults
    return HttpOptions(
        timeout_seconds=(source.timeout or defaults.timeout).total_seconds(),
        connect_timeout_seconds=defaults.connect_timeout.total_seconds(),
        max_body_bytes=defaults.max_body_size,
        user_agent=source.user_agent or defaults.user_agent or DEFAULT_USER_AGENT,
        headers=dict(source.headers),
        proxy=source.proxy,
        discover=source.discover,
    )


def make_process_pool(workers: int | None = None) -> ProcessPoolExecutor:
    # forkserver: forking a process that runs threads (the event loop's, the database thread) is unsafe.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Workers fork from a server that has already imported the pipeline (and frozen those objects out
        # of the collector, see worker_preload): they start at once and share those pages with it instead
        # of each importing feedparser, lxml and nh3 again.
        context.set_forkserver_preload(["aggregator.worker_preload"])
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context)


class Refresher:
    """Refreshes sources of one configuration into one store. Create it once; call :meth:`refresh` often."""

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        clock: Callable[[], datetime],
        fetcher: HttpFetcher | None = None,
        process_pool: Executor | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.policy = schedule_policy(config)
        self._fetcher = fetcher or HttpFetcher(
            concurrency=config.scheduler.concurrency, per_host=config.scheduler.per_host
        )
        self._owns_fetcher = fetcher is None
        self._process_pool = process_pool
        self._jitter = jitter
        # Per source: (its configuration, its rules, their fingerprint, its HTTP options), made once per
        # configuration object.
        self._rules: dict[str, tuple[SourceConfig, SourceRules, str, HttpOptions]] = {}
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aggregator-db")
        # Ids of the sources of running refreshes whose result the writer has not been given yet (claims
        # keep a source in one refresh at a time).
        self._coming: set[int] = set()
        # Group commits: a transaction takes the results that arrived while the previous one was written
        # (waiting for company while more are coming, see WRITE_BATCH_SHARE), each source whole; if it
        # fails, its sources are saved one by one.
        self._writer: Batcher[_SaveItem, SaveCounts] = Batcher(
            self._db,
            store.save_refreshes,
            one=lambda item: store.save_refresh(*item),
            max_batch=64,
            min_batch=max(1, min(64, round(config.scheduler.concurrency * WRITE_BATCH_SHARE))),
            linger=WRITE_LINGER_SECONDS,
            coming=lambda: bool(self._coming),
            size=lambda item: 1 if _has_entries(item) else 0,
        )
        # What each fetched source has stored is read on a thread of its own: on the writer's thread a
        # lookup waited for the commit in progress, and the process pool for the lookup. Reads need no
        # lock (SQLite's WAL, PostgreSQL's MVCC), and the save re-reads what it relies on in its own
        # transaction.
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aggregator-db-read")
        self._known: Batcher[int, _Known] = Batcher(self._reads, store.known_raw_hashes, max_batch=256)
        self._own_pool: ProcessPoolExecutor | None = None
        self._own_pool_start: asyncio.Future[None] | None = None
        # source id -> (its last_new_entry_at when computed, its cadence): see _cadence.
        self._cadences: dict[int, tuple[datetime | None, float | None]] = {}
        self._owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        slowest = max(
            [(s.timeout or config.defaults.timeout) for s in config.sources] + [config.defaults.timeout]
        )
        self._lease = slowest + CLAIM_MARGIN
        self._server_answered_at: datetime | None = None
        # With the network down, every tick finds sources unreachable: told once per outage, not per tick.
        self._network_down = FailureStreak(
            "network", log, level=logging.WARNING, clock=lambda: self.clock().timestamp()
        )

    async def aclose(self) -> None:
        if self._owns_fetcher:
            await self._fetcher.aclose()
        if self._own_pool is not None:
            self._own_pool.shutdown(wait=True, cancel_futures=True)
            self._own_pool = None
        if self._own_pool_start is not None:
            await self._own_pool_start
            self._own_pool_start = None
        self._db.shutdown(wait=True)
        self._reads.shutdown(wait=True)

    async def __aenter__(self) -> Refresher:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def _in_db(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, lambda: func(*args, **kwargs))

    async def sync_sources(self) -> None:
        """Make the database's sources match the configuration; take back claims of dead processes."""
        await self._release_dead_claims()
        report = await self._in_db(self.store.sync_sources, self.config.sources, self.clock())
        for name in report.added:
            log.info("source=%s added", name)
        for name in report.changed:
            log.info("source=%s configuration changed", name)
        for name in report.disabled:
            log.info("source=%s disabled (no longer in the configuration; its entries are kept)", name)

    def _pool_for(self, sources: int) -> Executor | None:
        """The process pool for a run of this many sources, or None where a thread is cheaper.

        Our own pool is created on the first large run and kept until aclose(); its workers are started
        by :meth:`_process` when the first document needs them.
        """
        if self._process_pool is not None or sources < PROCESS_POOL_MIN_SOURCES or (os.cpu_count() or 1) < 2:
            return self._process_pool
        if self._own_pool is None:
            self._own_pool = make_process_pool()
        return self._own_pool

    async def _release_dead_claims(self) -> None:
        """A process killed mid-refresh (SIGKILL, power loss) leaves claims; on this host we can tell it died.

        Claims of other hosts are left to expire on their own (after the lease).
        """
        host = socket.gethostname()[:60]
        for owner in await self._in_db(self.store.claim_owners):
            owner_host, _, rest = owner.partition(":")
            pid_text = rest.partition(":")[0]
            if owner_host != host or not pid_text.isdigit() or _alive(int(pid_text)):
                continue
            released = await self._in_db(self.store.release_claims, owner)
            log.info("released %d sources claimed by a process that is gone (%s)", released, owner)

    async def refresh(
        self,
        names: Sequence[str] | None = None,
        *,
        due_only: bool = False,
        on_start: Callable[[int], None] | None = None,
        on_result: Callable[[SourceResult], None] | None = None,
    ) -> list[SourceResult]:
        """Refresh the enabled sources (all, the named ones, or only the due ones) once; one result each.

        Sources another process is refreshing right now are left to it. If this call is cancelled (at
        shutdown), results already stored stay, and unfinished sources are released to be due again.
        """
        configured = {source.name for source in self.config.sources}
        claimed = await self._in_db(
            self.store.claim_sources,
            self.clock(),
            names,
            due_only=due_only,
            owner=self._owner,
            lease=self._lease,
        )
        if claimed.held_elsewhere:
            log.info(
                "%d sources are being refreshed by another process right now: left to it",
                claimed.held_elsewhere,
            )
        targets = [t for t in claimed.sources if t.name in configured]
        if on_start:
            on_start(len(targets))
        pool = self._pool_for(len(targets))
        results: list[SourceResult] = []
        unreachable: list[_Unreachable] = []
        # Saves of results without entries, which their worker did not wait for (see _refresh_one).
        unsaved: list[asyncio.Future[SaveCounts]] = []
        queue = iter(targets)

        async def work() -> None:
            for state in queue:  # shared: each source is taken by the first free worker, in claim order
                outcome = await self._refresh_each(state, pool, unsaved)
                if isinstance(outcome, _Unreachable):
                    unreachable.append(outcome)
                    continue
                results.append(outcome)
                if on_result:
                    on_result(outcome)

        self._coming.update(state.id for state in targets)
        try:
            # ``scheduler.concurrency`` workers, each taking one source from "fetch started" to "saved":
            # that bounds the documents and results held in memory (otherwise every fetched body would
            # wait in the process pool's unbounded queue), without a task per source.
            workers = min(self.config.scheduler.concurrency, len(targets))
            tasks = [asyncio.create_task(work()) for _ in range(workers)]
            try:
                await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
            network_up = self._network_up()
            if unreachable and not network_up:
                minutes = NETWORK_EVIDENCE.total_seconds() // 60
                self._network_down.failed(
                    f"no server answered in the last {minutes:.0f} minutes: the network looks down; failures "
                    "to reach a source are not counted against it, and are logged at DEBUG until one answers"
                )
            elif network_up:
                self._network_down.succeeded()
            for failure in unreachable:
                result = await self._record_failure(
                    failure.state,
                    failure.started,
                    failure.clock_start,
                    failure.interval,
                    failure.error,
                    count_error=network_up,
                    unsaved=unsaved,
                )
                _log_result(result, quiet=not network_up)
                results.append(result)
                if on_result:
                    on_result(result)
            await asyncio.gather(*unsaved)  # stored when refresh returns; a failed save raises here
        finally:
            self._coming.difference_update(state.id for state in targets)  # tasks cancelled before starting
            self._writer.nudge()
            if unsaved:  # stored (or failed) before the claims are released; every failure retrieved
                await asyncio.shield(asyncio.gather(*unsaved, return_exceptions=True))
            await asyncio.shield(self._in_db(self.store.release_claims, self._owner))
        order = {source.name: i for i, source in enumerate(self.config.sources)}
        return sorted(results, key=lambda r: order[r.source])

    def _network_up(self) -> bool:
        answered = self._server_answered_at
        return answered is not None and self.clock() - answered <= NETWORK_EVIDENCE

    async def _refresh_each(
        self, state: SourceState, pool: Executor | None, unsaved: list[asyncio.Future[SaveCounts]]
    ) -> SourceResult | _Unreachable:
        try:
            return await self._refresh_one(state, pool, unsaved)
        finally:
            if state.id in self._coming:  # unreachable, or cancelled: no result is coming from this one
                self._coming.discard(state.id)
                self._writer.nudge()

    def _save_soon(self, item: _SaveItem) -> asyncio.Future[SaveCounts]:
        # No await between the two: the writer learns at once that this result is no longer coming and
        # that it is pending.
        self._coming.discard(item[0].source_id)
        return self._writer.enqueue(item)

    async def _save_or_defer(self, item: _SaveItem, unsaved: list[asyncio.Future[SaveCounts]]) -> SaveCounts:
        """Save ``item``; one without entries is only queued, its future added to ``unsaved``.

        Its counts are known without the database (nothing new, nothing updated), so the worker goes on to
        its next source instead of idling until the group commit: on an all-304 poll every worker waited for
        every commit, and fetching stopped while the database wrote (a fifth of the poll's time with 32
        sources in flight). Results with entries are still waited for: that bounds the entries held in
        memory to one source's per worker.
        """
        if _has_entries(item):
            return await self._save_soon(item)
        unsaved.append(self._save_soon(item))
        return SaveCounts()

    async def _refresh_one(
        self, state: SourceState, pool: Executor | None, unsaved: list[asyncio.Future[SaveCounts]]
    ) -> SourceResult | _Unreachable:
        source = self.config.source(state.name)
        started = self.clock()
        clock_start = time.perf_counter()
        interval = (source.interval or self.config.defaults.interval).total_seconds()
        try:
            fetched = await self._fetch(state, source)
            processed: Processed | None = None
            known: dict[str, str] = {}
            left_feed: tuple[str, ...] = ()
            if fetched.job is not None:
                known, buried = await self._known.submit(state.id)
                job = replace(fetched.job, known=known, buried=buried, now=started)
                processed = await self._process(job, pool)
                if processed.seen:  # an empty document is a glitch more often than a feed's end
                    left_feed = tuple(sorted(buried - processed.buried_seen))
            new = sum(1 for e in processed.entries if e.key not in known) if processed else 0
            interval, stale = await self._assess(state, source, started, interval, processed, new, len(known))
            ttl = processed.ttl_seconds if processed and processed.ttl_seconds else state.feed_ttl_seconds
            outcome = RefreshOutcome(
                source_id=state.id,
                started_at=started,
                status=FetchStatus.OK if processed else FetchStatus.NOT_MODIFIED,
                next_check_at=next_check_after_success(
                    started,
                    interval,
                    self.policy,
                    feed_ttl_seconds=ttl,
                    freshness_seconds=fetched.freshness_seconds,
                ),
                duration_ms=ms_since(clock_start),
                bytes=fetched.bytes,
                http_status=fetched.http_status,
                filtered=processed.filtered if processed else 0,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                rules_fingerprint=fetched.rules_fingerprint if processed else None,
                rules_changed=fetched.rules_changed,
                obsolete_tombstones=left_feed,
                document_hash=processed.document_hash if processed else None,
                moved_to=fetched.moved_to,
                title=processed.title if processed else None,
                site_link=processed.link if processed else None,
                language=processed.language if processed else None,
                feed_ttl_seconds=processed.ttl_seconds if processed else None,
                warnings=processed.warnings if processed else (),
                stale_reason=stale,
            )
            counts = await self._save_or_defer(
                (outcome, state.name, processed.entries if processed else ()), unsaved
            )
            result = SourceResult(
                source=state.name,
                status=outcome.status,
                new=counts.new,
                updated=counts.updated,
                unchanged=(processed.unchanged + counts.rehashed) if processed else 0,
                filtered=outcome.filtered,
                duration_ms=ms_since(clock_start),
                bytes=fetched.bytes,
                http_status=fetched.http_status,
                warnings=outcome.warnings,
                next_check_at=outcome.next_check_at,
                moved_to=fetched.moved_to,
                stale_reason=stale,
            )
        except FetchError as error:
            if error.kind in UNREACHABLE_KINDS and state.kind is SourceKind.HTTP:
                return _Unreachable(state, started, clock_start, interval, error)
            if error.status is not None:
                self._server_answered_at = self.clock()
            result = await self._record_failure(state, started, clock_start, interval, error, unsaved=unsaved)
        except ParseError as error:
            result = await self._record_failure(state, started, clock_start, interval, error, unsaved=unsaved)
        _log_result(result)
        return result

    async def _assess(
        self,
        state: SourceState,
        source: SourceConfig,
        now: datetime,
        interval: float,
        processed: Processed | None,
        new: int,
        stored: int,
    ) -> tuple[float, str | None]:
        """(the polling interval to use, why the source looks silently broken or None)."""
        if processed is not None:
            changed_keys = keys_changed_reason(processed.seen, new, stored)
            if changed_keys:
                return interval, changed_keys
        long_silent = new == 0 and (
            state.last_new_entry_at is None or (now - state.last_new_entry_at).total_seconds() > 86400
        )
        if source.adaptive:
            week, recent = await self._in_db(self.store.source_activity, state.id, now)
            interval = adaptive_interval_seconds(week + new, self.policy)
            cadence = cadence_seconds(recent)
        elif long_silent and state.last_new_entry_at is not None:
            cadence = await self._cadence(state, now)
        else:
            return interval, None  # never had a new entry: no cadence to fall behind
        reason = None
        if new == 0:
            factor = self.config.scheduler.stale_factor
            reason = stale_reason(now, state.last_new_entry_at, cadence, factor)
        return interval, reason

    async def _cadence(self, state: SourceState, now: datetime) -> float | None:
        """The source's usual time between entries, read once per new entry rather than on every poll.

        The newest publication times it comes from change only when new entries arrive, and that moves
        ``last_new_entry_at``: a quiet source answering 304 for days no longer costs a query each time.
        """
        cached = self._cadences.get(state.id)
        if cached is not None and cached[0] == state.last_new_entry_at:
            return cached[1]
        _, recent = await self._in_db(self.store.source_activity, state.id, now)
        cadence = cadence_seconds(recent)
        self._cadences[state.id] = (state.last_new_entry_at, cadence)
        return cadence

    def _rules_of(self, source: SourceConfig) -> tuple[SourceRules, str, HttpOptions]:
        cached = self._rules.get(source.name)
        if cached is None or cached[0] is not source:
            rules = source_rules(self.config, source)
            options = http_options(self.config, source)
            cached = self._rules[source.name] = (source, rules, rules.fingerprint(), options)
        return cached[1], cached[2], cached[3]

    async def _fetch(self, state: SourceState, source: SourceConfig) -> _Fetched:
        rules, fingerprint, options = self._rules_of(source)
        # Rules changed since the stored document was read (configuration, normalizer version): read the
        # current one whole, not only what changed since.
        changed_rules = state.rules_fingerprint != fingerprint
        reread = changed_rules and state.last_success_at is not None
        if reread:
            log.info(
                "source=%s its rules changed since its document was read (configuration or aggregator "
                "version): reading it again whole",
                state.name,
            )
        validator = None if changed_rules else state.etag
        if state.kind is SourceKind.HTTP:
            doc = await self._fetcher.fetch(
                state.location,
                options,
                etag=validator,
                last_modified=None if changed_rules else state.last_modified,
            )
            self._server_answered_at = self.clock()
            job = None
            body = doc.body
            # The last document gave nothing to store and the server sent one again whole (it sends no
            # validators, or ignores them): the same bytes are not modified either.
            known_hash = None if changed_rules else state.document_hash
            if body is not None and known_hash is not None and hashlib.sha256(body).hexdigest() == known_hash:
                body = None
            if body is not None:
                url = doc.final_url or state.location
                job = ProcessJob(rules=rules, now=self.clock(), body=body, headers=doc.headers, url=url)
            return _Fetched(
                job=job,
                http_status=doc.status,
                bytes=len(doc.body or b""),
                etag=doc.etag,
                last_modified=doc.last_modified,
                moved_to=doc.permanent_url,
                freshness_seconds=freshness_seconds(doc.headers, self.clock()),
                rules_fingerprint=fingerprint,
                rules_changed=reread,
            )
        validator, job, size = await read_local(
            state.kind, Path(state.location), rules, self.clock(), validator
        )
        return _Fetched(
            job=job,
            http_status=None,
            bytes=size,
            etag=validator,
            last_modified=None,
            moved_to=None,
            freshness_seconds=None,
            rules_fingerprint=fingerprint,
            rules_changed=reread,
        )

    async def _process(self, job: ProcessJob, pool: Executor | None) -> Processed:
        if pool is None:
            return await asyncio.to_thread(process_document, job)
        if pool is self._own_pool:
            await self._own_pool_started()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, process_document, job)

    async def _own_pool_started(self) -> None:
        """Wait until our pool's workers are up; the first call starts them, from a thread.

        Starting a worker blocks whoever submits the first job until the fork server has imported the
        pipeline (0.15-0.25 s): on the event loop, that stalled every fetch. Documents wait here instead
        (at most ``concurrency`` of them) while fetching goes on; processing them in threads meanwhile
        grew the main process by 11 MB.
        """
        if self._own_pool_start is None:
            assert self._own_pool is not None
            loop = asyncio.get_running_loop()
            workers = os.cpu_count() or 1
            self._own_pool_start = loop.run_in_executor(None, _start_workers, self._own_pool, workers)
        if not self._own_pool_start.done():
            await asyncio.shield(self._own_pool_start)  # a cancelled refresh must not cancel the start

    async def _record_failure(
        self,
        state: SourceState,
        started: datetime,
        clock_start: float,
        interval: float,
        error: Exception,
        *,
        count_error: bool = True,
        unsaved: list[asyncio.Future[SaveCounts]],
    ) -> SourceResult:
        kind = getattr(error, "kind", "parse")
        status = FetchStatus.GONE if kind == "gone" else FetchStatus.ERROR
        retry_after = getattr(error, "retry_after_seconds", None)
        http_status = getattr(error, "status", None)
        errors_in_row = state.consecutive_errors + (1 if count_error else 0)
        next_check = None
        if status is FetchStatus.ERROR:
            next_check = next_check_after_error(
                started,
                max(errors_in_row, 1),
                interval,
                self.policy,
                jitter=self._jitter(),
                retry_after_seconds=retry_after,
            )
        outcome = RefreshOutcome(
            source_id=state.id,
            started_at=started,
            status=status,
            next_check_at=next_check,
            duration_ms=ms_since(clock_start),
            http_status=http_status,
            error=str(error),
            error_kind=kind,
            count_error=count_error,
        )
        await self._save_or_defer((outcome, state.name, ()), unsaved)
        return SourceResult(
            source=state.name,
            status=status,
            duration_ms=outcome.duration_ms,
            http_status=http_status,
            error=str(error),
            error_kind=kind,
            next_check_at=next_check,
        )


def _start_workers(pool: ProcessPoolExecutor, workers: int) -> None:
    """Have every worker of ``pool`` started (each no-op job spawns one while none is idle)."""
    try:
        for future in [pool.submit(os.getpid) for _ in range(workers)]:
            future.result()
    except (CancelledError, RuntimeError):
        return  # the pool was shut down meanwhile (aclose)
    except Exception as e:  # a broken pool shows again, with its cause, on the first real job
        log.warning("could not start the process pool's workers: %s", e)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _log_result(result: SourceResult, *, quiet: bool = False) -> None:
    """One line per source refreshed; ``quiet``: a failure the network's outage explains goes to DEBUG."""
    if result.status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED):
        log.info(
            "source=%s status=%s new=%d updated=%d unchanged=%d filtered=%d ms=%d%s",
            result.source,
            result.status.value,
            result.new,
            result.updated,
            result.unchanged,
            result.filtered,
            result.duration_ms,
            f" moved_to={result.moved_to}" if result.moved_to else "",
        )
        for warning in result.warnings:
            log.warning("source=%s warning: %s", result.source, warning)
        if result.stale_reason:
            log.warning("source=%s stale: %s", result.source, result.stale_reason)
    else:
        log.log(
            logging.DEBUG if quiet else logging.WARNING,
            "source=%s status=%s kind=%s ms=%d error=%s",
            result.source,
            result.status.value,
            result.error_kind,
            result.duration_ms,
            result.error,
        )
