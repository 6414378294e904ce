"""Alembic environment: always run against the connection handed in by ``upgrade_to_head``."""

from __future__ import annotations

from alembic import context

from yunmail.storage.sql.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("yunmail migrations run through yunmail.storage.sql.migrations.upgrade_to_head")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
