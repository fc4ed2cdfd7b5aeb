"""Events get an index by customer and time (a customer's page shows their latest events),
customers one by email in lower case (a search for an address finds it in any case), and
tags changed by hand are recorded with who changed them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_events_customer_id_occurred_at"), "events", ["customer_id", "occurred_at"])
    op.create_index("ix_customers_store_id_lower_email", "customers", ["store_id", sa.text("lower(email)")])
    op.create_table(
        "tag_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("added", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_changes")),
    )
    op.create_index(op.f("ix_tag_changes_customer_id_id"), "tag_changes", ["customer_id", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tag_changes_customer_id_id"), table_name="tag_changes")
    op.drop_table("tag_changes")
    op.drop_index("ix_customers_store_id_lower_email", table_name="customers")
    op.drop_index(op.f("ix_events_customer_id_occurred_at"), table_name="events")
