"""Discount codes given by milestones

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "codes",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("customer_id", _id(), nullable=False),
        sa.Column("discount", sa.Text(), nullable=False),
        sa.Column("firing_id", _id(), nullable=True),
        sa.Column("issued_at", _time(), nullable=False),
        sa.Column("expires_at", _time(), nullable=True),
        sa.Column("redeemed_at", _time(), nullable=True),
        sa.Column("redeemed_order_id", sa.String(200), nullable=True),
        sa.Column("redemption_key", sa.String(200), nullable=True),
        sa.Column("voided_at", _time(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codes")),
        sa.UniqueConstraint("store_id", "code", name=op.f("uq_codes_store_id_code")),
        sa.UniqueConstraint("store_id", "redemption_key", name=op.f("uq_codes_store_id_redemption_key")),
    )
    op.create_index(op.f("ix_codes_customer_id"), "codes", ["customer_id"])
    op.create_index(op.f("ix_codes_firing_id"), "codes", ["firing_id"])


def downgrade() -> None:
    op.drop_table("codes")
