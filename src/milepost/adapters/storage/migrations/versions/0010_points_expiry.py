"""Points expiry: a store-set period after which earned points expire, oldest first

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # days after which earned points expire (None: never), counted from when they were
    # earned or from `points_expire_since` (when the period was set), whichever is later
    op.add_column("stores", sa.Column("points_expire_days", sa.Integer(), nullable=True))
    op.add_column("stores", sa.Column("points_expire_since", sa.DateTime(timezone=True), nullable=True))
    # the sweep's mark: lots earned at or before it are settled (expired or used up)
    op.add_column("stores", sa.Column("points_expired_until", sa.DateTime(timezone=True), nullable=True))
    # the sweep finds the lots that came due by store and time
    op.create_index(op.f("ix_points_ledger_store_id_created_at"), "points_ledger", ["store_id", "created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_points_ledger_store_id_created_at"), table_name="points_ledger")
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("points_expired_until")
        batch.drop_column("points_expire_since")
        batch.drop_column("points_expire_days")
