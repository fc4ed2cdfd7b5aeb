"""Events get an index by customer and time (a customer's page shows their latest events),
customers one by email in lower case (a search for an address finds it in any case)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_events_customer_id_occurred_at"), "events", ["customer_id", "occurred_at"])
    op.create_index("ix_customers_store_id_lower_email", "customers", ["store_id", sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index("ix_customers_store_id_lower_email", table_name="customers")
    op.drop_index(op.f("ix_events_customer_id_occurred_at"), table_name="events")
