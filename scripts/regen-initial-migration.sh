#!/usr/bin/env bash
# Pre-release only: rebuild migration 0001 from schema.py (no deployment exists yet to upgrade).
# After the first release, add new revisions with scripts/new-migration.py instead.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=src/yunmail/storage/sql/migrations/versions
rm -f "$versions"/0001_initial_schema.py
.venv/bin/python scripts/new-migration.py "initial schema" >/dev/null
f=$(ls "$versions"/*_initial_schema.py)
sed -i -e "s/yunmail.storage.sql.schema.UtcDateTime(timezone=True)/UtcDateTime()/g" \
  -e "s/^from alembic import op$/from alembic import op\n\nfrom yunmail.storage.sql.schema import UtcDateTime/" \
  -e "s/^revision = .*/revision = \"0001\"/" -e "s/^Revision ID: .*/Revision ID: 0001/" "$f"
mv "$f" "$versions"/0001_initial_schema.py
.venv/bin/ruff format -q "$versions"
.venv/bin/ruff check --fix -q "$versions" || true
echo "regenerated $versions/0001_initial_schema.py"
