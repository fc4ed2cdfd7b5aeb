"""The admin UI's lookups: customers by email, a customer's messages, a program's firings, alerts newest first

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
    # the milestone log filtered by program, newest first
    op.create_index(op.f("ix_firings_rule_id_id"), "firings", ["rule_id", "id"])
    op.drop_index(op.f("ix_firings_rule_id"), table_name="firings")
    # alerts by status and by assignee, newest first (the dashboard)
    op.create_index(op.f("ix_alerts_store_id_status_id"), "alerts", ["store_id", "status", "id"])
    op.drop_index(op.f("ix_alerts_store_id_status"), table_name="alerts")
    op.create_index(op.f("ix_alerts_store_id_assignee_status_id"), "alerts", ["store_id", "assignee", "status", "id"])
    op.drop_index(op.f("ix_alerts_store_id_assignee_status"), table_name="alerts")


def downgrade() -> None:
    op.create_index(op.f("ix_alerts_store_id_assignee_status"), "alerts", ["store_id", "assignee", "status"])
    op.drop_index(op.f("ix_alerts_store_id_assignee_status_id"), table_name="alerts")
    op.create_index(op.f("ix_alerts_store_id_status"), "alerts", ["store_id", "status"])
    op.drop_index(op.f("ix_alerts_store_id_status_id"), table_name="alerts")
    op.create_index(op.f("ix_firings_rule_id"), "firings", ["rule_id"])
    op.drop_index(op.f("ix_firings_rule_id_id"), table_name="firings")
    op.drop_index(op.f("ix_outbox_customer_id_id"), table_name="outbox")
    op.drop_index(op.f("ix_customers_store_id_email"), table_name="customers")
