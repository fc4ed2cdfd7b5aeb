"""Delivery: outbox leases and outcomes, attempts, webhook endpoints, the local
mailbox, store senders, customer phones, alert de-duplication

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _time() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True)


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("stores", sa.Column("email_from_name", sa.String(length=200), nullable=True))
    op.add_column("stores", sa.Column("email_from_address", sa.String(length=320), nullable=True))
    op.add_column("customers", sa.Column("phone", sa.String(length=32), nullable=True))
    op.add_column("alerts", sa.Column("dedupe_key", sa.String(length=200), nullable=True))
    open_deduped = sa.text("status = 'open' AND dedupe_key IS NOT NULL")
    op.create_index(
        "ux_alerts_open_dedupe_key",
        "alerts",
        ["store_id", "dedupe_key"],
        unique=True,
        sqlite_where=open_deduped,
        postgresql_where=open_deduped,
    )
    op.add_column("outbox", sa.Column("endpoint_id", sa.Integer(), nullable=True))
    op.add_column("outbox", sa.Column("lease_owner", sa.String(length=64), nullable=True))
    op.add_column("outbox", sa.Column("last_code", sa.Integer(), nullable=True))
    op.add_column("outbox", sa.Column("last_error", sa.Text(), nullable=True))
    op.add_column("outbox", sa.Column("sent_at", _time(), nullable=True))
    op.add_column("outbox", sa.Column("updated_at", _time(), nullable=True))
    op.create_index(op.f("ix_outbox_store_id_status_id"), "outbox", ["store_id", "status", "id"], unique=False)
    op.create_table(
        "delivery_attempts",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", _id(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", _time(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempts")),
    )
    op.create_index(op.f("ix_delivery_attempts_outbox_id"), "delivery_attempts", ["outbox_id"], unique=False)
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("event_types", sa.Text(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_webhook_endpoints_store_id_stores")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        sa.UniqueConstraint("store_id", "url", name=op.f("uq_webhook_endpoints_store_id_url")),
    )
    op.create_table(
        "mailbox",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", _id(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("sender", sa.String(length=400), nullable=False),
        sa.Column("recipient", sa.String(length=400), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_mailbox_outbox_id")),
    )
    op.create_index(op.f("ix_mailbox_store_id_id"), "mailbox", ["store_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mailbox_store_id_id"), table_name="mailbox")
    op.drop_table("mailbox")
    op.drop_table("webhook_endpoints")
    op.drop_index(op.f("ix_delivery_attempts_outbox_id"), table_name="delivery_attempts")
    op.drop_table("delivery_attempts")
    op.drop_index(op.f("ix_outbox_store_id_status_id"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch_op:
        for column in ("updated_at", "sent_at", "last_error", "last_code", "lease_owner", "endpoint_id"):
            batch_op.drop_column(column)
    op.drop_index("ux_alerts_open_dedupe_key", table_name="alerts")
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_column("dedupe_key")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("stores") as batch_op:
        batch_op.drop_column("email_from_address")
        batch_op.drop_column("email_from_name")
