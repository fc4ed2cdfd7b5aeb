"""Stores get a Reply-To address for their emails and the URL of their logo

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stores", sa.Column("reply_to_address", sa.String(length=320), nullable=True))
    op.add_column("stores", sa.Column("logo_url", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("logo_url")
        batch.drop_column("reply_to_address")
