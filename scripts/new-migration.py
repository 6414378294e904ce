"""Generate an Alembic revision from the difference between schema.py and the migrated database.

Usage: .venv/bin/python scripts/new-migration.py "message"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from yunmail.storage.sql.migrations import alembic_config


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'm.db'}")
        with engine.begin() as conn:
            config = alembic_config(conn)
            command.upgrade(config, "head")
            command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
