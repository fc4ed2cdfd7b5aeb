"""Automations: a rule of kind "automation" with a key and a JSON definition; the run log;
customers indexed by their first counted order and sign-up for the daily triggers

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rules") as batch:
        batch.add_column(sa.Column("key", sa.String(64)))  # an automation's key, unique in its store
        batch.add_column(sa.Column("definition", sa.Text()))  # an automation's definition, JSON
    op.create_index("ix_rules_store_id_key", "rules", ["store_id", "key"], unique=True)
    op.create_index("ix_customers_store_id_first_order_at", "customers", ["store_id", "first_order_at"])
    op.create_index("ix_customers_store_id_created_at", "customers", ["store_id", "created_at"])
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("audience", sa.Integer(), nullable=False),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("branches", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_automation_runs_store_id_stores")),
        sa.ForeignKeyConstraint(["rule_id"], ["rules.id"], name=op.f("fk_automation_runs_rule_id_rules")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_runs")),
    )
    op.create_index("ix_automation_runs_rule_id_day", "automation_runs", ["rule_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_automation_runs_rule_id_day", "automation_runs")
    op.drop_table("automation_runs")
    op.drop_index("ix_customers_store_id_created_at", "customers")
    op.drop_index("ix_customers_store_id_first_order_at", "customers")
    op.drop_index("ix_rules_store_id_key", "rules")
    with op.batch_alter_table("rules") as batch:
        batch.drop_column("definition")
        batch.drop_column("key")
