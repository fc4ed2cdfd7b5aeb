"""The admin UI's lookups: customers by email, a customer's messages

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_customers_store_id_email"), "customers", ["store_id", "email"])
    op.create_index(op.f("ix_outbox_customer_id_id"), "outbox", ["customer_id", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_customer_id_id"), table_name="outbox")
    op.drop_index(op.f("ix_customers_store_id_email"), table_name="customers")
