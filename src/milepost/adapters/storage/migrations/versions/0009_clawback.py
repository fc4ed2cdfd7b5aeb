"""Per-program clawback policy

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # keep (None) by default: a program's milestones stay when their order is refunded
    op.add_column("rules", sa.Column("clawback_days", sa.Integer(), nullable=True))
    # when a firing's rewards were taken back, and what could not be (JSON), if anything
    op.add_column("firings", sa.Column("clawed_back_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("firings", sa.Column("clawback_debt", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("firings") as batch:
        batch.drop_column("clawback_debt")
        batch.drop_column("clawed_back_at")
    with op.batch_alter_table("rules") as batch:
        batch.drop_column("clawback_days")
