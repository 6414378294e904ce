"""Alembic migrations, applied at start by ``open_database`` (the only module that imports alembic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(sync_connection: Any) -> None:
    """Run pending migrations on an open (sync) connection inside the caller's transaction."""
    command.upgrade(alembic_config(sync_connection), "head")


def pending_differences(sync_connection: Any) -> list[Any]:
    """Differences between the migrated database and ``schema.metadata`` (a test keeps it empty)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from yunmail.storage.sql.schema import metadata

    context = MigrationContext.configure(sync_connection, opts={"compare_type": False})
    return list(compare_metadata(context, metadata))
