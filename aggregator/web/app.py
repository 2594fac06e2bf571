"""The HTTP application: published feeds with conditional GET, ad-hoc parameters, the index page, OPML.

Built by :func:`create_app` from the configuration and the store; the daemon adds its health and metrics
routes through ``extra_routes``. Handlers only translate HTTP to calls on :class:`FeedService` and back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from aggregator.config import Config
from aggregator.publish import render_opml
from aggregator.publish.build import feed_url
from aggregator.publish.document import FILE_SUFFIXES
from aggregator.publish.publisher import opml_outlines
from aggregator.store import Store
from aggregator.web.feeds import FeedService
from aggregator.web.index import render_index
from aggregator.web.params import BadParameterError, parse_params
from aggregator.web.representation import Representation, respond

SUFFIX_FORMATS = {suffix: fmt for fmt, suffix in FILE_SUFFIXES.items()}
OPML_TYPE = "text/x-opml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def cache_max_age(config: Config) -> int:
    """How long readers and proxies may reuse a feed: the shortest polling interval, within 1 minute..1 hour.

    Nothing in a published feed can change faster than its fastest source is polled.
    """
    intervals = [
        (s.interval or config.defaults.interval).total_seconds() for s in config.sources if s.enabled
    ]
    shortest = min(intervals, default=config.defaults.interval.total_seconds())
    floor = min(60.0, config.scheduler.min_interval.total_seconds())
    return int(min(max(shortest, floor), 3600))


def create_app(
    config: Config,
    store: Store,
    *,
    clock: Callable[[], datetime],
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    service = FeedService(config, store, clock=clock)
    max_age = cache_max_age(config)
    source_names = frozenset(source.name for source in config.sources)
    # Feeds are public: web readers and widgets that fetch them from a page's script need this header (RSSHub
    # sends it too). Simple GETs only; the browser's own cache revalidates with the ETag.
    cors = {"Access-Control-Allow-Origin": config.server.allow_origin} if config.server.allow_origin else {}

    async def feed(request: Request) -> Response:
        filename: str = request.path_params["filename"]
        stem, dot, suffix = filename.rpartition(".")
        fmt = SUFFIX_FORMATS.get(f"{dot}{suffix}")
        published = service.find(stem, fmt) if fmt else None
        if fmt is None or published is None:
            known = ", ".join(f"{f.name}{FILE_SUFFIXES[x]}" for f in config.publish for x in f.formats)
            return PlainTextResponse(f"no published feed {filename!r} (published: {known or 'none'})\n", 404)
        try:
            params = parse_params(
                {k: request.query_params.getlist(k) for k in request.query_params},
                max_limit=config.server.max_limit,
                now=clock(),
                sources=source_names,
            )
        except BadParameterError as e:
            return PlainTextResponse(f"bad request: {e}\n", 400)
        rep = await asyncio.to_thread(service.representation, published, fmt, params)
        headers = dict(cors)
        if config.websub.hub:
            self_url = feed_url(config.public_base_url, published.name, fmt, params.query or None)
            headers["Link"] = f'<{config.websub.hub}>; rel="hub", <{self_url}>; rel="self"'
        return respond(request, rep, max_age=max_age, extra_headers=headers)

    async def index(request: Request) -> Response:
        states = await asyncio.to_thread(store.published_states)
        body = render_index(config, states).encode("utf-8")
        newest = max((s.changed_at for s in states), default=EPOCH)
        return respond(request, Representation(body, HTML_TYPE, newest), max_age=max_age)

    async def opml(request: Request) -> Response:
        body = render_opml("Published feeds", opml_outlines(config))
        return respond(request, Representation(body, OPML_TYPE, EPOCH), max_age=max_age, extra_headers=cors)

    routes: list[BaseRoute] = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/opml", opml, methods=["GET", "HEAD"]),
        Route("/feeds/index.opml", opml, methods=["GET", "HEAD"]),
        Route("/feeds/{filename}", feed, methods=["GET", "HEAD"]),
        *extra_routes,
    ]
    return Starlette(routes=routes)
