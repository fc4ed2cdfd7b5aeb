"""Sequential journeys: a rule's steps, and each customer's progress on them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("rules", sa.Column("steps", sa.Text(), nullable=True))
    op.create_table(
        "journey_progress",
        sa.Column("rule_id", _id(), nullable=False),
        sa.Column("customer_id", _id(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "rule_id", name=op.f("pk_journey_progress")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("journey_progress")
    with op.batch_alter_table("rules") as batch_op:
        batch_op.drop_column("steps")
