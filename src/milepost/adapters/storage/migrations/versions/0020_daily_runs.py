"""Daily runs: the store-local days `milepost run-daily` has completed, one row per (store, day)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_runs",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_daily_runs_store_id_stores")),
        sa.PrimaryKeyConstraint("store_id", "day", name=op.f("pk_daily_runs")),
    )


def downgrade() -> None:
    op.drop_table("daily_runs")
