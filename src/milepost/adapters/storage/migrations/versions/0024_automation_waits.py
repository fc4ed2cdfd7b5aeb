"""Automations' waits: the rest of a branch after "wait N days", pending until its day

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "automation_waits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("branch", sa.String(200), nullable=False),
        sa.Column("due_day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resumed_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_automation_waits_store_id_stores")),
        sa.ForeignKeyConstraint(["rule_id"], ["rules.id"], name=op.f("fk_automation_waits_rule_id_rules")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_waits")),
        sa.UniqueConstraint(
            "rule_id",
            "customer_id",
            "occurrence",
            "step",
            name=op.f("uq_automation_waits_rule_id_customer_id_occurrence_step"),
        ),
    )
    op.create_index("ix_automation_waits_rule_id_due_day", "automation_waits", ["rule_id", "due_day"])


def downgrade() -> None:
    op.drop_index("ix_automation_waits_rule_id_due_day", "automation_waits")
    op.drop_table("automation_waits")
