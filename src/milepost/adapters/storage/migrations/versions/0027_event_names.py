"""The event catalogue: every event name a store has seen (built-in types, custom names,
Milepost's internal events), with how many and when last, kept by the transactions that
store events

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_names",
        sa.Column("store_id", sa.Integer(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "name", "internal"),
    )
    # the names of the events already stored, as the catalogue would have counted them
    false = "false" if op.get_bind().dialect.name == "postgresql" else "0"
    op.execute(
        "INSERT INTO event_names (store_id, name, internal, count, last_seen_at) "
        "SELECT store_id, CASE WHEN type = 'custom' AND name IS NOT NULL THEN name ELSE type END, " + false + ", "
        "count(*), max(occurred_at) FROM ("
        "SELECT store_id, type, occurred_at, "
        + (
            "payload::json->>'name'"
            if op.get_bind().dialect.name == "postgresql"
            else "json_extract(payload, '$.name')"
        )
        + " AS name FROM events) AS e "
        "GROUP BY store_id, CASE WHEN type = 'custom' AND name IS NOT NULL THEN name ELSE type END"
    )


def downgrade() -> None:
    op.drop_table("event_names")
