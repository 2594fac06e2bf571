"""The daemon (``aggregator run``): scheduled refreshes, republishing, retention, HTTP, reload, shutdown.

One asyncio loop runs an APScheduler 3.x scheduler and the uvicorn server. The scheduler's jobs are thin
triggers ("refresh what is due", "prune", "look at the config file"); every piece of per-source state lives in
the database, so a restart resumes from the stored next-check times and forgets nothing.

* refresh: every ``scheduler.tick``, the sources whose next check has passed are refreshed; right after a
  cycle that stored new or updated entries, the published feeds are re-rendered (only those whose
  selection changed are rewritten) and the WebSub hub is pinged for them.
* retention: every ``retention.every``, old entries are pruned (tombstones keep them from coming back).
* reload: on SIGHUP, or when the configuration file changes, the new file is validated; if valid it
  replaces the running configuration (sources synced, feeds re-rendered), otherwise its errors are logged
  with file:line and the daemon keeps running on the old one.
* shutdown: on SIGTERM/SIGINT no new work starts, the refresh in flight may finish within
  ``scheduler.shutdown_timeout`` (then it is cancelled; whatever it committed stays), the HTTP server stops,
  the engine is disposed, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from aggregator.clock import utc_now
from aggregator.config import Config, LoadedConfig, load_config
from aggregator.errors import AggregatorError, ConfigError
from aggregator.heap import freeze_long_lived_objects
from aggregator.metrics import Metrics
from aggregator.models import SourceResult
from aggregator.publish.publisher import Publisher, PublishResult
from aggregator.publish.websub import ping_hub
from aggregator.retention import apply_retention
from aggregator.store import Store
from aggregator.streak import FailureStreak
from aggregator.update import Refresher
from aggregator.web import create_app
from aggregator.web.ops import CountRequests, Readiness, ops_routes

log = logging.getLogger(__name__)

CONFIG_WATCH_SECONDS = 2.0
PERIODIC_PUBLISH_SECONDS = 300.0  # max_age filters change with time alone


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the daemon owns SIGTERM, SIGINT and SIGHUP."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        return None


class _SwappableApp:
    """The ASGI app uvicorn serves; a reload swaps what it delegates to without restarting the server."""

    def __init__(self, app: Starlette) -> None:
        self.current = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.current(scope, receive, send)


@dataclass
class _Runtime:
    """Everything built from one configuration; replaced as a whole on reload."""

    loaded: LoadedConfig
    refresher: Refresher
    publisher: Publisher
    web: Starlette

    @property
    def config(self) -> Config:
        return self.loaded.config


class Daemon:
    def __init__(
        self, loaded: LoadedConfig, store: Store, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.path = loaded.path
        self.store = store
        self.clock = clock
        self.metrics = Metrics()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._stop = asyncio.Event()
        self._stopping = False
        self._cycle: asyncio.Task[None] | None = None
        self._reload_lock = asyncio.Lock()
        self._publish_lock = asyncio.Lock()
        self._last_cycle_end: float | None = None
        # Every tick fails the same way while the database is down: logged once per streak, not per tick.
        self._cycle_failures = FailureStreak("refresh cycle", log)
        self._config_stamp = self._stamp()
        self.runtime = self._build(loaded)
        self._app = _SwappableApp(self.runtime.web)

    # ------------------------------------------------------------------------------------ building

    def _build(self, loaded: LoadedConfig) -> _Runtime:
        config = loaded.config
        readiness = Readiness(
            scheduler_running=lambda: bool(self.scheduler.running) and not self._stopping,
            seconds_since_refresh=self._seconds_since_refresh,
            refresh_failing=self._cycle_failures.describe,
            max_refresh_age_seconds=max(
                60.0, config.scheduler.tick.total_seconds() * 3 + config.defaults.timeout.total_seconds()
            ),
        )
        routes = ops_routes(self.store, self.metrics, readiness)
        web = create_app(config, self.store, clock=self.clock, extra_routes=routes)
        web.add_middleware(CountRequests, metrics=self.metrics, routes=lambda: list(web.routes))
        return _Runtime(
            loaded=loaded,
            refresher=Refresher(config, self.store, clock=self.clock),
            publisher=Publisher(config, self.store, clock=self.clock),
            web=web,
        )

    def _seconds_since_refresh(self) -> float | None:
        return None if self._last_cycle_end is None else time.monotonic() - self._last_cycle_end

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    # ------------------------------------------------------------------------------------ running

    async def run(self) -> int:
        config = self.runtime.config
        listener = bind_listener(config.server.host, config.server.port)  # fail early, before any work
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop, sig)
        loop.add_signal_handler(signal.SIGHUP, self.request_reload)

        await self.runtime.refresher.sync_sources()
        await self._publish(self.runtime, reason="startup")
        # What is stored already, before the first source is due (which may be an interval away): a
        # restarted daemon must not report zero sources and entries to its monitoring meanwhile.
        await self._update_source_metrics()
        freeze_long_lived_objects()

        server = _Server(
            uvicorn.Config(
                self._app,
                host=config.server.host,
                port=config.server.port,
                log_config=None,
                access_log=False,
                lifespan="off",
            )
        )
        server_task = asyncio.create_task(server.serve(sockets=[listener]), name="http-server")
        self._schedule(config)
        self.scheduler.start()
        log.info(
            "running: %d sources, %d published feeds, serving http://%s:%d/ (public %s)",
            sum(1 for s in config.sources if s.enabled),
            len(config.publish),
            config.server.host,
            config.server.port,
            config.public_base_url,
        )
        stop = asyncio.create_task(self._stop.wait())
        await asyncio.wait({stop, server_task}, return_when=asyncio.FIRST_COMPLETED)
        if server_task.done() and not self._stopping:
            error = server_task.exception()
            log.error("the HTTP server stopped: %s", error or "could not start (is the port in use?)")
            self._stopping = True
        await self._shutdown(server, server_task)
        listener.close()
        stop.cancel()
        return 0 if server_task.exception() is None and server.started else 1

    def _schedule(self, config: Config) -> None:
        tick = config.scheduler.tick.total_seconds()
        common: dict[str, Any] = {"coalesce": True, "max_instances": 1, "replace_existing": True}
        self.scheduler.add_job(
            self._refresh_job,
            IntervalTrigger(seconds=tick),
            id="refresh",
            next_run_time=datetime.now(UTC),
            misfire_grace_time=max(1, int(tick * 2)),
            **common,
        )
        self.scheduler.add_job(
            self._publish_job,
            IntervalTrigger(seconds=PERIODIC_PUBLISH_SECONDS),
            id="publish",
            misfire_grace_time=int(PERIODIC_PUBLISH_SECONDS),
            **common,
        )
        every = config.retention.every.total_seconds()
        self.scheduler.add_job(
            self._retention_job,
            IntervalTrigger(seconds=every),
            id="retention",
            next_run_time=datetime.now(UTC),
            misfire_grace_time=int(every),
            **common,
        )
        self.scheduler.add_job(
            self._watch_config_job,
            IntervalTrigger(seconds=CONFIG_WATCH_SECONDS),
            id="watch-config",
            misfire_grace_time=int(CONFIG_WATCH_SECONDS * 5),
            **common,
        )

    def request_stop(self, sig: signal.Signals | None = None) -> None:
        if not self._stopping:
            log.info("%s received: finishing in-flight work, then exiting", sig.name if sig else "stop")
        self._stopping = True
        self._stop.set()

    def request_reload(self) -> None:
        log.info("SIGHUP received: reloading %s", self.path)
        asyncio.get_running_loop().create_task(self.reload())

    # ---------------------------------------------------------------------------------------- jobs

    async def _refresh_job(self) -> None:
        """A thin trigger: start a refresh cycle unless one is running (or we are stopping/reloading)."""
        if self._stopping or self._reload_lock.locked() or (self._cycle and not self._cycle.done()):
            return
        self._cycle = asyncio.create_task(self._refresh_cycle(), name="refresh-cycle")

    async def _refresh_cycle(self) -> None:
        runtime = self.runtime
        results: list[SourceResult] = []
        try:
            results = await runtime.refresher.refresh(due_only=True)
        except AggregatorError as e:
            self._cycle_failures.failed(str(e))
            self.metrics.refresh_cycles.labels(result="failed").inc()
        except Exception as e:
            self._cycle_failures.failed(f"{type(e).__name__}: {e} (a bug: please report it)", bug=True)
            self.metrics.refresh_cycles.labels(result="failed").inc()
        else:
            self._cycle_failures.succeeded()
            self.metrics.refresh_cycles.labels(result="ok").inc()
        finally:
            self._last_cycle_end = time.monotonic()
            self.metrics.last_refresh.set(time.time())
        self.metrics.record_results(results)
        if any(r.new or r.updated for r in results):
            await self._publish(runtime, reason="new entries")
        if results:
            await self._update_source_metrics()

    async def _publish_job(self) -> None:
        if not self._stopping:
            await self._publish(self.runtime, reason="periodic")

    async def _retention_job(self) -> None:
        try:
            pruned = await asyncio.to_thread(apply_retention, self.runtime.config, self.store, self.clock())
        except AggregatorError as e:
            log.error("retention failed: %s", e)
            return
        if pruned.fetch_log:
            log.info("retention: pruned %d rows of the fetch log", pruned.fetch_log)
        if pruned.entries:
            log.info("retention: pruned %d entries (tombstones keep them from coming back)", pruned.entries)
            await self._publish(self.runtime, reason="retention")
            await self._update_source_metrics()

    async def _watch_config_job(self) -> None:
        stamp = self._stamp()
        if stamp is not None and stamp != self._config_stamp:
            log.info("%s changed: reloading", self.path)
            await self.reload()

    # ----------------------------------------------------------------------------------- publishing

    async def _publish(self, runtime: _Runtime, *, reason: str) -> list[PublishResult]:
        async with self._publish_lock:  # one rendering at a time, whatever triggered it
            started = time.perf_counter()
            try:
                results = await asyncio.to_thread(runtime.publisher.publish)
            except AggregatorError as e:
                log.error("publishing failed (%s): %s", reason, e)
                return []
        self.metrics.publish_seconds.observe(time.perf_counter() - started)
        changed = [r for r in results if r.changed]
        self.metrics.feeds_changed.inc(len(changed))
        hub = runtime.config.websub.hub
        if hub and changed:
            await ping_hub(hub, [r.url for r in changed])
        return results

    async def _update_source_metrics(self) -> None:
        try:
            states = await asyncio.to_thread(self.store.list_sources)
            entries = await asyncio.to_thread(self.store.count_entries)
        except AggregatorError as e:
            log.warning("could not read source states for metrics: %s", e)
            return
        self.metrics.record_sources(states, entries)

    # -------------------------------------------------------------------------------------- reload

    async def reload(self) -> bool:
        """Validate and apply the configuration file; keep the running one if it is invalid."""
        async with self._reload_lock:
            self._config_stamp = self._stamp()
            try:
                loaded = await asyncio.to_thread(load_config, self.path)
            except ConfigError as e:
                self.metrics.config_reloads.labels("invalid").inc()
                log.error("configuration not reloaded, still running the previous one:\n%s", e)
                return False
            old = self.runtime
            loaded = self._keep_restart_only_settings(old.config, loaded)
            if self._cycle and not self._cycle.done():
                await asyncio.wait({self._cycle})  # let the cycle of the old configuration end first
            new = self._build(loaded)
            self.runtime = new
            self._app.current = new.web
            await old.refresher.aclose()
            await new.refresher.sync_sources()
            if _timing(new.config) != _timing(old.config):
                self._schedule(new.config)
            self.metrics.config_reloads.labels("applied").inc()
            log.info("configuration reloaded from %s", self.path)
        await self._publish(new, reason="reload")
        await self._update_source_metrics()  # sources added or disabled
        return True

    def _keep_restart_only_settings(self, old: Config, loaded: LoadedConfig) -> LoadedConfig:
        """The database and the listening address only change with a restart; say so, keep the old ones."""
        config = loaded.config
        if config.database != old.database:
            log.warning("database changed in the configuration: restart the daemon to use it")
            config = config.model_copy(update={"database": old.database})
        if (config.server.host, config.server.port) != (old.server.host, old.server.port):
            log.warning("server.host/port changed in the configuration: restart the daemon to listen there")
        return LoadedConfig(path=loaded.path, config=config, marks=loaded.marks)

    # ------------------------------------------------------------------------------------ shutdown

    async def _shutdown(self, server: uvicorn.Server, server_task: asyncio.Task[None]) -> None:
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        cycle = self._cycle
        if cycle is not None and not cycle.done():
            grace = self.runtime.config.scheduler.shutdown_timeout.total_seconds()
            done, _ = await asyncio.wait({cycle}, timeout=grace)
            if not done:
                log.warning("in-flight refresh did not finish within %.0fs: cancelling it", grace)
                cycle.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await cycle
        await self.runtime.refresher.aclose()
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server_task, timeout=10)
        self.store.dispose()
        log.info("stopped")


def bind_listener(host: str, port: int) -> socket.socket:
    """The listening socket, opened before the daemon starts work, so a busy port is a clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        hint = " (is another aggregator running? change server.port)" if e.errno == errno.EADDRINUSE else ""
        raise AggregatorError(f"cannot listen on {host}:{port}: {e.strerror}{hint}") from e
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def run_daemon(loaded: LoadedConfig, store: Store) -> int:
    """Run until SIGTERM/SIGINT; the exit status (0 after a clean shutdown)."""

    async def main() -> int:
        return await Daemon(loaded, store).run()

    return asyncio.run(main())


def _timing(config: Config) -> tuple[float, float]:
    return config.scheduler.tick.total_seconds(), config.retention.every.total_seconds()
