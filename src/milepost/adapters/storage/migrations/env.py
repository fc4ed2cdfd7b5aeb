"""Alembic environment: runs on the connection Milepost hands it."""

from alembic import context

from milepost.adapters.storage.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through milepost.adapters.storage.engine.migrate()")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
