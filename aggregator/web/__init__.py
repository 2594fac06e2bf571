"""The HTTP server: published feeds, the index page, OPML (and, in the daemon, health and metrics)."""

from aggregator.web.app import create_app

__all__ = ["create_app"]
