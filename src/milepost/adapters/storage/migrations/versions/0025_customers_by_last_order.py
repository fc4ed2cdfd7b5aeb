"""Customers indexed by their last counted order: the daily run's inactivity sweep reads the
lapses that came due on the day as a range of it, and the automations' `inactive` trigger
its candidates

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-07
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_customers_store_id_last_order_at_id", "customers", ["store_id", "last_order_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_customers_store_id_last_order_at_id", table_name="customers")
