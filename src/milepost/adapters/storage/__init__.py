"""Storage on SQLite (embedded default) and PostgreSQL (production)."""
