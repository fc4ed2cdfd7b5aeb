"""Stores say whether their milestone emails are marketing (sent only with the customer's
email consent, the default) or transactional (sent without it)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stores", sa.Column("milestone_emails", sa.String(16), nullable=False, server_default="marketing"))


def downgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("milestone_emails")
