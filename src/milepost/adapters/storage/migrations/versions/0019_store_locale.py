"""Stores get a locale: how their money is written ($10.00, 10,00 €)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stores", sa.Column("locale", sa.String(length=32), nullable=False, server_default="en_US"))


def downgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("locale")
