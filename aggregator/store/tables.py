"""The database schema as typed SQLAlchemy 2 ORM classes.

These classes never leave the ``store`` package: the repository converts rows into the dataclasses of
:mod:`aggregator.models`. Every change here needs an Alembic migration under ``migrations/versions``; a test
checks that autogenerate finds nothing left to migrate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from aggregator.store.types import BigIntId, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SourceRow(Base):
    """A configured source and its fetch state (all scheduling state lives here, not in the scheduler)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    location: Mapped[str] = mapped_column(Text)  # current URL (moved by 301/308) or absolute path
    configured_location: Mapped[str] = mapped_column(Text)  # as the configuration says
    title: Mapped[str | None] = mapped_column(Text)  # the feed's own title
    config_title: Mapped[str | None] = mapped_column(Text)  # the configuration's title, shown when set
    site_link: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    enabled: Mapped[bool] = mapped_column(Boolean, server_default=true())
    gone: Mapped[bool] = mapped_column(Boolean, server_default=false())
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # Of the rules that read the stored document (processing.SourceRules.fingerprint): when the configured
    # rules differ, the next fetch is not conditional and the current document is read again whole.
    rules_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # sha256 of the last document read, when it gave nothing to store: the same bytes again (from a server
    # that sends no validators, or ignores them) are not modified, without being parsed.
    document_hash: Mapped[str | None] = mapped_column(String(64))
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_new_entry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_kind: Mapped[str | None] = mapped_column(String(32))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_errors: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    feed_ttl_seconds: Mapped[int | None] = mapped_column(Integer)
    warnings: Mapped[str | None] = mapped_column(Text)
    stale: Mapped[bool] = mapped_column(Boolean, server_default=false())
    stale_reason: Mapped[str | None] = mapped_column(Text)
    # A refresher claims a source before fetching it, so two processes (a daemon and `aggregator fetch`, or
    # two daemons on one PostgreSQL) never work on the same source at once; the claim expires by itself.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EntryRow(Base):
    """One normalized entry; unique per source and stable key."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("source_id", "key"),
        Index("ix_entries_published_at_id", "published_at", "id"),
        Index("ix_entries_source_id_published_at", "source_id", "published_at"),
        # Covers known_raw_hashes (see migration 0004): read on every refresh of a source.
        Index("ix_entries_source_id_key_raw_hash", "source_id", "key", "raw_hash"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(Text)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    link: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_raw: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text)
    content_html: Mapped[str] = mapped_column(Text)
    content_text: Mapped[str] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(Text)
    image_type: Mapped[str | None] = mapped_column(String(100))
    image_length: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[str | None] = mapped_column(String(35))
    content_hash: Mapped[str] = mapped_column(String(64))
    raw_hash: Mapped[str] = mapped_column(String(64))
    # [{"url", "type", "length"}, ...] of the entry's attachments, NULL when it has none (most entries): a
    # list read and written whole with its entry, never queried on its own.
    enclosures: Mapped[list[dict[str, object]] | None] = mapped_column(JSON(none_as_null=True))


class CategoryRow(Base):
    """A category; ``folded`` (NFKC, case-folded) is what makes ``AI`` and ``ai`` one category."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # as first seen (canonical names as configured)
    folded: Mapped[str] = mapped_column(String(200), unique=True)


class EntryCategoryRow(Base):
    """Entry-category link; ``published_at`` is copied here so "newest N of a category" is one index scan."""

    __tablename__ = "entry_categories"
    __table_args__ = (
        Index("ix_entry_categories_category_id_published_at", "category_id", "published_at", "entry_id"),
    )

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FetchLogRow(Base):
    """One row per attempt to refresh a source."""

    __tablename__ = "fetch_log"
    __table_args__ = (
        Index("ix_fetch_log_source_id_started_at", "source_id", "started_at"),
        Index("ix_fetch_log_started_at", "started_at"),  # retention deletes by age alone
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    new_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    filtered_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
    error_kind: Mapped[str | None] = mapped_column(String(32))


class PublishedFeedRow(Base):
    """The last rendering of each published feed and format: what the index page, ``status`` and the
    daemon's "did it change?" check read, whichever process rendered it."""

    __tablename__ = "published_feeds"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    etag: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(String(64))  # hash of the selected entries and feed settings
    entry_count: Mapped[int] = mapped_column(Integer)
    newest_entry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    size_bytes: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the content last changed
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it was last checked


class TombstoneRow(Base):
    """An entry removed by retention: its key (and link) stay while its feed still carries it, so that it
    does not come back as new."""

    __tablename__ = "tombstones"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    link: Mapped[str | None] = mapped_column(Text)
    uid: Mapped[str] = mapped_column(String(64))
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime)
