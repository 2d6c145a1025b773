"""Persistence: the SQLite database, its migrations and repositories. The only place with SQL."""
