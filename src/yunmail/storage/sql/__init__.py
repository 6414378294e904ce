"""SQL storage: engine, schema and migrations."""
