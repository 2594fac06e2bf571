"""entries: a covering index for the raw hashes of a source's entries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Every refresh of a source first reads (key, raw hash) of its stored entries, to skip the unchanged ones
before normalizing. On SQLite those columns sit after the entry's content in the row, so each read walked
the row's overflow pages; with this index the read touches the index alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_entries_source_id_key_raw_hash", "entries", ["source_id", "key", "raw_hash"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_entries_source_id_key_raw_hash", table_name="entries")
