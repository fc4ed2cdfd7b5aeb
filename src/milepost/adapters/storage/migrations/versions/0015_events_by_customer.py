"""Events get an index by customer and time: a customer's page shows their latest events

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_events_customer_id_occurred_at"), "events", ["customer_id", "occurred_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_events_customer_id_occurred_at"), table_name="events")
