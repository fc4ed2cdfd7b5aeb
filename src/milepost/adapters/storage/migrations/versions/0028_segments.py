"""Segments: a store's definitions (filters as JSON, auto or static), their members, and
each entry and exit of a member, recorded once

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("time_based", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_segments_store_id_stores")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("store_id", "key", name=op.f("uq_segments_store_id_key")),
    )
    op.create_table(
        "segment_members",
        sa.Column("segment_id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("segment_id", "customer_id", name=op.f("pk_segment_members")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_segment_members_customer_id", "segment_members", ["customer_id"])
    op.create_table(
        "segment_transitions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("entered", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_transitions")),
    )
    op.create_index("ix_segment_transitions_segment_id_id", "segment_transitions", ["segment_id", "id"])


def downgrade() -> None:
    op.drop_table("segment_transitions")
    op.drop_index("ix_segment_members_customer_id", table_name="segment_members")
    op.drop_table("segment_members")
    op.drop_table("segments")
