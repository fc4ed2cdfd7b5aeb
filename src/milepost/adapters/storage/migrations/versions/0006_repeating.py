"""Repeating programs: the step between a rule's marks, and each excluded customer's
value when the rule was armed

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rules", sa.Column("repeat_every", sa.BigInteger(), nullable=True))
    op.add_column("rule_exclusions", sa.Column("value", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rule_exclusions") as batch_op:
        batch_op.drop_column("value")
    with op.batch_alter_table("rules") as batch_op:
        batch_op.drop_column("repeat_every")
