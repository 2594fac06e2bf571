"""published feeds: the last rendering of each published feed and format

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import aggregator.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_feeds",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("newest_entry_at", aggregator.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("changed_at", aggregator.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rendered_at", aggregator.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "format", name=op.f("pk_published_feeds")),
    )


def downgrade() -> None:
    op.drop_table("published_feeds")
