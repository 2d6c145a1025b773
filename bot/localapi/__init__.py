"""A local Bot API server speaking enough of Telegram's HTTP API for this bot, for tests and local mode."""
