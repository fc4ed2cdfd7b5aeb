"""Automations' misses: per automation, day and customer, why nothing fired (in the audience
but in no branch; the rest of a branch after a wait stopped), and the runs' count of them

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "automation_run_misses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_automation_run_misses_store_id_stores")),
        sa.ForeignKeyConstraint(["rule_id"], ["rules.id"], name=op.f("fk_automation_run_misses_rule_id_rules")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_run_misses")),
        sa.UniqueConstraint(
            "rule_id",
            "day",
            "customer_id",
            "reason",
            name=op.f("uq_automation_run_misses_rule_id_day_customer_id_reason"),
        ),
    )
    with op.batch_alter_table("automation_runs") as batch:
        batch.add_column(sa.Column("stopped", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("automation_runs") as batch:
        batch.drop_column("stopped")
    op.drop_table("automation_run_misses")
