"""entries: enclosures besides the image; sources: fingerprint of the rules that read their document, and
the hash of a document that gave nothing to store; fetch_log: an index on started_at, for its retention

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Entries stored before this revision have no enclosures (podcast audio was dropped) and sources no
fingerprint: the next refresh of each source reads its current document again whole, with the new
normalizer, and fills the enclosures in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enclosures", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules_fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("document_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_fetch_log_started_at", "fetch_log", ["started_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fetch_log_started_at", table_name="fetch_log")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("document_hash")
        batch_op.drop_column("rules_fingerprint")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("enclosures")
