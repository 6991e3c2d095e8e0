"""Storage: the SQLite file, its schema and migrations, and transactions."""
