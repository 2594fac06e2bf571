"""The exception tree of the aggregator.

Every error a user can meet is a subclass of :class:`AggregatorError` and carries a message they can act on.
Errors are translated at each boundary with ``raise ... from e`` so the original cause stays in the chain
(visible with ``--verbose``)::

    AggregatorError
    ├── ConfigError          the YAML file is missing, malformed or invalid (one or more located problems)
    ├── StoreError           the database cannot be opened, migrated, read or written
    ├── FetchError           a source could not be fetched (HTTP status, timeout, size limit, scheme, ...)
    │   └── NotAFeedError    the URL answered an HTML page; carries any autodiscovered feed URL
    ├── ParseError           the bytes were fetched but hold no readable feed
    └── PublishError         a published feed could not be rendered or written

A failing *source* is a normal outcome: fetch and parse errors are returned as values inside update results
and recorded on the source; they are raised only inside the fetching and parsing modules.
"""

from __future__ import annotations

from dataclasses import dataclass


class AggregatorError(Exception):
    """Root of every error the aggregator raises on purpose."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One problem in a configuration file, located as precisely as the YAML allows."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(AggregatorError):
    """The configuration cannot be used; ``problems`` lists every located problem found."""

    def __init__(self, problems: list[ConfigProblem] | str) -> None:
        if isinstance(problems, str):
            problems = [ConfigProblem(file="", line=None, column=None, path="", message=problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class StoreError(AggregatorError):
    """The database could not be opened, migrated, read or written."""


class FetchError(AggregatorError):
    """A source could not be fetched.

    ``kind`` is a short machine-readable word (``timeout``, ``too_large``, ``http``, ``gone``,
    ``rate_limited``, ``scheme``, ``network``, ``redirects``, ``not_a_feed``, ``missing``) used for metrics
    and backoff decisions; ``retry_after_seconds`` is set when the server asked us to wait.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = "network",
        status: int | None = None,
        retry_after_seconds: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after_seconds = retry_after_seconds


class NotAFeedError(FetchError):
    """The URL answered an HTML page instead of a feed; ``discovered`` lists feed URLs found in it."""

    def __init__(self, message: str, *, discovered: tuple[str, ...] = (), status: int | None = None) -> None:
        super().__init__(message, kind="not_a_feed", status=status)
        self.discovered = discovered


class ParseError(AggregatorError):
    """The document was fetched but no entry could be read from it."""


class PublishError(AggregatorError):
    """A published feed could not be rendered or written."""
