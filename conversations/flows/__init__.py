"""Use cases, one transaction each: handlers and the CLI call these; nothing else orchestrates."""
