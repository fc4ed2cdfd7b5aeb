"""Activities: reviews, referrals and billing cycles counted once per item, and their
counts on the customer

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COUNTS = ("review_count", "referral_count", "billing_cycles")


def _time() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    for name in _COUNTS:
        op.add_column("customers", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "activities",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", _time(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "type", "item", name=op.f("pk_activities")),
    )


def downgrade() -> None:
    op.drop_table("activities")
    with op.batch_alter_table("customers") as batch_op:
        for name in _COUNTS:
            batch_op.drop_column(name)
