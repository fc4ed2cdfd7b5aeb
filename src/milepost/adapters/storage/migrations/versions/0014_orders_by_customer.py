"""Orders lose their index by customer: no query reads orders by customer, and
keeping it cost every new order a write at a random place in the index

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f("ix_orders_customer_id"), table_name="orders")


def downgrade() -> None:
    op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"])
