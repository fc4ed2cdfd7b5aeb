"""Coupon pools: named sets of codes imported or generated ahead, each assigned to one customer

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pools",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("discount", sa.Text(), nullable=False),
        sa.Column("low_threshold", sa.Integer(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_pools_store_id_stores")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pools")),
        sa.UniqueConstraint("store_id", "key", name=op.f("uq_pools_store_id_key")),
    )
    op.create_table(
        "pool_codes",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("pool_id", _id(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("customer_id", _id(), nullable=True),
        sa.Column("assigned_at", _time(), nullable=True),
        sa.Column("firing_id", _id(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_pool_codes_pool_id_pools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pool_codes")),
        sa.UniqueConstraint("store_id", "code", name=op.f("uq_pool_codes_store_id_code")),
    )
    op.create_index(op.f("ix_pool_codes_pool_id_customer_id"), "pool_codes", ["pool_id", "customer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pool_codes_pool_id_customer_id"), table_name="pool_codes")
    op.drop_table("pool_codes")
    op.drop_table("pools")
