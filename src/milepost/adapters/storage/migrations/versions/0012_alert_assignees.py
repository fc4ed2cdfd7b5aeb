"""Alerts for agents (who must act on an alert, and resolving it); the dashboard's indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DASHBOARD_INDEXES = [
    ("firings", "fired_at"),
    ("credit_ledger", "created_at"),
    ("codes", "issued_at"),
    ("delivery_attempts", "started_at"),
]


def upgrade() -> None:
    # the email of the user who must act (an agent named by the action, or the customer's
    # account manager from a customer attribute); none: anyone
    op.add_column("alerts", sa.Column("assignee", sa.String(254), nullable=True))
    op.add_column("alerts", sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("alerts", sa.Column("resolved_by", sa.String(200), nullable=True))
    op.create_index(op.f("ix_alerts_store_id_assignee_status"), "alerts", ["store_id", "assignee", "status"])
    # the dashboard's charts: what happened per day, by store and time
    for table, column in DASHBOARD_INDEXES:
        op.create_index(op.f(f"ix_{table}_store_id_{column}"), table, ["store_id", column])


def downgrade() -> None:
    for table, column in DASHBOARD_INDEXES:
        op.drop_index(op.f(f"ix_{table}_store_id_{column}"), table_name=table)
    op.drop_index(op.f("ix_alerts_store_id_assignee_status"), table_name="alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("resolved_by")
        batch.drop_column("resolved_at")
        batch.drop_column("assignee")
