"""Operational routes of the daemon: liveness, readiness, Prometheus metrics, and request counting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aggregator.errors import StoreError
from aggregator.metrics import CONTENT_TYPE, Metrics
from aggregator.store import Store


@dataclass
class Readiness:
    """What /readyz looks at; the daemon keeps it current."""

    scheduler_running: Callable[[], bool]
    seconds_since_refresh: Callable[[], float | None]
    max_refresh_age_seconds: float
    # The current streak of failed refresh cycles, described, or None when the last one worked.
    refresh_failing: Callable[[], str | None] = lambda: None


def ops_routes(store: Store, metrics: Metrics, readiness: Readiness) -> list[BaseRoute]:
    async def healthz(request: Request) -> Response:
        return Response(b"ok\n", media_type="text/plain")

    async def readyz(request: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            await asyncio.to_thread(store.ping)
            checks["database"] = "ok"
        except StoreError as e:
            checks["database"] = f"unreachable: {e}"
        checks["scheduler"] = "ok" if readiness.scheduler_running() else "not running"
        age = readiness.seconds_since_refresh()
        failing = readiness.refresh_failing()
        if failing is not None:
            checks["refresh"] = failing
        elif age is None:
            checks["refresh"] = "no refresh cycle yet"
        elif age > readiness.max_refresh_age_seconds:
            checks["refresh"] = f"last refresh cycle ended {age:.0f}s ago"
        else:
            checks["refresh"] = "ok"
        ready = all(value == "ok" for value in checks.values())
        body = json.dumps({"ready": ready, "checks": checks}, ensure_ascii=False, indent=2) + "\n"
        return Response(body.encode(), status_code=200 if ready else 503, media_type="application/json")

    async def metrics_route(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_route, methods=["GET"]),
    ]


class CountRequests:
    """ASGI middleware: count requests by route template (not raw path: unbounded labels) and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Callable[[], list[BaseRoute]]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    def _route_of(self, scope: Scope) -> str:
        for route in self.routes():
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return getattr(route, "path", "other")
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.metrics.http_requests.labels(self._route_of(scope), str(status)).inc()
