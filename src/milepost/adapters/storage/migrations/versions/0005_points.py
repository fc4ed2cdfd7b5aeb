"""Points: the stores' earning rate, the points ledger, points earned on the customer
and the rate each order earns at

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("stores", sa.Column("points_per_unit", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("stores", sa.Column("allow_negative_points", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("customers", sa.Column("points_earned", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("orders", sa.Column("points_rate", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "points_ledger",
        sa.Column("id", _Id, autoincrement=True, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", _Id, nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("firing_id", _Id, nullable=True),
        sa.Column("order_id", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_ledger")),
        sa.UniqueConstraint("store_id", "idempotency_key", name=op.f("uq_points_ledger_store_id_idempotency_key")),
    )
    op.create_index(op.f("ix_points_ledger_customer_id"), "points_ledger", ["customer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_points_ledger_customer_id"), table_name="points_ledger")
    op.drop_table("points_ledger")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("points_rate")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("points_earned")
    with op.batch_alter_table("stores") as batch_op:
        batch_op.drop_column("allow_negative_points")
        batch_op.drop_column("points_per_unit")
